"""Versioned event envelopes carried by SQS and SNS: one envelope, a `type` per event."""

from __future__ import annotations

from typing import Literal

from chalicelib.models.base import ApiModel
from chalicelib.models.fields import Timestamp
from chalicelib.models.orders import Order


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
