"""One order through the real local stack: record, PDF, two emails — and SQS redeliveries."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from chalicelib.clock import utc_now
from chalicelib.models.events import OrderCreated, OrderCreateRequested
from chalicelib.models.orders import Order
from tests.e2e.api_client import Caller
from tests.e2e.stack_process import sent_emails as all_emails
from tests.e2e.stack_process import stack_client

pytestmark = pytest.mark.e2e


def sent_emails(stack: dict[str, Any], order_id: str, customer: str) -> list[dict[str, Any]]:
    """This order's emails in the emulator's SES: the customer's, and the team's (naming the id)."""
    return [m for m in all_emails(stack) if m["to"] == customer or order_id in m["body"]]


def pdf_versions(stack: dict[str, Any], key: str) -> list[dict[str, Any]]:
    response = stack_client(stack, "s3").list_object_versions(
        Bucket=stack["ordersBucket"], Prefix=key
    )
    return list(response.get("Versions", []))


def eventually(check: Callable[[], bool], limit_s: float, what: str) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < limit_s, f"{what} did not happen within {limit_s}s"
        time.sleep(0.25)
    return time.monotonic() - started


def test_one_order_gives_exactly_one_of_everything(stack: dict[str, Any]) -> None:
    alice = Caller(stack, "alice")
    customer = f"jane+{uuid.uuid4().hex[:8]}@example.com"
    started = time.monotonic()
    order_id = alice.create(customerEmail=customer)
    key = f"tenant-a/orders/order_{order_id}.pdf"

    def complete() -> bool:
        response = alice.request("GET", f"/v1.0/orders/{order_id}")
        if response.status_code != 200:
            return False
        order = response.json()
        return order["invoice"]["available"] and len(sent_emails(stack, order_id, customer)) == 2

    eventually(complete, 30, "record + PDF + both emails")
    elapsed = time.monotonic() - started
    order = alice.wait_for(order_id)
    assert order["orderNumber"].startswith("ORD-EU-")
    assert len(pdf_versions(stack, key)) == 1
    recipients = sorted(m["to"] for m in sent_emails(stack, order_id, customer))
    assert recipients == sorted([customer, "orders@bbws.example"])
    link = alice.request("GET", f"/v1.0/orders/{order_id}/invoice").json()
    assert requests.get(link["url"], timeout=30).content.startswith(b"%PDF")
    print(f"order complete in {elapsed:.1f}s")

    # The same messages, three more times on every queue: nothing changes.
    stored = Order.parse_obj(order)
    requested = OrderCreateRequested(id="again", occurredAt=utc_now(), correlationId="again",
                                     data=stored.copy(update={"orderNumber": None}))  # fmt: skip
    created = OrderCreated(id="again", occurredAt=utc_now(), correlationId="again", data=stored)
    sqs = stack_client(stack, "sqs")
    for function, queue in stack["queues"].items():
        body = requested.json() if function == "order_creator_record" else created.json()
        for _ in range(3):
            sqs.send_message(QueueUrl=queue["url"], MessageBody=body)

    def drained() -> bool:
        for queue in stack["queues"].values():
            attributes = sqs.get_queue_attributes(
                QueueUrl=queue["url"],
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                ],
            )["Attributes"]
            if any(int(v) for v in attributes.values()):
                return False
        return True

    eventually(drained, 40, "the redeliveries to be consumed")
    time.sleep(1)
    assert alice.wait_for(order_id)["orderNumber"] == order["orderNumber"]
    assert len(pdf_versions(stack, key)) == 1
    assert len(sent_emails(stack, order_id, customer)) == 2
    listed = alice.request("GET", "/v1.0/tenants/tenant-a/orders").json()["items"]
    assert [o["id"] for o in listed] == [order_id]
    for queue in stack["queues"].values():
        assert "Messages" not in sqs.receive_message(QueueUrl=queue["dlqUrl"], WaitTimeSeconds=0)
