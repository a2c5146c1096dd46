"""Schemathesis with every check, as two tenants, against the running local API (scripts/fuzz.py).

`make fuzz` runs the same thing for 20,000+ requests; here a regression check of a few hundred
(every operation, both roles, every check), on the shared stack: the run waits until the pipeline
has finished every order it accepted, so nothing of it is left for the next test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scripts.fuzz import report, run

pytestmark = pytest.mark.e2e
MIN_REQUESTS = 300


def test_every_check_passes_and_nothing_reaches_a_dead_letter_queue(
    stack: dict[str, Any], tmp_path: Path
) -> None:
    summary = run(
        stack, tmp_path, MIN_REQUESTS, max_examples=20, seed=20261128,
        drain_timeout_s=420, say=lambda _line: None,
    )  # fmt: skip
    text = report(summary, MIN_REQUESTS)
    assert summary.requests >= MIN_REQUESTS, text
    assert summary.server_errors == 0, text
    assert summary.check_failures == 0, text
    assert summary.drained, text
    assert not any(summary.dead_letters.values()), text
    assert summary.statuses.get("202", 0) > 0, text  # orders were accepted and went through
