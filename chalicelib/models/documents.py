"""The customer's document for an order, by its status (API.md "Customer documents"; VAT Act s20).

- PENDING / PAYMENT_FAILED: a pro forma invoice. It says it is not a tax invoice, and how and by
  when to pay.
- PAID, PROCESSING, COMPLETED: a tax invoice, with the order number as its serial number.
- CANCELLED: the pro forma, marked cancelled.
- REFUNDED: a credit note.

Only the title and the pro forma's "not a tax invoice" follow from this yet: the order is
rendered once, when it is recorded (PENDING), so today every document is a pro forma. Re-rendering
on status changes, the supplier's particulars and delivery are the rest of issue 16.
"""

from __future__ import annotations

from enum import StrEnum

from chalicelib.models.orders import OrderStatus


class DocumentKind(StrEnum):
    """Which document an order's status calls for."""

    PRO_FORMA = "pro_forma"
    TAX_INVOICE = "tax_invoice"
    CANCELLED_PRO_FORMA = "cancelled_pro_forma"
    CREDIT_NOTE = "credit_note"


TITLES: dict[DocumentKind, str] = {
    DocumentKind.PRO_FORMA: "PRO FORMA INVOICE",
    DocumentKind.TAX_INVOICE: "TAX INVOICE",
    DocumentKind.CANCELLED_PRO_FORMA: "PRO FORMA INVOICE (CANCELLED)",
    DocumentKind.CREDIT_NOTE: "CREDIT NOTE",
}

_BY_STATUS: dict[OrderStatus, DocumentKind] = {
    OrderStatus.PENDING: DocumentKind.PRO_FORMA,
    OrderStatus.PAYMENT_FAILED: DocumentKind.PRO_FORMA,
    OrderStatus.PAID: DocumentKind.TAX_INVOICE,
    OrderStatus.PROCESSING: DocumentKind.TAX_INVOICE,
    OrderStatus.COMPLETED: DocumentKind.TAX_INVOICE,
    OrderStatus.CANCELLED: DocumentKind.CANCELLED_PRO_FORMA,
    OrderStatus.REFUNDED: DocumentKind.CREDIT_NOTE,
}


# The post-deploy smoke test's tenant (docs/delivery.md): its orders are tests, and their
# documents say so and are never tax invoices. Reserved: no customer is put in it.
TEST_TENANTS: frozenset[str] = frozenset({"tenant-smoke"})


def is_test(tenant_id: str) -> bool:
    """Whether the tenant's orders are tests (the smoke test's)."""
    return tenant_id in TEST_TENANTS


def kind_for(status: OrderStatus) -> DocumentKind:
    """The document an order in `status` gets."""
    return _BY_STATUS[status]
