"""Opaque, tamper-evident, expiring list cursors.

A cursor names the position after which the next page starts — the last order's creation time
and id, never a storage key — and is bound to the tenant and status filter it was issued for,
with an expiry, all signed with HMAC-SHA256. Anything else — a modified token, another tenant's,
an expired one, garbage, extra padding — is refused as a validation error (400), never a 500.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable

from chalicelib.errors import FieldError, ValidationFailed
from chalicelib.ports import Position

VERSION = 2
TTL_S = 3600  # a cursor is for paging now, not a bookmark
MAX_CURSOR_LENGTH = 1024
_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,900}\.[A-Za-z0-9_-]{43}")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:  # one spelling per cursor: no padding, no stray bits
        raise ValueError("not canonical base64")
    return data


class CursorCodec:
    """Signs and verifies cursors with a key fetched once (lazily) per container."""

    def __init__(self, secret: Callable[[], bytes], clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._clock = clock

    def _sign(self, payload: bytes) -> str:
        return _b64(hmac.new(self._secret(), payload, hashlib.sha256).digest())

    def encode(self, position: Position, tenant_id: str, status: str | None) -> str:
        """The cursor for continuing after `position`."""
        payload = json.dumps(
            {
                "v": VERSION,
                "t": tenant_id,
                "s": status,
                "c": position.created,
                "o": position.order_id,
                "x": int(self._clock()) + TTL_S,
            },
            separators=(",", ":"),
            sort_keys=True,
        ).encode()
        return f"{_b64(payload)}.{self._sign(payload)}"

    def decode(self, cursor: str, tenant_id: str, status: str | None) -> Position:
        """The position inside a live cursor issued for this tenant and filter; else 400."""
        invalid = ValidationFailed(
            "startAt is not a cursor this list issued",
            [FieldError("startAt", "invalid, expired or issued for another list")],
        )
        if len(cursor) > MAX_CURSOR_LENGTH or not _SHAPE.fullmatch(cursor):
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
        expires = data.get("x")
        if not isinstance(expires, int) or expires < self._clock():
            raise invalid
        created, order_id = data.get("c"), data.get("o")
        if data.get("t") != tenant_id or data.get("s") != status:
            raise invalid
        if not isinstance(created, str) or not isinstance(order_id, str):
            raise invalid
        return Position(created, order_id)
