"""List, update and idempotency through Chalice's test client, against moto."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client

from devstack.provision import Provisioned
from tests.integration.api_helpers import (
    bearer,
    create_orders,
    new_cart,
    post_order,
    put_order,
    run_record_writer,
)
from tests.integration.conftest import client, drain
from tests.sample import cart_order_body, order_body, paid_now


def list_orders(api: Client, token: str, tenant: str = "tenant-a", query: str = "") -> Any:
    return api.http.get(f"/v1.0/tenants/{tenant}/orders{query}", headers=bearer(token))


def test_lists_are_newest_first_and_page_with_signed_cursors(
    api: Client, stack: Provisioned, alice: str
) -> None:
    created = create_orders(api, stack, alice, 5)
    first = list_orders(api, alice, query="?pageSize=2")
    assert first.status_code == 200
    page = first.json_body
    assert [o["id"] for o in page["items"]] == created[::-1][:2]
    assert page["pagination"]["hasMore"] is True
    seen = [o["id"] for o in page["items"]]
    cursor = page["pagination"]["nextStartAt"]
    while cursor:
        page = list_orders(api, alice, query=f"?pageSize=2&startAt={cursor}").json_body
        seen += [o["id"] for o in page["items"]]
        cursor = page["pagination"]["nextStartAt"]
    assert seen == created[::-1]
    assert not {"PK", "GSI1_SK"} & set(page["items"][0])


def test_status_filter_and_bad_cursors(api: Client, stack: Provisioned, alice: str) -> None:
    created = create_orders(api, stack, alice, 3)
    assert put_order(api, alice, created[1], {"status": "CANCELLED"}).status_code == 200
    cancelled = list_orders(api, alice, query="?status=CANCELLED").json_body
    assert [o["id"] for o in cancelled["items"]] == [created[1]]
    cursor = list_orders(api, alice, query="?pageSize=1").json_body["pagination"]["nextStartAt"]
    for bad in (cursor[:-3] + "xyz", "garbage", cursor + "&status=PAID"):
        response = list_orders(api, alice, query=f"?pageSize=1&startAt={bad}")
        assert response.status_code == 400, bad
        assert response.headers["Content-Type"] == "application/problem+json"


def test_an_order_number_is_looked_up_exactly_within_the_tenant(
    api: Client, stack: Provisioned, alice: str, bob: str
) -> None:
    created = create_orders(api, stack, alice, 3)
    orders = {o["id"]: o for o in list_orders(api, alice).json_body["items"]}
    number = orders[created[0]]["orderNumber"]
    found = list_orders(api, alice, query=f"?orderNumber={number}").json_body
    assert [o["id"] for o in found["items"]] == [created[0]]
    assert found["pagination"] == {"pageSize": 50, "nextStartAt": None, "hasMore": False}
    assert list_orders(api, alice, query="?orderNumber=ORD-EU-9999999").json_body["items"] == []
    assert (
        list_orders(api, bob, tenant="tenant-b", query=f"?orderNumber={number}").json_body["items"]
        == []
    )
    for bad in ("?orderNumber=42", f"?orderNumber={number}&startAt=x"):
        assert list_orders(api, alice, query=bad).status_code == 400, bad


def test_list_parameters_are_validated(api: Client, alice: str) -> None:
    for query in ("?pageSize=0", "?pageSize=101", "?pageSize=x", "?status=LOST", "?foo=bar"):
        assert list_orders(api, alice, query=query).status_code == 400, query


def test_tenants_cannot_list_each_other_but_admins_can(
    api: Client, stack: Provisioned, alice: str, bob: str, admin: str
) -> None:
    create_orders(api, stack, alice, 1)
    assert list_orders(api, bob, tenant="tenant-a").status_code == 403
    cursor_free = list_orders(api, admin, tenant="tenant-a")
    assert cursor_free.status_code == 200
    assert len(cursor_free.json_body["items"]) == 1
    assert list_orders(api, bob, tenant="tenant-b").json_body["items"] == []


def test_a_cursor_from_one_tenant_is_refused_for_another(
    api: Client, stack: Provisioned, alice: str, admin: str
) -> None:
    create_orders(api, stack, alice, 2)
    cursor = list_orders(api, admin, tenant="tenant-a", query="?pageSize=1").json_body[
        "pagination"
    ]["nextStartAt"]
    assert list_orders(api, admin, tenant="tenant-b", query=f"?startAt={cursor}").status_code == 400


def test_updates_follow_the_state_machine_with_etags(
    api: Client, stack: Provisioned, alice: str, payments: str, admin: str
) -> None:
    [order_id] = create_orders(api, stack, alice, 1)
    paid = put_order(
        api,
        payments,
        order_id,
        {"status": "PAID", "paymentDetails": paid_now()},
        **{"If-Match": '"1"'},
    )
    assert paid.status_code == 200, paid.json_body
    assert paid.headers["ETag"] == '"2"'
    assert paid.json_body["status"] == "PAID"
    assert paid.json_body["paymentDetails"]["amount"] == "448.50"
    stale = put_order(api, admin, order_id, {"status": "PROCESSING"}, **{"If-Match": '"1"'})
    assert stale.status_code == 412
    invalid = put_order(api, admin, order_id, {"status": "COMPLETED"})
    assert invalid.status_code == 409
    assert "PROCESSING, REFUNDED" in invalid.json_body["detail"]
    got = api.http.get(f"/v1.0/orders/{order_id}", headers=bearer(alice))
    assert got.json_body["status"] == "PAID"
    assert got.headers["ETag"] == '"2"'


def test_payment_rules(api: Client, stack: Provisioned, alice: str, payments: str) -> None:
    [order_id] = create_orders(api, stack, alice, 1)
    assert put_order(api, payments, order_id, {"status": "PAID"}).status_code == 400
    wrong = put_order(
        api, payments, order_id, {"status": "PAID", "paymentDetails": paid_now(amount="1.00")}
    )
    assert wrong.status_code == 422
    assert {e["field"] for e in wrong.json_body["errors"]} >= {"paymentDetails.amount"}
    card = put_order(
        api,
        payments,
        order_id,
        {"status": "PAID", "paymentDetails": {**paid_now(), "cardNumber": "4111"}},
    )
    assert card.status_code == 400
    assert "cardNumber" in json.dumps(card.json_body)
    item = client("dynamodb").scan(TableName=stack.table_name)["Items"]
    assert "4111" not in json.dumps(item)


def test_other_tenants_and_soft_deleted_orders_are_not_found(
    api: Client, stack: Provisioned, alice: str, bob: str, admin: str
) -> None:
    [order_id] = create_orders(api, stack, alice, 1)
    assert put_order(api, bob, order_id, {"status": "CANCELLED"}).status_code == 404
    assert put_order(api, alice, order_id, {"active": False}).status_code == 403
    deleted = put_order(api, admin, order_id, {"active": False})
    assert deleted.status_code == 200
    assert deleted.json_body["active"] is False
    assert api.http.get(f"/v1.0/orders/{order_id}", headers=bearer(alice)).status_code == 404
    assert list_orders(api, alice).json_body["items"] == []
    assert api.http.get(f"/v1.0/orders/{order_id}", headers=bearer(admin)).status_code == 200
    assert len(list_orders(api, admin, tenant="tenant-a").json_body["items"]) == 1


def test_update_bodies_are_validated(api: Client, stack: Provisioned, alice: str) -> None:
    [order_id] = create_orders(api, stack, alice, 1)
    assert put_order(api, alice, order_id, {}).status_code == 400
    assert put_order(api, alice, order_id, {"status": "LOST"}).status_code == 400
    assert (
        put_order(
            api, alice, order_id, {"status": "CANCELLED"}, **{"If-Match": "nonsense"}
        ).status_code
        == 400
    )
    raw = api.http.put(f"/v1.0/orders/{order_id}", headers=bearer(alice), body="{")
    assert raw.status_code == 400


@pytest.mark.parametrize("who", ["customer", "back office"])
def test_idempotency_keys_replay_the_first_answer(
    api: Client, stack: Provisioned, alice: str, admin: str, who: str
) -> None:
    """A customer's cart order (its claim is the key's record) and an admin's priced order."""
    token = alice if who == "customer" else admin
    body = (
        cart_order_body(new_cart(alice)) if who == "customer" else order_body(tenantId="tenant-a")
    )
    key = {"Idempotency-Key": "order-42"}
    first = post_order(api, token, body, **key)
    again = post_order(api, token, body, **key)
    assert first.status_code == again.status_code == 202
    assert first.json_body == again.json_body
    assert len(drain(stack.queues["order_creator_record"]["url"])) == 1
    other = post_order(api, token, {**body, "customerEmail": "other@example.com"}, **key)
    assert other.status_code == 409
    assert "different request body" in other.json_body["detail"]
    assert post_order(api, token, body, **{"Idempotency-Key": "bad key"}).status_code == 400
    records = [
        i["PK"]["S"]
        for i in client("dynamodb").scan(TableName=stack.table_name)["Items"]
        if i["PK"]["S"].startswith("IDEMPOTENCY#")
    ]
    # a cart order's claim is the record: IDEMPOTENCY# items are the back office's alone
    assert len(records) == (0 if who == "customer" else 1)


def test_concurrent_duplicates_make_one_order(api: Client, stack: Provisioned, alice: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    body = cart_order_body(new_cart(alice))

    def attempt(_: int) -> str:
        answer = post_order(api, alice, body, **{"Idempotency-Key": "same"})
        assert answer.status_code == 202, answer.json_body
        return str(answer.json_body["orderId"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(attempt, range(16)))
    assert len(ids) == 1
    run_record_writer(stack)
    orders = [
        i
        for i in client("dynamodb").scan(TableName=stack.table_name)["Items"]
        if i["entityType"]["S"] == "ORDER"
    ]
    assert len(orders) == 1


def test_a_customer_cannot_mark_its_own_order_paid(
    api: Client, stack: Provisioned, alice: str, payments: str
) -> None:
    """Issue 15's abuse: a customer paying its own order with invented details is 403."""
    [order_id] = create_orders(api, stack, alice, 1)
    for status in ("PAID", "PROCESSING", "COMPLETED", "REFUNDED"):
        body: dict[str, Any] = {"status": status}
        if status == "PAID":
            body["paymentDetails"] = paid_now()
        refused = put_order(api, alice, order_id, body)
        assert refused.status_code == 403, refused.json_body
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert "as customer: CANCELLED" in refused.json_body["detail"]
    paid = put_order(api, payments, order_id, {"status": "PAID", "paymentDetails": paid_now()})
    assert paid.status_code == 200
    got = api.http.get(f"/v1.0/orders/{order_id}", headers=bearer(payments))
    assert (got.status_code, got.json_body["status"]) == (200, "PAID")
    assert put_order(api, alice, order_id, {"status": "CANCELLED"}).status_code == 409
