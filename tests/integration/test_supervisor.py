"""The local supervisor: a dead poller is started again; a crash loop or a dead API stops."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from devstack import stack as local_stack
from devstack.stack import Ports, Supervisor


@pytest.fixture
def supervisor(tmp_path: Path) -> Supervisor:
    made = Supervisor("local", Ports(1, 2), tmp_path, echo=io.StringIO())
    made.logs_dir.mkdir()
    return made


def spawn(supervisor: Supervisor, name: str, code: str) -> None:
    supervisor.spawn(name, [sys.executable, "-c", code], {"PATH": "/usr/bin:/bin"})


def test_a_poller_that_dies_is_started_again_until_it_crash_loops(
    supervisor: Supervisor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_stack, "RESTARTS_PER_MINUTE", 3)
    spawn(supervisor, "pdf", "import sys; sys.exit(3)")
    first = supervisor.children["pdf"].pid
    assert supervisor.watch() == 1  # three restarts, then the fourth death stops the stack
    echoed = supervisor.echo.getvalue()  # type: ignore[attr-defined]
    assert echoed.count("pdf exited with code 3; starting it again") == 3
    assert "pdf exited unexpectedly with code 3; stopping" in echoed
    assert supervisor.children["pdf"].pid != first
    recorded = (supervisor.state_dir / "pids.json").read_text()
    assert str(supervisor.children["pdf"].pid) in recorded  # a restart after a crash ends it


def test_the_api_dying_stops_the_stack_at_once(supervisor: Supervisor) -> None:
    spawn(supervisor, "api", "import sys; sys.exit(4)")
    assert supervisor.watch() == 1
    echoed = supervisor.echo.getvalue()  # type: ignore[attr-defined]
    assert "starting it again" not in echoed
    assert "api exited unexpectedly with code 4; stopping" in echoed
