"""Issue 16's acceptance on `make run`: one order PENDING → PAID → REFUNDED.

Three documents (two versions of the invoice object, one credit note) whose text carries the
particulars and the right title; three customer emails, each with the right PDF attached; the
stream consumer, renderer and emailer ran as Lambda would (the dev stack's pollers).
"""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from pypdf import PdfReader

from tests.e2e.api_client import Caller
from tests.e2e.stack_process import emails_to, eventually, stack_client
from tests.sample import paid_now, refunded_now

pytestmark = pytest.mark.e2e


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def documents(stack: dict[str, Any], order_id: str) -> dict[str, str]:
    """Every stored document version of the order: its `document` metadata → its text."""
    s3 = stack_client(stack, "s3")
    found = {}
    for name in (f"order_{order_id}.pdf", f"credit_note_{order_id}.pdf"):
        key = f"tenant-a/orders/{name}"
        listed = s3.list_object_versions(Bucket=stack["ordersBucket"], Prefix=key)
        for version in listed.get("Versions", []):
            obj = s3.get_object(
                Bucket=stack["ordersBucket"], Key=key, VersionId=version["VersionId"]
            )
            found[obj["Metadata"]["document"]] = text_of(obj["Body"].read())
    return found


def test_pending_paid_refunded_issues_three_documents_and_three_emails(
    stack: dict[str, Any],
) -> None:
    alice, payments = Caller(stack, "alice"), Caller(stack, "payments")
    customer = f"jane+{uuid.uuid4().hex[:8]}@example.com"
    order_id = alice.create(customerEmail=customer)
    order = alice.wait_for(order_id)
    number = order["orderNumber"]
    eventually(lambda: len(emails_to(stack, customer)) == 1, 30, "the received email")

    paid = payments.request(
        "PUT", f"/v1.0/orders/{order_id}", json={"status": "PAID", "paymentDetails": paid_now()}
    )
    assert paid.status_code == 200, paid.text
    eventually(lambda: len(emails_to(stack, customer)) == 2, 30, "the payment email")
    refunded = payments.request(
        "PUT",
        f"/v1.0/orders/{order_id}",
        json={"status": "REFUNDED", "refundDetails": refunded_now()},
    )
    assert refunded.status_code == 200, refunded.text
    mails = eventually(
        lambda: (m := emails_to(stack, customer)) and len(m) == 3 and m, 30, "the refund email"
    )

    texts = documents(stack, order_id)
    assert sorted(texts) == ["credit-note", "proforma", "tax-invoice"]
    for text in texts.values():
        for particular in ("Big Beard Web Solutions (Pty) Ltd", "VAT number: 4123456789"):
            assert particular in text
        assert "R448,50" in text
    assert "PRO FORMA INVOICE" in texts["proforma"]
    assert "This is not a tax invoice." in texts["proforma"]
    assert f"TAX INVOICE NUMBER {number}" in texts["tax-invoice"]
    assert "VAT included at 15,00 % R58,50" in texts["tax-invoice"]
    assert f"REFERS TO TAX INVOICE {number}" in texts["credit-note"]

    attached = []
    for message in mails:
        [pdf] = message.attachments
        attached.append((message.subject, pdf.filename, text_of(pdf.data)))
    assert attached == [
        (
            f"We have received your order {number}",
            f"Pro forma invoice {number}.pdf",
            texts["proforma"],
        ),
        (
            f"Payment received for order {number}: your tax invoice",
            f"Tax invoice {number}.pdf",
            texts["tax-invoice"],
        ),
        (
            f"Your order {number} is refunded: your credit note",
            f"Credit note CN-{number}.pdf",
            texts["credit-note"],
        ),
    ]
    link = alice.request("GET", f"/v1.0/orders/{order_id}/invoice").json()
    assert link["kind"] == "credit-note"
    sqs = stack_client(stack, "sqs")
    assert "Messages" not in sqs.receive_message(QueueUrl=stack["streamDlqUrl"], WaitTimeSeconds=0)
