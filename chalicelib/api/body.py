"""Request bodies: JSON only, bounded in size, validated into a model with field-level errors."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from chalicelib.errors import FieldError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

MAX_BODY_BYTES = 256 * 1024
M = TypeVar("M", bound=BaseModel)


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
        raise PayloadTooLarge(f"The body is larger than {MAX_BODY_BYTES // 1024} KB")
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(f"The body is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise ValidationFailed("The body must be a JSON object")
    try:
        return model.parse_obj(document)
    except ValidationError as exc:
        raise ValidationFailed(
            "The body does not match the contract", validation_errors(exc)
        ) from exc
