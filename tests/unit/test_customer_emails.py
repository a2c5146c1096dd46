"""The customer's email for each document: its kind, its attachment (read once), real MIME."""

from __future__ import annotations

import email
from email import policy

from chalicelib.mailer import mime_message
from chalicelib.models.documents import CREDIT_NOTE, PRO_FORMA, TAX_INVOICE, Document
from chalicelib.models.events import DocumentIssued, OrderCreated
from chalicelib.models.orders import Order, OrderStatus
from chalicelib.ports import Attachment, Email
from chalicelib.rendering.emails import CUSTOMER_EMAILS, EmailRenderer
from chalicelib.services.customer_emails import CustomerEmails
from chalicelib.services.notifications import NotificationService
from devstack.preview import sample_order
from tests.unit.test_pipeline_services import FakeLedger, FakeMailer


def issued(order: Order, document: Document) -> DocumentIssued:
    return DocumentIssued(
        id=f"d-{document.name}",
        occurredAt=order.dateLastUpdated,
        correlationId="c-1",
        data=order,
        document=document.name,
        key=document.key(order.tenantId, order.id),
        versionId="v7",
    )


def emails() -> tuple[CustomerEmails, FakeMailer, list[tuple[str, str | None]]]:
    mailer, reads = FakeMailer(), []

    def read(key: str, version: str | None) -> bytes:
        reads.append((key, version))
        return b"%PDF-" + key.encode()

    service = NotificationService(FakeLedger(), EmailRenderer(lambda _: None), mailer, lambda: 0.0)
    return CustomerEmails(service, read, CUSTOMER_EMAILS), mailer, reads


def test_each_document_gets_its_email_with_that_version_attached_once() -> None:
    sender, mailer, reads = emails()
    order = sample_order(1).copy(update={"orderNumber": "ORD-EU-0000009"})
    paid = order.copy(update={"status": OrderStatus.PAID})
    refunded = order.copy(update={"status": OrderStatus.REFUNDED})
    for event in (
        issued(order, PRO_FORMA),
        issued(paid, TAX_INVOICE),
        issued(refunded, CREDIT_NOTE),
    ):
        assert sender.send(event) is True
        assert sender.send(event) is False  # a redelivery: nothing sent, nothing read
    sent = [(e.subject, [a.filename for a in e.attachments]) for _, e in mailer.sent]
    assert sent == [
        ("We have received your order ORD-EU-0000009", ["Pro forma invoice ORD-EU-0000009.pdf"]),
        (
            "Payment received for order ORD-EU-0000009: your tax invoice",
            ["Tax invoice ORD-EU-0000009.pdf"],
        ),
        (
            "Your order ORD-EU-0000009 is refunded: your credit note",
            ["Credit note CN-ORD-EU-0000009.pdf"],
        ),
    ]
    assert reads == [
        (f"tenant-a/orders/order_{order.id}.pdf", "v7"),
        (f"tenant-a/orders/order_{order.id}.pdf", "v7"),
        (f"tenant-a/orders/credit_note_{order.id}.pdf", "v7"),
    ]
    assert "R224,25" in mailer.sent[1][1].text  # en_ZA, as on the document


def test_a_cancellation_is_told_without_an_attachment() -> None:
    sender, mailer, reads = emails()
    cancelled = sample_order(1, OrderStatus.CANCELLED)
    sender.send(issued(cancelled, Document.named("proforma-cancelled")))
    [(_, sent)] = mailer.sent
    assert sent.subject.endswith("is cancelled")
    assert "please do not pay" in sent.text
    assert (sent.attachments, reads) == ((), [])


def test_an_order_created_queued_before_the_renderer_announced_gets_the_received_email() -> None:
    sender, mailer, reads = emails()
    order = sample_order(1)
    sender.send(OrderCreated(id="e", occurredAt=order.dateCreated, correlationId="c", data=order))
    [(to, sent)] = mailer.sent
    assert (to, sent.attachments, reads) == ([order.customerEmail], (), [])
    assert sent.subject.startswith("We have received your order")


def test_the_mime_message_has_both_bodies_unescaped_text_and_the_pdf() -> None:
    text = "O'Brien & Sons <Pty>: R1\u00a0234,56"
    mail = Email(
        subject="Payment received for order ORD-1: your tax invoice",
        html="<p>O&#39;Brien &amp; Sons</p>",
        text=text,
        attachments=(Attachment("Tax invoice ORD-1.pdf", b"%PDF-1.4 bytes"),),
    )
    raw = mime_message("orders@bbws.io", ["jane@example.com"], mail)
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == mail.subject
    assert message["To"] == "jane@example.com"
    assert message.get_content_type() == "multipart/mixed"
    assert message.get_body(("plain",)).get_content().strip() == text  # type: ignore[union-attr]
    assert "Sons" in message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    [pdf] = list(message.iter_attachments())
    assert (pdf.get_filename(), pdf.get_content_type()) == (
        "Tax invoice ORD-1.pdf",
        "application/pdf",
    )
    assert pdf.get_content() == b"%PDF-1.4 bytes"
