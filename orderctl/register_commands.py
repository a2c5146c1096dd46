"""`orderctl documents list` and `orderctl reports vat`: the register and the VAT report (admins).

`documents list --from DAY --to DAY [--kind K] [--csv]` pages through `GET /v1.0/documents`
(progress on stderr while it reads); `--csv` writes RFC 4180 CSV with a header row, which a
spreadsheet opens as it is. `reports vat --period 2026-11` (or `--from/--to`) prints the month's
output tax from `GET /v1.0/reports/vat`.
"""

from __future__ import annotations

import calendar
import csv
import re
import sys
from typing import Any

from orderctl.api import Api
from orderctl.context import Args
from orderctl.errors import UsageError
from orderctl.output import body, emit, say
from orderctl.support_commands import admin_api

COLUMNS = [
    "issueDate",
    "kind",
    "number",
    "tenantId",
    "orderNumber",
    "orderId",
    "currency",
    "total",
    "vatAmount",
    "totalExclVat",
    "issuedAt",
]
PERIOD = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def documents(api: Api, start: str, end: str, kind: str | None) -> list[dict[str, Any]]:
    """Every register line of the period, oldest first, page by page (progress on stderr)."""
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"from": start, "to": end, "pageSize": 100}
        if kind:
            params["kind"] = kind
        if cursor:
            params["startAt"] = cursor
        page = api.call("GET", "/v1.0/documents", params=params)
        rows += page["items"]
        cursor = page["pagination"]["nextStartAt"]
        if not cursor:
            return rows
        say(f"read {len(rows)} document(s) …")


def cmd_documents_list(args: Args) -> int:
    rows = documents(admin_api(args), args.start, args.end, args.kind)
    if args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return 0
    emit(rows, COLUMNS, args.json, f"{len(rows)} document(s) issued {args.start} to {args.end}")
    return 0


def period_of(args: Args) -> tuple[str, str]:
    """`--period 2026-11` → the month's first and last day; else `--from` and `--to`."""
    if args.period:
        match = PERIOD.fullmatch(args.period)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise UsageError(
                f"--period must be a month, YYYY-MM (e.g. 2026-11), not {args.period!r}"
            )
        year, month = int(match.group(1)), int(match.group(2))
        last = calendar.monthrange(year, month)[1]
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"
    if not (args.start and args.end):
        raise UsageError("name the period: --period YYYY-MM, or --from DAY --to DAY")
    return args.start, args.end


def cmd_reports_vat(args: Args) -> int:
    start, end = period_of(args)
    report = admin_api(args).call("GET", "/v1.0/reports/vat", params={"from": start, "to": end})
    if args.json:
        body(report)
        return 0
    rows = [
        {"documents": name, **report[key]}
        for name, key in (("tax invoices", "taxInvoices"), ("credit notes", "creditNotes"))
    ]
    emit(
        rows,
        ["documents", "count", "total", "vat", "exclVat"],
        False,
        f"VAT {report['from']} to {report['to']} ({report['currency']})",
    )
    say(f"output tax: {report['outputTax']} {report['currency']}")
    return 0
