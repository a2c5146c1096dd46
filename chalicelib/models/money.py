"""Money: `Decimal` with two places, exchanged as a JSON string, rounded half-up. Never float.

The wire types (amount, unit price, percentage) are in `chalicelib.models.fields`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MAX_UNIT_PRICE = Decimal("1000000.00")
# South Africa's standard VAT rate. New orders take the stage's `VAT_RATE`; an order stored (or
# queued) before orders carried their rate was sold at this one, and reads with it.
STATUTORY_VAT_RATE = Decimal("15.00")


def to_cents(value: Decimal) -> Decimal:
    """Round to two decimals, half-up (the rule for every amount the service computes)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal) -> str:
    """`Decimal("224.2")` → `"224.20"`."""
    return str(to_cents(value))


def vat_in(total: Decimal, rate: Decimal) -> Decimal:
    """The VAT inside a VAT-inclusive `total` at `rate` %: total * rate / (100 + rate), to cents.

    API.md "Order": prices are VAT-inclusive; `totalExclVat = total - vatAmount`.
    """
    return to_cents(total * rate / (Decimal(100) + rate))
