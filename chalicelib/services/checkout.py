"""What an order contains: a customer's cart, read from the Cart service, or (admins) priced lines.

API.md "CreateOrderRequest (revision 2)": a customer orders a cart, and its lines, names, unit
prices, campaign and currency come from the Cart service, never from the customer. Each cart
becomes one order: the claim is a conditional write, so of many concurrent POSTs exactly one
wins and the others learn which order the cart became (and what it enqueued).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.errors import (
    CartServiceUnavailable,
    Conflict,
    FieldError,
    Unprocessable,
    ValidationFailed,
)
from chalicelib.models.carts import CartStatus
from chalicelib.models.lifecycle import MAY_PRICE
from chalicelib.models.orders import (
    PRICED_FIELDS,
    Campaign,
    CreateOrderRequest,
    OrderItemRequest,
)
from chalicelib.models.principal import Principal
from chalicelib.ports import CartClaims, Carts, IdempotencyRecord


@dataclass(frozen=True)
class Contents:
    """The lines, campaign and currency of a new order, and the cart they came from."""

    lines: list[OrderItemRequest]
    campaign: Campaign | None
    currency: str
    cart_id: str | None = None
    checked_out: bool = False  # the Cart service says the cart was checked out already


class Checkout:
    """Turns a create request into an order's contents, and holds each cart to one order."""

    def __init__(self, carts: Carts | None, claims: CartClaims | None) -> None:
        self._carts = carts
        self._claims = claims

    def contents(
        self, principal: Principal, tenant_id: str, request: CreateOrderRequest, authorization: str
    ) -> Contents:
        """The order's contents: the caller's cart, or an administrator's priced lines."""
        if request.cartId is None:
            return _priced(principal, request)
        given = _sent_priced_fields(request)
        if given:
            raise ValidationFailed(
                "An order from a cart takes its lines, prices, campaign and currency from the cart",
                [FieldError(name, "not allowed with cartId") for name in given],
            )
        if self._carts is None:
            raise CartServiceUnavailable("No Cart service is configured for this stage")
        cart = self._carts.get(request.cartId, authorization)
        if cart is None or cart.tenantId != tenant_id:
            raise Unprocessable(
                "There is no such cart", [FieldError("cartId", "no cart with this id for you")]
            )
        if not cart.items:
            raise Unprocessable(
                "The cart is empty", [FieldError("cartId", "the cart has no items")]
            )
        return Contents(
            lines=list(cart.items),
            campaign=cart.campaign,
            currency=cart.currency,
            cart_id=cart.cartId,
            checked_out=cart.status is CartStatus.CHECKED_OUT,
        )

    def claim(
        self, tenant_id: str, contents: Contents, record: IdempotencyRecord
    ) -> IdempotencyRecord | None:
        """Make the cart `record`'s order; the record of the order it became already, or None."""
        if contents.cart_id is None or self._claims is None:
            return None
        holder = self._claims.claim(tenant_id, contents.cart_id, record)
        if holder is not None:
            return holder
        if contents.checked_out:  # ordered, but not through this service's claim: say so
            self._claims.release(tenant_id, contents.cart_id, record.order_id)
            raise Conflict(f"Cart {contents.cart_id!r} is checked out already")
        return None

    def release(self, tenant_id: str, contents: Contents, order_id: str) -> None:
        """Give the cart back: its order could not be enqueued."""
        if contents.cart_id is not None and self._claims is not None:
            self._claims.release(tenant_id, contents.cart_id, order_id)


def _priced(principal: Principal, request: CreateOrderRequest) -> Contents:
    if principal.roles & MAY_PRICE:  # an administrator's back-office order
        if request.items is None:
            raise ValidationFailed(
                "Send priced items (or the cartId of a cart to order)",
                [FieldError("items", "required for a back-office order without cartId")],
            )
        return Contents(
            lines=list(request.items), campaign=request.campaign, currency=request.currency
        )
    given = _sent_priced_fields(request)
    raise ValidationFailed(
        "Customers order carts: lines, prices, the campaign and the currency come from the cart",
        [
            *(FieldError(name, "not allowed: customers send cartId") for name in given),
            FieldError("cartId", "required: the cart to order"),
        ],
    )


def _sent_priced_fields(request: CreateOrderRequest) -> list[str]:
    """The fields that say what is bought or at what price, as sent (null counts as sent)."""
    return [name for name in PRICED_FIELDS if name in request.__fields_set__]
