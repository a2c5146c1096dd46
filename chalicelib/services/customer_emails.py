"""The customer's emails: the one each status calls for, with the very document announced.

Fed by the document renderer's `DocumentIssued`, which names the email (models/status_effects.py:
received and payment failed, pro forma attached; paid, tax invoice; cancelled, none; refunded,
credit note). An `OrderCreated` still queued from before the renderer announced documents gets
the received email without an attachment. The attachment is
read only once the email is claimed, so a redelivery of a sent email reads nothing. An
operator's resend (`DocumentIssued.resend`) is kept in the ledger under its own name, so it is
sent once more, and once only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from chalicelib.models.documents import Document, is_test
from chalicelib.models.events import DocumentIssued, OrderCreated
from chalicelib.models.status_effects import CustomerEmail, effects_of, email_announcing
from chalicelib.ports import Attachment, EmailKind
from chalicelib.services.notifications import NotificationService

ReadDocument = Callable[[str, str | None], bytes]


class CustomerEmails:
    """The email an announcement names, and its attachment."""

    def __init__(
        self,
        notifications: NotificationService,
        read: ReadDocument,
        kinds: Mapping[CustomerEmail, EmailKind],
    ) -> None:
        self._notifications = notifications
        self._read = read
        self._kinds = kinds

    def send(self, event: DocumentIssued | OrderCreated) -> bool:
        """Send the event's email once; False when it was sent before."""
        order = event.data
        if isinstance(event, OrderCreated):
            email = effects_of(order.status).customer_email
            if email is None:
                return False
            return self._notifications.send(self._kinds[email], order, [order.customerEmail])
        document = Document.named(event.document)
        email = event.email or email_announcing(event.document)
        if email is None:
            return False
        kind = self._kinds[email]
        if event.resend:  # an operator's resend: its own ledger entry, so it is sent once more
            kind = replace(kind, resend=event.resend)
        attachments = None
        if kind.attaches_document:

            def attachments() -> tuple[Attachment, ...]:
                title = "Test document" if is_test(order.tenantId) else document.title.capitalize()
                name = f"{title} {document.number(order.orderNumber or order.id)}"
                return (Attachment(f"{name}.pdf", self._read(event.key, event.versionId)),)

        return self._notifications.send(kind, order, [order.customerEmail], document, attachments)
