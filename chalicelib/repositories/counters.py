"""Per-tenant order numbers from an atomic counter, one counter per region.

PROD writes from two regions into a global table, whose replication is last-writer-wins: a
counter shared by both regions could hand out the same number twice. Each region therefore owns
its counter item and stamps its tag into the number (`ORD-AF-0000042`, `ORD-EU-0000007`), so
numbers are unique per tenant by construction (docs/adr/0006-order-numbers.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.failures import dependency
from chalicelib.repositories import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def region_tag(region: str) -> str:
    """`af-south-1` → `AF`, `eu-west-1` → `EU`."""
    return region.split("-", maxsplit=1)[0].upper()


def order_number(tag: str, sequence: int) -> str:
    """The human-readable number: `ORD-AF-0000042`."""
    return f"ORD-{tag}-{sequence:07d}"


class OrderNumbers:
    """Reserves blocks of numbers: one UpdateItem per tenant per batch."""

    def __init__(self, client: DynamoDBClient, table_name: str, region: str) -> None:
        self._client = client
        self._table = table_name
        self._tag = region_tag(region)

    def reserve(self, tenant_id: str, count: int) -> list[str]:
        """`count` fresh numbers for the tenant, in order; never handed out again."""
        with dependency("Could not reserve order numbers"):
            response = self._client.update_item(
                TableName=self._table,
                Key={
                    "PK": {"S": keys.tenant_pk(tenant_id)},
                    "SK": {"S": f"COUNTER#ORDER#{self._tag}"},
                },
                UpdateExpression="ADD #last :count SET entityType = :type",
                ExpressionAttributeNames={"#last": "lastNumber"},
                ExpressionAttributeValues={":count": {"N": str(count)}, ":type": {"S": "COUNTER"}},
                ReturnValues="UPDATED_NEW",
            )
        last = int(response["Attributes"]["lastNumber"]["N"])
        return [order_number(self._tag, n) for n in range(last - count + 1, last + 1)]
