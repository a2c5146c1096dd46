"""Contract revision 3: a document is issued once and dated once; a further render is a COPY.

The renderer records each document's date of issue in the order (a conditional write) before it
renders it, so every render, and the credit note that cites the tax invoice, shows one date.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from chalicelib.errors import Unprocessable, ValidationFailed
from chalicelib.models.documents import Document, document_for
from chalicelib.models.events import (
    DocumentIssued,
    DocumentRenderRequested,
    OrderCreated,
    OrderStatusChanged,
)
from chalicelib.models.orders import (
    DocumentKind,
    Order,
    OrderStatus,
    UpdateOrderRequest,
)
from chalicelib.models.principal import Principal
from chalicelib.models.status_effects import (
    STATUS_EFFECTS,
    CustomerEmail,
    DocumentName,
    email_announcing,
)
from chalicelib.ports import StoredDocument
from chalicelib.services.documents import DocumentService
from chalicelib.services.order_updates import OrderUpdater
from devstack.preview import local_supplier, sample_order
from tests.fakes import (
    InMemoryDocuments,
    InMemoryOrderStore,
    InMemoryRegister,
    RecordingPublisher,
)
from tests.sample import REFUND, paid_order, refunded_order

S = OrderStatus
# A payment made at 23:59 SAST on 30 November, recorded by the renderer at 00:05 SAST on the 1st.
PAID_AT = datetime(2026, 11, 30, 21, 59, tzinfo=UTC)
ISSUED_AT = datetime(2026, 11, 30, 22, 5, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Rig:
    """The renderer with in-memory ports; what it rendered, with which dates, and announced."""

    def __init__(self) -> None:
        self.store, self.documents, self.announced = (
            InMemoryOrderStore(),
            InMemoryDocuments(),
            RecordingPublisher(),
        )
        self.clock = Clock(ISSUED_AT)
        self.register = InMemoryRegister()
        self.rendered: list[tuple[str, bool, list[tuple[str, str]]]] = []

        def render(order: Order, document: Document, *, copy: bool = False) -> bytes:
            dates = [(d.kind.value, d.issueDate) for d in order.documents]
            self.rendered.append((document.name, copy, dates))
            return b"%PDF"

        self.service = DocumentService(
            self.store,
            self.documents,
            render,
            local_supplier(),
            announce=self.announced,
            clock=self.clock,
            register=self.register,
        )

    def stored(self, order: Order) -> Order:
        found = self.store.get(order.tenantId, order.id)
        assert found is not None
        return found


def paid(order: Order) -> Order:
    return paid_order(order, PAID_AT, version=2)


def refunded(order: Order) -> Order:
    refunded_at = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    reason = "Cancelled within the cooling-off period"
    return refunded_order(order, refunded_at, reason, version=3)


def changed(order: Order, previous: OrderStatus) -> OrderStatusChanged:
    return OrderStatusChanged(
        id=f"c-{order.version}",
        occurredAt=order.dateLastUpdated,
        correlationId="c",
        data=order,
        previousStatus=previous,
    )


def test_every_status_has_one_row_and_every_document_its_first_email() -> None:
    assert set(STATUS_EFFECTS) == set(OrderStatus)
    assert {row.document for row in STATUS_EFFECTS.values()} == set(DocumentName)
    assert {s: document_for(s).name for s in S} == {
        s: r.document for s, r in STATUS_EFFECTS.items()
    }
    assert email_announcing(DocumentName.PRO_FORMA) is CustomerEmail.RECEIVED
    assert email_announcing(DocumentName.TAX_INVOICE) is CustomerEmail.PAYMENT_RECEIVED
    assert email_announcing(DocumentName.CREDIT_NOTE) is CustomerEmail.REFUNDED
    assert STATUS_EFFECTS[S.PAYMENT_FAILED].customer_email is CustomerEmail.PAYMENT_FAILED
    assert STATUS_EFFECTS[S.PAYMENT_FAILED].attaches_document
    assert [s for s, r in STATUS_EFFECTS.items() if r.tells_team] == [S.PENDING]


def test_the_tax_invoice_is_dated_when_issued_and_every_later_render_keeps_the_date() -> None:
    rig = Rig()
    order = sample_order(1)
    rig.store.create(order)
    rig.clock.now = order.dateCreated
    rig.service.handle(
        OrderCreated(id="e", occurredAt=order.dateCreated, correlationId="c", data=order),
        redelivered=False,
    )
    rig.clock.now = ISSUED_AT
    rig.service.handle(changed(paid(order), S.PENDING), redelivered=False)
    invoice = rig.stored(order).issued(DocumentKind.TAX_INVOICE)
    assert invoice is not None
    # Paid on 30 November (SAST), issued on 1 December: the date of issue is the issue's.
    assert (invoice.number, invoice.issuedAt, invoice.issueDate) == (
        "ORD-AF-0000042",
        ISSUED_AT,
        "2026-12-01",
    )
    assert rig.rendered[-1] == (
        "tax-invoice",
        False,
        [("proforma", "2026-11-28"), ("tax-invoice", "2026-12-01")],
    )
    # Weeks later an admin re-renders it: same number and date, marked as a copy.
    rig.clock.now = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)
    request = DocumentRenderRequested(
        id="req-1",
        occurredAt=rig.clock.now,
        correlationId="c",
        data=rig.stored(paid(order)).copy(update={"status": S.PAID}),
        requestedBy="admin",
    )
    rig.service.handle(request, redelivered=False)
    assert rig.rendered[-1] == (
        "tax-invoice",
        True,
        [("proforma", "2026-11-28"), ("tax-invoice", "2026-12-01")],
    )
    assert rig.stored(order).issued(DocumentKind.TAX_INVOICE) == invoice


def test_a_redelivered_status_change_records_nothing_new_and_renders_nothing() -> None:
    rig = Rig()
    order = sample_order(1)
    rig.store.create(order)
    rig.service.handle(changed(paid(order), S.PENDING), redelivered=False)
    first = rig.stored(order).documents
    rig.clock.now = datetime(2026, 12, 5, tzinfo=UTC)
    rig.service.handle(changed(paid(order), S.PENDING), redelivered=True)
    assert rig.stored(order).documents == first
    assert [name for name, *_ in rig.rendered] == ["tax-invoice"]


def test_the_credit_note_cites_the_tax_invoice_even_when_it_is_issued_first() -> None:
    """PAID then REFUNDED within a second: the credit note's event can be handled first. It
    records the tax invoice's date of issue, which the tax invoice then prints."""
    rig = Rig()
    order = sample_order(1)
    rig.store.create(order)
    rig.service.handle(changed(refunded(paid(order)), S.PAID), redelivered=False)
    rig.clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    rig.service.handle(changed(paid(order), S.PENDING), redelivered=False)
    documents = {d.kind: d for d in rig.stored(order).documents}
    assert documents[DocumentKind.CREDIT_NOTE].number == "CN-ORD-AF-0000042"
    assert documents[DocumentKind.CREDIT_NOTE].issueDate == "2026-12-01"
    assert documents[DocumentKind.TAX_INVOICE].issuedAt == ISSUED_AT  # from the credit note
    assert rig.rendered[-1][0] == "tax-invoice"
    assert ("tax-invoice", "2026-12-01") in rig.rendered[-1][2]


def test_a_failed_payment_announces_the_pro_forma_with_its_own_email() -> None:
    rig = Rig()
    order = sample_order(1)
    rig.store.create(order)
    created = OrderCreated(id="e", occurredAt=order.dateCreated, correlationId="c", data=order)
    rig.service.handle(created, redelivered=False)
    failed = order.copy(update={"status": S.PAYMENT_FAILED, "version": 2})
    rig.service.handle(changed(failed, S.PENDING), redelivered=False)
    rig.service.handle(
        changed(failed.copy(update={"status": S.PROCESSING}), S.PAID), redelivered=False
    )
    events = [e for e in rig.announced.events if isinstance(e, DocumentIssued)]
    announced = [(e.document, e.email, e.versionId) for e in events]
    assert announced == [
        (DocumentName.PRO_FORMA, CustomerEmail.RECEIVED, "v1"),
        (DocumentName.PRO_FORMA, CustomerEmail.PAYMENT_FAILED, "v1"),
    ]
    assert len({e.id for e in events}) == 2
    assert [name for name, *_ in rig.rendered] == ["proforma"]  # the pro forma is not re-rendered


def refund_request(**overrides: str) -> UpdateOrderRequest:
    return UpdateOrderRequest.parse_obj(
        {"status": "REFUNDED", "refundDetails": {**REFUND, **overrides}}
    )


def paid_rig() -> tuple[OrderUpdater, Order]:
    store = InMemoryOrderStore()
    order = paid(sample_order(1).copy(update={"tenantId": "tenant-a"}))
    store.create(order)
    return OrderUpdater(store, clock=lambda: datetime(2026, 12, 2, 9, 0, tzinfo=UTC)), order


PAYMENTS = Principal(subject="pay", tenant_id="platform", groups=frozenset({"payments"}))


def test_a_refund_needs_its_details_for_the_whole_order_after_the_payment() -> None:
    updater, order = paid_rig()
    with pytest.raises(ValidationFailed) as missing:
        updater.update(PAYMENTS, order.id, UpdateOrderRequest.parse_obj({"status": "REFUNDED"}))
    assert [e.field for e in missing.value.errors] == ["refundDetails"]
    with pytest.raises(ValidationFailed) as misplaced:
        updater.update(
            PAYMENTS,
            order.id,
            UpdateOrderRequest.parse_obj({"status": "PAYMENT_FAILED", "refundDetails": REFUND}),
        )
    assert [e.field for e in misplaced.value.errors] == ["refundDetails"]
    cases = {
        "refundDetails.amount": refund_request(amount="1.00"),
        "refundDetails.refundedAt": refund_request(
            amount=str(order.total), refundedAt="2026-11-30T21:00:00.000Z"
        ),
    }
    for field, request in cases.items():
        with pytest.raises(Unprocessable) as refused:
            updater.update(PAYMENTS, order.id, request)
        assert field in [e.field for e in refused.value.errors], field
    with pytest.raises(Unprocessable, match="refundedAt is in the future"):
        updater.update(
            PAYMENTS,
            order.id,
            refund_request(amount=str(order.total), refundedAt="2026-12-03T09:00:00.000Z"),
        )
    done = updater.update(
        PAYMENTS,
        order.id,
        refund_request(amount=str(order.total), refundedAt="2026-12-01T08:00:00.000Z"),
    )
    assert done.status is S.REFUNDED
    assert done.refundDetails is not None
    assert done.refundDetails.reason == REFUND["reason"]


def test_a_refund_reason_is_printable_and_at_most_200_characters() -> None:
    for reason in ("", "   ", "x" * 201, "line\nbreak", "\u202eevil"):
        with pytest.raises(ValidationError):
            refund_request(reason=reason)
    assert refund_request(reason="x" * 200).refundDetails is not None


def test_a_backfill_rerender_gives_an_old_order_its_entry_dated_when_it_was_stored() -> None:
    """Orders issued before dates were recorded: `orderctl documents backfill` re-renders them;
    the re-render records the document as issued when its stored version was written (not
    now), registers it, and marks the render a COPY."""
    rig = Rig()
    register = rig.register
    order = paid(sample_order(1))
    rig.store.create(order)
    key = f"tenant-a/orders/order_{order.id}.pdf"
    stored_at = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    old = StoredDocument("tax-invoice", '"e-1"', "v1", None, stored_at)
    rig.documents.versions[key] = [(old, b"%PDF old")]
    rig.clock.now = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
    request = DocumentRenderRequested(
        id="backfill-1", occurredAt=rig.clock.now, correlationId="c", data=order, requestedBy="ops"
    )
    rig.service.handle(request, redelivered=False)
    recorded = rig.stored(order).issued(DocumentKind.TAX_INVOICE)
    assert recorded is not None
    assert (recorded.issuedAt, recorded.issueDate) == (stored_at, "2026-11-03")
    assert rig.rendered[-1][:2] == ("tax-invoice", True)
    line = register.lines[(order.id, "tax-invoice")]
    assert (line.issueDate, line.total, line.vatAmount) == (
        "2026-11-03",
        order.total,
        order.vatAmount,
    )
    # An old refunded order: its credit note's backfill dates each document by its own object.
    old_refund = refunded(paid(sample_order(1))).copy(update={"id": "old-2"})
    rig.store.create(old_refund)
    invoiced_at, credited_at = (
        datetime(2026, 10, 1, 8, tzinfo=UTC),
        datetime(2026, 10, 9, 8, tzinfo=UTC),
    )
    for key, name, at in (
        ("tenant-a/orders/order_old-2.pdf", "tax-invoice", invoiced_at),
        ("tenant-a/orders/credit_note_old-2.pdf", "credit-note", credited_at),
    ):
        rig.documents.versions[key] = [(StoredDocument(name, '"e"', "v1", None, at), b"%PDF")]
    rig.service.handle(
        request.copy(update={"id": "backfill-2", "data": old_refund}), redelivered=False
    )
    dated = {d.kind: d.issueDate for d in rig.stored(old_refund).documents}
    assert dated == {DocumentKind.TAX_INVOICE: "2026-10-01", DocumentKind.CREDIT_NOTE: "2026-10-09"}
    # A test tenant's documents are never in the register.
    smoke = paid(sample_order(1)).copy(update={"id": "smoke-1", "tenantId": "tenant-smoke"})
    rig.store.create(smoke)
    rig.service.issue(smoke)
    assert ("smoke-1", "tax-invoice") not in register.lines
