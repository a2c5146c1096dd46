"""The customer's documents follow the order: issued once, versions in order, never going back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.errors import OrderNotFound
from chalicelib.models.documents import (
    CANCELLED_PRO_FORMA,
    CREDIT_NOTE,
    PRO_FORMA,
    TAX_INVOICE,
    Document,
    changes_document,
    document_for,
)
from chalicelib.models.events import OrderCreated
from chalicelib.models.orders import DocumentKind, Order, OrderStatus
from chalicelib.models.principal import Principal
from chalicelib.models.status_effects import CustomerEmail
from chalicelib.models.supplier import Supplier, SupplierNotConfigured
from chalicelib.ports import StoredDocument
from chalicelib.services.cursor import CursorCodec
from chalicelib.services.documents import (
    DocumentKeptChanging,
    DocumentService,
    InvoiceNotReady,
    announcement,
)
from chalicelib.services.orders import OrderService
from devstack.preview import local_supplier, sample_order
from tests.fakes import (
    InMemoryDocuments,
    InMemoryIdempotency,
    InMemoryOrderStore,
    RecordingPublisher,
)

CONFIG = json.loads(Path(".chalice/config.json").read_text())
SUPPLIER = local_supplier()
S = OrderStatus


def at(order: Order, status: OrderStatus) -> Order:
    return order.copy(update={"status": status, "version": order.version + 1})


def service(
    supplier: Supplier | None = SUPPLIER,
) -> tuple[DocumentService, InMemoryOrderStore, InMemoryDocuments, list[str]]:
    store, documents, renders = InMemoryOrderStore(), InMemoryDocuments(), []

    def render(order: Order, document: Document, *, copy: bool = False) -> bytes:
        renders.append(document.name + (" (copy)" if copy else ""))
        return f"%PDF {document.name} {order.version}".encode()

    return DocumentService(store, documents, render, supplier), store, documents, renders


def test_each_status_calls_for_its_document_and_only_some_changes_issue_one() -> None:
    assert {s: document_for(s) for s in S} == {
        S.PENDING: PRO_FORMA,
        S.PAYMENT_FAILED: PRO_FORMA,
        S.PAID: TAX_INVOICE,
        S.PROCESSING: TAX_INVOICE,
        S.COMPLETED: TAX_INVOICE,
        S.CANCELLED: CANCELLED_PRO_FORMA,
        S.REFUNDED: CREDIT_NOTE,
    }
    assert changes_document(S.PENDING, S.PAID)
    assert changes_document(S.PAYMENT_FAILED, S.CANCELLED)
    assert changes_document(S.COMPLETED, S.REFUNDED)
    assert not changes_document(S.PENDING, S.PAYMENT_FAILED)
    assert not changes_document(S.PAID, S.PROCESSING)
    assert not changes_document(S.PROCESSING, S.COMPLETED)
    assert [d.rank for d in (PRO_FORMA, CANCELLED_PRO_FORMA, TAX_INVOICE, CREDIT_NOTE)] == [
        0,
        1,
        1,
        2,
    ]
    assert Document.named("proforma-cancelled") == CANCELLED_PRO_FORMA
    with pytest.raises(ValueError, match="invoice"):
        Document.named("invoice")


def test_pending_paid_refunded_gives_two_versions_and_a_credit_note_each_once() -> None:
    documents_service, store, documents, renders = service()
    order = sample_order(2)
    store.create(order)
    key = f"tenant-a/orders/order_{order.id}.pdf"
    credit_key = f"tenant-a/orders/credit_note_{order.id}.pdf"
    paid = at(order, S.PAID)
    refunded = at(paid, S.REFUNDED)
    for version in (order, order, paid, paid, refunded, refunded):  # each delivered twice
        issued = documents_service.issue(version)
        assert issued is not None
        assert issued.document == document_for(version.status)
    assert renders == ["proforma", "tax-invoice", "credit-note"]
    assert documents.names(key) == ["proforma", "tax-invoice"]
    assert documents.names(credit_key) == ["credit-note"]
    assert documents.read(key, "v1") == b"%PDF proforma 1"  # the pro forma stays readable
    assert store.get("tenant-a", order.id).invoice.kind is DocumentKind.CREDIT_NOTE  # type: ignore[union-attr]


def test_a_late_pro_forma_never_replaces_the_tax_invoice_nor_the_link() -> None:
    documents_service, store, documents, renders = service()
    order = sample_order(1)
    store.create(order)
    assert documents_service.issue(at(order, S.PAID)) is not None  # payment processed first
    assert documents_service.issue(order, look_first=False) is None  # then the OrderCreated
    assert renders == ["tax-invoice", "proforma"]  # rendered, refused by If-None-Match …
    assert documents.names(f"tenant-a/orders/order_{order.id}.pdf") == ["tax-invoice"]
    assert documents_service.issue(order) is None  # … and a redelivery renders nothing
    assert renders == ["tax-invoice", "proforma"]
    assert store.get("tenant-a", order.id).invoice.kind is DocumentKind.TAX_INVOICE  # type: ignore[union-attr]


def test_a_writer_that_loses_the_race_looks_again_and_finds_its_document() -> None:
    documents_service, store, documents, _ = service()
    order = sample_order(1)
    store.create(order)
    documents_service.issue(order)
    paid = at(order, S.PAID)
    put = documents.put

    raced: list[bool] = []

    def racing_put(
        key: str,
        pdf: bytes,
        order: Order,
        name: str,
        replacing: StoredDocument | None,
        *,
        request: str | None = None,
    ) -> StoredDocument | None:
        if not raced:
            raced.append(True)
            put(
                key, b"%PDF twin", order, name, replacing
            )  # another delivery of the same change wins
        return put(key, pdf, order, name, replacing, request=request)

    documents.put = racing_put  # type: ignore[method-assign]
    issued = documents_service.issue(paid)
    assert issued is not None
    assert issued.version_id == "v2"
    assert documents.names(f"tenant-a/orders/order_{order.id}.pdf") == ["proforma", "tax-invoice"]


def test_a_key_that_keeps_changing_is_retried_later() -> None:
    documents_service, _, documents, _ = service()
    order = sample_order(1)
    documents.put = lambda *args, **kwargs: None  # type: ignore[method-assign]
    with pytest.raises(DocumentKeptChanging):
        documents_service.issue(order)


def test_no_tax_invoice_without_the_suppliers_vat_number_but_pro_formas_and_tests_go() -> None:
    documents_service, *_ = service(supplier=None)
    order = sample_order(1)
    assert documents_service.issue(order) is not None
    with pytest.raises(SupplierNotConfigured, match="SUPPLIER_PARTICULARS"):
        documents_service.issue(at(order, S.PAID))
    unregistered = SUPPLIER.copy(update={"vatNumber": None})
    with pytest.raises(SupplierNotConfigured):
        service(unregistered)[0].issue(at(order, S.REFUNDED))
    smoke = at(order.copy(update={"tenantId": "tenant-smoke"}), S.PAID)
    assert documents_service.issue(smoke) is not None  # a TEST DOCUMENT, never a tax invoice


def test_the_link_names_the_current_document_for_its_own_tenant_only() -> None:
    documents_service, store, _, _ = service()
    order = sample_order(1)
    store.create(order)
    orders = OrderService(
        store, RecordingPublisher(), InMemoryIdempotency(), CursorCodec(lambda: b"k")
    )
    alice = Principal(subject="a", tenant_id="tenant-a")
    with pytest.raises(InvoiceNotReady):
        documents_service.link(orders, alice, order.id)
    documents_service.issue(order)
    link = documents_service.link(orders, alice, order.id)
    assert (link.kind, link.expiresIn) == (DocumentKind.PRO_FORMA, 300)
    assert f"order_{order.id}.pdf" in link.url
    documents_service.issue(at(at(order, S.PAID), S.REFUNDED))
    link = documents_service.link(orders, alice, order.id)
    assert link.kind is DocumentKind.CREDIT_NOTE
    assert f"credit_note_{order.id}.pdf" in link.url
    with pytest.raises(OrderNotFound):
        documents_service.link(orders, Principal(subject="b", tenant_id="tenant-b"), order.id)


def test_an_announcement_is_the_same_message_for_a_redelivery() -> None:
    documents_service, *_ = service()
    order = sample_order(1)
    trigger = OrderCreated(id="e-1", occurredAt=order.dateCreated, correlationId="c-1", data=order)
    issued = documents_service.issue(order)
    assert issued is not None
    first = announcement(trigger, issued, CustomerEmail.RECEIVED)
    again = announcement(trigger, issued, CustomerEmail.RECEIVED)
    assert first == again
    assert (first.document, first.key, first.versionId, first.correlationId) == (
        "proforma",
        f"tenant-a/orders/order_{order.id}.pdf",
        "v1",
        "c-1",
    )


def test_every_stage_but_prod_has_valid_sample_particulars_and_prod_has_none() -> None:
    for stage, settings in CONFIG["stages"].items():
        particulars = settings["environment_variables"].get("SUPPLIER_PARTICULARS")
        if stage == "prod":  # the owner's to supply (docs/deploy.md): never invented here
            assert particulars is None
            continue
        supplier = Supplier.parse_raw(particulars)
        assert supplier.may_issue_tax_invoices
        assert f"[{stage.upper()}]" in supplier.name  # a sample, and says so


@pytest.mark.parametrize(
    "broken",
    [
        '{"name": "X"}',  # no address, email or bank
        SUPPLIER.json().replace("4123456789", "123"),  # not a South African VAT number
        "not json",
    ],
)
def test_malformed_particulars_fail_when_the_settings_are_read(
    broken: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic import ValidationError

    from tests.unit.test_vat import settings_now

    monkeypatch.setenv("SUPPLIER_PARTICULARS", broken)
    with pytest.raises(ValidationError, match="supplier_particulars"):
        settings_now(monkeypatch)
