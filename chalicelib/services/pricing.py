"""Order totals, computed server-side with Decimal and half-up rounding."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chalicelib.models.money import to_cents
from chalicelib.models.orders import Campaign, OrderItemRequest, OrderLine


@dataclass(frozen=True)
class Totals:
    """The computed lines and amounts of an order."""

    lines: list[OrderLine]
    subtotal: Decimal
    discount: Decimal
    total: Decimal


def price(items: list[OrderItemRequest], campaign: Campaign | None) -> Totals:
    """Line totals, subtotal, campaign discount (on the subtotal) and total."""
    lines = [
        OrderLine(**item.dict(), lineTotal=to_cents(item.unitPrice * item.quantity))
        for item in items
    ]
    subtotal = to_cents(sum((line.lineTotal for line in lines), Decimal(0)))
    percent = campaign.discountPercent if campaign else Decimal(0)
    discount = to_cents(subtotal * percent / Decimal(100))
    return Totals(lines=lines, subtotal=subtotal, discount=discount, total=subtotal - discount)
