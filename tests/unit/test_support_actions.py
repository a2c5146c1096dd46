"""Admins' support actions: who may, when they apply, once per key, once per window per order;
and what the renderer and the emailer do with them."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.errors import Conflict, OrderNotFound, PermissionDenied, TooManyRequests
from chalicelib.models.documents import TAX_INVOICE, Document
from chalicelib.models.events import (
    CustomerEmailResendRequested,
    DocumentIssued,
    DocumentRenderRequested,
)
from chalicelib.models.orders import DocumentKind, Order, OrderStatus
from chalicelib.models.principal import Principal
from chalicelib.models.support import SupportAction
from chalicelib.rendering.emails import CUSTOMER_EMAILS, EmailRenderer
from chalicelib.services.cursor import CursorCodec
from chalicelib.services.customer_emails import CustomerEmails
from chalicelib.services.documents import DocumentService
from chalicelib.services.notifications import NotificationService
from chalicelib.services.orders import OrderService
from chalicelib.services.support_actions import SupportActions
from devstack.preview import local_supplier, sample_order
from tests.fakes import (
    InMemoryDocuments,
    InMemoryIdempotency,
    InMemoryOrderStore,
    InMemorySupportActions,
    RecordingPublisher,
)
from tests.unit.test_pipeline_services import FakeLedger, FakeMailer

ADMIN = Principal(subject="ops-1", tenant_id="platform", groups=frozenset({"admin"}))
ALICE = Principal(subject="alice", tenant_id="tenant-a")
PAYMENTS = Principal(subject="pay", tenant_id="payments", groups=frozenset({"payments"}))
RENDER, RESEND = SupportAction.RERENDER_DOCUMENT, SupportAction.RESEND_EMAIL


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class Rig:
    """The API's side (SupportActions) and the renderer's and emailer's, on in-memory fakes."""

    def __init__(self) -> None:
        self.store, self.log, self.queue = (
            InMemoryOrderStore(),
            InMemorySupportActions(),
            RecordingPublisher(),
        )
        self.clock = Clock()
        self.documents, self.emails_queue = InMemoryDocuments(), RecordingPublisher()
        self.renders: list[str] = []
        counter = iter(range(1, 1000))
        orders = OrderService(
            self.store, RecordingPublisher(), InMemoryIdempotency(), CursorCodec(lambda: b"k")
        )
        self.actions = SupportActions(
            orders, self.log, self.queue, self.clock, lambda: f"req-{next(counter)}"
        )

        def render(order: Order, document: Document, *, copy: bool = False) -> bytes:
            self.renders.append(document.name + (" (copy)" if copy else ""))
            return f"%PDF {document.name} #{len(self.renders)}".encode()

        self.renderer = DocumentService(
            self.store, self.documents, render, local_supplier(), announce=self.emails_queue
        )
        self.mailer = FakeMailer()
        self.sender = CustomerEmails(
            NotificationService(FakeLedger(), EmailRenderer(lambda _: None), self.mailer),
            self.documents.read,
            CUSTOMER_EMAILS,
        )

    def paid_order(self) -> Order:
        """An order whose tax invoice is stored and whose email went out."""
        order = sample_order(1, OrderStatus.PAID).copy(update={"orderNumber": "ORD-EU-0000042"})
        self.store.create(order)
        issued = self.renderer.issue(order)
        assert issued is not None
        self.sender.send(self.renderer_announcement(order, issued.version_id))
        return self.store.get(order.tenantId, order.id) or order

    def renderer_announcement(self, order: Order, version: str | None) -> DocumentIssued:
        return DocumentIssued(
            id="first",
            occurredAt=order.dateLastUpdated,
            correlationId="c",
            data=order,
            document=TAX_INVOICE.name,
            key=TAX_INVOICE.key(order.tenantId, order.id),
            versionId=version,
        )

    def ask(
        self, order: Order, action: SupportAction, key: str | None = None, who: Principal = ADMIN
    ) -> str:
        return self.actions.request(who, order.id, action, key, "corr-1").requestId

    def run_queued(self, twice: bool = True) -> None:
        """The renderer's queue, then the emailer's, each message delivered twice."""
        queued, self.queue.events = self.queue.events, []
        for event in queued:
            for _ in range(2 if twice else 1):
                assert isinstance(event, DocumentRenderRequested | CustomerEmailResendRequested)
                self.renderer.handle(event, redelivered=True)
        announced, self.emails_queue.events = self.emails_queue.events, []
        for event in announced:
            for _ in range(2 if twice else 1):
                assert isinstance(event, DocumentIssued)
                self.sender.send(event)


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_a_rerender_stores_one_new_version_and_emails_nobody(rig: Rig) -> None:
    order = rig.paid_order()
    key = TAX_INVOICE.key(order.tenantId, order.id)
    accepted = rig.actions.request(ADMIN, order.id, RENDER, None, "corr-1")
    assert (accepted.action, accepted.document, accepted.tenantId) == (
        RENDER,
        "tax-invoice",
        "tenant-a",
    )
    assert accepted.links == {
        "order": f"/v1.0/orders/{order.id}",
        "invoice": f"/v1.0/orders/{order.id}/invoice",
    }
    [event] = rig.queue.events
    assert isinstance(event, DocumentRenderRequested)
    assert (event.id, event.requestedBy, event.correlationId) == (
        accepted.requestId,
        "ops-1",
        "corr-1",
    )
    rig.run_queued()  # delivered twice: rendered once
    assert rig.documents.names(key) == ["tax-invoice", "tax-invoice"]
    assert rig.renders == ["tax-invoice", "tax-invoice (copy)"]
    assert rig.documents.versions[key][-1][0].request == accepted.requestId
    assert len(rig.mailer.sent) == 1  # only the payment email, from before


def test_a_resend_sends_the_stored_version_again_once(rig: Rig) -> None:
    order = rig.paid_order()
    rig.ask(order, RESEND)
    rig.run_queued()  # the request and its announcement each delivered twice
    first, again = rig.mailer.sent
    assert again[1].subject == first[1].subject
    assert [a.content for a in again[1].attachments] == [a.content for a in first[1].attachments]
    assert again[0] == [order.customerEmail]
    assert rig.renders == ["tax-invoice"]  # nothing rendered for a resend


def test_only_admins_may_and_only_on_an_order_they_can_see(rig: Rig) -> None:
    order = rig.paid_order()
    for who in (ALICE, PAYMENTS):
        for action in SupportAction:
            with pytest.raises(PermissionDenied, match="Only the admin group"):
                rig.ask(order, action, who=who)
    with pytest.raises(OrderNotFound):
        rig.actions.request(ADMIN, "no-such-order", RENDER, None, "c")
    assert rig.queue.events == []


def test_nothing_applies_before_the_document_the_status_calls_for_is_stored(rig: Rig) -> None:
    order = sample_order(1, OrderStatus.PAID)
    rig.store.create(order)
    for action in SupportAction:
        with pytest.raises(Conflict, match="no tax invoice yet"):
            rig.ask(order, action)
    # paid, but only the pro forma stored so far: the tax invoice is still being issued
    rig.store.mark_invoice(order.tenantId, order.id, DocumentKind.PRO_FORMA)
    with pytest.raises(Conflict):
        rig.ask(order, RESEND)
    assert rig.queue.events == []
    assert rig.log.records == {}


def test_a_key_replays_the_first_request_and_another_is_429_until_the_window_passes(
    rig: Rig,
) -> None:
    order = rig.paid_order()
    first = rig.ask(order, RESEND, key="k-1")
    assert rig.ask(order, RESEND, key="k-1") == first  # a retry: same id, nothing queued
    assert len(rig.queue.events) == 1
    rig.clock.now += 100
    with pytest.raises(TooManyRequests) as refused:
        rig.ask(order, RESEND, key="k-2")
    assert refused.value.retry_after_s == 200
    assert "at most once every 300 s per order" in refused.value.detail
    with pytest.raises(TooManyRequests):
        rig.ask(order, RESEND)  # no key: the same rule
    assert rig.ask(order, RENDER) != first  # another action has its own window
    rig.clock.now += 200
    assert rig.ask(order, RESEND, key="k-2") not in (first, None)
    rig.clock.now += 1000
    # the same key once more, long after: still that request (a key is never run twice)
    assert (
        rig.ask(order, RESEND, key="k-2")
        == rig.log.records[(order.tenantId, order.id, "resend-email")].request_id
    )


def test_a_request_that_cannot_be_queued_gives_its_window_back(rig: Rig) -> None:
    order = rig.paid_order()
    rig.queue.fail = True
    with pytest.raises(Exception, match="queue unavailable"):
        rig.ask(order, RENDER)
    assert rig.log.released == ["req-1"]
    rig.queue.fail = False
    assert rig.ask(order, RENDER) == "req-2"  # not a 429


def test_a_request_for_a_document_that_is_not_the_stored_one_is_skipped(rig: Rig) -> None:
    order = rig.paid_order()  # the tax invoice is stored
    key = TAX_INVOICE.key(order.tenantId, order.id)
    cancelled = order.copy(update={"status": OrderStatus.CANCELLED})  # would be another document
    fields: dict[str, Any] = {
        "occurredAt": order.dateLastUpdated,
        "correlationId": "c",
        "requestedBy": "ops",
        "data": cancelled,
    }
    assert rig.renderer.rerender(DocumentRenderRequested.parse_obj({"id": "r1", **fields})) is None
    assert (
        rig.renderer.resend(CustomerEmailResendRequested.parse_obj({"id": "r2", **fields})) is None
    )
    assert rig.documents.names(key) == ["tax-invoice"]
    assert rig.emails_queue.events == []
    assert rig.renders == ["tax-invoice"]
