"""Money: `Decimal` with two places, exchanged as a JSON string, rounded half-up. Never float.

The wire types (amount, unit price, percentage) are in `chalicelib.models.fields`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MAX_UNIT_PRICE = Decimal("1000000.00")


def to_cents(value: Decimal) -> Decimal:
    """Round to two decimals, half-up (the rule for every amount the service computes)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal) -> str:
    """`Decimal("224.2")` → `"224.20"`."""
    return str(to_cents(value))
