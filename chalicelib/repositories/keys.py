"""The single-table key design (see docs/adr/0003-single-table-keys.md)."""

from __future__ import annotations

ORDERS_BY_DATE_INDEX = "OrdersByDateIndex"  # GSI1: a tenant's orders, newest first
ORDER_BY_ID_INDEX = "OrderByIdIndex"  # GSI2: an order by id across tenants (admins)
TTL_ATTRIBUTE = "expiresAt"
# Partition key prefixes, one per writer: IAM's `dynamodb:LeadingKeys` confines each function to
# the partitions it owns (the email senders can write ledger items and nothing else).
TENANT = "TENANT#"
NOTIFICATION = "NOTIFICATION#"
IDEMPOTENCY = "IDEMPOTENCY#"
CART = "CART#"
ACTION = "ACTION#"


def tenant_pk(tenant_id: str) -> str:
    """Partition of a tenant's orders and order-number counters."""
    return f"{TENANT}{tenant_id}"


def notification_key(tenant_id: str, order_id: str, kind: str) -> dict[str, str]:
    """The ledger item of one order's email of one kind (a partition per order)."""
    return {"PK": f"{NOTIFICATION}{tenant_id}#{order_id}", "SK": f"EMAIL#{kind}"}


def idempotency_key(tenant_id: str, digest: str) -> dict[str, str]:
    """The record of one `Idempotency-Key` of a tenant (a partition per key)."""
    return {"PK": f"{IDEMPOTENCY}{tenant_id}#{digest}", "SK": "REQUEST"}


def cart_claim_key(tenant_id: str, cart_id: str) -> dict[str, str]:
    """Which order a tenant's cart became (a partition per cart; one order per cart)."""
    return {"PK": f"{CART}{tenant_id}#{cart_id}", "SK": "ORDER"}


def action_key(tenant_id: str, order_id: str, action: str) -> dict[str, str]:
    """When a support action last ran on one order (a partition per order)."""
    return {"PK": f"{ACTION}{tenant_id}#{order_id}", "SK": action}


def order_sk(order_id: str) -> str:
    """Sort key of an order inside its tenant's partition."""
    return f"ORDER#{order_id}"


def attributes(key: dict[str, str]) -> dict[str, dict[str, str]]:
    """A key of string attributes as DynamoDB's low-level API takes it (`{"PK": {"S": …}}`)."""
    return {name: {"S": value} for name, value in key.items()}


def order_keys(tenant_id: str, order_id: str, date_created: str) -> dict[str, str]:
    """Table and index keys of one order item, named and shaped as the requirements say
    (section 3.2): GSI1_PK/GSI1_SK, GSI2_PK/GSI2_SK."""
    return {
        "PK": tenant_pk(tenant_id),
        "SK": order_sk(order_id),
        "GSI1_PK": tenant_pk(tenant_id),
        "GSI1_SK": f"{date_created}#{order_id}",  # newest first: ISO 8601 sorts as time
        "GSI2_PK": order_sk(order_id),
        "GSI2_SK": "METADATA",
    }
