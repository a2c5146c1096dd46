"""What the services need from the outside world (implemented by repositories and messaging)."""

from __future__ import annotations

from typing import Protocol

from chalicelib.models.base import ApiModel
from chalicelib.models.orders import Order


class OrderStore(Protocol):
    """Order persistence."""

    def create(self, order: Order) -> bool:
        """Store a new order; False when an order with this id already exists (nothing written)."""

    def get(self, tenant_id: str, order_id: str) -> Order | None:
        """One tenant's order by id (AP1)."""

    def find_by_id(self, order_id: str) -> Order | None:
        """Any tenant's order by id (AP4, admins)."""


class EventPublisher(Protocol):
    """Somewhere events go (an SQS queue or the SNS fan-out topic)."""

    def publish(self, event: ApiModel) -> None:
        """Send one event; raise `DependencyFailed` if it could not be sent."""
