"""What each order status does for the customer and the team: one typed table (docs/adr/0028).

For every status: the document an order in it has, the email the customer gets on entering it
(and whether that email carries the document), and whether the team is told. Services read this
table; adapters (the PDF and email renderers) only present what they are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from chalicelib.models.orders import OrderStatus


class DocumentName(StrEnum):
    """A document an order can have; the values are stored in S3 metadata and carried by events."""

    PRO_FORMA = "proforma"
    PRO_FORMA_CANCELLED = "proforma-cancelled"
    TAX_INVOICE = "tax-invoice"
    CREDIT_NOTE = "credit-note"


class CustomerEmail(StrEnum):
    """An email the customer gets; the values are the email ledger's names (each sent once)."""

    RECEIVED = "customer"
    PAYMENT_FAILED = "customer-payment-failed"
    PAYMENT_RECEIVED = "customer-paid"
    CANCELLED = "customer-cancelled"
    REFUNDED = "customer-refunded"


@dataclass(frozen=True)
class StatusEffects:
    """What an order entering one status gets."""

    document: DocumentName  # the document an order in this status has (issued if it is new)
    customer_email: CustomerEmail | None  # sent once when the order enters the status
    attaches_document: bool  # that email carries the document
    tells_team: bool  # the internal notification is sent


STATUS_EFFECTS: Mapping[OrderStatus, StatusEffects] = MappingProxyType(
    {
        OrderStatus.PENDING: StatusEffects(
            DocumentName.PRO_FORMA, CustomerEmail.RECEIVED, attaches_document=True, tells_team=True
        ),
        OrderStatus.PAYMENT_FAILED: StatusEffects(
            DocumentName.PRO_FORMA,
            CustomerEmail.PAYMENT_FAILED,
            attaches_document=True,
            tells_team=False,
        ),
        OrderStatus.PAID: StatusEffects(
            DocumentName.TAX_INVOICE,
            CustomerEmail.PAYMENT_RECEIVED,
            attaches_document=True,
            tells_team=False,
        ),
        OrderStatus.PROCESSING: StatusEffects(
            DocumentName.TAX_INVOICE, None, attaches_document=False, tells_team=False
        ),
        OrderStatus.COMPLETED: StatusEffects(
            DocumentName.TAX_INVOICE, None, attaches_document=False, tells_team=False
        ),
        OrderStatus.CANCELLED: StatusEffects(
            DocumentName.PRO_FORMA_CANCELLED,
            CustomerEmail.CANCELLED,
            attaches_document=False,
            tells_team=False,
        ),
        OrderStatus.REFUNDED: StatusEffects(
            DocumentName.CREDIT_NOTE,
            CustomerEmail.REFUNDED,
            attaches_document=True,
            tells_team=False,
        ),
    }
)


def effects_of(status: OrderStatus) -> StatusEffects:
    """The row of `status`."""
    return STATUS_EFFECTS[status]


def email_announcing(document: DocumentName) -> CustomerEmail | None:
    """The email that first carries `document`: of the first status (in life-cycle order) that
    has it and emails the customer. An operator's resend, and events queued before events named
    their email, send this one."""
    return next(
        (
            row.customer_email
            for row in STATUS_EFFECTS.values()
            if row.document is document and row.customer_email is not None
        ),
        None,
    )


def attaches(email: CustomerEmail) -> bool:
    """Whether `email` carries the order's document."""
    return any(
        row.attaches_document for row in STATUS_EFFECTS.values() if row.customer_email is email
    )
