"""Tables for people (rich), JSON for scripts (`--json`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped output keeps whole ids on one line rather than rich's default of 80 columns.
    width = None if stream.isatty() else 200
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def emit(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], as_json: bool, title: str = ""
) -> None:
    """Rows as a table, or as one JSON document on stdout."""
    if as_json:
        json.dump(list(rows), sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
        return
    from rich.table import Table

    table = Table(title=title or None, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console().print(table)


def say(text: str) -> None:
    """A status line on stderr (stdout stays clean for --json)."""
    console(stderr=True).print(text)


def confirm(question: str, yes: bool) -> bool:
    """`--yes`, or the person at the terminal says y; without a terminal, `--yes` is required."""
    if yes:
        return True
    if not sys.stdin.isatty():
        from orderctl.errors import OrderctlError

        raise OrderctlError(f"{question} Not asked without a terminal: add --yes to go ahead")
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
