"""The values templates see: the order in its wire form plus a few display helpers.

Dates shown to people are in South African time (Africa/Johannesburg, SAST): an order placed at
01:30 SAST on the 1st is dated the 1st, not the UTC day before (that matters at VAT month-end).
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.models.documents import TITLES, DocumentKind, is_test, kind_for
from chalicelib.models.orders import Order


def order_context(order: Order) -> dict[str, Any]:
    """Order → plain dict (money as "448.50", times as ISO strings) with display extras."""
    data: dict[str, Any] = json.loads(order.json())
    data["number"] = order.orderNumber or order.id
    data["dateDisplay"] = local_date(order.dateCreated)
    data["timeDisplay"] = local_time(order.dateCreated)
    kind, test = kind_for(order.status), is_test(order.tenantId)
    data["document"] = {
        "kind": kind.value,
        "title": "TEST DOCUMENT" if test else TITLES[kind],  # never the words "tax invoice"
        "taxInvoice": kind is DocumentKind.TAX_INVOICE and not test,
        "test": test,
    }
    return data


BUSINESS_ZONE = "Africa/Johannesburg"


@lru_cache(maxsize=1)
def _zone() -> ZoneInfo:
    """SAST; the `tzdata` package supplies it where the system has no zone database (Lambda)."""
    return ZoneInfo(BUSINESS_ZONE)


def local_date(moment: datetime) -> str:
    """`28 November 2026`, the day in South Africa."""
    local = moment.astimezone(_zone())
    return f"{local.day} {local:%B} {local.year}"


def local_time(moment: datetime) -> str:
    """`28 November 2026, 12:00 SAST`."""
    local = moment.astimezone(_zone())
    return f"{local_date(moment)}, {local:%H:%M} {local.tzname()}"
