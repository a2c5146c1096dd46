from __future__ import annotations

import json

import pytest

from chalicelib.api.body import MAX_BODY_BYTES, parse_json
from chalicelib.api.problems import describe, problem_body
from chalicelib.errors import (
    Conflict,
    DependencyFailed,
    OrderNotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from chalicelib.models.orders import CreateOrderRequest
from tests.sample import order_body


def test_every_domain_error_has_a_status() -> None:
    assert describe(ValidationFailed("x"))[0] == 400
    assert describe(OrderNotFound("o"))[0] == 404
    assert describe(Conflict("c"))[0] == 409
    assert describe(DependencyFailed("d"))[0] == 503
    assert describe(RuntimeError("boom"))[0] == 500


def test_unexpected_errors_leak_nothing() -> None:
    status, body, headers = problem_body(RuntimeError("password=hunter2"), "/v1.0/orders", "r-1")
    assert status == 500
    assert "hunter2" not in json.dumps(body)
    assert headers["Content-Type"] == "application/problem+json"
    assert body["requestId"] == "r-1"


def test_validation_problems_list_fields() -> None:
    body = order_body(
        items=[{"productId": "p", "productName": "P", "quantity": 0, "unitPrice": "1.00"}]
    )
    with pytest.raises(ValidationFailed) as caught:
        parse_json(json.dumps(body).encode(), "application/json", CreateOrderRequest)
    status, problem, _ = problem_body(caught.value, "/v1.0/orders", None)
    assert status == 400
    assert problem["type"] == "https://errors.bbws.io/validation-error"
    assert {
        "field": "items[0].quantity",
        "message": "ensure this value is greater than or equal to 1",
    } in problem["errors"]


@pytest.mark.parametrize(
    ("raw", "content_type", "error"),
    [
        (b"{", "application/json", ValidationFailed),
        (b"[1, 2]", "application/json", ValidationFailed),
        (b"\xff\xfe\x00", "application/json", ValidationFailed),
        (b"{}", "text/plain", UnsupportedMediaType),
        (b"{}", None, UnsupportedMediaType),
        (b" " * (MAX_BODY_BYTES + 1), "application/json", PayloadTooLarge),
    ],
)
def test_bad_bodies_are_4xx(raw: bytes, content_type: str | None, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_json(raw, content_type, CreateOrderRequest)


def test_json_with_charset_is_accepted() -> None:
    parsed = parse_json(
        json.dumps(order_body()).encode(), "application/json; charset=utf-8", CreateOrderRequest
    )
    assert parsed.customerEmail == "jane@example.com"
