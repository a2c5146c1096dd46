"""Issue 16's acceptance on `make run`: one order PENDING → PAID → REFUNDED.

Three documents (two versions of the invoice object, one credit note) whose text carries the
particulars and the right title; three customer emails, each with the right PDF attached; the
stream consumer, renderer and emailer ran as Lambda would (the dev stack's pollers).
"""

from __future__ import annotations

import io
import uuid
from email.utils import parseaddr
from typing import Any

import pytest
from pypdf import PdfReader

from chalicelib.rendering.context import display_date
from tests.e2e.api_client import Caller
from tests.e2e.stack_process import emails_to, eventually, stack_client
from tests.sample import paid_now, refunded_now

pytestmark = pytest.mark.e2e


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def versions_of(stack: dict[str, Any], key: str) -> list[tuple[dict[str, str], str]]:
    """Every version at `key`, oldest first: (its metadata, its text)."""
    s3 = stack_client(stack, "s3")
    listed = s3.list_object_versions(Bucket=stack["ordersBucket"], Prefix=key)
    found = []
    for version in sorted(listed.get("Versions", []), key=lambda v: v["LastModified"]):
        obj = s3.get_object(Bucket=stack["ordersBucket"], Key=key, VersionId=version["VersionId"])
        found.append((obj["Metadata"], text_of(obj["Body"].read())))
    return found


def documents(stack: dict[str, Any], order_id: str) -> dict[str, str]:
    """Every stored document version of the order: its `document` metadata → its text."""
    return {
        metadata["document"]: text
        for name in (f"order_{order_id}.pdf", f"credit_note_{order_id}.pdf")
        for metadata, text in versions_of(stack, f"tenant-a/orders/{name}")
    }


def received_order(stack: dict[str, Any]) -> tuple[Caller, str, str, dict[str, Any]]:
    """alice's new order for a customer of its own, once recorded and the received email sent:
    (alice, the customer's address, the order's id, the order)."""
    alice = Caller(stack, "alice")
    customer = f"jane+{uuid.uuid4().hex[:8]}@example.com"
    order_id = alice.create(customerEmail=customer)
    order = alice.wait_for(order_id)
    eventually(lambda: len(emails_to(stack, customer)) == 1, 30, "the received email")
    return alice, customer, order_id, order


def test_pending_paid_refunded_issues_three_documents_and_three_emails(
    stack: dict[str, Any],
) -> None:
    alice, customer, order_id, order = received_order(stack)
    payments = Caller(stack, "payments")
    number = order["orderNumber"]

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


def test_revision_3_documents_keep_their_date_of_issue_and_a_rerender_is_a_copy(
    stack: dict[str, Any],
) -> None:
    """Issue 29's first acceptance item on `make run`: PENDING → PAID → (admin re-render) →
    REFUNDED. The order lists its documents; the original tax invoice and its COPY show one
    number and date of issue; the credit note cites them with the refund's reason."""
    alice, customer, order_id, order = received_order(stack)
    payments, admin = Caller(stack, "payments"), Caller(stack, "admin")
    number = order["orderNumber"]
    path = f"/v1.0/orders/{order_id}"
    paid = payments.request("PUT", path, json={"status": "PAID", "paymentDetails": paid_now()})
    assert paid.status_code == 200, paid.text
    eventually(lambda: len(emails_to(stack, customer)) == 2, 30, "the payment email")

    key = f"tenant-a/orders/order_{order_id}.pdf"
    asked = admin.request("POST", f"{path}/rerender-document")
    assert asked.status_code == 202, asked.text
    eventually(lambda: len(versions_of(stack, key)) == 3, 30, "the re-rendered tax invoice")
    refund = refunded_now(reason="Cancelled within the cooling-off period (CPA s16)")
    refunded = payments.request("PUT", path, json={"status": "REFUNDED", "refundDetails": refund})
    assert refunded.status_code == 200, refunded.text
    eventually(lambda: len(emails_to(stack, customer)) == 3, 30, "the refund email")

    order = alice.request("GET", path).json()
    listed = [(d["kind"], d["number"]) for d in order["documents"]]
    assert listed == [
        ("proforma", number),
        ("tax-invoice", number),
        ("credit-note", f"CN-{number}"),
    ]
    issued = {d["kind"]: display_date(d["issueDate"]) for d in order["documents"]}

    (_, pro_forma), (_, original), (copy_meta, copy) = versions_of(stack, key)
    assert "support-request" in copy_meta  # the admin's re-render wrote it
    for text in (original, copy):
        assert f"TAX INVOICE NUMBER {number} DATE OF ISSUE {issued['tax-invoice']}" in text
        assert "Amount due: R0,00" in text
        assert "PAYMENT Paid on" in text
    assert "COPY" not in original
    assert "COPY" in copy
    assert f"Tax Invoice {number} (COPY)" in copy  # the footer of every page says so too
    assert "PRO FORMA INVOICE" in pro_forma
    [(_, note)] = versions_of(stack, f"tenant-a/orders/credit_note_{order_id}.pdf")
    for expected in (
        f"CREDIT NOTE NUMBER CN-{number} DATE OF ISSUE {issued['credit-note']}",
        f"REFERS TO TAX INVOICE {number}",
        f"TAX INVOICE ISSUED {issued['tax-invoice']}",
        refund["reason"],
        f"Refund {refund['refundId']}",
    ):
        assert expected in note, expected
    assert "COPY" not in note
    [refund_email] = [m for m in emails_to(stack, customer) if "refunded" in m.subject]
    [attachment] = refund_email.attachments
    assert text_of(attachment.data) == note  # the email carries the original credit note

    # Every customer email: a named sender, a Reply-To, the order's link and its money rows.
    link = f"{stack['portalUrl']}/orders/{order_id}"
    for mail in emails_to(stack, customer):
        assert parseaddr(mail.sender) == (stack["supplier"]["name"], "no-reply@bbws.example")
        assert mail.reply_to == "billing@bbws.io", mail.subject
        assert mail.text is not None
        assert mail.html is not None
        assert link in mail.text
        assert f'href="{link}"' in mail.html
        for row in ("Subtotal: R", "Total: R448,50", "VAT included at 15,00 %: R58,50"):
            assert row in " ".join(mail.text.split()), (mail.subject, row)


def test_a_failed_payment_emails_the_customer_the_pro_forma_and_how_to_pay(
    stack: dict[str, Any],
) -> None:
    _, customer, order_id, order = received_order(stack)
    payments = Caller(stack, "payments")
    number = order["orderNumber"]
    failed = payments.request("PUT", f"/v1.0/orders/{order_id}", json={"status": "PAYMENT_FAILED"})
    assert failed.status_code == 200, failed.text
    received, failure = eventually(
        lambda: (m := emails_to(stack, customer)) and len(m) == 2 and m, 30, "the failure email"
    )
    assert failure.subject == f"Your payment for order {number} did not go through"
    assert failure.text is not None
    assert f"by EFT with reference {number}" in " ".join(failure.text.split())
    [pro_forma] = failure.attachments
    assert pro_forma.filename == f"Pro forma invoice {number}.pdf"
    assert pro_forma.data == received.attachments[0].data  # the very pro forma, not re-rendered
