"""SQS batch handling as Lambda expects it: failures reported by message id, never the batch.

Powertools' BatchProcessor would be the first choice, but in Powertools v3 it imports its
pydantic v2 parser models and fails beside the pinned pydantic 1.10 (docs/adr/0004).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from chalicelib import log, metrics
from chalicelib.models.events import (
    CustomerEmailResendRequested,
    DocumentIssued,
    DocumentRenderRequested,
    OrderCreated,
    OrderCreateRequested,
    OrderEvent,
    OrderStatusChanged,
)
from chalicelib.models.orders import Order
from chalicelib.repositories.order_stream import status_changes

T = TypeVar("T")
E = TypeVar("E", bound=OrderEvent)
# Decoded body → None; raising marks this one record as failed (it is retried, then DLQ'd).
RecordHandler = Callable[[str], None]
_receive_count: ContextVar[int] = ContextVar("receive_count", default=1)


def order_requested(body: str) -> OrderCreateRequested:
    """A record writer message (a malformed one raises: it is retried, then dead-lettered)."""
    return OrderCreateRequested.parse_raw(body)


def created_order(body: str) -> Order:
    """The order of an `OrderCreated` message, with the log bound to it."""
    return _bound(OrderCreated.parse_raw(body)).data


def _bound(event: E) -> E:
    """The event, with the log bound to its order and correlation id."""
    log.bind(
        correlation_id=event.correlationId, order_id=event.data.id, tenant_id=event.data.tenantId
    )
    return event


def document_event(
    body: str,
) -> OrderCreated | OrderStatusChanged | DocumentRenderRequested | CustomerEmailResendRequested:
    """The document renderer's message: a new order, a status change from the stream, or an
    admin's support request."""
    kind = json.loads(body).get("type")
    if kind == "OrderStatusChanged":
        return _bound(OrderStatusChanged.parse_raw(body))
    if kind == "DocumentRenderRequested":
        return _bound(DocumentRenderRequested.parse_raw(body))
    if kind == "CustomerEmailResendRequested":
        return _bound(CustomerEmailResendRequested.parse_raw(body))
    return _bound(OrderCreated.parse_raw(body))


def customer_email_event(body: str) -> DocumentIssued | OrderCreated:
    """The customer emailer's message: a document issued (or an `OrderCreated` queued before)."""
    if json.loads(body).get("type") == "OrderCreated":
        return _bound(OrderCreated.parse_raw(body))
    return _bound(DocumentIssued.parse_raw(body))


def redelivered() -> bool:
    """Whether the record being handled was received before (SQS's ApproximateReceiveCount).

    A first delivery can skip looking for its own earlier effects; the conditional writes still
    keep duplicates out (an SNS duplicate is a first delivery too).
    """
    return _receive_count.get() > 1


def _count_of(record: dict[str, Any]) -> int:
    try:
        return int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
    except (TypeError, ValueError):
        return 2  # unknown: assume the worst, look first


def _records(event: Any) -> list[dict[str, Any]]:
    """Chalice's SQSEvent (or a plain Lambda event dict) → its records."""
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    return list(raw.get("Records", []))


def _failed(record: dict[str, Any], what: str) -> dict[str, str]:
    metrics.count("ProcessingFailures")
    log.logger.exception(
        f"{what}; it will be retried and then dead-lettered",
        extra={
            "message_id": record.get("messageId"),
            "receive_count": record.get("attributes", {}).get("ApproximateReceiveCount"),
        },
    )
    return {"itemIdentifier": record.get("messageId", "")}


def handle_batch(event: Any, handle_body: RecordHandler, function: str) -> dict[str, Any]:
    """Run `handle_body` per record; return `{"batchItemFailures": [...]}` for partial retries."""
    failures = []
    with metrics.published(function):
        for record in _records(event):
            log.reset()
            log.bind(function=function, message_id=record.get("messageId"))
            token = _receive_count.set(_count_of(record))
            try:
                handle_body(record["body"])
            except Exception:  # one bad message must never fail its batch-mates
                failures.append(_failed(record, "Message failed"))
            finally:
                _receive_count.reset(token)
    return {"batchItemFailures": failures}


def handle_batch_together(
    event: Any,
    parse: Callable[[str], T],
    process: Callable[[list[T]], set[int]],
    function: str,
) -> dict[str, Any]:
    """Parse every record, then process the valid ones in one go (for per-batch economies).

    `process` returns the indexes (into the list it was given) that failed.
    """
    with metrics.published(function):
        log.reset()
        log.bind(function=function)
        return _together(_records(event), parse, process)


def _together(
    records: list[dict[str, Any]], parse: Callable[[str], T], process: Callable[[list[T]], set[int]]
) -> dict[str, Any]:
    failures = []
    parsed: list[tuple[dict[str, Any], T]] = []
    for record in records:
        try:
            parsed.append((record, parse(record["body"])))
        except Exception:
            failures.append(_failed(record, "Malformed message"))
    try:
        failed = process([item for _, item in parsed]) if parsed else set()
    except Exception:
        failures.extend(_failed(record, "Batch failed") for record, _ in parsed)
        return {"batchItemFailures": failures}
    if failed:
        metrics.count("ProcessingFailures", len(failed))
    failures.extend({"itemIdentifier": parsed[i][0].get("messageId", "")} for i in sorted(failed))
    return {"batchItemFailures": failures}


def handle_stream(
    event: Any, publish: Callable[[OrderStatusChanged], None], function: str, region: str
) -> dict[str, Any]:
    """Publish each status change in a batch of stream records; report the first failure.

    Lambda retries a stream batch from the lowest reported sequence number on (bisecting
    after errors); the records before it are done. A publish is idempotent downstream (the
    event id is fixed by the order and its version), so records after a failure that were
    published already may be published again.
    """
    with metrics.published(function):
        log.reset()
        log.bind(function=function)
        found = status_changes(_records(event), region)
        failed = list(found.failed)
        for change in found.events:
            log.bind(order_id=change.data.id, tenant_id=change.data.tenantId)
            try:
                publish(change)
            except Exception:
                log.logger.exception("Could not publish the status change; it will be retried")
                failed.append(found.sequence_of[change.id])
        if not failed:
            return {"batchItemFailures": []}
        metrics.count("ProcessingFailures", len(failed))
        first = min(failed, key=lambda n: (len(n), n))  # numeric strings: shorter is smaller
        return {"batchItemFailures": [{"itemIdentifier": first}]}
