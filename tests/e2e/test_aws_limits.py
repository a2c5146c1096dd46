"""The largest orders the contract allows travel the whole pipeline on the strict local stack.

The emulator refuses what AWS refuses (devstack/aws_limits.py, docs/aws-limits.md): SNS and SQS
sizes in bytes with attributes, PublishBatch totals, DynamoDB items as AWS counts them, SES's
10 MB. A customer's cart and a back-office order, each of 100 lines with every text field at its
maximum length in 4-byte characters, are recorded, get their documents and emails, and are paid;
nothing dead-letters (issue 28).
"""

from __future__ import annotations

import time
import uuid
from functools import partial
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from devstack.cart_stub import UNLISTED, UNLISTED_CAMPAIGNS
from tests.e2e.api_client import Caller
from tests.e2e.stack_process import (
    emails_to,
    eventually,
    queue_counts,
    sent_emails,
    stack_client,
)
from tests.sample import LONGEST_EMAIL, WIDEST, largest_order_body, longest_address, paid_now

pytestmark = pytest.mark.e2e


def _exactly(found: list[Any], count: int) -> list[Any] | None:
    return found if len(found) == count else None


def _emails_exactly(stack: dict[str, Any], recipient: str, count: int) -> list[Any] | None:
    return _exactly(emails_to(stack, recipient), count)


def _internal_about(stack: dict[str, Any], number: str, customer: str) -> list[Any]:
    """The team's emails about order `number` (not the customer's)."""
    return [m for m in sent_emails(stack) if m["to"] != customer and number in m["body"]]


def _email() -> str:
    """A customer address of 254 characters, this test's own."""
    return uuid.uuid4().hex + LONGEST_EMAIL[32:]


def _dead_letters(stack: dict[str, Any]) -> dict[str, int]:
    sqs = stack_client(stack, "sqs")
    urls = {name: queue["dlqUrl"] for name, queue in stack["queues"].items()}
    urls["stream"] = stack["streamDlqUrl"]
    return {name: sum(queue_counts(sqs, url)) for name, url in urls.items()}


def test_the_largest_customer_and_back_office_orders_are_recorded_issued_emailed_and_paid(
    stack: dict[str, Any],
) -> None:
    alice, admin, payments = (
        Caller(stack, "alice"),
        Caller(stack, "admin"),
        Caller(stack, "payments"),
    )
    [product] = UNLISTED
    [campaign] = UNLISTED_CAMPAIGNS
    cart_id = alice.new_cart(*[(product, 1000)] * 100, campaign=campaign)
    customer, back_office = _email(), _email()
    from_cart = alice.order_cart(cart_id, customerEmail=customer, billingAddress=longest_address())
    assert from_cart.status_code == 202, from_cart.text
    placed = admin.request(
        "POST",
        "/v1.0/orders",
        json=largest_order_body(tenantId="tenant-a", customerEmail=back_office),
    )
    assert placed.status_code == 202, placed.text

    for accepted, recipient in ((from_cart, customer), (placed, back_office)):
        order_id = accepted.json()["orderId"]
        order = alice.settled(order_id, limit_s=120)
        assert len(order["items"]) == 100
        assert order["billingAddress"]["line2"] == WIDEST * 200
        [received] = eventually(
            partial(emails_to, stack, recipient), 60, "the order-received email"
        )
        assert received.attachments[0].filename.startswith("Pro forma invoice ORD-")
        number = order["orderNumber"]
        eventually(
            partial(_internal_about, stack, number, recipient), 60, "the internal notification"
        )
        paid = payments.request(
            "PUT",
            f"/v1.0/orders/{order_id}",
            json={"status": "PAID", "paymentDetails": paid_now(amount=order["total"])},
        )
        assert paid.status_code == 200, paid.text
        mails = eventually(
            partial(_emails_exactly, stack, recipient, 2), 120, "the tax invoice's email"
        )
        assert mails[1].attachments[0].filename == f"Tax invoice {number}.pdf"
    assert _dead_letters(stack) == dict.fromkeys([*stack["queues"], "stream"], 0)


def test_presigned_links_are_checked_as_s3_checks_them(stack: dict[str, Any]) -> None:
    alice = Caller(stack, "alice")
    order_id = alice.create()
    alice.settled(order_id)
    url = alice.request("GET", f"/v1.0/orders/{order_id}/invoice").json()["url"]
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content.startswith(b"%PDF")

    other = alice.create()  # a key that exists, but that the link was not signed for
    alice.settled(other)
    refused = requests.get(url.replace(order_id, other), timeout=10)
    assert (refused.status_code, "<Code>SignatureDoesNotMatch</Code>" in refused.text) == (
        403,
        True,
    )

    key = f"tenant-a/orders/order_{order_id}.pdf"
    params = {"Bucket": stack["ordersBucket"], "Key": key}
    sigv2 = stack_client(stack, "s3").generate_presigned_url("get_object", Params=params)
    assert "X-Amz-Signature" not in sigv2  # botocore's default here is SigV2
    assert requests.get(sigv2, timeout=10).status_code == 400  # S3 refuses it for new buckets
    s3 = boto3.client(
        "s3",
        endpoint_url=stack["awsEndpointUrl"],
        region_name=stack["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(signature_version="s3v4"),
    )
    short = s3.generate_presigned_url("get_object", Params=params, ExpiresIn=1)
    assert requests.get(short, timeout=10).status_code == 200
    time.sleep(2.1)
    expired = requests.get(short, timeout=10)
    assert expired.status_code == 403
    assert "<Message>Request has expired</Message>" in expired.text
