"""The EMF documents each function writes: what it counts, under which `function` dimension."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import metrics
from chalicelib.batch import handle_batch, handle_batch_together
from chalicelib.models.status_effects import CustomerEmail
from chalicelib.rendering.emails import CUSTOMER_EMAILS
from chalicelib.services.documents import DocumentService
from chalicelib.services.notifications import NotificationService
from devstack.preview import sample_order
from tests.fakes import CountingNumbers, InMemoryDocuments, InMemoryOrderStore, RecordingPublisher
from tests.unit.test_pipeline_services import (
    FakeLedger,
    FakeMailer,
    StubRenderer,
    recorder,
    request_for,
)
from tests.unit.test_processing import sqs_event

RECEIVED = CUSTOMER_EMAILS[CustomerEmail.RECEIVED]


def documents(out: str) -> list[dict[str, Any]]:
    """The EMF documents among the lines written to stdout."""
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [line for line in lines if "_aws" in line]


def values(document: dict[str, Any]) -> dict[str, Any]:
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "BBWS/Orders"
    assert directive["Dimensions"] == [["function", "service"]]
    assert document["service"] == "bbws-order-lambda"
    return {m["Name"]: (document[m["Name"]], m["Unit"]) for m in directive["Metrics"]}


def test_a_processor_counts_its_failures_under_its_own_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def handle(body: str) -> None:
        if body.startswith("bad"):
            raise ValueError("poison")

    handle_batch(sqs_event("a", "bad-1", "bad-2"), handle, "order_pdf_creator")
    (document,) = documents(capsys.readouterr().out)
    assert document["function"] == "order_pdf_creator"
    assert values(document) == {"ProcessingFailures": ([1.0, 1.0], "Count")}


def test_nothing_to_report_writes_no_document(capsys: pytest.CaptureFixture[str]) -> None:
    handle_batch(sqs_event("a"), lambda _: None, "order_pdf_creator")
    with metrics.published("api"):
        pass
    assert documents(capsys.readouterr().out) == []


def test_the_record_writer_counts_orders_created_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    store, numbers, topic = InMemoryOrderStore(), CountingNumbers(), RecordingPublisher()
    writer = recorder(store, numbers, topic)
    batch = [request_for("tenant-a", i) for i in range(3)]
    for _ in range(2):  # the second delivery stores nothing new
        handle_batch_together(
            sqs_event(*[r.json() for r in batch]),
            lambda body: type(batch[0]).parse_raw(body),
            writer.record_batch,
            "order_creator_record",
        )
    first, *rest = documents(capsys.readouterr().out)
    assert first["function"] == "order_creator_record"
    assert values(first) == {"OrdersCreated": ([1.0, 1.0, 1.0], "Count")}
    assert rest == []


def test_invoices_and_emails_are_counted_when_they_happen(
    capsys: pytest.CaptureFixture[str],
) -> None:
    store, order = InMemoryOrderStore(), sample_order(2)
    store.create(order)
    issuer = DocumentService(store, InMemoryDocuments(), lambda *_, **__: b"%PDF-fake", None)
    with metrics.published("order_pdf_creator"):
        issuer.issue(order)
        issuer.issue(order)  # already there: not rendered again
    mail = NotificationService(FakeLedger(), StubRenderer(), FakeMailer(), clock=lambda: 0.0)
    with metrics.published("customer_order_confirmation_sender"):
        mail.send(RECEIVED, order, [order.customerEmail])
        mail.send(RECEIVED, order, [order.customerEmail])
    pdf, email = documents(capsys.readouterr().out)
    rendered = values(pdf)
    assert rendered["InvoicesRendered"] == ([1.0], "Count")
    (render_ms,), unit = rendered["InvoiceRenderTime"]
    assert unit == "Milliseconds"
    assert render_ms >= 0
    assert email["function"] == "customer_order_confirmation_sender"
    assert values(email) == {"EmailsSent": ([1.0], "Count")}


def test_concurrent_invocations_keep_their_own_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    # chalice local serves requests on threads, and the local poller runs batches on threads.
    import threading

    barrier = threading.Barrier(8)

    def invocation(index: int) -> None:
        with metrics.published(f"fn-{index}"):
            barrier.wait()
            metrics.count("Things", index)
            barrier.wait()

    threads = [threading.Thread(target=invocation, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    found = {d["function"]: d["Things"] for d in documents(capsys.readouterr().out)}
    assert found == {f"fn-{i}": [float(i)] for i in range(8)}


def test_a_metric_outside_an_invocation_is_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    metrics.count("Orphan")
    with metrics.published("api"):
        pass
    assert documents(capsys.readouterr().out) == []
