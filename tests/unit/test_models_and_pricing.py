from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from chalicelib.clock import iso
from chalicelib.models.orders import CreateOrderRequest
from chalicelib.services.pricing import price
from tests.sample import order_body


def test_totals_follow_the_contract_example() -> None:
    request = CreateOrderRequest.parse_obj(order_body())
    assert request.items is not None
    totals = price(request.items, request.campaign)
    assert [line.lineTotal for line in totals.lines] == [Decimal("598.00")]
    assert (totals.subtotal, totals.discount, totals.total) == (
        Decimal("598.00"),
        Decimal("149.50"),
        Decimal("448.50"),
    )


def test_discount_rounds_half_up() -> None:
    body = order_body(
        items=[{"productId": "p", "productName": "P", "quantity": 1, "unitPrice": "0.10"}],
        campaign={"code": "X", "discountPercent": "25.00"},
    )
    request = CreateOrderRequest.parse_obj(body)
    assert request.items is not None
    totals = price(request.items, request.campaign)
    assert totals.discount == Decimal("0.03")  # 0.025 → 0.03, not banker's 0.02
    assert totals.total == Decimal("0.07")


def test_no_campaign_means_no_discount() -> None:
    request = CreateOrderRequest.parse_obj(order_body(campaign=None))
    assert request.items is not None
    assert price(request.items, None).discount == Decimal("0.00")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unitPrice", 299.0),
        ("unitPrice", "299.001"),
        ("unitPrice", "0"),
        ("unitPrice", "abc"),
        ("unitPrice", "NaN"),
        ("quantity", 0),
        ("quantity", 1001),
    ],
)
def test_bad_items_are_rejected(field: str, value: object) -> None:
    item = {"productId": "p", "productName": "P", "quantity": 1, "unitPrice": "1.00", field: value}
    with pytest.raises(ValidationError):
        CreateOrderRequest.parse_obj(order_body(items=[item]))


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="extra fields not permitted"):
        CreateOrderRequest.parse_obj(order_body(cardNumber="4111111111111111"))


def test_items_are_bounded() -> None:
    item = {"productId": "p", "productName": "P", "quantity": 1, "unitPrice": "1.00"}
    with pytest.raises(ValidationError):
        CreateOrderRequest.parse_obj(order_body(items=[]))
    with pytest.raises(ValidationError):
        CreateOrderRequest.parse_obj(order_body(items=[item] * 101))


def test_discount_percent_is_bounded() -> None:
    with pytest.raises(ValidationError):
        CreateOrderRequest.parse_obj(
            order_body(campaign={"code": "X", "discountPercent": "100.01"})
        )


def test_times_are_utc_with_milliseconds() -> None:
    from datetime import datetime, timedelta, timezone

    moment = datetime(2026, 11, 28, 12, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert iso(moment) == "2026-11-28T10:00:00.123Z"
