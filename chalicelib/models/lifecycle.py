"""The order life cycle as data, in one place: which status may follow which, who may set each.

API.md (revision 2), "Roles" and "UpdateOrderRequest". `services/state_machine.py` and
`services/order_updates.py` enforce these tables; `scripts/openapi.py` prints them into the
OpenAPI document. Nothing a customer's token can do moves money.
"""

from __future__ import annotations

from enum import StrEnum

from chalicelib.models.orders import OrderStatus as S


class Role(StrEnum):
    """What a caller may do, from the token's Cognito groups (a user of a tenant: customer)."""

    CUSTOMER = "customer"
    PAYMENTS = "payments"  # the payment system's service identity
    ADMIN = "admin"  # platform operators


# Cognito group → role. A user in none of these groups is a customer of its own tenant.
GROUP_ROLES: dict[str, Role] = {"payments": Role.PAYMENTS, "admin": Role.ADMIN}

TRANSITIONS: dict[S, frozenset[S]] = {
    S.PENDING: frozenset({S.PAID, S.CANCELLED, S.PAYMENT_FAILED}),
    S.PAYMENT_FAILED: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.PROCESSING, S.REFUNDED}),
    S.PROCESSING: frozenset({S.COMPLETED, S.REFUNDED}),
    S.COMPLETED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}

# Which statuses each role may ask for.
MAY_SET: dict[Role, frozenset[S]] = {
    Role.CUSTOMER: frozenset({S.CANCELLED}),
    Role.PAYMENTS: frozenset({S.PAID, S.PAYMENT_FAILED, S.REFUNDED}),
    Role.ADMIN: frozenset({S.PROCESSING, S.COMPLETED, S.CANCELLED}),
}
# A role's own limit on the statuses it may move an order from (on top of TRANSITIONS).
ONLY_FROM: dict[tuple[Role, S], frozenset[S]] = {
    (Role.CUSTOMER, S.CANCELLED): frozenset({S.PENDING, S.PAYMENT_FAILED}),
}
# Roles that act on any tenant's order (customers: their own tenant's only).
ACROSS_TENANTS: frozenset[Role] = frozenset({Role.PAYMENTS, Role.ADMIN})
# Roles that may create orders (customers from their carts; admins also back-office orders).
MAY_CREATE: frozenset[Role] = frozenset({Role.CUSTOMER, Role.ADMIN})
# Roles that may send priced lines instead of a cart (back-office orders). A customer's prices,
# lines, campaign or currency are 400: they come from the Cart service (contract revision 2).
MAY_PRICE: frozenset[Role] = frozenset({Role.ADMIN})
# Roles that may fetch an order's document (its presigned link): the customer's own tenant, and
# operators. The payment system reads orders to check amounts, never the customer's name and
# address on a document (docs/adr/0026).
MAY_FETCH_DOCUMENTS: frozenset[Role] = frozenset({Role.CUSTOMER, Role.ADMIN})
# Roles that may read the documents register and the VAT report (every tenant's documents).
MAY_READ_REGISTER: frozenset[Role] = frozenset({Role.ADMIN})
# Roles that may soft-delete or restore an order (`active`) and place back-office orders.
MAY_SET_ACTIVE: frozenset[Role] = frozenset({Role.ADMIN})


def roles_of(groups: frozenset[str]) -> frozenset[Role]:
    """The roles of a caller in these Cognito groups; customer when in none of them."""
    return frozenset(GROUP_ROLES[g] for g in groups if g in GROUP_ROLES) or frozenset(
        {Role.CUSTOMER}
    )


def may_do(role: Role) -> str:
    """What the role may change, in words (403 details and the OpenAPI document)."""
    whose = "any tenant's" if role in ACROSS_TENANTS else "its own tenant's"
    free = sorted(s.value for s in MAY_SET[role] if (role, s) not in ONLY_FROM)
    parts = [f"{', '.join(free)} on {whose} orders"] if free else []
    for status in sorted(s for s in MAY_SET[role] if (role, s) in ONLY_FROM):
        sources = " or ".join(s.value for s in sorted(ONLY_FROM[(role, status)]))
        parts.append(f"{status.value} on {whose} {sources} orders")
    if role in MAY_SET_ACTIVE:
        parts.append(f"active (soft delete) on {whose} orders")
    return "; ".join(parts)


def role_table() -> str:
    """The roles table as Markdown (the OpenAPI description of `PUT /v1.0/orders/{orderId}`)."""
    rows = [f"| {role.value} | {may_do(role)} |" for role in Role]
    return "\n".join(["| Role | May set |", "|---|---|", *rows])
