"""What orderctl prints, like gh and stripe do: a table on a terminal, tab-separated values when
piped (a header line, then one line per row), and with `--json` the API's own body (one object
for one object). Status and progress go to stderr, so stdout stays clean for a pipe.
"""

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


def body(document: Any) -> None:
    """One JSON document on stdout: the API's body as it came."""
    json.dump(document, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def cell(value: Any) -> str:
    """A TSV cell: no tabs or newlines inside, None as empty."""
    if value is None:
        return ""
    text = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
    return text.replace("\t", " ").replace("\n", " ")


def emit(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], as_json: bool, title: str = ""
) -> None:
    """Rows as a table (terminal), TSV (piped) or one JSON array (`--json`)."""
    if as_json:
        body(list(rows))
        return
    if not sys.stdout.isatty():
        if title:  # for the person watching; the pipe gets only the rows
            say(title)
        sys.stdout.write("\t".join(columns) + "\n")
        for row in rows:
            sys.stdout.write("\t".join(cell(row.get(c)) for c in columns) + "\n")
        return
    from rich.table import Table

    table = Table(title=title or None, title_justify="left")
    for column in columns:
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console().print(table)


def say(text: str) -> None:
    """A status line on stderr (stdout stays clean for --json and pipes)."""
    console(stderr=True).print(text)


def confirm(question: str, yes: bool) -> bool:
    """`--yes`, or the person at the terminal says y; without a terminal, `--yes` is required."""
    if yes:
        return True
    if not sys.stdin.isatty():
        from orderctl.errors import UsageError

        raise UsageError(f"{question} Not asked without a terminal: add --yes to go ahead")
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
