"""Order totals, computed server-side with Decimal and half-up rounding."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chalicelib.models.money import STATUTORY_VAT_RATE, to_cents, vat_in
from chalicelib.models.orders import Campaign, OrderItemRequest, OrderLine


@dataclass(frozen=True)
class Totals:
    """The computed lines and amounts of an order."""

    lines: list[OrderLine]
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    vat_rate: Decimal
    vat_amount: Decimal  # inside `total`: prices are VAT-inclusive

    def order_fields(self) -> dict[str, Any]:
        """The Order's lines and amounts, VAT included: one place for every Order built."""
        return {
            "items": self.lines,
            "subtotal": self.subtotal,
            "discount": self.discount,
            "total": self.total,
            "vatRate": self.vat_rate,
            "vatAmount": self.vat_amount,
            "totalExclVat": self.total - self.vat_amount,
        }


def price(
    items: list[OrderItemRequest],
    campaign: Campaign | None,
    vat_rate: Decimal = STATUTORY_VAT_RATE,
) -> Totals:
    """Line totals, subtotal, campaign discount (on the subtotal), total and the VAT in it."""
    lines = [
        OrderLine(**item.dict(), lineTotal=to_cents(item.unitPrice * item.quantity))
        for item in items
    ]
    subtotal = to_cents(sum((line.lineTotal for line in lines), Decimal(0)))
    percent = campaign.discountPercent if campaign else Decimal(0)
    discount = to_cents(subtotal * percent / Decimal(100))
    total = subtotal - discount
    return Totals(
        lines=lines,
        subtotal=subtotal,
        discount=discount,
        total=total,
        vat_rate=vat_rate,
        vat_amount=vat_in(total, vat_rate),
    )
