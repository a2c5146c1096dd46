"""Order requests, the Order resource and its parts (the contract in API.md)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, conint, conlist, constr, root_validator, validator

from chalicelib.models.base import ApiModel
from chalicelib.models.money import MAX_UNIT_PRICE, Money

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"
Email = constr(regex=EMAIL_PATTERN, max_length=254)
Currency = constr(regex=r"^[A-Z]{3}$")
ShortText = constr(min_length=1, max_length=200)
Identifier = constr(regex=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


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
    quantity: conint(ge=1, le=1000)  # type: ignore[valid-type]
    unitPrice: Money

    @validator("unitPrice")
    def _positive(cls, value: Decimal) -> Decimal:
        if not Decimal(0) < value <= MAX_UNIT_PRICE:
            raise ValueError(f"unitPrice must be greater than 0 and at most {MAX_UNIT_PRICE}")
        return value


class Campaign(ApiModel):
    """A discount campaign applied to the whole order."""

    code: constr(min_length=1, max_length=64)  # type: ignore[valid-type]
    name: ShortText | None = None  # type: ignore[valid-type]
    discountPercent: Money

    @validator("discountPercent")
    def _percent(cls, value: Decimal) -> Decimal:
        if not Decimal(0) <= value <= Decimal(100):
            raise ValueError("discountPercent must be between 0 and 100")
        return value


class BillingAddress(ApiModel):
    """Where the invoice is addressed."""

    fullName: ShortText  # type: ignore[valid-type]
    line1: ShortText  # type: ignore[valid-type]
    line2: ShortText | None = None  # type: ignore[valid-type]
    city: ShortText  # type: ignore[valid-type]
    province: ShortText | None = None  # type: ignore[valid-type]
    postalCode: constr(min_length=1, max_length=16)  # type: ignore[valid-type]
    country: constr(regex=r"^[A-Z]{2}$")  # type: ignore[valid-type]


class CreateOrderRequest(ApiModel):
    """Body of `POST /v1.0/orders`."""

    customerEmail: Email  # type: ignore[valid-type]
    currency: Currency = "ZAR"  # type: ignore[valid-type]
    items: conlist(OrderItemRequest, min_items=1, max_items=100)  # type: ignore[valid-type]
    campaign: Campaign | None = None
    billingAddress: BillingAddress
    cartId: constr(min_length=1, max_length=128) | None = None  # type: ignore[valid-type]
    tenantId: Identifier | None = Field(None, description="Admins only: the tenant to order for")  # type: ignore[valid-type]


class OrderLine(OrderItemRequest):
    """One line of a stored order, with its computed total."""

    lineTotal: Money


class PaymentDetails(ApiModel):
    """How an order was paid. Card data is never accepted (unknown fields are rejected)."""

    paymentId: constr(min_length=1, max_length=128)  # type: ignore[valid-type]
    provider: constr(min_length=1, max_length=32)  # type: ignore[valid-type]
    method: constr(min_length=1, max_length=32)  # type: ignore[valid-type]
    amount: Money
    currency: Currency  # type: ignore[valid-type]
    paidAt: datetime

    @validator("paidAt")
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("paidAt must carry a timezone (use Z for UTC)")
        return value


class UpdateOrderRequest(ApiModel):
    """Body of `PUT /v1.0/orders/{orderId}`: status, payment details, or (admins) `active`."""

    status: OrderStatus | None = None
    paymentDetails: PaymentDetails | None = None
    active: bool | None = None

    @root_validator(skip_on_failure=True)
    def _something(cls, values: dict[str, object]) -> dict[str, object]:
        if all(values.get(name) is None for name in ("status", "paymentDetails", "active")):
            raise ValueError("send at least one of status, paymentDetails, active")
        return values


class InvoiceState(ApiModel):
    """Whether the PDF invoice has been rendered."""

    available: bool = False


class Order(ApiModel):
    """The Order resource (response body and the event payload)."""

    id: str
    orderNumber: str | None = None
    tenantId: str
    customerEmail: Email  # type: ignore[valid-type]
    status: OrderStatus
    currency: Currency  # type: ignore[valid-type]
    items: list[OrderLine]
    subtotal: Money
    discount: Money
    total: Money
    campaign: Campaign | None = None
    billingAddress: BillingAddress
    cartId: str | None = None
    paymentDetails: PaymentDetails | None = None
    invoice: InvoiceState = InvoiceState()
    dateCreated: datetime
    dateLastUpdated: datetime
    lastUpdatedBy: str
    active: bool = True
    version: int = 1


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
    """Body of `GET /v1.0/orders/{orderId}/invoice`: a short-lived download link."""

    url: str
    expiresIn: int = Field(..., description="Seconds the link stays valid (at most 300)")
