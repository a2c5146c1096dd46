"""Versioned event envelopes carried by SQS and SNS: one envelope, a `type` per event."""

from __future__ import annotations

from typing import Literal

from chalicelib.models.base import ApiModel
from chalicelib.models.fields import Timestamp
from chalicelib.models.orders import Order, OrderStatus
from chalicelib.models.status_effects import CustomerEmail, DocumentName


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


class DocumentIssued(OrderEvent):
    """From the document renderer to the customer emailer: a document was stored for the order.

    `key` and `versionId` name the exact object version to attach (a later re-render makes a new
    version; the email still carries the one it announces). `data` is the order it was rendered
    from. `email` is the customer's email it calls for (models/status_effects.py); events queued
    before it was carried have none, and mean the email that first carries the document.
    """

    type: Literal["DocumentIssued"] = "DocumentIssued"
    document: DocumentName
    email: CustomerEmail | None = None
    key: str
    versionId: str | None = None
    resend: str | None = None  # an operator's resend (its request id): sent again, once


class SupportRequest(OrderEvent):
    """From an admin's support route to the document renderer: `id` is the request's id.

    `data` is the order as the API read it; `requestedBy` the operator (Cognito subject).
    """

    requestedBy: str


class DocumentRenderRequested(SupportRequest):
    """`POST …/rerender-document`: store the current document again, rendered afresh (a new S3
    version with today's templates); the customer is not emailed."""

    type: Literal["DocumentRenderRequested"] = "DocumentRenderRequested"


class CustomerEmailResendRequested(SupportRequest):
    """`POST …/resend-email`: send the customer the current document's email again, with the
    stored document attached."""

    type: Literal["CustomerEmailResendRequested"] = "CustomerEmailResendRequested"


# What each processor's queue carries (processing.py parses them by `type`).
# The document renderer's: a new order (SNS), a status change (the stream consumer), an admin's
# support request (the API).
RendererMessage = (
    OrderCreated | OrderStatusChanged | DocumentRenderRequested | CustomerEmailResendRequested
)
# The customer emailer's: a document announced, or an `OrderCreated` queued before that.
CustomerEmailMessage = DocumentIssued | OrderCreated
