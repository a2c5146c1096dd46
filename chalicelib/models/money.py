"""Money: `Decimal` with two places, exchanged as a JSON string, rounded half-up. Never float."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

CENT = Decimal("0.01")
# Room for computed totals: 100 lines x 1,000 units x MAX_UNIT_PRICE stays below it.
MAX_AMOUNT = Decimal("1e12")
MAX_UNIT_PRICE = Decimal("1000000.00")


def to_cents(value: Decimal) -> Decimal:
    """Round to two decimals, half-up (the rule for every amount the service computes)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal) -> str:
    """`Decimal("224.2")` → `"224.20"`."""
    return str(to_cents(value))


class _Money(Decimal):
    """An amount given as a string with at most two decimals (`"299.00"`)."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        yield cls.validate

    @classmethod
    def __modify_schema__(cls, schema: dict[str, Any]) -> None:
        schema.update(type="string", pattern=r"^\d{1,12}(\.\d{1,2})?$", example="299.00")

    @classmethod
    def validate(cls, value: Any) -> Decimal:
        """Accept strings (and Decimals from trusted storage), never floats or ints."""
        if isinstance(value, bool) or not isinstance(value, str | Decimal):
            raise TypeError('amount must be a string with two decimals, e.g. "299.00"')
        try:
            amount = Decimal(value)
        except (InvalidOperation, ValueError) as exc:
            raise ValueError("amount is not a number") from exc
        exponent = amount.as_tuple().exponent
        if not amount.is_finite() or not isinstance(exponent, int) or exponent < -2:
            raise ValueError("amount must have at most two decimals")
        if amount >= MAX_AMOUNT:
            raise ValueError("amount is too large")
        return to_cents(amount)


# mypy sees plain Decimal (what the field holds); pydantic sees the validating class.
if TYPE_CHECKING:
    Money = Decimal
else:
    Money = _Money
