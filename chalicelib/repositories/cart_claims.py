"""One order per cart: `PK = CART#{tenantId}#{cartId}`, `SK = ORDER`, holding the order's id.

The API claims the cart with a conditional put before it enqueues the order. Of any number of
concurrent POSTs of one cart exactly one wins, and a refused claim hands back the winner's order
id without a second read. Claims do not expire: an ordered cart stays ordered. Across two
regions see docs/adr/0014-orders-from-carts.md.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.failures import dependency, refused_item
from chalicelib.repositories import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _key(tenant_id: str, cart_id: str) -> dict[str, Any]:
    return keys.attributes(keys.cart_claim_key(tenant_id, cart_id))


class CartClaimStore:
    """Conditional writes on the claim item."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def claim(self, tenant_id: str, cart_id: str, order_id: str) -> str | None:
        """Claim the cart for `order_id`; the order id already holding it, or None (claimed)."""
        item = {
            **_key(tenant_id, cart_id),
            "entityType": {"S": "CART_CLAIM"},
            "orderId": {"S": order_id},
            "claimedAt": {"N": str(int(time.time()))},
        }
        with dependency("Could not claim the cart"):
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item=item,
                    ConditionExpression="attribute_not_exists(PK)",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except self._client.exceptions.ConditionalCheckFailedException as exc:
                old = refused_item(exc) or {}
                return str(old.get("orderId", {}).get("S", "unknown"))
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
