"""The customer's document for an order, by its status (API.md "Customer documents"; VAT Act s20).

- PENDING / PAYMENT_FAILED: a pro forma invoice. It says it is not a tax invoice, and how and by
  when to pay.
- PAID, PROCESSING, COMPLETED: a tax invoice, with the order number as its serial number.
- CANCELLED: the pro forma, marked cancelled.
- REFUNDED: a credit note, referencing the tax invoice.

The pro forma, the tax invoice and the cancelled pro forma are versions of one object
(`order_{id}.pdf`); the credit note is an object of its own (`credit_note_{id}.pdf`). A document
never goes back: its `rank` only grows along the life cycle, so a late or redelivered event for
an earlier status never replaces a later document.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.models.orders import DocumentKind, OrderStatus
from chalicelib.models.status_effects import DocumentName, effects_of

# How far along each kind is; a stored document is only ever replaced by a higher one.
KIND_RANK: dict[DocumentKind, int] = {
    DocumentKind.PRO_FORMA: 0,
    DocumentKind.TAX_INVOICE: 1,
    DocumentKind.CREDIT_NOTE: 2,
}


@dataclass(frozen=True)
class Document:
    """One of the four documents an order can have."""

    kind: DocumentKind
    cancelled: bool = False

    @property
    def name(self) -> DocumentName:
        """`proforma`, `proforma-cancelled`, `tax-invoice` or `credit-note` (S3 metadata, logs)."""
        return DocumentName(f"{self.kind.value}-cancelled" if self.cancelled else self.kind.value)

    @property
    def title(self) -> str:
        """The heading printed on the document."""
        return TITLES[self.name]

    @property
    def rank(self) -> int:
        """Order along the life cycle: pro forma 0; tax invoice or cancelled pro forma 1; 2."""
        return KIND_RANK[self.kind] + (1 if self.cancelled else 0)

    @property
    def is_tax_invoice(self) -> bool:
        """Whether this is a tax invoice under s20 (a test tenant's never is: see `is_test`)."""
        return self.kind is DocumentKind.TAX_INVOICE

    def key(self, tenant_id: str, order_id: str) -> str:
        """Where it lives in the orders bucket (API.md, "S3 layout")."""
        if self.kind is DocumentKind.CREDIT_NOTE:
            return f"{tenant_id}/orders/credit_note_{order_id}.pdf"
        return f"{tenant_id}/orders/order_{order_id}.pdf"

    def number(self, order_number: str) -> str:
        """The document's serial number: the order number; a credit note's is `CN-` + it."""
        return f"CN-{order_number}" if self.kind is DocumentKind.CREDIT_NOTE else order_number

    @classmethod
    def named(cls, name: str) -> Document:
        """The document of a `name` (as stored in S3 metadata); ValueError when unknown."""
        known = DocumentName(name)
        cancelled = known.value.endswith("-cancelled")
        return cls(DocumentKind(known.value.removesuffix("-cancelled")), cancelled)


# The documents of VAT Act s20 and s21: one original each (a further render says COPY), and what
# the VAT report sums.
VAT_DOCUMENTS = (DocumentKind.TAX_INVOICE, DocumentKind.CREDIT_NOTE)

PRO_FORMA = Document(DocumentKind.PRO_FORMA)
CANCELLED_PRO_FORMA = Document(DocumentKind.PRO_FORMA, cancelled=True)
TAX_INVOICE = Document(DocumentKind.TAX_INVOICE)
CREDIT_NOTE = Document(DocumentKind.CREDIT_NOTE)

TITLES: dict[DocumentName, str] = {
    DocumentName.PRO_FORMA: "PRO FORMA INVOICE",
    DocumentName.PRO_FORMA_CANCELLED: "PRO FORMA INVOICE (CANCELLED)",
    DocumentName.TAX_INVOICE: "TAX INVOICE",
    DocumentName.CREDIT_NOTE: "CREDIT NOTE",
}


# The post-deploy smoke test's tenant (docs/delivery.md): its orders are tests, and their
# documents say so and are never tax invoices. Reserved: no customer is put in it.
TEST_TENANTS: frozenset[str] = frozenset({"tenant-smoke"})


def is_test(tenant_id: str) -> bool:
    """Whether the tenant's orders are tests (the smoke test's)."""
    return tenant_id in TEST_TENANTS


def document_for(status: OrderStatus) -> Document:
    """The document an order in `status` gets (models/status_effects.py)."""
    return Document.named(effects_of(status).document)


def changes_document(previous: OrderStatus, status: OrderStatus) -> bool:
    """Whether moving from `previous` to `status` issues a new document (and a customer email).

    PENDING → PAYMENT_FAILED keeps the pro forma; PAID → PROCESSING → COMPLETED keep the tax
    invoice: no new document, no email.
    """
    return document_for(previous) != document_for(status)
