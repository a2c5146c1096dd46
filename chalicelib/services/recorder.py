"""The record writer's rule: store each requested order once, numbered, then announce it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from chalicelib import metrics
from chalicelib.clock import utc_now
from chalicelib.errors import OrderServiceError
from chalicelib.log import logger
from chalicelib.models.events import OrderCreated, OrderCreateRequested
from chalicelib.models.orders import Order
from chalicelib.ports import BatchPublisher, NumberSource, OrderStore
from chalicelib.services.orders import new_id


class OrderRecorder:
    """Writes `OrderCreateRequested` events as numbered orders and publishes `OrderCreated`.

    Per batch: one counter update per tenant in it, one conditional put per order, one
    PublishBatch per ten events. A redelivered request writes nothing and keeps its first
    number (the stored order comes back with the refused put), but is published again: that
    covers a crash between the write and the publish. Downstream consumers are idempotent.
    """

    def __init__(
        self,
        store: OrderStore,
        numbers: NumberSource,
        events: BatchPublisher,
        *,
        clock: Callable[[], datetime] = utc_now,
        ids: Callable[[], str] = new_id,
    ) -> None:
        self._store = store
        self._numbers = numbers
        self._events = events
        self._clock = clock
        self._ids = ids

    def record_batch(self, requests: list[OrderCreateRequested]) -> set[int]:
        """Record every request; return the indexes that failed (to be retried)."""
        failed: set[int] = set()
        numbers: dict[str, list[str]] = {}
        for tenant_id, count in Counter(r.data.tenantId for r in requests).items():
            try:
                numbers[tenant_id] = self._numbers.reserve(tenant_id, count)
            except OrderServiceError:
                logger.exception("Could not number orders", extra={"tenant_id": tenant_id})
        announced: list[tuple[int, OrderCreated]] = []
        for index, request in enumerate(requests):
            pool = numbers.get(request.data.tenantId)
            if not pool:
                failed.add(index)
                continue
            order = request.data.copy(update={"orderNumber": pool.pop(0)})
            stored = self._write(order, request.correlationId)
            if stored is None:
                failed.add(index)
                continue
            announced.append((index, self._created(request, stored)))
        rejected = self._events.publish_batch([event for _, event in announced])
        failed.update(announced[position][0] for position in rejected)
        return failed

    def _write(self, order: Order, correlation_id: str) -> Order | None:
        ids = {"order_id": order.id, "tenant_id": order.tenantId, "correlation_id": correlation_id}
        try:
            created, stored = self._store.create(order)
        except OrderServiceError:
            logger.exception("Could not store the order", extra=ids)
            return None
        if created:
            metrics.count("OrdersCreated")
        logger.info(
            "Order recorded" if created else "Order already recorded; announcing it again",
            extra={**ids, "order_number": stored.orderNumber},
        )
        return stored

    def _created(self, request: OrderCreateRequested, order: Order) -> OrderCreated:
        return OrderCreated(
            id=self._ids(),
            occurredAt=self._clock(),
            correlationId=request.correlationId,
            data=order,
        )
