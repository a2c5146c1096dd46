"""Schemathesis with every check, as two tenants, against the running local API (scripts/fuzz.py).

`make fuzz` runs the same thing for 20,000+ requests; here one round of about a thousand.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.fuzz import report, run
from tests.e2e.stack_process import RunningStack

pytestmark = pytest.mark.e2e
MIN_REQUESTS = 1000


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A stack of its own: the orders fuzzing creates must not queue up before other tests'
    orders (their PDFs and emails would wait behind them)."""
    process = RunningStack(tmp_path_factory.mktemp("fuzz-stack"))
    yield process.start()
    assert process.stop() == 0


def test_every_check_passes_and_nothing_reaches_a_dead_letter_queue(
    own_stack: dict[str, Any], tmp_path: Path
) -> None:
    summary = run(
        own_stack, tmp_path, MIN_REQUESTS, max_examples=60, seed=20261128,
        drain_timeout_s=420, say=lambda _line: None,
    )  # fmt: skip
    text = report(summary, MIN_REQUESTS)
    assert summary.requests >= MIN_REQUESTS, text
    assert summary.server_errors == 0, text
    assert summary.check_failures == 0, text
    assert summary.drained, text
    assert not any(summary.dead_letters.values()), text
    assert summary.statuses.get("202", 0) > 0, text  # orders were accepted and went through
