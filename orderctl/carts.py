"""Customers order carts (contract revision 2): where orderctl gets the cart it orders.

A customer's `POST /v1.0/orders` names a cart; its lines and prices come from the Cart service.
orderctl makes the cart first with `POST /v1.0/carts` of the Cart service at `--cart-api-url`
(or `$ORDERCTL_CART_API_URL`; the local stack's stub is found on its own). Administrators' back-
office orders (`--tenant`) still send priced lines, and `orders create --cart ID` orders a cart
made elsewhere (the portal).
"""

from __future__ import annotations

import os
from typing import Any

from orderctl import auth
from orderctl.api import Api
from orderctl.errors import OrderctlError

CART_API_ENV = "ORDERCTL_CART_API_URL"


def cart_api_url(given: str | None, base_url: str) -> str:
    """--cart-api-url, else $ORDERCTL_CART_API_URL, else the local stack's Cart stub."""
    url = given or os.environ.get(CART_API_ENV)
    if url:
        if not url.startswith(("http://", "https://")):
            raise OrderctlError(f"--cart-api-url must be an http(s) URL, not {url!r}")
        return url.rstrip("/")
    stub = (auth.local_stack() or {}).get("cartApiUrl") if auth.is_local(base_url) else None
    if not stub:
        raise OrderctlError(
            "customers order carts: name the Cart service with --cart-api-url (or "
            f"${CART_API_ENV}), order a cart made elsewhere with --cart ID, or place a "
            "back-office order as an administrator with --tenant"
        )
    return str(stub).rstrip("/")


def as_cart_order(api: Api, cart_api: str, body: dict[str, Any]) -> dict[str, Any]:
    """A customer's body for a priced demo body: its lines become a new cart, priced there.

    The Cart service's catalog prices the lines; the body keeps only the customer's own fields.
    """
    cart: dict[str, Any] = {
        "items": [{"productId": i["productId"], "quantity": i["quantity"]} for i in body["items"]]
    }
    if body.get("campaign"):
        cart["campaignCode"] = body["campaign"]["code"]
    return cart_body(api.new_cart(cart_api, cart), body)


def cart_body(cart_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The customer's CreateOrderRequest for `cart_id`, with `body`'s email and address."""
    return {
        "cartId": cart_id,
        "customerEmail": body["customerEmail"],
        "billingAddress": body["billingAddress"],
    }
