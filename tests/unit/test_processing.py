from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.app import SQSEvent
from pydantic import ValidationError

from chalicelib.batch import handle_batch, redelivered
from chalicelib.models.events import (
    DocumentIssued,
    DocumentRenderRequested,
    OrderCreated,
    OrderStatusChanged,
)
from chalicelib.models.status_effects import DocumentName
from chalicelib.processing import customer_email_event, document_event
from devstack.preview import sample_order


def sqs_event(*bodies: str) -> SQSEvent:
    # Chalice's generate_sqs_event repeats one messageId; partial failures need distinct ids.
    records = [
        {
            "messageId": f"m-{i}",
            "receiptHandle": f"r-{i}",
            "body": body,
            "attributes": {"ApproximateReceiveCount": "1"},
        }
        for i, body in enumerate(bodies)
    ]
    return SQSEvent({"Records": records}, None)


def test_only_failed_records_are_reported() -> None:
    seen: list[str] = []

    def handle(body: str) -> None:
        if body == "bad":
            raise ValueError("poison")
        seen.append(body)

    result: dict[str, Any] = handle_batch(sqs_event("a", "bad", "c"), handle, "order_pdf_creator")
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert seen == ["a", "c"]


def test_a_clean_batch_reports_no_failures() -> None:
    assert handle_batch(sqs_event("a"), lambda _: None, "order_pdf_creator") == {
        "batchItemFailures": []
    }


def test_each_record_knows_whether_it_was_delivered_before() -> None:
    event = sqs_event("first", "again", "unknown").to_dict()
    event["Records"][1]["attributes"]["ApproximateReceiveCount"] = "3"
    event["Records"][2]["attributes"] = {"ApproximateReceiveCount": "n/a"}
    seen: dict[str, bool] = {}

    def handle(body: str) -> None:
        seen[body] = redelivered()

    handle_batch(event, handle, "order_pdf_creator")
    assert seen == {"first": False, "again": True, "unknown": True}
    assert redelivered() is False  # nothing leaks out of the batch


def test_each_queue_dispatches_on_the_type_and_refuses_what_it_does_not_carry() -> None:
    """Issue 30: typed dispatch (pydantic's discriminated unions), not if-chains: a message of
    a type the queue does not carry is a validation error (retried, then dead-lettered with the
    reason), never parsed as something else."""
    order = sample_order(1)
    envelope = {"id": "e-1", "occurredAt": "2026-11-28T10:00:00.000Z", "correlationId": "c"}
    data = json.loads(order.json())
    created = {**envelope, "type": "OrderCreated", "data": data}
    changed = {**created, "type": "OrderStatusChanged", "previousStatus": "PENDING"}
    rerender = {**created, "type": "DocumentRenderRequested", "requestedBy": "ops"}
    issued = {**created, "type": "DocumentIssued", "document": "proforma", "key": "k"}
    assert type(document_event(json.dumps(created))) is OrderCreated
    assert type(document_event(json.dumps(changed))) is OrderStatusChanged
    assert type(document_event(json.dumps(rerender))) is DocumentRenderRequested
    old = customer_email_event(json.dumps(issued))  # queued before events named their email
    assert isinstance(old, DocumentIssued)
    assert (old.document, old.email) == (DocumentName.PRO_FORMA, None)
    assert type(customer_email_event(json.dumps(created))) is OrderCreated
    for queue, wrong in (
        (document_event, issued),
        (customer_email_event, changed),
        (document_event, {**created, "type": "Bogus"}),
        (customer_email_event, {**issued, "document": "invoice"}),
        (document_event, {k: v for k, v in created.items() if k != "type"}),
    ):
        with pytest.raises(ValidationError):
            queue(json.dumps(wrong))
