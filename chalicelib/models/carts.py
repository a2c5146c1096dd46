"""A cart as the Cart service answers it (API.md "Cart service"): what a customer orders.

The service reads the cart with the caller's token and keeps a snapshot of it on the order.
Every field is validated as strictly as a back-office order's: a cart whose lines would not pass
as priced items is not ordered. Fields the Cart service adds later are ignored (it is another
team's API), fields it drops are an error.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Extra, conlist

from chalicelib.models.base import ApiModel
from chalicelib.models.fields import Currency
from chalicelib.models.orders import Campaign, CartId, OrderItemRequest, TenantId

MAX_CART_LINES = 100  # as many as an order may have


class CartStatus(StrEnum):
    """Whether the cart may still be ordered."""

    OPEN = "OPEN"
    CHECKED_OUT = "CHECKED_OUT"


class CartLine(OrderItemRequest):
    """One line of a cart: product, name, quantity and the Cart service's unit price."""

    class Config:
        extra = Extra.ignore


class Cart(ApiModel):
    """`GET /v1.0/carts/{cartId}` of the Cart service."""

    class Config:
        extra = Extra.ignore

    cartId: CartId  # type: ignore[valid-type]
    tenantId: TenantId  # type: ignore[valid-type]
    currency: Currency
    items: conlist(CartLine, max_items=MAX_CART_LINES)  # type: ignore[valid-type]
    campaign: Campaign | None = None
    status: CartStatus
