"""The Orders API over HTTP on the real local stack: real tokens for two tenants and an admin."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.api_client import Caller
from tests.sample import cart_order_body, paid_now, refunded_now

pytestmark = pytest.mark.e2e


@pytest.fixture
def alice(stack: dict[str, Any]) -> Caller:
    return Caller(stack, "alice")


@pytest.fixture
def bob(stack: dict[str, Any]) -> Caller:
    return Caller(stack, "bob")


@pytest.fixture
def admin(stack: dict[str, Any]) -> Caller:
    return Caller(stack, "admin")


@pytest.fixture
def payments(stack: dict[str, Any]) -> Caller:
    return Caller(stack, "payments")


def test_the_order_life_cycle(alice: Caller, payments: Caller, admin: Caller) -> None:
    order_id = alice.create()
    order = alice.wait_for(order_id)
    assert order["status"] == "PENDING"
    paid = payments.request(
        "PUT",
        f"/v1.0/orders/{order_id}",
        json={"status": "PAID", "paymentDetails": paid_now()},
        headers={"If-Match": '"1"'},
    )
    assert paid.status_code == 200, paid.text
    assert paid.headers["ETag"] == '"2"'
    listed = alice.request("GET", "/v1.0/tenants/tenant-a/orders", params={"status": "PAID"}).json()
    assert [o["id"] for o in listed["items"]] == [order_id]
    refused = alice.request("PUT", f"/v1.0/orders/{order_id}", json={"status": "CANCELLED"})
    assert refused.status_code == 409
    assert refused.headers["Content-Type"] == "application/problem+json"
    # Then the business: processing and completion by an operator (API.md "Roles").
    path = f"/v1.0/orders/{order_id}"
    for status in ("PROCESSING", "COMPLETED"):
        moved = admin.request("PUT", path, json={"status": status})
        assert (moved.status_code, moved.json()["status"]) == (200, status), moved.text
    refunded = payments.request(
        "PUT",
        path,
        json={"status": "REFUNDED", "refundDetails": refunded_now(amount=order["total"])},
    )
    assert (refunded.status_code, refunded.json()["version"]) == (200, 5), refunded.text


def test_a_customer_cancels_a_pending_order_and_cannot_pay_it(alice: Caller) -> None:
    order_id = alice.create()
    alice.wait_for(order_id)
    path = f"/v1.0/orders/{order_id}"
    paid = alice.request("PUT", path, json={"status": "PAID", "paymentDetails": paid_now()})
    assert paid.status_code == 403, paid.text
    assert "as customer: CANCELLED" in paid.json()["detail"]
    cancelled = alice.request("PUT", path, json={"status": "CANCELLED"})
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "CANCELLED")


def test_cross_tenant_every_route_keeps_its_data(alice: Caller, bob: Caller) -> None:
    """Bob tries every route on Alice's tenant and ids: nothing of hers comes back."""
    order_id = alice.create()
    secret = alice.wait_for(order_id)
    attempts = {
        "get": bob.request("GET", f"/v1.0/orders/{order_id}"),
        "put": bob.request("PUT", f"/v1.0/orders/{order_id}", json={"status": "CANCELLED"}),
        "soft-delete": bob.request("PUT", f"/v1.0/orders/{order_id}", json={"active": False}),
        "list": bob.request("GET", "/v1.0/tenants/tenant-a/orders"),
        "invoice": bob.request("GET", f"/v1.0/orders/{order_id}/invoice"),
        "create-for": bob.request(
            "POST", "/v1.0/orders", json={**secret_body(), "tenantId": "tenant-a"}
        ),
    }
    assert {name: r.status_code for name, r in attempts.items()} == {
        "get": 404, "put": 404, "soft-delete": 403, "list": 403, "invoice": 404, "create-for": 403,
    }  # fmt: skip
    for response in attempts.values():
        assert secret["customerEmail"] not in response.text
        assert secret["billingAddress"]["fullName"] not in response.text
    own = bob.request("GET", "/v1.0/tenants/tenant-b/orders").json()
    assert own["items"] == []
    assert alice.wait_for(order_id)["status"] == "PENDING"  # untouched


def secret_body() -> dict[str, Any]:
    return cart_order_body("c-not-bobs")


def test_a_list_cursor_cannot_be_replayed_across_tenants(alice: Caller, admin: Caller) -> None:
    ids = [alice.create(), alice.create()]
    for order_id in ids:
        alice.wait_for(order_id)
    page = admin.request("GET", "/v1.0/tenants/tenant-a/orders", params={"pageSize": 1}).json()
    cursor = page["pagination"]["nextStartAt"]
    assert cursor
    assert (
        admin.request(
            "GET", "/v1.0/tenants/tenant-b/orders", params={"startAt": cursor}
        ).status_code
        == 400
    )
    assert (
        admin.request(
            "GET", "/v1.0/tenants/tenant-a/orders", params={"startAt": cursor[:-4] + "AAAA"}
        ).status_code
        == 400
    )
    rest = admin.request(
        "GET", "/v1.0/tenants/tenant-a/orders", params={"pageSize": 1, "startAt": cursor}
    ).json()
    assert [o["id"] for o in page["items"] + rest["items"]] == ids[::-1]


def test_fifty_concurrent_puts_with_one_if_match_let_exactly_one_through(alice: Caller) -> None:
    order_id = alice.create()
    alice.wait_for(order_id)

    def cancel(_: int) -> int:
        response = alice.request("PUT", f"/v1.0/orders/{order_id}", json={"status": "CANCELLED"},
                                 headers={"If-Match": '"1"'})  # fmt: skip
        return response.status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = Counter(pool.map(cancel, range(50)))
    assert statuses == {200: 1, 412: 49}


def test_fifty_concurrent_puts_without_if_match_lose_nothing(alice: Caller, admin: Caller) -> None:
    order_id = alice.create()
    alice.wait_for(order_id)

    def toggle(i: int) -> int:
        response = admin.request("PUT", f"/v1.0/orders/{order_id}", json={"active": i % 2 == 0})
        return response.status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = Counter(pool.map(toggle, range(50)))
    final = admin.request("GET", f"/v1.0/orders/{order_id}").json()
    assert final["version"] == 1 + statuses[200]
    assert statuses[200] == 50


def test_idempotent_retries_over_http(alice: Caller, stack: dict[str, Any]) -> None:
    headers = {"Idempotency-Key": "checkout-7"}
    body = cart_order_body(alice.sample_cart())
    first = alice.request("POST", "/v1.0/orders", json=body, headers=headers)
    again = alice.request("POST", "/v1.0/orders", json=body, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["orderId"] == again.json()["orderId"]
    other = alice.request(
        "POST",
        "/v1.0/orders",
        json={**body, "customerEmail": "other@example.com"},
        headers=headers,
    )
    assert other.status_code == 409
    assert "different request body" in other.json()["detail"]
    alice.wait_for(first.json()["orderId"])
    listed = alice.request("GET", "/v1.0/tenants/tenant-a/orders").json()
    assert [o["id"] for o in listed["items"]] == [first.json()["orderId"]]


@pytest.mark.parametrize(
    ("path", "who", "status"),
    [
        ("/v1.0/orders/%00", "alice", 404),
        ("/v1.0/orders/%C3%A4%C3%B6", "alice", 404),
        ("/v1.0/orders/" + "a" * 1024, "alice", 404),
        ("/v1.0/orders/..%2F..%2Fetc", "admin", 404),
        ("/v1.0/orders/%ZZ", "admin", 404),
        ("/v1.0/tenants/%00/orders", "alice", 403),
        ("/v1.0/tenants/%00/orders", "admin", 400),
        ("/v1.0/tenants/" + "b" * 1024 + "/orders", "admin", 400),
    ],
)
def test_odd_path_parameters_are_4xx_problems(
    stack: dict[str, Any], path: str, who: str, status: int
) -> None:
    response = Caller(stack, who).request("GET", path)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/v1.0/orders"), ("PUT", "/v1.0/orders/11111111-1111-4111-8111-111111111111")],
)
def test_bad_bodies_over_http(alice: Caller, method: str, path: str) -> None:
    huge = alice.request(method, path, data=b'{"x": "' + b"a" * 1_100_000 + b'"}',
                         headers={"Content-Type": "application/json"})  # fmt: skip
    assert huge.status_code == 413
    malformed = alice.request(
        method, path, data=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.json()["type"].endswith("/validation-error")
    wrong_type = alice.request(
        method, path, data=b"<order/>", headers={"Content-Type": "application/xml"}
    )
    assert wrong_type.status_code == 415
