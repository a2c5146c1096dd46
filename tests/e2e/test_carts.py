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


def test_the_two_abuses_of_issue_15_are_refused(stack: dict[str, Any], alice: Caller) -> None:
    """10 x WordPress Pro at R0.01 with a 100 % campaign, then paying it herself: 400, then 403."""
    priced = {
        "customerEmail": "jane@example.com",
        "currency": "ZAR",
        "items": [{"productId": "wp-pro", "productName": "WordPress Pro Hosting",
                   "quantity": 10, "unitPrice": "0.01"}],
        "campaign": {"code": "FREE", "name": "Free", "discountPercent": "100.00"},
        "billingAddress": {"fullName": "Jane Doe", "line1": "1 Long St", "city": "Cape Town",
                           "postalCode": "8001", "country": "ZA"},
    }  # fmt: skip
    refused = alice.request("POST", "/v1.0/orders", json=priced)
    assert refused.status_code == 400, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == [
        "items", "campaign", "currency", "cartId",
    ]  # fmt: skip
    listed = alice.request("GET", "/v1.0/tenants/tenant-a/orders", params={"pageSize": 100})
    assert all(o["total"] != "0.00" for o in listed.json()["items"])  # nothing was enqueued
    order_id = alice.create()
    order = alice.wait_for(order_id)
    for status in ("PAID", "PROCESSING", "COMPLETED", "REFUNDED"):
        body: dict[str, Any] = {"status": status}
        if status == "PAID":
            body["paymentDetails"] = paid_now(amount=order["total"])
        answer = alice.request("PUT", f"/v1.0/orders/{order_id}", json=body)
        assert answer.status_code == 403, answer.text
        assert "You may set as customer: CANCELLED" in answer.json()["detail"], answer.text
    assert alice.wait_for(order_id)["status"] == "PENDING"
