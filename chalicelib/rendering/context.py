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
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from chalicelib.clock import business_zone
from chalicelib.models.documents import Document, document_for, is_test
from chalicelib.models.orders import DocumentKind, Order
from chalicelib.models.supplier import Supplier

LOCALE = "en_ZA"
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def order_context(
    order: Order,
    document: Document | None = None,
    supplier: Supplier | None = None,
    *,
    copy: bool = False,
) -> dict[str, Any]:
    """Order → plain dict (money as "448.50", times as ISO strings) with display extras.

    A document's number and date of issue are the ones recorded when it was first issued
    (`order.documents`); an order from before they were recorded shows its last change's date.
    """
    data: dict[str, Any] = _neutral(json.loads(order.json()))
    document = document or document_for(order.status)
    test = is_test(order.tenantId)
    currency = order.currency
    data["number"] = order.orderNumber or order.id
    data["dateDisplay"] = local_date(order.dateCreated)
    data["timeDisplay"] = local_time(order.dateCreated)
    issued = order.issued(document.kind)
    data["documentNumber"] = issued.number if issued else document.number(data["number"])
    data["issuedDisplay"] = (
        display_date(issued.issueDate) if issued else local_date(order.dateLastUpdated)
    )
    data["invoiceRef"] = _invoice_cited(order)
    data["payment"] = _payment(order)
    data["refund"] = _refund(order)
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
        "isCopy": copy,  # not "copy": Jinja would find the dict's method
        "test": test,
    }
    data["vatRateDisplay"] = percent(order.vatRate)
    if order.campaign is not None:
        data["campaign"]["percentDisplay"] = percent(order.campaign.discountPercent)
    data["moneyRows"] = money_rows(order)
    data["supplier"] = supplier.dict() if supplier else None
    return data


def money_rows(order: Order) -> list[dict[str, Any]]:
    """The document's money rows, for every email: subtotal, discount (with its campaign),
    total, VAT (API.md revision 3)."""
    currency = order.currency
    rows: list[dict[str, Any]] = [{"label": "Subtotal", "amount": money(order.subtotal, currency)}]
    if order.discount:
        campaign = order.campaign
        why = f" ({campaign.code}, {percent(campaign.discountPercent)})" if campaign else ""
        rows.append({"label": f"Discount{why}", "amount": f"-{money(order.discount, currency)}"})
    rows.append({"label": "Total", "amount": money(order.total, currency), "total": True})
    if order.vatRate:
        rows.append(
            {
                "label": f"VAT included at {percent(order.vatRate)}",
                "amount": money(order.vatAmount, currency),
            }
        )
    return rows


def _invoice_cited(order: Order) -> dict[str, str] | None:
    """The tax invoice a credit note adjusts: its number and date of issue."""
    invoice = order.issued(DocumentKind.TAX_INVOICE)
    if invoice is not None:
        return {"number": invoice.number, "dateDisplay": display_date(invoice.issueDate)}
    paid = order.paymentDetails.paidAt if order.paymentDetails else None  # before dates were kept
    return (
        {"number": order.orderNumber or order.id, "dateDisplay": local_date(paid)} if paid else None
    )


def _payment(order: Order) -> dict[str, str] | None:
    """The payment a tax invoice shows: paid on, method, reference, amount due (nil)."""
    paid = order.paymentDetails
    if paid is None:
        return None
    return {
        "paidOn": local_date(paid.paidAt),
        "method": f"{paid.method} ({paid.provider})",
        "reference": paid.paymentId,
        "amount": money(paid.amount, paid.currency),
        "due": money(Decimal(0), order.currency),
    }


def _refund(order: Order) -> dict[str, str]:
    """The refund a credit note states: its reason (s21), reference and date."""
    refund = order.refundDetails
    if refund is None:  # refunded before refunds carried their details
        return {"reason": "the order was refunded", "reference": "", "refundedOn": ""}
    return {
        "reason": refund.reason,
        "reference": refund.refundId,
        "refundedOn": local_date(refund.refundedAt),
    }


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


def percent(rate: Decimal) -> str:
    """`15,00 %`: a rate in the style of the money (en_ZA's decimal comma), two decimals."""
    from babel.numbers import format_decimal

    return f"{format_decimal(rate, format='#,##0.00', locale=LOCALE)}\u00a0%"


@lru_cache(maxsize=256)
def country_name(code: str) -> str:
    """`ZA` → `South Africa` (English names; the code itself when CLDR has none)."""
    from babel import Locale

    return str(Locale.parse(LOCALE).territories.get(code.upper(), code))


def local_date(moment: datetime) -> str:
    """`28 November 2026`, the day in South Africa."""
    local = moment.astimezone(business_zone())
    return f"{local.day} {local:%B} {local.year}"


def display_date(iso_date: str) -> str:
    """`2026-11-28` → `28 November 2026` (a date of issue, already South African)."""
    day = date.fromisoformat(iso_date)
    return f"{day.day} {day:%B} {day.year}"


def local_time(moment: datetime) -> str:
    """`28 November 2026, 12:00 SAST`."""
    local = moment.astimezone(business_zone())
    return f"{local_date(moment)}, {local:%H:%M} {local.tzname()}"
