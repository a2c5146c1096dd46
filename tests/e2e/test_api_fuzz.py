"""Schemathesis against the running local API, from the generated OpenAPI: no 5xx, ever."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib.local.token import id_token
from tests.e2e.stack_process import RunningStack

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
MIN_REQUESTS = 1000


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A stack of its own: the hundreds of orders fuzzing creates must not queue up before
    other tests' orders (their PDFs and emails would wait behind them)."""
    process = RunningStack(tmp_path_factory.mktemp("fuzz-stack"))
    yield process.start()
    assert process.stop() == 0


def test_generated_requests_never_get_a_server_error(
    own_stack: dict[str, Any], tmp_path: Path
) -> None:
    stack = own_stack
    token = id_token(stack, "alice@tenant-a.example")
    st = Path(sys.executable).parent / "st"
    result = subprocess.run(
        [
            str(st), "run", str(ROOT / "docs" / "openapi.json"),
            "--url", stack["apiUrl"],
            "--header", f"Authorization: Bearer {token}",
            "--checks", "not_a_server_error",
            "--max-examples", "100",
            "--seed", "20261128",
            "--workers", "2",
            "--report-dir", str(tmp_path),
        ],
        cwd=ROOT,  # schemathesis.toml lives here
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    failures = output.find("FAILURES")
    assert result.returncode == 0, (
        output[failures : failures + 6000] if failures >= 0 else output[-4000:]
    )
    generated = re.search(r"(\d+) generated, (\d+) passed", output)
    assert generated, output[-2000:]
    assert int(generated.group(1)) == int(generated.group(2)) >= MIN_REQUESTS, generated.group(0)
