"""Versioned event envelopes carried by SQS and SNS: one envelope, a `type` per event."""

from __future__ import annotations

from typing import Literal

from chalicelib.models.base import ApiModel
from chalicelib.models.fields import Timestamp
from chalicelib.models.orders import Order, OrderStatus


class OrderEvent(ApiModel):
    """The envelope every order event shares; `data` is the order as it stands."""

    type: str
    version: Literal[1] = 1
    id: str
    occurredAt: Timestamp
    correlationId: str
    data: Order


class OrderCreateRequested(OrderEvent):
    """Sent by `POST /v1.0/orders`; the record writer stores `data`."""

    type: Literal["OrderCreateRequested"] = "OrderCreateRequested"


class OrderCreated(OrderEvent):
    """Published once the order record exists; every downstream processor receives it."""

    type: Literal["OrderCreated"] = "OrderCreated"


class OrderStatusChanged(OrderEvent):
    """From the table's stream: the order's status changed; `data` is the order after it.

    One event per change: its `id` is derived from the order and its version, so a stream record
    delivered again makes the same event, and consumers' ledgers see it once.
    """

    type: Literal["OrderStatusChanged"] = "OrderStatusChanged"
    previousStatus: OrderStatus
