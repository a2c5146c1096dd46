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
from collections.abc import Callable
from typing import Any

import pytest

from devstack.cart_stub import UNLISTED, UNLISTED_CAMPAIGNS
from tests.e2e.api_client import Caller
from tests.e2e.stack_process import emails_to, queue_counts, sent_emails, stack_client
from tests.sample import LONGEST_EMAIL, WIDEST, largest_order_body, longest_address, paid_now

pytestmark = pytest.mark.e2e


def _until(check: Callable[[], Any], limit_s: float, what: str) -> Any:
    deadline = time.monotonic() + limit_s
    while not (found := check()):
        assert time.monotonic() < deadline, f"{what} did not happen within {limit_s:.0f} s"
        time.sleep(0.5)
    return found


def _exactly(found: list[Any], count: int) -> list[Any] | None:
    return found if len(found) == count else None


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
        [received] = _until(lambda r=recipient: emails_to(stack, r), 60, "the order-received email")
        assert received.attachments[0].filename.startswith("Pro forma invoice ORD-")
        number = order["orderNumber"]
        _until(
            lambda n=number, r=recipient: [
                m for m in sent_emails(stack) if m["to"] != r and n in m["body"]
            ],
            60,
            "the internal notification",
        )
        paid = payments.request(
            "PUT",
            f"/v1.0/orders/{order_id}",
            json={"status": "PAID", "paymentDetails": paid_now(amount=order["total"])},
        )
        assert paid.status_code == 200, paid.text
        mails = _until(
            lambda r=recipient: _exactly(emails_to(stack, r), 2), 120, "the tax invoice's email"
        )
        assert mails[1].attachments[0].filename == f"Tax invoice {number}.pdf"
    assert _dead_letters(stack) == dict.fromkeys([*stack["queues"], "stream"], 0)
