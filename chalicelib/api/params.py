"""Query parameters and conditional headers, validated into plain values (or 400s)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import TypeVar

from chalicelib.errors import FieldError, ValidationFailed
from chalicelib.models.orders import DocumentKind, ListQuery, OrderStatus
from chalicelib.models.register import MAX_PERIOD_DAYS, Period, RegisterQuery

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
_PAGE_SIZE = re.compile(r"[0-9]{1,3}")  # ASCII digits only; never int() of 5,000 digits
# The ETags this API issues ("3"), weak (W/"3") or bare (3), or *. Also the OpenAPI pattern.
IF_MATCH_PATTERN = r'^(?:\*|(?:W/)?"([0-9]{1,12})"|([0-9]{1,12}))$'
_IF_MATCH = re.compile(IF_MATCH_PATTERN)
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, no spaces
# `ORD-EU-0000042` (repositories/counters.order_number); also the OpenAPI pattern.
ORDER_NUMBER_PATTERN = r"^ORD-[A-Z]{2}-[0-9]{7,12}$"
_ORDER_NUMBER = re.compile(ORDER_NUMBER_PATTERN)
LIST_PARAMETERS = ("pageSize", "startAt", "status", "orderNumber")
REGISTER_PARAMETERS = ("from", "to", "kind", "pageSize", "startAt")
REPORT_PARAMETERS = ("from", "to")
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATE = re.compile(DATE_PATTERN)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", [FieldError(field, message)])


def _known(query: Mapping[str, str] | None, allowed: tuple[str, ...]) -> dict[str, str]:
    """The query's parameters; 400 naming the first unknown one."""
    found = dict(query or {})
    unknown = sorted(set(found) - set(allowed))
    if unknown:
        raise _invalid(unknown[0], f"unknown query parameter (allowed: {', '.join(allowed)})")
    return found


def _page_size(query: Mapping[str, str]) -> int:
    raw_size = query.get("pageSize", str(DEFAULT_PAGE_SIZE))
    if not _PAGE_SIZE.fullmatch(raw_size) or not 1 <= int(raw_size) <= MAX_PAGE_SIZE:
        raise _invalid("pageSize", f"must be a whole number from 1 to {MAX_PAGE_SIZE}")
    return int(raw_size)


E = TypeVar("E", bound=StrEnum)


def _one_of(query: Mapping[str, str], name: str, values: type[E]) -> E | None:
    """The parameter `name` as a member of `values` (None when absent); 400 naming them."""
    raw = query.get(name)
    if raw is None:
        return None
    try:
        return values(raw)
    except ValueError:
        allowed = ", ".join(v.value for v in values)
        raise _invalid(name, f"must be one of {allowed}") from None


def list_query(query: Mapping[str, str] | None) -> ListQuery:
    """pageSize, startAt, status and orderNumber of a list request; unknown ones are refused."""
    query = _known(query, LIST_PARAMETERS)
    page_size = _page_size(query)
    status = _one_of(query, "status", OrderStatus)
    start_at = query.get("startAt") or None
    order_number = query.get("orderNumber")
    if order_number is not None:
        if not _ORDER_NUMBER.fullmatch(order_number):
            raise _invalid("orderNumber", "must be an order number such as ORD-EU-0000042")
        if start_at:
            raise _invalid("startAt", "does not apply to a lookup by orderNumber (one page)")
    return ListQuery(page_size, start_at, status, order_number)


def period(query: Mapping[str, str] | None, allowed: tuple[str, ...] = REPORT_PARAMETERS) -> Period:
    """`from` and `to`: dates of issue (YYYY-MM-DD, both included), at most a year apart."""
    known = _known(query, allowed)
    days = []
    for name in ("from", "to"):
        raw = known.get(name)
        if raw is None:
            raise _invalid(name, "required: a date of issue, YYYY-MM-DD")
        try:
            if not _DATE.fullmatch(raw):
                raise ValueError(raw)
            days.append(date.fromisoformat(raw))
        except ValueError:
            raise _invalid(name, "must be a real date, YYYY-MM-DD") from None
    start, end = days
    if end < start:
        raise _invalid("to", "must not be before from")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise _invalid("to", f"a period covers at most {MAX_PERIOD_DAYS} days")
    return Period(start, end)


def register_query(query: Mapping[str, str] | None) -> RegisterQuery:
    """from, to, kind, pageSize and startAt of a register request."""
    known = _known(query, REGISTER_PARAMETERS)
    return RegisterQuery(
        period(known, REGISTER_PARAMETERS),
        _one_of(known, "kind", DocumentKind),
        _page_size(known),
        known.get("startAt") or None,
    )


def if_match(headers: Mapping[str, str]) -> int | None:
    """The version an `If-Match` header names (`"3"`, `W/"3"`); None when absent or `*`."""
    raw = headers.get("if-match")
    if raw is None:
        return None
    match = _IF_MATCH.fullmatch(raw.strip())
    if not match:
        raise _invalid("If-Match", 'must be an ETag this API issued, e.g. "3", or *')
    version = match.group(1) or match.group(2)  # neither: `*`
    return int(version) if version else None


def idempotency_key(headers: Mapping[str, str]) -> str | None:
    """The `Idempotency-Key` header: 1-255 visible ASCII characters, or absent."""
    raw = headers.get("idempotency-key")
    if raw is None:
        return None
    if not _IDEMPOTENCY_KEY.match(raw):
        raise _invalid("Idempotency-Key", "must be 1 to 255 visible ASCII characters")
    return raw
