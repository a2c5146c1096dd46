"""The documents register and the VAT report (contract revision 3) against the provisioned table.

Documents are issued by the renderer's own rule (DocumentService with the table's repositories)
at chosen instants across a month's edges; the register, paged by its signed cursors, and the
report must agree to the cent with the orders' own amounts.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from chalice.test import Client

from chalicelib import aws
from chalicelib.models.documents import Document
from chalicelib.models.orders import Order, OrderStatus
from chalicelib.repositories.documents import DocumentStore
from chalicelib.repositories.orders import OrderRepository
from chalicelib.repositories.register import DocumentRegister
from chalicelib.services.documents import DocumentService
from devstack.preview import local_supplier, sample_order
from devstack.provision import Provisioned
from tests.integration.api_helpers import bearer
from tests.sample import paid_order, refunded_order

S = OrderStatus


class Clock:
    now = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def fake_pdf(order: Order, document: Document, *, copy: bool = False) -> bytes:
    return b"%PDF-1.4 " + document.name.encode()


def renderer(stack: Provisioned, clock: Clock) -> DocumentService:
    return DocumentService(
        OrderRepository(aws.dynamodb(), stack.table_name),
        DocumentStore(aws.s3(), stack.orders_bucket),
        fake_pdf,
        local_supplier(),
        clock=clock,
        register=DocumentRegister(aws.dynamodb(), stack.table_name),
    )


def order(items: int, tenant: str) -> Order:
    sample = sample_order(items)
    return sample.copy(update={"id": str(uuid.uuid4()), "tenantId": tenant, "orderNumber": None})


def pay(placed: Order) -> Order:
    return paid_order(placed, placed.dateCreated)


def refund(paid: Order, at: datetime) -> Order:
    return refunded_order(paid, at, "Duplicate order")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def get(api: Client, token: str, path: str, **query: str) -> Any:
    from urllib.parse import urlencode

    return api.http.get(f"{path}?{urlencode(query)}", headers=bearer(token))


def test_the_register_and_the_vat_report_agree_to_the_cent_with_the_documents(
    api: Client, stack: Provisioned, admin: str, alice: str, payments: str
) -> None:
    clock = Clock()
    service = renderer(stack, clock)
    store = OrderRepository(aws.dynamodb(), stack.table_name)
    # (lines, tenant, UTC instant of the tax invoice, of the credit note or None)
    plan = [
        (1, "tenant-a", "2026-11-02T09:00:00", None),
        (2, "tenant-a", "2026-11-15T12:00:00", "2026-11-20T08:00:00"),
        (3, "tenant-b", "2026-11-30T21:59:00", None),  # 23:59 SAST: November
        (4, "tenant-b", "2026-11-30T22:05:00", None),  # 00:05 SAST on 1 December: not
        (5, "tenant-a", "2026-10-31T22:30:00", None),  # 00:30 SAST on 1 November: in
        (2, "tenant-b", "2026-11-10T10:00:00", "2026-12-02T10:00:00"),  # refunded in December
        (1, "tenant-smoke", "2026-11-12T10:00:00", "2026-11-13T10:00:00"),  # a test: never
    ]
    issued: list[tuple[Order, str, datetime]] = []
    for lines, tenant, invoiced, refunded in plan:
        placed = order(lines, tenant)
        store.create(placed)
        clock.now = at(invoiced)
        service.issue(pay(placed))
        issued.append((placed, "tax-invoice", clock.now))
        if refunded:
            clock.now = at(refunded)
            service.issue(refund(pay(placed), clock.now))
            issued.append((placed, "credit-note", clock.now))

    november = [
        (o, kind)
        for o, kind, moment in issued
        if o.tenantId != "tenant-smoke"
        and at("2026-10-31T22:00:00") <= moment < at("2026-11-30T22:00:00")
    ]
    queries: list[str] = []
    aws.dynamodb().meta.events.register(
        "before-call.dynamodb.Query", lambda **_: queries.append("Q")
    )
    listed: list[dict[str, Any]] = []
    pages = 0
    cursor = ""
    while True:
        query = {"from": "2026-11-01", "to": "2026-11-30", "pageSize": "2"}
        if cursor:
            query["startAt"] = cursor
        before = len(queries)
        response = get(api, admin, "/v1.0/documents", **query)
        assert response.status_code == 200, response.body
        assert len(queries) - before == 1  # one Query per page
        body = json.loads(response.body)
        listed += body["items"]
        pages += 1
        cursor = body["pagination"]["nextStartAt"]
        if not cursor:
            break
    invoices = [i for i in listed if i["kind"] == "tax-invoice"]
    notes = [i for i in listed if i["kind"] == "credit-note"]
    assert sorted((i["orderId"], i["kind"]) for i in invoices + notes) == sorted(
        (o.id, kind) for o, kind in november
    )
    assert [i["issuedAt"] for i in listed] == sorted(i["issuedAt"] for i in listed)  # oldest first
    assert all(i["kind"] != "proforma" for i in listed)  # the renderer issued none here
    assert pages >= 3

    report_queries = len(queries)
    report = get(api, admin, "/v1.0/reports/vat", **{"from": "2026-11-01", "to": "2026-11-30"})
    assert report.status_code == 200, report.body
    assert len(queries) - report_queries == 1  # the month fits one response
    vat = json.loads(report.body)

    def sums(kind: str) -> dict[str, Any]:
        mine = [o for o, k in november if k == kind]
        return {
            "count": len(mine),
            "total": f"{sum((o.total for o in mine), Decimal(0)):.2f}",
            "vat": f"{sum((o.vatAmount for o in mine), Decimal(0)):.2f}",
            "exclVat": f"{sum((o.totalExclVat for o in mine), Decimal(0)):.2f}",
        }

    assert vat["taxInvoices"] == sums("tax-invoice")
    assert vat["creditNotes"] == sums("credit-note")
    output = Decimal(vat["taxInvoices"]["vat"]) - Decimal(vat["creditNotes"]["vat"])
    assert vat["outputTax"] == f"{output:.2f}"
    assert (vat["from"], vat["to"], vat["currency"]) == ("2026-11-01", "2026-11-30", "ZAR")
    # The register's own lines sum to the report.
    assert f"{sum(Decimal(i['vatAmount']) for i in invoices):.2f}" == vat["taxInvoices"]["vat"]

    only_notes = get(
        api,
        admin,
        "/v1.0/documents",
        **{"from": "2026-11-01", "to": "2026-12-31", "kind": "credit-note"},
    )
    assert sorted(i["number"] for i in json.loads(only_notes.body)["items"]) == sorted(
        f"CN-{o.id}"
        for o, kind, _ in issued
        if kind == "credit-note" and o.tenantId != "tenant-smoke"
    )

    for caller in (alice, payments):
        for path in ("/v1.0/documents", "/v1.0/reports/vat"):
            refused = get(api, caller, path, **{"from": "2026-11-01", "to": "2026-11-30"})
            assert refused.status_code == 403, refused.body
            assert refused.headers["Content-Type"] == "application/problem+json"
    for bad, field in (
        ({"from": "2026-11-30", "to": "2026-11-01"}, "to"),
        ({"from": "2026-01-01", "to": "2027-01-02"}, "to"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
        ({"to": "2026-03-01"}, "from"),
        ({"from": "2026-11-01", "to": "2026-11-30", "kind": "invoice"}, "kind"),
        ({"from": "2026-11-01", "to": "2026-11-30", "startAt": "garbage"}, "startAt"),
        ({"from": "2026-11-01", "to": "2026-11-30", "tenant": "x"}, "tenant"),
    ):
        answer = get(api, admin, "/v1.0/documents", **bad)
        assert answer.status_code == 400, (bad, answer.body)
        assert json.loads(answer.body)["errors"][0]["field"] == field
    # A cursor is bound to its period and kind.
    first = json.loads(
        get(
            api,
            admin,
            "/v1.0/documents",
            **{"from": "2026-11-01", "to": "2026-11-30", "pageSize": "1"},
        ).body
    )
    other = get(
        api,
        admin,
        "/v1.0/documents",
        **{"from": "2026-11-01", "to": "2026-12-31", "startAt": first["pagination"]["nextStartAt"]},
    )
    assert other.status_code == 400
