"""What each SQS-triggered function does with its messages."""

from __future__ import annotations

from chalicelib import container, log, processing
from chalicelib.models.events import OrderCreated, OrderCreateRequested
from chalicelib.settings import get_settings


def parse_request(body: str) -> OrderCreateRequested:
    """A record writer message (a malformed one raises: it is retried, then dead-lettered)."""
    return OrderCreateRequested.parse_raw(body)


def record_orders(requests: list[OrderCreateRequested]) -> set[int]:
    """order_creator_record: number, store once and announce; returns the failed indexes."""
    return container.order_recorder().record_batch(requests)


def _created(body: str) -> OrderCreated:
    event = OrderCreated.parse_raw(body)
    log.bind(
        correlation_id=event.correlationId, order_id=event.data.id, tenant_id=event.data.tenantId
    )
    return event


def create_invoice(body: str) -> None:
    """order_pdf_creator: the PDF invoice, once."""
    # Only a redelivery looks for an earlier PDF first: a first delivery saves the request, and
    # the conditional put still refuses a second version.
    container.invoice_service().create(_created(body).data, look_first=processing.redelivered())


def send_internal_notification(body: str) -> None:
    """order_internal_notification_sender: the team's email, once."""
    from chalicelib.rendering.emails import INTERNAL_NOTIFICATION

    order = _created(body).data
    recipients = get_settings().internal_recipient_list
    container.notification_service().send(INTERNAL_NOTIFICATION, order, recipients)


def send_customer_confirmation(body: str) -> None:
    """customer_order_confirmation_sender: the customer's email, once."""
    from chalicelib.rendering.emails import CUSTOMER_CONFIRMATION

    order = _created(body).data
    container.notification_service().send(CUSTOMER_CONFIRMATION, order, [order.customerEmail])
