"""Request bodies: JSON only, bounded in size, validated into a model with field-level errors."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from chalicelib.errors import FieldError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

# The largest order the contract allows, sent with every character escaped (`\ud800\udf00`,
# 12 bytes for one 4-byte character, as many JSON encoders write by default), is ~270 KB; what it
# becomes is measured again as an event (services.orders, models.wire). 1 MiB is far inside API
# Gateway's 10 MB and Lambda's 6 MB request payload (docs/aws-limits.md).
MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 32  # the deepest contract body is 4 levels
MAX_NUMBER_CHARS = 40  # no field takes a longer number; Python refuses ints of 4,300+ digits
M = TypeVar("M", bound=BaseModel)


class _Refused(ValueError):
    """A JSON document this service will not read (before any model sees it)."""


def _number(text: str) -> int | float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(f"a number in the body has more than {MAX_NUMBER_CHARS} characters")
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not JSON")


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_document(document: Any) -> None:
    """Depth at most MAX_DEPTH, no lone UTF-16 surrogates in any key or string (iteratively)."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _lone_surrogate(value):
                raise _Refused("the body contains a lone UTF-16 surrogate (\\ud800-\\udfff)")
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise _Refused(f"the body is nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        else:
            stack.extend((item, depth + 1) for item in value)


def decode_json(body: bytes) -> Any:
    """The JSON document in `body`, or ValidationFailed: malformed, too deep, huge numbers,
    NaN/Infinity, lone surrogates (each would otherwise surface later as a 500 or a poison
    message)."""
    try:
        document = json.loads(
            body, parse_int=_number, parse_float=_number, parse_constant=_constant
        )
        _check_document(document)
    except _Refused as exc:
        raise ValidationFailed(f"The body is not acceptable JSON: {exc}") from None
    except RecursionError:
        raise ValidationFailed(
            f"The body is not acceptable JSON: it is nested deeper than {MAX_DEPTH} levels"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(f"The body is not valid JSON: {exc}") from None
    return document


def _field_path(location: tuple[Any, ...]) -> str:
    """("items", 0, "quantity") → "items[0].quantity"."""
    path = ""
    for part in location:
        if part == "__root__":
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def validation_errors(error: ValidationError) -> list[FieldError]:
    """pydantic's errors as field-level problems."""
    return [FieldError(_field_path(tuple(e["loc"])), e["msg"]) for e in error.errors()]


def parse_json(raw_body: bytes | None, content_type: str | None, model: type[M]) -> M:
    """Decode and validate a JSON body into `model`; every failure is a 4xx domain error."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType("Send the body as application/json")
    body = raw_body or b""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The body is larger than {MAX_BODY_BYTES // 1024 // 1024} MiB")
    document = decode_json(body)
    if not isinstance(document, dict):
        raise ValidationFailed("The body must be a JSON object")
    try:
        return model.parse_obj(document)
    except ValidationError as exc:
        raise ValidationFailed(
            "The body does not match the contract", validation_errors(exc)
        ) from exc
