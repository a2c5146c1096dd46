"""Versioned event envelopes carried by SQS and SNS."""

from __future__ import annotations

from typing import Literal

from chalicelib.models.base import ApiModel
from chalicelib.models.fields import Timestamp
from chalicelib.models.orders import Order


class OrderCreateRequested(ApiModel):
    """Sent by `POST /v1.0/orders`; the record writer stores `data`."""

    type: Literal["OrderCreateRequested"] = "OrderCreateRequested"
    version: Literal[1] = 1
    id: str
    occurredAt: Timestamp
    correlationId: str
    data: Order


class OrderCreated(ApiModel):
    """Published once the order record exists; every downstream processor receives it."""

    type: Literal["OrderCreated"] = "OrderCreated"
    version: Literal[1] = 1
    id: str
    occurredAt: Timestamp
    correlationId: str
    data: Order
