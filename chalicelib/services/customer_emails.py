"""The customer's emails: one per document issued, with that very document attached.

Fed by the document renderer's `DocumentIssued` (received: pro forma attached; paid: tax
invoice; cancelled: none; refunded: credit note). An `OrderCreated` still queued from before the
renderer announced documents gets the received email without an attachment. The attachment is
read only once the email is claimed, so a redelivery of a sent email reads nothing. An
operator's resend (`DocumentIssued.resend`) is kept in the ledger under its own name, so it is
sent once more, and once only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from chalicelib.models.documents import Document, is_test
from chalicelib.models.events import DocumentIssued, OrderCreated
from chalicelib.ports import Attachment, EmailKind
from chalicelib.services.notifications import NotificationService

ReadDocument = Callable[[str, str | None], bytes]


class CustomerEmails:
    """Which email a document calls for, and its attachment."""

    def __init__(
        self,
        notifications: NotificationService,
        read: ReadDocument,
        kinds: dict[str, EmailKind],
    ) -> None:
        self._notifications = notifications
        self._read = read
        self._kinds = kinds

    def send(self, event: DocumentIssued | OrderCreated) -> bool:
        """Send the event's email once; False when it was sent before."""
        order = event.data
        if isinstance(event, OrderCreated):
            kind = self._kinds["proforma"]
            return self._notifications.send(kind, order, [order.customerEmail])
        document = Document.named(event.document)
        kind = self._kinds[event.document]
        if event.resend:  # an operator's resend: its own ledger entry, so it is sent once more
            kind = replace(kind, name=f"{kind.name}#resend#{event.resend}")
        attachments = None
        if kind.attaches_document:

            def attachments() -> tuple[Attachment, ...]:
                title = "Test document" if is_test(order.tenantId) else document.title.capitalize()
                number = order.orderNumber or order.id
                name = f"{title} {'CN-' if document.kind.value == 'credit-note' else ''}{number}"
                return (Attachment(f"{name}.pdf", self._read(event.key, event.versionId)),)

        return self._notifications.send(kind, order, [order.customerEmail], document, attachments)
