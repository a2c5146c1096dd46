"""Accepting orders over the API and reading them back, within the caller's tenant."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime

from chalicelib.clock import utc_now
from chalicelib.errors import OrderNotFound, PermissionDenied
from chalicelib.models.events import OrderCreateRequested
from chalicelib.models.orders import CreateOrderRequest, Order, OrderAccepted, OrderStatus
from chalicelib.models.principal import Principal
from chalicelib.services.ports import EventPublisher, OrderStore
from chalicelib.services.pricing import price

# Ids are UUIDs; anything else (unicode, 1 KB strings, NULs) cannot name an order.
ORDER_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def new_id() -> str:
    """A fresh opaque identifier."""
    return str(uuid.uuid4())


class OrderService:
    """The API's use cases: accept an order (enqueue), get one."""

    def __init__(
        self,
        store: OrderStore,
        requests: EventPublisher,
        clock: Callable[[], datetime] = utc_now,
        ids: Callable[[], str] = new_id,
    ) -> None:
        self._store = store
        self._requests = requests
        self._clock = clock
        self._ids = ids

    def accept(
        self, principal: Principal, request: CreateOrderRequest, correlation_id: str
    ) -> OrderAccepted:
        """Validate ownership, price the order and enqueue `OrderCreateRequested`."""
        tenant_id = self._tenant_for(principal, request.tenantId)
        now = self._clock()
        totals = price(request.items, request.campaign)
        order = Order(
            id=self._ids(),
            tenantId=tenant_id,
            customerEmail=request.customerEmail,
            status=OrderStatus.PENDING,
            currency=request.currency,
            items=totals.lines,
            subtotal=totals.subtotal,
            discount=totals.discount,
            total=totals.total,
            campaign=request.campaign,
            billingAddress=request.billingAddress,
            cartId=request.cartId,
            dateCreated=now,
            dateLastUpdated=now,
            lastUpdatedBy=principal.subject,
        )
        event = OrderCreateRequested(
            id=self._ids(), occurredAt=now, correlationId=correlation_id, data=order
        )
        self._requests.publish(event)
        return OrderAccepted(
            orderId=order.id, tenantId=tenant_id, links={"self": f"/v1.0/orders/{order.id}"}
        )

    def get(self, principal: Principal, order_id: str) -> Order:
        """The order, if the caller may see it; another tenant's order is 'not found'."""
        if not ORDER_ID.match(order_id):
            raise OrderNotFound(order_id[:64])
        if principal.is_admin:
            order = self._store.find_by_id(order_id)
        else:
            order = self._store.get(principal.tenant_id, order_id)
        if order is None or not order.active or not principal.can_access_tenant(order.tenantId):
            raise OrderNotFound(order_id)
        return order

    @staticmethod
    def _tenant_for(principal: Principal, requested: str | None) -> str:
        if requested is None or requested == principal.tenant_id:
            return principal.tenant_id
        if not principal.is_admin:
            raise PermissionDenied("Only administrators may create orders for another tenant")
        return requested
