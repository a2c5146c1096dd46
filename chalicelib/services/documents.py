"""The customer's documents: issued as the order's status calls for, once, never going back.

`issue` is the document renderer's rule (order_pdf_creator, fed `OrderCreated` and
`OrderStatusChanged`); `link` is `GET /v1.0/orders/{orderId}/invoice`. The pro forma, the tax
invoice and the cancelled pro forma are versions of one object, the credit note its own object.
A document already stored is not rendered again (a redelivery re-announces it, and the email
ledger sends its email once); a document of a lower rank than the stored one is superseded (a
late event) and neither rendered nor announced.

An admin's support requests come the same way: `DocumentRenderRequested` renders the stored
document afresh as a new version (once per request: the version carries the request's id) and
emails nobody; `CustomerEmailResendRequested` announces the stored version again, marked as that
resend, so the emailer's ledger sends it once more.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib import metrics
from chalicelib.clock import business_date, utc_now
from chalicelib.errors import NotFound, PermissionDenied
from chalicelib.log import logger
from chalicelib.models.documents import (
    VAT_DOCUMENTS,
    Document,
    changes_document,
    document_for,
    is_test,
)
from chalicelib.models.events import (
    CustomerEmailResendRequested,
    DocumentIssued,
    DocumentRenderRequested,
    OrderEvent,
    OrderStatusChanged,
    RendererMessage,
)
from chalicelib.models.lifecycle import MAY_FETCH_DOCUMENTS
from chalicelib.models.orders import DocumentKind, InvoiceLink, IssuedDocument, Order
from chalicelib.models.principal import Principal
from chalicelib.models.register import entry_of
from chalicelib.models.status_effects import CustomerEmail, effects_of, email_announcing
from chalicelib.models.supplier import Supplier, SupplierNotConfigured
from chalicelib.ports import Documents, EventPublisher, OrderStore, Register, StoredDocument
from chalicelib.services.orders import OrderService

LINK_SECONDS = 300  # presigned links live five minutes at most
ATTEMPTS = 3  # conditional writes lost to a concurrent writer before giving up (then retried)


class Render(Protocol):
    """Order → the PDF of `document`; `copy` marks a further render of an issued document."""

    def __call__(self, order: Order, document: Document, *, copy: bool = False) -> bytes: ...


class InvoiceNotReady(NotFound):
    """The order exists but its document has not been rendered yet."""


class DocumentKeptChanging(Exception):
    """Every conditional write lost to another writer: the message is retried later."""


@dataclass(frozen=True)
class Issued:
    """A document as stored: what to announce to the customer emailer."""

    document: Document
    key: str
    version_id: str | None


class DocumentService:
    """Issue the document an order's status calls for; link the current one."""

    def __init__(
        self,
        store: OrderStore,
        documents: Documents,
        render: Render,
        supplier: Supplier | None,
        *,
        announce: EventPublisher | None = None,
        clock: Callable[[], datetime] = utc_now,
        register: Register | None = None,
    ) -> None:
        self._store = store
        self._documents = documents
        self._render = render
        self._supplier = supplier
        self._announce = announce
        self._clock = clock
        self._register = register

    def handle(self, trigger: RendererMessage, *, redelivered: bool) -> None:
        """order_pdf_creator's rule: issue what the event calls for, then announce it.

        A status change that keeps the document and emails nobody (PAID → PROCESSING) does
        nothing; one that keeps it and emails the customer (PENDING → PAYMENT_FAILED) announces
        the stored document with that email. A new order's first delivery skips looking for its
        pro forma (the put is conditional); a superseded document (a late event) is neither
        stored nor announced.
        """
        if isinstance(trigger, DocumentRenderRequested):
            self.rerender(trigger)
            return
        if isinstance(trigger, CustomerEmailResendRequested):
            self.resend(trigger)
            return
        email = effects_of(trigger.data.status).customer_email
        changed = isinstance(trigger, OrderStatusChanged)
        if (
            isinstance(trigger, OrderStatusChanged)
            and not changes_document(trigger.previousStatus, trigger.data.status)
            and email is None
        ):
            return
        issued = self.issue(trigger.data, look_first=changed or redelivered)
        if issued is not None and email is not None and self._announce is not None:
            self._announce.publish(announcement(trigger, issued, email))

    def issue(self, order: Order, *, look_first: bool = True) -> Issued | None:
        """Store the order's document unless it is there; None when a later one already is.

        `look_first=False` skips the first look (one request) for a key that is normally empty
        (a new order's pro forma): the conditional put still refuses to overwrite.
        """
        document = document_for(order.status)
        self._require_particulars(order, document)
        key = document.key(order.tenantId, order.id)
        current = self._documents.current(key) if look_first else None
        for _ in range(ATTEMPTS):
            if current is not None:
                settled, issued = self._already(order, document, key, current)
                if settled:
                    return issued
            order = self._dated(order, document)
            stored = self._store_new(order, document, key, current)
            if stored is not None:
                self._store.mark_invoice(order.tenantId, order.id, document.kind)
                return Issued(document, key, stored.version_id)
            current = self._documents.current(key)  # changed under us: look again
        raise DocumentKeptChanging(f"{key} changed during {ATTEMPTS} attempts")

    def _dated(
        self, order: Order, document: Document, *, stored: StoredDocument | None = None
    ) -> Order:
        """The order with `document` recorded as issued, and for a credit note the tax invoice
        it cites, unless recorded before: each dated now or, given its `stored` version (a
        document issued before dates were recorded, re-rendered by a backfill), when its object
        was written. The table keeps the first date (a conditional write), so every render of
        a document, and the credit note citing it, shows one date of issue."""
        kinds = [document.kind]
        if document.kind is DocumentKind.CREDIT_NOTE:
            kinds = [DocumentKind.TAX_INVOICE, DocumentKind.CREDIT_NOTE]
        for kind in kinds:
            issued = order.issued(kind)
            if issued is None:
                moment = (self._stored_at(order, kind, stored) if stored else None) or self._clock()
                entry = IssuedDocument(
                    kind=kind,
                    number=Document(kind).number(order.orderNumber or order.id),
                    issuedAt=moment,
                    issueDate=business_date(moment),
                )
                recorded = self._store.record_document(order.tenantId, order.id, entry)
                documents = recorded.documents if recorded else [*order.documents, entry]
                order = order.copy(update={"documents": documents})
                issued = order.issued(kind) or entry
            # Every time, before the render: a line lost to a crash is written by the retry.
            if self._register is not None and not is_test(order.tenantId):
                self._register.add(entry_of(order, issued))
        return order

    def rerender(self, request: DocumentRenderRequested) -> Issued | None:
        """Store the order's current document again, rendered afresh; None when it is not stored.

        Once per request: the new version carries the request's id, and a redelivery that finds
        it current does nothing. Nobody is emailed (a resend is its own request).
        """
        order = request.data
        document = document_for(order.status)
        self._require_particulars(order, document)
        key = document.key(order.tenantId, order.id)
        for _ in range(ATTEMPTS):
            current = self._documents.current(key)
            if current is None or _stored(current) != document:
                _skipped(request, document, current)
                return None
            if current.request == request.id:
                logger.info(
                    "Document already re-rendered for this request",
                    extra={"order_id": order.id, "document": document.name},
                )
                return Issued(document, key, current.version_id)
            order = self._dated(order, document, stored=current)
            stored = self._store_new(
                order, document, key, current, request.id, copy=document.kind in VAT_DOCUMENTS
            )
            if stored is not None:
                metrics.count("DocumentsRerendered")
                logger.info(
                    "Document re-rendered on request",
                    extra={
                        "order_id": order.id,
                        "document": document.name,
                        "support_request": request.id,
                        "operator": request.requestedBy,
                        "version_id": stored.version_id,
                    },
                )
                return Issued(document, key, stored.version_id)
        raise DocumentKeptChanging(f"{key} changed during {ATTEMPTS} attempts")

    def resend(self, request: CustomerEmailResendRequested) -> DocumentIssued | None:
        """Announce the stored document again as this resend (the emailer sends it once more)."""
        order = request.data
        document = document_for(order.status)
        key = document.key(order.tenantId, order.id)
        current = self._documents.current(key)
        if current is None or _stored(current) != document:
            _skipped(request, document, current)
            return None
        issued = Issued(document, key, current.version_id)
        email = email_announcing(document.name)
        if email is None:  # no email carries this document (none does today)
            _skipped(request, document, current)
            return None
        again = announcement(request, issued, email, resend=request.id)
        if self._announce is not None:
            self._announce.publish(again)
        logger.info(
            "Customer email resend announced",
            extra={
                "order_id": order.id,
                "document": document.name,
                "support_request": request.id,
                "operator": request.requestedBy,
            },
        )
        return again

    def _stored_at(
        self, order: Order, kind: DocumentKind, known: StoredDocument
    ) -> datetime | None:
        """When the current version of the order's `kind` object was written (None: absent).
        `known` is a version already read: the object is read again only for another kind (the
        tax invoice a credit note cites).

        A tax invoice's object is never replaced once it is (a credit note is an object of its
        own), so for one issued before dates were recorded this is its date of issue, unless it
        was re-rendered before that."""
        read = _stored(known)
        current = (
            known
            if read is not None and read.kind is kind
            else self._documents.current(Document(kind).key(order.tenantId, order.id))
        )
        stored = _stored(current)
        if current is None or stored is None or stored.kind is not kind:
            return None  # not stored, or another document holds the key: dated now
        return current.stored_at

    def _require_particulars(self, order: Order, document: Document) -> None:
        if document.kind is DocumentKind.PRO_FORMA or is_test(order.tenantId):
            return
        if self._supplier is None or not self._supplier.may_issue_tax_invoices:
            raise SupplierNotConfigured(
                f"a {document.name} needs the supplier's VAT number: set SUPPLIER_PARTICULARS "
                "(docs/deploy.md), then redrive the documents DLQ"
            )

    def _already(
        self, order: Order, document: Document, key: str, current: StoredDocument
    ) -> tuple[bool, Issued | None]:
        """(True, Issued): stored before; (True, None): a later one is; (False, None): render."""
        stored = _stored(current)
        if stored == document:
            logger.info(
                "Document already stored",
                extra={"order_id": order.id, "document": document.name, "key": key},
            )
            self._store.mark_invoice(order.tenantId, order.id, document.kind)
            return True, Issued(document, key, current.version_id)
        if stored is not None and stored.rank >= document.rank:
            metrics.count("DocumentsSuperseded")
            logger.info(
                "Document superseded: a later one is stored",
                extra={"order_id": order.id, "document": document.name, "stored": stored.name},
            )
            return True, None
        return False, None

    def _store_new(
        self,
        order: Order,
        document: Document,
        key: str,
        current: StoredDocument | None,
        request: str | None = None,
        *,
        copy: bool = False,
    ) -> StoredDocument | None:
        started = time.perf_counter()
        pdf = self._render(order, document, copy=copy)
        render_ms = round((time.perf_counter() - started) * 1000, 1)
        stored = self._documents.put(key, pdf, order, document.name, current, request=request)
        if stored is None:
            logger.info(
                "Document stored concurrently",
                extra={"order_id": order.id, "document": document.name, "key": key},
            )
            return None
        metrics.count("InvoicesRendered")
        metrics.milliseconds("InvoiceRenderTime", render_ms)
        logger.info(
            "Document rendered",
            extra={
                "order_id": order.id,
                "document": document.name,
                "render_ms": render_ms,
                "bytes": len(pdf),
            },
        )
        return stored

    def link(self, orders: OrderService, principal: Principal, order_id: str) -> InvoiceLink:
        """`{url, expiresIn, kind}` of the caller's own order's current document.

        The payment system (`payments` only) is refused before the order is read: it may check
        any tenant's amounts, never download a customer's document (docs/adr/0026).
        """
        if not principal.roles & MAY_FETCH_DOCUMENTS:
            raise PermissionDenied(
                "Your role may not fetch documents: customers fetch their own, administrators any"
            )
        order = orders.get(principal, order_id)  # tenant isolation: another tenant's is 404
        if not order.invoice.available:
            raise InvoiceNotReady(f"The invoice of order {order_id!r} is not ready yet")
        kind = order.invoice.kind or DocumentKind.PRO_FORMA  # marked before kinds were kept
        key = Document(kind).key(order.tenantId, order.id)
        url = self._documents.link(key, LINK_SECONDS)
        return InvoiceLink(url=url, expiresIn=LINK_SECONDS, kind=kind)


def _stored(current: StoredDocument | None) -> Document | None:
    """The document a stored version is; None when absent or named unknowably."""
    if current is None:
        return None
    try:
        return Document.named(current.name)
    except ValueError:
        return None


def _skipped(
    request: DocumentRenderRequested | CustomerEmailResendRequested,
    document: Document,
    current: StoredDocument | None,
) -> None:
    """A support request for a document that is not the stored one (the order moved on)."""
    metrics.count("SupportRequestsSkipped")
    logger.warning(
        "Support request skipped: the stored document is not the one it was asked for",
        extra={
            "order_id": request.data.id,
            "support_request": request.id,
            "request_type": request.type,
            "document": document.name,
            "stored": current.name if current else None,
        },
    )


def announcement(
    trigger: OrderEvent, issued: Issued, email: CustomerEmail, resend: str | None = None
) -> DocumentIssued:
    """The customer emailer's message for a stored document (the same for a redelivery)."""
    order = trigger.data
    name = f"{order.id}#{issued.document.name}"
    if email is not email_announcing(issued.document.name):  # the same document, another email
        name += f"#{email.value}"
    name += f"#resend#{resend}" if resend else ""
    return DocumentIssued(
        id=str(uuid.uuid5(ANNOUNCEMENTS, name)),
        occurredAt=order.dateLastUpdated,
        correlationId=trigger.correlationId,
        data=order,
        document=issued.document.name,
        email=email,
        key=issued.key,
        versionId=issued.version_id,
        resend=resend,
    )


ANNOUNCEMENTS = uuid.UUID("0d7c64f2-9a51-4b8e-8f0e-2b9d3c8a41e7")  # fixed forever
