"""Orders from carts on the real local stack: the Cart service stub, the API, the pipeline."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.api_client import Caller
from tests.sample import paid_now


@pytest.fixture
def alice(stack: dict[str, Any]) -> Caller:
    return Caller(stack, "alice")


def test_cart_to_order_to_payment_to_completion(stack: dict[str, Any], alice: Caller) -> None:
    cart_id = alice.new_cart(("wp-business", 1), ("domain-coza", 2), campaign="WELCOME10")
    accepted = alice.order_cart(cart_id)
    assert accepted.status_code == 202, accepted.text
    order_id = accepted.json()["orderId"]
    order = alice.wait_for(order_id)
    assert (order["cartId"], order["subtotal"], order["discount"], order["total"]) == (
        cart_id,
        "797.00",
        "79.70",
        "717.30",
    )
    payments, admin = Caller(stack, "payments"), Caller(stack, "admin")
    path = f"/v1.0/orders/{order_id}"
    paid = payments.request(
        "PUT", path, json={"status": "PAID", "paymentDetails": paid_now(amount="717.30")}
    )
    assert paid.status_code == 200, paid.text
    for status in ("PROCESSING", "COMPLETED"):
        assert admin.request("PUT", path, json={"status": status}).status_code == 200
    assert alice.request("GET", path).json()["status"] == "COMPLETED"


def test_twenty_concurrent_posts_of_one_cart_make_one_order(alice: Caller) -> None:
    cart_id = alice.new_cart(("wp-pro", 1))
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: alice.order_cart(cart_id), range(20)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [202] + [409] * 19, [a.text for a in answers if a.status_code >= 500]
    [winner] = [a.json()["orderId"] for a in answers if a.status_code == 202]
    assert {a.json()["orderId"] for a in answers if a.status_code == 409} == {winner}
    alice.wait_for(winner)


def test_another_tenants_cart_is_422(stack: dict[str, Any], alice: Caller) -> None:
    cart_id = alice.new_cart(("ssl-dv", 1))
    refused = Caller(stack, "bob").order_cart(cart_id)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "cartId"
