"""Customers order carts (contract revision 2): where orderctl gets the cart it orders.

A customer's `POST /v1.0/orders` names a cart; its lines and prices come from the Cart service.
orderctl makes the cart first with `POST /v1.0/carts` of the profile's Cart service (its
`cart_api_url`, `--cart-api-url` or `$ORDERCTL_CART_API_URL`; for `local`, the dev stack's
stub). Administrators' back-office orders (`--tenant`) still send priced lines, and
`orders create --cart ID` orders a cart made elsewhere (the portal).
"""

from __future__ import annotations

from typing import Any

from orderctl.api import Api
from orderctl.errors import UsageError
from orderctl.profiles import Profile


def cart_api_url(profile: Profile) -> str:
    """The profile's Cart service (the local stack's stub for `local`)."""
    if not profile.cart_api_url:
        raise UsageError(
            f"customers order carts, and {profile.describe()} names no Cart service: set its "
            "cart_api_url (or --cart-api-url, $ORDERCTL_CART_API_URL), order a cart made "
            "elsewhere with --cart ID, or place a back-office order as an administrator with "
            "--tenant"
        )
    return profile.cart_api_url.rstrip("/")


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
