"""orderctl orders carts as a customer: where it finds the Cart service, and the body it sends."""

from __future__ import annotations

from typing import Any

import pytest

from orderctl import auth, carts
from orderctl.errors import OrderctlError

LOCAL = {"apiUrl": "http://127.0.0.1:8000", "cartApiUrl": "http://127.0.0.1:8010"}


@pytest.fixture(autouse=True)
def local_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(carts.CART_API_ENV, raising=False)
    monkeypatch.setattr(auth, "local_stack", lambda: LOCAL)


def test_the_flag_then_the_environment_then_the_local_stub(monkeypatch: pytest.MonkeyPatch) -> None:
    assert carts.cart_api_url(None, LOCAL["apiUrl"]) == "http://127.0.0.1:8010"
    monkeypatch.setenv(carts.CART_API_ENV, "https://cart-api-dev.bbws.io/")
    assert carts.cart_api_url(None, LOCAL["apiUrl"]) == "https://cart-api-dev.bbws.io"
    assert carts.cart_api_url("https://other.example", LOCAL["apiUrl"]) == "https://other.example"


def test_a_deployed_stage_without_a_cart_service_says_what_to_do() -> None:
    with pytest.raises(OrderctlError, match="--cart-api-url") as refused:
        carts.cart_api_url(None, "https://api-dev.bbws.io")
    assert "--cart ID" in str(refused.value)
    assert "--tenant" in str(refused.value)


def test_a_cart_api_url_must_be_http() -> None:
    with pytest.raises(OrderctlError, match="must be an http"):
        carts.cart_api_url("cart-api-dev.bbws.io", LOCAL["apiUrl"])


def test_the_demo_lines_become_a_cart_and_the_body_keeps_only_the_customers_fields() -> None:
    made: list[tuple[str, dict[str, Any]]] = []

    class FakeApi:
        def new_cart(self, cart_api: str, body: dict[str, Any]) -> str:
            made.append((cart_api, body))
            return "c-42"

    demo = {
        "customerEmail": "thandi@example.com",
        "currency": "ZAR",
        "items": [{"productId": "wp-pro", "productName": "x", "quantity": 2, "unitPrice": "1.00"}],
        "campaign": {"code": "SUMMER25", "name": "Summer", "discountPercent": "25.00"},
        "billingAddress": {"fullName": "Thandi Nkosi"},
    }
    body = carts.as_cart_order(FakeApi(), "http://cart", demo)  # type: ignore[arg-type]
    assert made == [
        (
            "http://cart",
            {"items": [{"productId": "wp-pro", "quantity": 2}], "campaignCode": "SUMMER25"},
        )
    ]
    assert body == {
        "cartId": "c-42",
        "customerEmail": "thandi@example.com",
        "billingAddress": {"fullName": "Thandi Nkosi"},
    }
