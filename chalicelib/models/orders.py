"""Order requests, the Order resource and its parts (the contract in API.md)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import Field, StrictBool, conint, conlist, root_validator

from chalicelib.models.base import ApiModel, nullable_optionals
from chalicelib.models.fields import (
    TENANT_ID_PATTERN,
    Amount,
    Currency,
    Email,
    Percent,
    Timestamp,
    UnitPrice,
    pattern,
    text,
)
from chalicelib.models.money import STATUTORY_VAT_RATE, format_money, vat_in

ShortText = text(200, "ShortText")
Label = text(64, "Label")
PostalCode = text(16, "PostalCode")
Identifier = pattern(
    r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$", "must be 1-64 letters, digits or ._:-", name="Identifier"
)
CartId = pattern(
    r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", "must be 1-128 letters, digits or ._:-", name="CartId"
)
TenantId = pattern(
    TENANT_ID_PATTERN, "must be 2-63 lower-case letters, digits or hyphens", name="TenantId"
)
CountryCode = pattern(r"^[A-Z]{2}$", "must be an ISO 3166 alpha-2 code, e.g. ZA", name="Country")
VatNumber = pattern(
    r"^[A-Z0-9]{4,20}$",
    "must be 4-20 capital letters or digits, no spaces (South Africa: 10 digits starting with 4)",
    name="VatNumber",
)
Quantity = conint(strict=True, ge=1, le=1000)


class OrderStatus(StrEnum):
    """Where an order is in its life."""

    PENDING = "PENDING"
    PAID = "PAID"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    REFUNDED = "REFUNDED"


class OrderItemRequest(ApiModel):
    """One line as the client sends it."""

    productId: Identifier  # type: ignore[valid-type]
    productName: ShortText  # type: ignore[valid-type]
    quantity: Quantity  # type: ignore[valid-type]
    unitPrice: UnitPrice


class Campaign(ApiModel):
    """A discount campaign applied to the whole order."""

    code: Label  # type: ignore[valid-type]
    name: ShortText | None = None  # type: ignore[valid-type]
    discountPercent: Percent


class BillingAddress(ApiModel):
    """Where the invoice is addressed."""

    fullName: ShortText  # type: ignore[valid-type]
    companyName: ShortText | None = Field(  # type: ignore[valid-type]
        None, description="The recipient company, printed on the tax invoice when given"
    )
    vatNumber: VatNumber | None = Field(  # type: ignore[valid-type]
        None, description="The recipient's VAT registration number, when VAT-registered"
    )
    line1: ShortText  # type: ignore[valid-type]
    line2: ShortText | None = None  # type: ignore[valid-type]
    city: ShortText  # type: ignore[valid-type]
    province: ShortText | None = None  # type: ignore[valid-type]
    postalCode: PostalCode  # type: ignore[valid-type]
    country: CountryCode  # type: ignore[valid-type]


# A cart order carries none of the fields that say what is bought or at what price; an order
# without a cart carries priced lines (back office). A field sent as null counts as sent.
PRICED_FIELDS = ("items", "campaign", "currency", "tenantId")
CREATE_RULES: list[dict[str, Any]] = [
    {
        "anyOf": [
            {
                "required": ["cartId"],
                "properties": {"cartId": {"type": "string"}},
                "not": {"anyOf": [{"required": [name]} for name in PRICED_FIELDS]},
            },
            {
                "required": ["items"],
                "properties": {"items": {"type": "array"}},
                "not": {"required": ["cartId"], "properties": {"cartId": {"type": "string"}}},
            },
        ]
    }
]


class CreateOrderRequest(ApiModel):
    """Body of `POST /v1.0/orders`: a customer's cart, or (admins) priced lines."""

    class Config:
        @staticmethod
        def schema_extra(schema: dict[str, Any], model: type[CreateOrderRequest]) -> None:
            nullable_optionals(schema, model)
            schema["allOf"] = CREATE_RULES

    customerEmail: Email
    currency: Currency = "ZAR"
    items: conlist(OrderItemRequest, min_items=1, max_items=100) | None = Field(  # type: ignore[valid-type]
        None, description="Back office (admins): priced lines instead of a cart"
    )
    campaign: Campaign | None = None
    billingAddress: BillingAddress
    cartId: CartId | None = Field(  # type: ignore[valid-type]
        None, description="The cart to order: lines, prices, campaign and currency come from it"
    )
    tenantId: TenantId | None = Field(None, description="Admins only: the tenant to order for")  # type: ignore[valid-type]


class OrderLine(OrderItemRequest):
    """One line of a stored order, with its computed total."""

    lineTotal: Amount


PaymentRef = pattern(
    r"^[\x21-\x7e]{1,128}$", "must be 1-128 visible ASCII characters", name="PaymentRef"
)
PaymentLabel = pattern(
    r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,31}$",
    "must be 1-32 letters, digits, spaces or ._-",
    32,
    name="PaymentLabel",
)


class PaymentDetails(ApiModel):
    """How an order was paid. Card data is never accepted (unknown fields are rejected)."""

    paymentId: PaymentRef  # type: ignore[valid-type]
    provider: PaymentLabel  # type: ignore[valid-type]
    method: PaymentLabel  # type: ignore[valid-type]
    amount: Amount
    currency: Currency
    paidAt: Timestamp


RefundReason = text(200, "RefundReason")


class RefundDetails(ApiModel):
    """How an order was refunded (contract revision 3): in full; `reason` is printed on the
    credit note (VAT Act s21 wants the circumstances)."""

    refundId: PaymentRef  # type: ignore[valid-type]
    amount: Amount
    currency: Currency
    refundedAt: Timestamp
    reason: RefundReason  # type: ignore[valid-type]


def _present(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": [name], "properties": {name: schema}}


_NOT_NULL_STATUS = {"type": "string", "enum": [s.value for s in OrderStatus]}
_PAYMENT_STATUSES = ["PAID", "PAYMENT_FAILED"]
# The rules between the fields, in JSON Schema, so that the document says exactly what is
# accepted: at least one field; payment details only with PAID or PAYMENT_FAILED; PAID needs them;
# refund details only with REFUNDED, which needs them.
UPDATE_RULES: list[dict[str, Any]] = [
    {
        "anyOf": [
            _present("status", _NOT_NULL_STATUS),
            _present("paymentDetails", {"type": "object"}),
            _present("refundDetails", {"type": "object"}),
            _present("active", {"type": "boolean"}),
        ]
    },
    {
        "anyOf": [
            {"properties": {"paymentDetails": {"enum": [None]}}},
            _present("status", {"type": "string", "enum": _PAYMENT_STATUSES}),
        ]
    },
    {
        "anyOf": [
            {"properties": {"status": {"not": {"enum": ["PAID"]}}}},
            _present("paymentDetails", {"type": "object"}),
        ]
    },
    {
        "anyOf": [
            {"properties": {"refundDetails": {"enum": [None]}}},
            _present("status", {"type": "string", "enum": ["REFUNDED"]}),
        ]
    },
    {
        "anyOf": [
            {"properties": {"status": {"not": {"enum": ["REFUNDED"]}}}},
            _present("refundDetails", {"type": "object"}),
        ]
    },
]


class UpdateOrderRequest(ApiModel):
    """Body of `PUT /v1.0/orders/{orderId}`: status, payment or refund details, or (admins)
    `active`."""

    class Config:
        @staticmethod
        def schema_extra(schema: dict[str, Any], model: type[UpdateOrderRequest]) -> None:
            nullable_optionals(schema, model)
            schema["allOf"] = UPDATE_RULES

    status: OrderStatus | None = None
    paymentDetails: PaymentDetails | None = None
    refundDetails: RefundDetails | None = None
    active: StrictBool | None = None

    @root_validator(skip_on_failure=True)
    def _something(cls, values: dict[str, object]) -> dict[str, object]:
        fields = ("status", "paymentDetails", "refundDetails", "active")
        if all(values.get(name) is None for name in fields):
            raise ValueError(f"send at least one of {', '.join(fields)}")
        return values


class DocumentKind(StrEnum):
    """The kind of the order's current document (API.md, "Customer documents")."""

    PRO_FORMA = "proforma"
    TAX_INVOICE = "tax-invoice"
    CREDIT_NOTE = "credit-note"


class InvoiceState(ApiModel):
    """Whether the order's document has been rendered, and which kind it is."""

    available: bool = False
    kind: DocumentKind | None = Field(
        None, description="proforma, tax-invoice or credit-note; null until the first is stored"
    )


IssueDate = pattern(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "must be a date, YYYY-MM-DD", name="IssueDate")


class IssuedDocument(ApiModel):
    """A document the order was issued (contract revision 3): fixed once it is first issued."""

    kind: DocumentKind
    number: str = Field(..., description="The document's serial number (a credit note: CN-…)")
    issuedAt: Timestamp = Field(..., description="When it was first issued (UTC)")
    issueDate: IssueDate = Field(  # type: ignore[valid-type]
        ..., description="Its date of issue as printed on it (Africa/Johannesburg)"
    )


ORDER_EXAMPLES = {
    "subtotal": "598.00",
    "discount": "149.50",
    "total": "448.50",
    "vatRate": "15.00",
    "vatAmount": "58.50",
    "totalExclVat": "390.00",
}


class Order(ApiModel):
    """The Order resource (response body and the event payload)."""

    class Config:
        @staticmethod
        def schema_extra(schema: dict[str, Any], model: type[Order]) -> None:
            nullable_optionals(schema, model)
            for name, example in ORDER_EXAMPLES.items():  # API.md's order: 448.50 incl. VAT
                schema["properties"][name]["example"] = example

    id: str
    orderNumber: str | None = None
    tenantId: str
    customerEmail: Email
    status: OrderStatus
    currency: Currency
    items: list[OrderLine]
    subtotal: Amount
    discount: Amount
    total: Amount
    vatRate: Percent = Field(..., description="The VAT rate (%) the order was sold at")
    vatAmount: Amount = Field(..., description="The VAT inside total (prices include VAT)")
    totalExclVat: Amount = Field(..., description="total - vatAmount")
    campaign: Campaign | None = None
    billingAddress: BillingAddress
    cartId: str | None = None
    paymentDetails: PaymentDetails | None = None
    refundDetails: RefundDetails | None = None
    invoice: InvoiceState = Field(default_factory=lambda: InvoiceState(available=False, kind=None))
    documents: list[IssuedDocument] = Field(
        default_factory=list, description="The documents issued, oldest first (revision 3)"
    )
    dateCreated: Timestamp
    dateLastUpdated: Timestamp
    lastUpdatedBy: str
    active: bool = True
    version: int = 1

    def issued(self, kind: DocumentKind) -> IssuedDocument | None:
        """The document of `kind` as first issued; None when it has not been."""
        return next((d for d in self.documents if d.kind is kind), None)

    @root_validator(pre=True)
    def _vat_of_older_orders(cls, values: dict[str, Any]) -> dict[str, Any]:
        """Orders stored, or events queued, before orders carried VAT: computed on read, at the
        statutory rate they were sold at (API.md "Order")."""
        if all(name in values for name in ("vatRate", "vatAmount", "totalExclVat")):
            return values
        filled = {"vatRate": str(STATUTORY_VAT_RATE), **values}
        try:
            total, rate = Decimal(str(filled["total"])), Decimal(str(filled["vatRate"]))
            vat = vat_in(total, rate)
        except (KeyError, ArithmeticError, ValueError):
            return filled  # the fields' own validation says what is wrong
        filled.setdefault("vatAmount", format_money(vat))
        filled.setdefault("totalExclVat", format_money(total - vat))
        return filled


class OrderAccepted(ApiModel):
    """Body of the 202 answer to `POST /v1.0/orders`."""

    orderId: str
    tenantId: str
    status: OrderStatus = OrderStatus.PENDING
    links: dict[str, str]


class Pagination(ApiModel):
    """Where a list page ends; `nextStartAt` is an opaque, signed cursor."""

    pageSize: int
    nextStartAt: str | None = None
    hasMore: bool


class OrderListResponse(ApiModel):
    """Body of `GET /v1.0/tenants/{tenantId}/orders`, newest first."""

    items: list[Order]
    pagination: Pagination


class InvoiceLink(ApiModel):
    """Body of `GET /v1.0/orders/{orderId}/invoice`: a short-lived link to the current document."""

    url: str
    expiresIn: int = Field(..., description="Seconds the link stays valid (at most 300)")
    kind: DocumentKind = Field(
        ...,
        description="The current document: proforma (unpaid or cancelled), tax-invoice (paid) "
        "or credit-note (refunded)",
    )


@dataclass(frozen=True)
class ListQuery:
    """A list request's parameters, validated (api/params.py)."""

    page_size: int
    start_at: str | None = None
    status: OrderStatus | None = None
    order_number: str | None = None  # exact: the one order of that number, or none
