"""In-memory stand-ins for the service ports (unit tests never touch AWS)."""

from __future__ import annotations

from chalicelib.errors import DependencyFailed
from chalicelib.models.base import ApiModel
from chalicelib.models.orders import Order


class InMemoryOrderStore:
    """OrderStore kept in a dict, keyed like the table: (tenant, id)."""

    def __init__(self) -> None:
        self.orders: dict[tuple[str, str], Order] = {}
        self.writes = 0

    def create(self, order: Order) -> bool:
        key = (order.tenantId, order.id)
        if key in self.orders:
            return False
        self.writes += 1
        self.orders[key] = order
        return True

    def get(self, tenant_id: str, order_id: str) -> Order | None:
        return self.orders.get((tenant_id, order_id))

    def find_by_id(self, order_id: str) -> Order | None:
        return next((o for (_, oid), o in self.orders.items() if oid == order_id), None)


class RecordingPublisher:
    """EventPublisher that keeps what it was given; can be told to fail."""

    def __init__(self, fail: bool = False) -> None:
        self.events: list[ApiModel] = []
        self.fail = fail

    def publish(self, event: ApiModel) -> None:
        if self.fail:
            raise DependencyFailed("queue unavailable")
        self.events.append(event)
