"""What each queue's message means: typed dispatch on the envelope's `type`, and the stream.

Each processor's messages are one pydantic discriminated union on `type` (API.md "Events"), so an
unknown or malformed message is a validation error, retried and dead-lettered with the reason,
never a guess. The batch engine that runs a handler per record is `batch.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import Field, parse_raw_as

from chalicelib import log, metrics
from chalicelib.batch import records_of
from chalicelib.models.events import (
    CustomerEmailMessage,
    OrderCreated,
    OrderCreateRequested,
    OrderEvent,
    OrderStatusChanged,
    RendererMessage,
)
from chalicelib.models.orders import Order
from chalicelib.repositories.order_stream import status_changes

E = TypeVar("E", bound=OrderEvent)
# Each queue's messages as one union told apart by `type` (pydantic 1.10 discriminated unions).
_RENDERER_QUEUE = Annotated[RendererMessage, Field(discriminator="type")]
_CUSTOMER_EMAIL_QUEUE = Annotated[CustomerEmailMessage, Field(discriminator="type")]


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


def document_event(body: str) -> RendererMessage:
    """The document renderer's message, by its `type`."""
    event: RendererMessage = parse_raw_as(_RENDERER_QUEUE, body)  # type: ignore[arg-type]
    return _bound(event)


def customer_email_event(body: str) -> CustomerEmailMessage:
    """The customer emailer's message, by its `type`."""
    event: CustomerEmailMessage = parse_raw_as(_CUSTOMER_EMAIL_QUEUE, body)  # type: ignore[arg-type]
    return _bound(event)


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
        found = status_changes(records_of(event), region)
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
