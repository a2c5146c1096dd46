"""The documents register and the VAT report (contract revision 3, admins only).

The register lists each document issued (a pro forma, a tax invoice, a credit note) once, by
its date of issue in South Africa; copies are not documents. The VAT report sums the register's
tax invoices and credit notes of a period: what the VAT201 return's output tax needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import Field

from chalicelib.models.base import ApiModel
from chalicelib.models.fields import Amount, Currency, Timestamp
from chalicelib.models.orders import DocumentKind, IssueDate, IssuedDocument, Order, Pagination

MAX_PERIOD_DAYS = 366  # a register or report covers at most a (leap) year of dates of issue


class RegisterEntry(ApiModel):
    """One document as issued: its number and date, its order, its amounts."""

    kind: DocumentKind
    number: str
    orderId: str
    orderNumber: str | None = None
    tenantId: str
    issuedAt: Timestamp
    issueDate: IssueDate  # type: ignore[valid-type]
    currency: Currency
    total: Amount
    vatAmount: Amount
    totalExclVat: Amount


def entry_of(order: Order, issued: IssuedDocument) -> RegisterEntry:
    """The register's line for a document of `order` (a credit note's amounts are the order's:
    refunds are in full)."""
    return RegisterEntry(
        kind=issued.kind,
        number=issued.number,
        orderId=order.id,
        orderNumber=order.orderNumber,
        tenantId=order.tenantId,
        issuedAt=issued.issuedAt,
        issueDate=issued.issueDate,
        currency=order.currency,
        total=order.total,
        vatAmount=order.vatAmount,
        totalExclVat=order.totalExclVat,
    )


class DocumentList(ApiModel):
    """Body of `GET /v1.0/documents`: oldest first."""

    items: list[RegisterEntry]
    pagination: Pagination


class VatTotals(ApiModel):
    """How many documents of a kind, and their sums (VAT-inclusive total, VAT, excl. VAT)."""

    count: int = 0
    total: Decimal = Decimal("0.00")
    vat: Decimal = Decimal("0.00")
    exclVat: Decimal = Decimal("0.00")

    def plus(self, entry: RegisterEntry) -> VatTotals:
        """These totals with `entry` added."""
        return VatTotals(
            count=self.count + 1,
            total=self.total + entry.total,
            vat=self.vat + entry.vatAmount,
            exclVat=self.exclVat + entry.totalExclVat,
        )


class VatReport(ApiModel):
    """Body of `GET /v1.0/reports/vat`: `outputTax = taxInvoices.vat - creditNotes.vat`."""

    start: str = Field(..., alias="from")
    to: str
    currency: str = "ZAR"
    taxInvoices: VatTotals
    creditNotes: VatTotals
    outputTax: Decimal

    class Config:
        allow_population_by_field_name = True


@dataclass(frozen=True)
class Period:
    """Dates of issue from `start` to `end`, both included."""

    start: date
    end: date


@dataclass(frozen=True)
class RegisterQuery:
    """A register request's parameters, validated (api/params.py)."""

    period: Period
    kind: DocumentKind | None
    page_size: int
    start_at: str | None = None
