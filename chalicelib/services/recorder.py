"""The record writer's rule: store each requested order once, then announce it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.clock import utc_now
from chalicelib.log import logger
from chalicelib.models.events import OrderCreated, OrderCreateRequested
from chalicelib.services.orders import new_id
from chalicelib.services.ports import EventPublisher, OrderStore


class OrderRecorder:
    """Writes `OrderCreateRequested` as an order record and publishes `OrderCreated`."""

    def __init__(
        self,
        store: OrderStore,
        events: EventPublisher,
        *,
        clock: Callable[[], datetime] = utc_now,
        ids: Callable[[], str] = new_id,
    ) -> None:
        self._store = store
        self._events = events
        self._clock = clock
        self._ids = ids

    def record(self, request: OrderCreateRequested) -> None:
        """Idempotent: a redelivered request writes nothing new but still publishes.

        Publishing again after a crash between the write and the publish is what makes the
        fan-out at-least-once; downstream processors are idempotent on the order id.
        """
        order = request.data
        created = self._store.create(order)
        if not created:
            logger.info("Order already recorded; publishing again", extra={"order_id": order.id})
        # On a redelivery the stored record is the truth (it may have moved on since).
        stored = order if created else (self._store.get(order.tenantId, order.id) or order)
        event = OrderCreated(
            id=self._ids(),
            occurredAt=self._clock(),
            correlationId=request.correlationId,
            data=stored,
        )
        self._events.publish(event)
        logger.info("Order recorded", extra={"order_id": order.id, "tenant_id": order.tenantId})
