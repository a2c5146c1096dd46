"""Admins' support actions on one order: re-render its current document, resend its email.

Both go to the document renderer's queue (the renderer stores documents and announces them to
the customer emailer, so an email's attachment is always the stored version: ADR 0016). Each is
idempotent (an `Idempotency-Key` retry answers the first request's id and queues nothing) and
rate-limited per order (`SupportAction.window_s`; sooner is 429 with `Retry-After`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from chalicelib import metrics
from chalicelib.clock import utc_now
from chalicelib.errors import Conflict, PermissionDenied, TooManyRequests
from chalicelib.log import logger
from chalicelib.models.documents import Document, document_for
from chalicelib.models.events import (
    CustomerEmailResendRequested,
    DocumentRenderRequested,
)
from chalicelib.models.orders import Order
from chalicelib.models.principal import Principal
from chalicelib.models.support import SupportAction, SupportActionAccepted
from chalicelib.ports import ActionRecord, EventPublisher, SupportActionLog, key_digest
from chalicelib.services.orders import OrderService

EVENTS: dict[SupportAction, type[DocumentRenderRequested] | type[CustomerEmailResendRequested]] = {
    SupportAction.RERENDER_DOCUMENT: DocumentRenderRequested,
    SupportAction.RESEND_EMAIL: CustomerEmailResendRequested,
}
WHAT = {
    SupportAction.RERENDER_DOCUMENT: "re-render an order's document",
    SupportAction.RESEND_EMAIL: "resend a customer's email",
}


class SupportActions:
    """`POST /v1.0/orders/{orderId}/rerender-document` and `…/resend-email` (admins only)."""

    def __init__(
        self,
        orders: OrderService,
        log: SupportActionLog,
        renderer: EventPublisher,
        clock: Callable[[], float] = time.time,
        ids: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._orders = orders
        self._log = log
        self._renderer = renderer
        self._clock = clock
        self._ids = ids

    def request(
        self,
        caller: Principal,
        order_id: str,
        action: SupportAction,
        idempotency_key: str | None,
        correlation_id: str,
    ) -> SupportActionAccepted:
        """Queue the action once (a retry with the same key replays it); 429 when too soon."""
        if not caller.is_admin:
            raise PermissionDenied(f"Only the admin group may {WHAT[action]}")
        order = self._orders.get(caller, order_id)
        document = _issued(order, action)
        now = int(self._clock())
        record = ActionRecord(
            self._ids(), now, key_digest(idempotency_key) if idempotency_key else None
        )
        existing = self._log.claim(order.tenantId, order.id, action.value, record, action.window_s)
        if existing is not None:
            if record.key_digest is not None and existing.key_digest == record.key_digest:
                return _accepted(order, action, existing.request_id, document)
            wait = existing.at + action.window_s - now
            raise TooManyRequests(
                f"{action.value} of order {order.id} ran {max(0, now - existing.at)} s ago "
                f"(request {existing.request_id}); it runs at most once every "
                f"{action.window_s} s per order: retry in {max(1, wait)} s",
                wait,
            )
        event = EVENTS[action](
            id=record.request_id,
            occurredAt=utc_now(),
            correlationId=correlation_id,
            data=order,
            requestedBy=caller.subject,
        )
        try:
            self._renderer.publish(event)
        except Exception:
            self._log.release(order.tenantId, order.id, action.value, record.request_id)
            raise
        metrics.count("SupportActionsRequested")
        logger.info(
            "Support action queued",
            extra={
                "order_id": order.id,
                "action": action.value,
                "support_request": record.request_id,
                "document": document.name,
                "operator": caller.subject,  # the audit trail: who asked
            },
        )
        return _accepted(order, action, record.request_id, document)


def _issued(order: Order, action: SupportAction) -> Document:
    """The order's current document; 409 while the one its status calls for is not stored."""
    document = document_for(order.status)
    if not order.invoice.available or order.invoice.kind is not document.kind:
        raise Conflict(
            f"Order {order.id} has no {document.title.lower()} yet: the renderer issues it (and "
            f"its email) on its own, usually within seconds; {action.value} applies once it has"
        )
    return document


def _accepted(
    order: Order, action: SupportAction, request_id: str, document: Document
) -> SupportActionAccepted:
    path = f"/v1.0/orders/{order.id}"
    return SupportActionAccepted(
        orderId=order.id,
        tenantId=order.tenantId,
        action=action,
        requestId=request_id,
        document=document.name,
        links={"order": path, "invoice": f"{path}/invoice"},
    )
