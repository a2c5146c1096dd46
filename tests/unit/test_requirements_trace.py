"""docs/requirements-trace.md: every requirement row points at real files or an ADR that exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRACE = ROOT / "docs" / "requirements-trace.md"
ADR = re.compile(r"ADR (\d{4})")


def tables(text: str) -> dict[str, list[list[str]]]:
    """The rows of each markdown table, by the heading above it ('' for the first)."""
    found: dict[str, list[list[str]]] = {}
    heading = ""
    for line in text.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
        elif line.startswith("|") and not set(line) <= set("|-: "):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            found.setdefault(heading, []).append(cells)
    return {name: rows[1:] for name, rows in found.items()}  # without the header row


def paths(cell: str) -> list[str]:
    return [p for p in re.findall(r"`([^`]+)`", cell) if "/" in p or "." in p]


def adr_exists(number: str) -> bool:
    return any((ROOT / "docs" / "adr").glob(f"{number}-*.md"))


def problems_of(rows: list[list[str]]) -> list[str]:
    """What is wrong with each requirement row (the rule the trace promises)."""
    problems = []
    for ref, requirement, implemented, deviation in rows:
        where = paths(implemented)
        missing = [p for p in where if not (ROOT / p).exists()]
        adrs = ADR.findall(deviation)
        if missing:
            problems.append(f"{ref} {requirement!r}: no such file {missing}")
        if any(not adr_exists(n) for n in adrs):
            problems.append(f"{ref} {requirement!r}: no such ADR in {deviation!r}")
        if not where and not adrs:
            problems.append(f"{ref} {requirement!r}: neither implemented nor an ADR")
    return problems


def test_every_requirement_is_implemented_somewhere_or_deviates_by_an_adr() -> None:
    traced = tables(TRACE.read_text())[""]
    assert len(traced) >= 50
    assert problems_of(traced) == []


def test_the_rule_catches_a_row_with_neither_and_a_stale_path() -> None:
    rows = [
        ["9.9", "something", "", ""],
        ["9.8", "other", "`chalicelib/no_such_module.py`", ""],
        ["9.7", "third", "", "ADR 9999"],
        ["9.6", "fine", "`app.py`", "ADR 0019"],
    ]
    problems = problems_of(rows)
    assert [p.split()[0] for p in problems] == ["9.9", "9.8", "9.7"]
    assert "neither" in problems[0]
    assert "no such file" in problems[1]
    assert "no such ADR" in problems[2]


def test_open_requirements_name_the_issue_that_builds_them() -> None:
    open_rows = tables(TRACE.read_text()).get("Open (issue 18)", [])
    assert all(re.fullmatch(r"issue \d+", row[-1]) for row in open_rows), open_rows
