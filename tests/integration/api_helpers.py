"""Helpers for driving the app through Chalice's test client against moto."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

import app as app_module
from devstack.provision import Provisioned
from tests.integration.conftest import drain
from tests.sample import order_body


def bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **extra}


def post_order(api: Client, token: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    return api.http.post(
        "/v1.0/orders", headers=bearer(token, **headers), body=json.dumps(body or order_body())
    )


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
