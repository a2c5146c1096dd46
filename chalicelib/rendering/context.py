"""The values templates see: the order in its wire form plus a few display helpers."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.models.documents import TITLES, DocumentKind, kind_for
from chalicelib.models.orders import Order


def order_context(order: Order) -> dict[str, Any]:
    """Order → plain dict (money as "448.50", times as ISO strings) with display extras."""
    data: dict[str, Any] = json.loads(order.json())
    data["number"] = order.orderNumber or order.id
    data["dateDisplay"] = order.dateCreated.strftime("%d %B %Y")
    kind = kind_for(order.status)
    data["document"] = {
        "kind": kind.value,
        "title": TITLES[kind],
        "taxInvoice": kind is DocumentKind.TAX_INVOICE,
    }
    return data
