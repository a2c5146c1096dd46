"""Opaque, tamper-evident list cursors: the page key, signed with HMAC-SHA256.

A cursor is bound to the tenant and status filter it was issued for; anything else — a modified
token, another tenant's, garbage — is refused as a validation error (400), never a 500.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from chalicelib.errors import FieldError, ValidationFailed

VERSION = 1
MAX_CURSOR_LENGTH = 2048


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    """Signs and verifies cursors with a key fetched once (lazily) per container."""

    def __init__(self, secret: Callable[[], bytes]) -> None:
        self._secret = secret

    def _sign(self, payload: bytes) -> str:
        return _b64(hmac.new(self._secret(), payload, hashlib.sha256).digest())

    def encode(self, key: dict[str, Any], tenant_id: str, status: str | None) -> str:
        """The cursor for continuing after `key`."""
        payload = json.dumps(
            {"v": VERSION, "t": tenant_id, "s": status, "k": key},
            separators=(",", ":"),
            sort_keys=True,
        ).encode()
        return f"{_b64(payload)}.{self._sign(payload)}"

    def decode(self, cursor: str, tenant_id: str, status: str | None) -> dict[str, Any]:
        """The page key inside a cursor issued for this tenant and filter; else 400."""
        invalid = ValidationFailed(
            "startAt is not a cursor this list issued",
            [FieldError("startAt", "invalid, expired or issued for another list")],
        )
        if len(cursor) > MAX_CURSOR_LENGTH or cursor.count(".") != 1:
            raise invalid
        body, signature = cursor.split(".")
        try:
            payload = _unb64(body)
            if not hmac.compare_digest(self._sign(payload), signature):
                raise invalid
            data = json.loads(payload)
        except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
            raise invalid from exc
        if not isinstance(data, dict) or data.get("v") != VERSION:
            raise invalid
        if (
            data.get("t") != tenant_id
            or data.get("s") != status
            or not isinstance(data.get("k"), dict)
        ):
            raise invalid
        return data["k"]  # type: ignore[no-any-return]
