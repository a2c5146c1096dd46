"""The supplier's particulars printed on every document (VAT Act s20(4), s21(3)): a stage setting.

`SUPPLIER_PARTICULARS` holds them as JSON (.chalice/config.json per stage; locally also in
`.local/stack.json` as `supplier`). A stage without them renders pro formas but refuses to issue a
tax invoice or credit note: a tax invoice without the supplier's VAT number is not one, and
issuing it would be worse than the dead-lettered message and alarm the refusal causes.
"""

from __future__ import annotations

from pydantic import BaseModel, Extra, Field


class BankAccount(BaseModel):
    """Where customers pay by EFT (printed on the pro forma)."""

    bank: str = Field(..., min_length=1, max_length=120)
    accountName: str = Field(..., min_length=1, max_length=120)
    accountNumber: str = Field(..., regex=r"^[0-9]{6,16}$")
    branchCode: str = Field(..., regex=r"^[0-9]{6}$")

    class Config:
        extra = Extra.forbid
        frozen = True


class Supplier(BaseModel):
    """Name, address, VAT and company registration numbers, contact and bank details."""

    name: str = Field(..., min_length=1, max_length=120)
    address: list[str] = Field(..., min_items=2, max_items=6)
    # A South African VAT number: ten digits starting with 4.
    vatNumber: str | None = Field(None, regex=r"^4[0-9]{9}$")
    companyRegistration: str | None = Field(None, regex=r"^[0-9]{4}/[0-9]{6}/[0-9]{2}$")
    email: str = Field(..., min_length=1, max_length=120)
    website: str | None = Field(None, min_length=1, max_length=120)
    bank: BankAccount
    paymentTermsDays: int = Field(7, ge=0, le=90)

    class Config:
        extra = Extra.forbid
        frozen = True

    @property
    def may_issue_tax_invoices(self) -> bool:
        """A tax invoice needs the supplier's VAT number (s20(4)(b))."""
        return self.vatNumber is not None


class SupplierNotConfigured(Exception):
    """A tax invoice or credit note was due but the stage has no supplier VAT particulars."""
