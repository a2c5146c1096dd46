"""Strict field types: each one is a regular expression that is both the check and the schema.

The OpenAPI document says exactly what the service accepts (schemathesis checks both ways), so a
type validates with the very pattern it publishes. No coercion: `"5"` is not a quantity, `1.9`
is not a quantity, `true` is not a number, `"1e2"` is not a price.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from chalicelib.models.currencies import ISO_4217
from chalicelib.models.money import to_cents

# Text a person typed: no control characters (C0, DEL, C1), no bidirectional overrides or
# isolates (U+202A-202E, U+2066-2069: they reorder what an invoice shows), and at least one
# character that prints something: text of only spaces (every Unicode space, U+00A0 and U+3000
# among them), zero-width and other format characters, variation selectors, fillers (U+3164,
# U+115F, U+1160, U+FFA0) or the blank Braille pattern (U+2800) prints as a blank on a tax
# invoice, so it is blank (issue 28). The list is Unicode's White_Space and the Basic
# Multilingual Plane's Default_Ignorable_Code_Point and invisible format characters, plus U+2800
# (tests/unit/test_hostile_input checks it against unicodedata).
# The pattern is published (OpenAPI, ECMA-262 without the `u` flag), so it names BMP code
# points only; an astral-only invisible name (tag characters) is the one gap, noted in ADR 0026.
_TEXT_CHAR = r"[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
INVISIBLE = (
    r"\x00-\x20\x7f-\xa0\xad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f"
    r"\u2000-\u200f\u2028-\u202f\u205f-\u206f\u2800\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0"
    r"\ufff0-\ufffb"
)
_TEXT_NONBLANK = rf"[^{INVISIBLE}]"
TEXT_PATTERN = rf"^{_TEXT_CHAR}*{_TEXT_NONBLANK}{_TEXT_CHAR}*$"

# An address SES sends to: an ASCII dot-atom local part (no quotes, brackets, commas, spaces or
# controls) and a host name of letters, digits and hyphens with an alphabetic or `xn--` TLD.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = (
    rf"^{_ATEXT}+(?:\.{_ATEXT}+)*@(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}})$"
)
EMAIL_MAX_LENGTH = 254
EMAIL_LOCAL_MAX_LENGTH = 64

# Amounts: ASCII digits, no sign, no exponent, no separators, at most two decimals.
AMOUNT_PATTERN = r"^(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,2})?$"
# A unit price: greater than 0, at most 1,000,000.00.
UNIT_PRICE_PATTERN = (
    r"^(?:0\.(?:[1-9][0-9]?|0[1-9])|[1-9][0-9]{0,5}(?:\.[0-9]{1,2})?|1000000(?:\.0{1,2})?)$"
)
# A percentage from 0 to 100.
PERCENT_PATTERN = r"^(?:[0-9]|[1-9][0-9])(?:\.[0-9]{1,2})?$|^100(?:\.0{1,2})?$"

# RFC 3339 with a zone (`Z` or `±hh:mm`); seconds required, up to microseconds.
TIMESTAMP_PATTERN = (
    r"^(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
)

TENANT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
TENANT_ID = re.compile(TENANT_ID_PATTERN)


class _Validated:
    """pydantic v1's hook: a field of this type is checked by the class's `validate`."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        yield cls.validate  # type: ignore[attr-defined]


class _Pattern(_Validated, str):
    """A string that must match `pattern` (and be at most `max_length` long)."""

    pattern: ClassVar[str] = ""
    max_length: ClassVar[int | None] = None
    explain: ClassVar[str] = ""

    @classmethod
    def __modify_schema__(cls, schema: dict[str, Any]) -> None:
        schema.update(type="string", pattern=cls.pattern)
        if cls.max_length is not None:
            schema["maxLength"] = cls.max_length

    @classmethod
    def validate(cls, value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError("must be a string")
        if cls.max_length is not None and len(value) > cls.max_length:
            raise ValueError(f"must have at most {cls.max_length} characters")
        if re.fullmatch(cls.pattern, value) is None:
            raise ValueError(cls.explain)
        return value


def text(max_length: int, name: str = "Text") -> type[str]:
    """Free text of 1..max_length characters, no controls or direction overrides, not blank."""
    return type(
        name,
        (_Pattern,),
        {
            "pattern": TEXT_PATTERN,
            "max_length": max_length,
            "explain": "must not be blank or contain control or text-direction characters",
        },
    )


def pattern(regex: str, explain: str, max_length: int | None = None, name: str = "Code") -> type:
    """A string matching `regex` (its own schema pattern)."""
    return type(name, (_Pattern,), {"pattern": regex, "max_length": max_length, "explain": explain})


class _Email(_Pattern):
    pattern = EMAIL_PATTERN
    max_length = EMAIL_MAX_LENGTH
    explain = (
        "must be an email address SES can deliver to: ASCII, no quotes, brackets, commas, "
        "spaces or control characters, a host name with a dot"
    )

    @classmethod
    def __modify_schema__(cls, schema: dict[str, Any]) -> None:
        super().__modify_schema__(schema)
        schema["format"] = "email"
        schema["description"] = "The part before @ is at most 64 characters"

    @classmethod
    def validate(cls, value: Any) -> str:
        address = super().validate(value)
        local, domain = address.split("@", 1)
        if len(local) > EMAIL_LOCAL_MAX_LENGTH:
            raise ValueError("the part before @ must be at most 64 characters")
        if not all(valid_host_label(label) for label in domain.split(".")):
            raise ValueError("the host name has a label that is not a valid IDNA A-label (xn--)")
        return address


def valid_host_label(label: str) -> bool:
    """A label with `--` in 3rd-4th place is an IDNA A-label: `xn--` and decodable (IDNA 2008).

    Checkers of `format: email` (the OpenAPI document's) refuse `xn--zr` or `ab--cd`, which the
    pattern alone lets through; the service refuses them too.
    """
    if label[2:4] != "--":
        return True
    if not label.startswith("xn--"):
        return False
    import idna  # only for the rare address with an A-label

    try:
        idna.decode(label)
    except (idna.IDNAError, UnicodeError):
        return False
    return True


class _Currency(_Validated, str):
    @classmethod
    def __modify_schema__(cls, schema: dict[str, Any]) -> None:
        schema.update(type="string", enum=sorted(ISO_4217), example="ZAR")

    @classmethod
    def validate(cls, value: Any) -> str:
        if not isinstance(value, str) or value not in ISO_4217:
            raise ValueError("must be an ISO 4217 currency code, e.g. ZAR")
        return value


class _Amount(_Validated, Decimal):
    """Money given as a JSON string; `Decimal`s are accepted from code (computed totals)."""

    pattern: ClassVar[str] = AMOUNT_PATTERN
    explain: ClassVar[str] = 'must be a string amount with at most two decimals, e.g. "299.00"'
    example: ClassVar[str] = "299.00"

    @classmethod
    def __modify_schema__(cls, schema: dict[str, Any]) -> None:
        schema.update(type="string", pattern=cls.pattern, example=cls.example)

    @classmethod
    def validate(cls, value: Any) -> Decimal:
        if isinstance(value, Decimal):
            text_value = str(to_cents(value)) if value.is_finite() else "NaN"
        elif isinstance(value, str):
            text_value = value
        else:
            raise TypeError(cls.explain)
        if re.fullmatch(cls.pattern, text_value) is None:
            raise ValueError(cls.explain)
        return to_cents(Decimal(text_value))


class _UnitPrice(_Amount):
    pattern = UNIT_PRICE_PATTERN
    explain = 'must be a string amount greater than 0 and at most 1000000.00, e.g. "299.00"'


class _Percent(_Amount):
    pattern = PERCENT_PATTERN
    explain = 'must be a string percentage from 0 to 100 with at most two decimals, e.g. "25.00"'
    example = "25.00"


class _Timestamp(_Validated, datetime):
    """An RFC 3339 instant with a zone, held as aware UTC in milliseconds (years 1-9999).

    It round-trips through `iso`: what is accepted is exactly what is stored and read back.
    """

    @classmethod
    def __modify_schema__(cls, schema: dict[str, Any]) -> None:
        schema.update(
            type="string",
            format="date-time",
            pattern=TIMESTAMP_PATTERN,
            example="2026-11-28T10:05:00.000Z",
            description="RFC 3339 with a zone, in years 0001-9999 once in UTC",
        )

    @classmethod
    def validate(cls, value: Any) -> datetime:
        if isinstance(value, datetime):  # from code: must already be aware
            moment = value
            if moment.tzinfo is None:
                raise ValueError("must carry a timezone")
        elif isinstance(value, str) and re.fullmatch(TIMESTAMP_PATTERN, value):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError as exc:  # e.g. 2026-02-30
                raise ValueError("is not a real date and time") from exc
        else:
            raise ValueError(
                "must be an RFC 3339 date-time with a zone, e.g. 2026-11-28T10:05:00.000Z"
            )
        try:  # 0001-01-01T00:00:00+14:00 is in year 0 in UTC: no datetime holds it
            utc = moment.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise ValueError("is outside years 0001-9999 in UTC") from exc
        # The service speaks milliseconds: hold what it will write, so a read equals the write.
        return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


# mypy sees the plain types the fields hold; pydantic sees the validating classes.
if TYPE_CHECKING:
    Email = str
    Currency = str
    Amount = Decimal
    UnitPrice = Decimal
    Percent = Decimal
    Timestamp = datetime
else:
    Email = _Email
    Currency = _Currency
    Amount = _Amount
    UnitPrice = _UnitPrice
    Percent = _Percent
    Timestamp = _Timestamp
