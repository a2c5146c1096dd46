"""orderctl orders carts as a customer: where it finds the Cart service, and the body it sends."""

from __future__ import annotations

from typing import Any

import pytest

from orderctl import carts
from orderctl.errors import UsageError
from orderctl.profiles import Profile


def test_the_profiles_cart_service_is_used() -> None:
    profile = Profile(name="dev", cart_api_url="https://cart-api-dev.bbws.io/")
    assert carts.cart_api_url(profile) == "https://cart-api-dev.bbws.io"


def test_a_profile_without_a_cart_service_says_what_to_do() -> None:
    with pytest.raises(UsageError, match="--cart-api-url") as refused:
        carts.cart_api_url(Profile(name="dev", api_url="https://api-dev.bbws.io"))
    assert "--cart ID" in str(refused.value)
    assert "--tenant" in str(refused.value)


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
