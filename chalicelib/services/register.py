"""`GET /v1.0/documents` and `GET /v1.0/reports/vat`: the documents register and the VAT report.

Admins only (the register spans tenants); anyone else is 403 before anything is read. A register
page is one Query; the report reads the period's tax invoices and credit notes page by page and
sums them, so it is exactly the register's sums for the same dates (docs/adr/0030).
"""

from __future__ import annotations

from chalicelib.errors import FieldError, PermissionDenied, ValidationFailed
from chalicelib.log import logger
from chalicelib.models.documents import VAT_DOCUMENTS
from chalicelib.models.lifecycle import MAY_READ_REGISTER
from chalicelib.models.orders import DocumentKind, Pagination
from chalicelib.models.principal import Principal
from chalicelib.models.register import (
    DocumentList,
    Period,
    RegisterQuery,
    VatReport,
    VatTotals,
)
from chalicelib.ports import Cursors, InvalidStartKey, Position, Register

REPORT_CURRENCY = "ZAR"  # the VAT201 return is in rand (docs/adr/0030: other currencies)
_SCOPE = "documents-register"  # what a register cursor is bound to, besides its filter


class RegisterService:
    """The register's pages and the report, for admins."""

    def __init__(self, register: Register, cursors: Cursors) -> None:
        self._register = register
        self._cursors = cursors

    def authorize(self, principal: Principal) -> None:
        """403 unless the caller may read the register (admins)."""
        _require_admin(principal)

    def list(self, principal: Principal, query: RegisterQuery) -> DocumentList:
        """One page of the period's documents (of a kind), oldest first."""
        _require_admin(principal)
        binding = _binding(query.period, query.kind)
        after = None
        if query.start_at:
            after = self._cursors.decode(query.start_at, _SCOPE, binding).created
        kinds = (query.kind,) if query.kind else None
        try:
            page = self._register.page(query.period, kinds, query.page_size, after)
        except InvalidStartKey as exc:
            raise ValidationFailed(
                "startAt is no longer valid", [FieldError("startAt", "expired")]
            ) from exc
        cursor = (
            self._cursors.encode(Position(page.next_after, ""), _SCOPE, binding)
            if page.next_after
            else None
        )
        return DocumentList(
            items=page.entries,
            pagination=Pagination(
                pageSize=query.page_size, nextStartAt=cursor, hasMore=cursor is not None
            ),
        )

    def vat_report(self, principal: Principal, period: Period) -> VatReport:
        """The period's output tax: its tax invoices' VAT less its credit notes' (in rand)."""
        _require_admin(principal)
        totals = {kind: VatTotals() for kind in VAT_DOCUMENTS}
        after: str | None = None
        reads = other_currency = 0
        while True:
            page = self._register.page(period, VAT_DOCUMENTS, None, after)
            reads += 1
            for entry in page.entries:
                if entry.currency != REPORT_CURRENCY:
                    other_currency += 1
                    continue
                totals[entry.kind] = totals[entry.kind].plus(entry)
            after = page.next_after
            if after is None:
                break
        invoices, notes = totals[DocumentKind.TAX_INVOICE], totals[DocumentKind.CREDIT_NOTE]
        logger.info(
            "VAT report",
            extra={"period": _binding(period, None), "queries": reads, "other": other_currency},
        )
        return VatReport.parse_obj(
            {
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
                "currency": REPORT_CURRENCY,
                "taxInvoices": invoices,
                "creditNotes": notes,
                "outputTax": invoices.vat - notes.vat,
            }
        )


def _require_admin(principal: Principal) -> None:
    if not principal.roles & MAY_READ_REGISTER:
        raise PermissionDenied("Only administrators may read the documents register and reports")


def _binding(period: Period, kind: DocumentKind | None) -> str:
    """What a cursor is issued for: the period and the kind (another filter's cursor is 400)."""
    return f"{period.start.isoformat()}..{period.end.isoformat()}:{kind.value if kind else '*'}"
