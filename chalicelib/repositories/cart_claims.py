"""One order per cart: `PK = CART#{tenantId}#{cartId}`, `SK = ORDER`, holding the order's id.

The API claims the cart with a conditional put before it enqueues the order. Of any number of
concurrent POSTs of one cart exactly one wins, and a refused claim hands back the winner's
record without a second read. The claim keeps what the winner enqueued (the event, the request's
hash and the `Idempotency-Key` digest, if any): it is the cart order's idempotency record, so a
cart order costs one write with or without a key. Claims do not expire: an ordered cart stays
ordered. Across two regions see docs/adr/0014-orders-from-carts.md.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.failures import dependency, refused_item
from chalicelib.ports import IdempotencyRecord
from chalicelib.repositories import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _key(tenant_id: str, cart_id: str) -> dict[str, Any]:
    return keys.attributes(keys.cart_claim_key(tenant_id, cart_id))


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name, {}).get("S")
    return str(value) if value is not None else None


def _held(item: dict[str, Any]) -> IdempotencyRecord:
    """The claim as stored; claims written before the record was kept hold just the order id."""
    claimed_at = int(item.get("claimedAt", {}).get("N", "0"))
    return IdempotencyRecord(
        request_hash=_text(item, "requestHash") or "",
        order_id=_text(item, "orderId") or "unknown",
        event=_text(item, "event") or "",
        created_at=datetime.fromtimestamp(claimed_at, UTC),
        key_digest=_text(item, "keyDigest"),
    )


class CartClaimStore:
    """Conditional writes on the claim item."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def claim(
        self, tenant_id: str, cart_id: str, record: IdempotencyRecord
    ) -> IdempotencyRecord | None:
        """Claim the cart for `record`'s order; the record holding it already, or None."""
        item = {
            **_key(tenant_id, cart_id),
            "entityType": {"S": "CART_CLAIM"},
            "orderId": {"S": record.order_id},
            "requestHash": {"S": record.request_hash},
            "event": {"S": record.event},
            "claimedAt": {"N": str(int(record.created_at.timestamp()))},
        }
        if record.key_digest is not None:
            item["keyDigest"] = {"S": record.key_digest}
        with dependency("Could not claim the cart"):
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item=item,
                    ConditionExpression="attribute_not_exists(PK)",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except self._client.exceptions.ConditionalCheckFailedException as exc:
                return _held(refused_item(exc) or {})
        return None

    def release(self, tenant_id: str, cart_id: str, order_id: str) -> None:
        """Give the cart back if this order still holds it (best effort: its enqueue failed)."""
        with contextlib.suppress(BotoCoreError, ClientError):
            self._client.delete_item(
                TableName=self._table,
                Key=_key(tenant_id, cart_id),
                ConditionExpression="orderId = :mine",
                ExpressionAttributeValues={":mine": {"S": order_id}},
            )
