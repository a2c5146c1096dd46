"""What each SQS-triggered function does with one message body."""

from __future__ import annotations

from chalicelib import container, log
from chalicelib.models.events import OrderCreateRequested


def record_order(body: str) -> None:
    """order_creator_record: store the requested order once and publish `OrderCreated`."""
    request = OrderCreateRequested.parse_raw(body)
    log.bind(
        correlation_id=request.correlationId,
        order_id=request.data.id,
        tenant_id=request.data.tenantId,
    )
    container.order_recorder().record(request)
