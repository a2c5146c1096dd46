"""What the services need from the outside world (implemented by repositories and messaging)."""

from __future__ import annotations

from typing import Protocol

from chalicelib.models.base import ApiModel
from chalicelib.models.orders import Order, OrderStatus
from chalicelib.repositories.idempotency import IdempotencyRecord
from chalicelib.repositories.orders import OrderChange, Page, Position


class OrderStore(Protocol):
    """Order persistence."""

    def create(self, order: Order) -> tuple[bool, Order]:
        """Store a new order: (True, order), or (False, the order already stored under its id)."""

    def get(self, tenant_id: str, order_id: str) -> Order | None:
        """One tenant's order by id (AP1)."""

    def find_by_id(self, order_id: str) -> Order | None:
        """Any tenant's order by id (AP4, admins)."""

    def list_page(
        self,
        tenant_id: str,
        page_size: int,
        after: Position | None,
        status: OrderStatus | None,
        active_only: bool,
    ) -> Page:
        """A tenant's orders, newest first, optionally of one status (AP3, AP5)."""

    def update(self, tenant_id: str, order_id: str, change: OrderChange) -> Order:
        """Apply a conditional change; raise `UpdateRejected` with the current item if refused."""

    def mark_invoice(self, tenant_id: str, order_id: str) -> None:
        """Record that the order's PDF invoice exists."""


class IdempotencyKeys(Protocol):
    """Remembers what the first request with an `Idempotency-Key` produced."""

    def claim(
        self, tenant_id: str, idempotency_key: str, record: IdempotencyRecord
    ) -> IdempotencyRecord | None:
        """Store `record` unless a live one exists; return the existing one."""

    def release(self, tenant_id: str, idempotency_key: str) -> None:
        """Forget a claim whose request failed."""


class Cursors(Protocol):
    """Signs and verifies list cursors."""

    def encode(self, position: Position, tenant_id: str, status: str | None) -> str:
        """The opaque cursor for continuing after `position`."""

    def decode(self, cursor: str, tenant_id: str, status: str | None) -> Position:
        """The position in a live cursor issued for this list; raise ValidationFailed otherwise."""


class EventPublisher(Protocol):
    """Somewhere events go (an SQS queue or the SNS fan-out topic)."""

    def publish(self, event: ApiModel) -> None:
        """Send one event; raise `DependencyFailed` if it could not be sent."""


class BatchPublisher(Protocol):
    """The fan-out topic, which takes up to ten events per request."""

    def publish_batch(self, events: list[ApiModel]) -> set[int]:
        """Publish; return the indexes of the events that were not accepted."""


class NumberSource(Protocol):
    """Hands out order numbers."""

    def reserve(self, tenant_id: str, count: int) -> list[str]:
        """`count` fresh numbers for the tenant."""
