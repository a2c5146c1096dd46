"""The values templates see: the order in its wire form plus what people read on a document.

- Dates are in South African time (Africa/Johannesburg, SAST): an order placed at 01:30 SAST on
  the 1st is dated the 1st, not the UTC day before (that matters at VAT month-end).
- Amounts are in one en_ZA style throughout, by Babel (CLDR): `R60 454,80`.
- Countries are names (`South Africa`), not ISO codes.
- Bidirectional controls (U+202A-202E, U+2066-2069) are removed from every text: the API
  refuses them, and an order stored before it did still cannot reverse what a document shows.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.models.documents import Document, document_for, is_test
from chalicelib.models.orders import Order
from chalicelib.models.supplier import Supplier

BUSINESS_ZONE = "Africa/Johannesburg"
LOCALE = "en_ZA"
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def order_context(
    order: Order, document: Document | None = None, supplier: Supplier | None = None
) -> dict[str, Any]:
    """Order → plain dict (money as "448.50", times as ISO strings) with display extras."""
    data: dict[str, Any] = _neutral(json.loads(order.json()))
    document = document or document_for(order.status)
    test = is_test(order.tenantId)
    currency = order.currency
    data["number"] = order.orderNumber or order.id
    data["dateDisplay"] = local_date(order.dateCreated)
    data["timeDisplay"] = local_time(order.dateCreated)
    data["issuedDisplay"] = local_date(order.dateLastUpdated)
    # The tax invoice a credit note refers to was issued when the payment arrived.
    paid = order.paymentDetails.paidAt if order.paymentDetails else None
    data["paidDisplay"] = local_date(paid) if paid else None
    data["dueDisplay"] = local_date(
        order.dateCreated + timedelta(days=supplier.paymentTermsDays if supplier else 7)
    )
    data["money"] = {
        name: money(getattr(order, name), currency)
        for name in ("subtotal", "discount", "total", "vatAmount", "totalExclVat")
    }
    for item, shown in zip(data["items"], order.items, strict=True):
        item["unitPriceDisplay"] = money(shown.unitPrice, currency)
        item["lineTotalDisplay"] = money(shown.lineTotal, currency)
    data["billingAddress"]["countryName"] = country_name(order.billingAddress.country)
    data["document"] = {
        "kind": document.kind.value,
        "name": document.name,
        # A test tenant's documents never carry the words "tax invoice" (or any title of ours).
        "title": "TEST DOCUMENT" if test else document.title,
        "taxInvoice": document.is_tax_invoice and not test,
        "proForma": document.kind.value == "proforma",
        "creditNote": document.kind.value == "credit-note",
        "cancelled": document.cancelled,
        "test": test,
    }
    data["supplier"] = supplier.dict() if supplier else None
    return data


def _neutral(value: Any) -> Any:
    """Every string in a JSON-like value without bidirectional controls."""
    if isinstance(value, str):
        return _BIDI_CONTROLS.sub("", value)
    if isinstance(value, list):
        return [_neutral(v) for v in value]
    if isinstance(value, dict):
        return {k: _neutral(v) for k, v in value.items()}
    return value


def money(amount: Decimal, currency: str) -> str:
    """`R1 234,56` (en_ZA, CLDR's symbol for the currency; a no-break space groups thousands)."""
    from babel.numbers import format_currency

    return str(format_currency(amount, currency, locale=LOCALE))


@lru_cache(maxsize=256)
def country_name(code: str) -> str:
    """`ZA` → `South Africa` (English names; the code itself when CLDR has none)."""
    from babel import Locale

    return str(Locale.parse(LOCALE).territories.get(code.upper(), code))


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
