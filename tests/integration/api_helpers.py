"""Helpers for driving the app through Chalice's test client against moto."""

from __future__ import annotations

import json
from typing import Any

import requests
from chalice.test import Client

import app as app_module
from devstack.provision import Provisioned
from tests.conftest import CART_API_URL
from tests.integration.conftest import drain
from tests.sample import cart_order_body


def bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **extra}


def new_cart(token: str, items: list[dict[str, Any]] | None = None, **body: Any) -> str:
    """A cart in the Cart service stub for the token's user (default: the sample order's)."""
    lines = [{"productId": "wp-pro", "quantity": 2}] if items is None else items
    response = requests.post(
        f"{CART_API_URL}/v1.0/carts",
        json={"items": lines, "campaignCode": "SUMMER25"} | body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["cartId"])


def post_order(api: Client, token: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    """POST /v1.0/orders: `body`, or else a customer's order of a new sample cart (448.50)."""
    sent = body if body is not None else cart_order_body(new_cart(token))
    return api.http.post("/v1.0/orders", headers=bearer(token, **headers), body=json.dumps(sent))


def put_order(api: Client, token: str, order_id: str, body: dict[str, Any], **headers: str) -> Any:
    return api.http.put(
        f"/v1.0/orders/{order_id}", headers=bearer(token, **headers), body=json.dumps(body)
    )


def run_record_writer(stack: Provisioned) -> dict[str, Any]:
    """Deliver what waits on the creation queue to the record writer, like Lambda would."""
    messages = drain(stack.queues["order_creator_record"]["url"])
    records = [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m["Attributes"],
        }
        for m in messages
    ]
    return app_module.order_creator_record({"Records": records}, None)  # type: ignore[no-any-return]


def create_orders(api: Client, stack: Provisioned, token: str, count: int) -> list[str]:
    """Create and record `count` orders (oldest first)."""
    ids = []
    for _ in range(count):
        ids.append(post_order(api, token).json_body["orderId"])
        run_record_writer(stack)  # one at a time: distinct creation times, newest last
    return ids
