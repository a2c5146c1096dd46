from __future__ import annotations

import base64
import json

import pytest

from chalicelib.api.params import idempotency_key, if_match, list_query
from chalicelib.errors import ValidationFailed
from chalicelib.models.orders import ListQuery, OrderStatus
from chalicelib.ports import Position
from chalicelib.services.cursor import TTL_S, CursorCodec

CODEC = CursorCodec(lambda: b"k" * 32, clock=lambda: 1_800_000_000.0)
POSITION = Position("2026-11-28T10:00:00.000Z", "0b8f7e1e-1f7a-4c38-9d51-0d4f3c1f3a11")


def test_a_cursor_round_trips_for_its_own_list() -> None:
    cursor = CODEC.encode(POSITION, "tenant-a", "PAID")
    assert CODEC.decode(cursor, "tenant-a", "PAID") == POSITION


def test_a_cursor_reveals_no_storage_key() -> None:
    cursor = CODEC.encode(POSITION, "tenant-a", None)
    payload = base64.urlsafe_b64decode(cursor.split(".")[0] + "==").decode()
    for storage_word in ("TENANT#", "ORDER#", "PK", "SK", "GSI"):
        assert storage_word not in payload


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),
        lambda c: "garbage",
        lambda c: "a.b.c",
        lambda c: "!!!.???",
        lambda c: c.replace(".", ""),
        lambda c: "x" * 5000,
        lambda c: c.split(".")[0] + "==." + c.split(".")[1],  # extra padding
        lambda c: c.split(".")[0] + "." + c.split(".")[1] + "=",
        lambda c: c + "\n",
    ],
)
def test_modified_or_garbage_cursors_are_400(mutate: object) -> None:
    cursor = CODEC.encode(POSITION, "tenant-a", None)
    with pytest.raises(ValidationFailed):
        CODEC.decode(mutate(cursor), "tenant-a", None)  # type: ignore[operator]


def test_a_re_signed_payload_needs_the_secret() -> None:
    cursor = CODEC.encode(POSITION, "tenant-a", None)
    body, signature = cursor.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["t"] = "tenant-b"
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    with pytest.raises(ValidationFailed):
        CODEC.decode(f"{forged}.{signature}", "tenant-b", None)


def test_a_cursor_is_bound_to_its_tenant_and_filter() -> None:
    cursor = CODEC.encode(POSITION, "tenant-a", None)
    with pytest.raises(ValidationFailed):
        CODEC.decode(cursor, "tenant-b", None)
    with pytest.raises(ValidationFailed):
        CODEC.decode(cursor, "tenant-a", "PAID")
    other_key = CursorCodec(lambda: b"other", clock=lambda: 1_800_000_000.0)
    with pytest.raises(ValidationFailed):
        other_key.decode(cursor, "tenant-a", None)


def test_a_cursor_expires() -> None:
    now = [1_800_000_000.0]
    codec = CursorCodec(lambda: b"k" * 32, clock=lambda: now[0])
    cursor = codec.encode(POSITION, "tenant-a", None)
    now[0] += TTL_S - 1
    assert codec.decode(cursor, "tenant-a", None) == POSITION
    now[0] += 2
    with pytest.raises(ValidationFailed, match="startAt"):
        codec.decode(cursor, "tenant-a", None)


def test_list_query_defaults_and_bounds() -> None:
    assert list_query(None) == ListQuery(50)
    assert list_query({"pageSize": "100", "status": "PAID", "startAt": "c"}) == ListQuery(
        100, "c", OrderStatus.PAID
    )
    assert list_query({"orderNumber": "ORD-EU-0000042"}) == ListQuery(
        50, order_number="ORD-EU-0000042"
    )
    for bad in ({"pageSize": "0"}, {"pageSize": "101"}, {"pageSize": "ten"}, {"pageSize": "\u0661"},
                {"pageSize": "9" * 5000}, {"pageSize": "0050"}, {"pageSize": " 5"},
                {"status": "LOST"}, {"sort": "asc"}, {"orderNumber": "42"},
                {"orderNumber": "ord-eu-0000042"}, {"orderNumber": "ORD-EU-0000042 "},
                {"orderNumber": "ORD-EU-0000042", "startAt": "c"}):  # fmt: skip
        with pytest.raises(ValidationFailed):
            list_query(bad)


@pytest.mark.parametrize(("header", "expected"), [('"3"', 3), ('W/"3"', 3), ("3", 3), ("*", None)])
def test_if_match_forms(header: str, expected: int | None) -> None:
    assert if_match({"if-match": header}) == expected


def test_if_match_absent_or_garbage() -> None:
    assert if_match({}) is None
    with pytest.raises(ValidationFailed):
        if_match({"if-match": '"abc"'})


def test_idempotency_keys_are_bounded() -> None:
    assert idempotency_key({"idempotency-key": "k-1"}) == "k-1"
    assert idempotency_key({}) is None
    for bad in ("", "a" * 256, "with space", "ü"):
        with pytest.raises(ValidationFailed):
            idempotency_key({"idempotency-key": bad})
