"""Idempotency records for `POST /v1.0/orders`, kept beside the tenant's orders.

Item: `PK = IDEMPOTENCY#{tenantId}#{sha256(key)}`, `SK = REQUEST`, with the request's hash, the
order id it produced, the event that was enqueued, and `expiresAt` (TTL) 24 h after creation.
A record whose `expiresAt` has passed counts as absent, whatever DynamoDB's TTL sweep has done.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.failures import dependency, refused_item
from chalicelib.ports import IdempotencyRecord, key_digest
from chalicelib.repositories import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

RETENTION = timedelta(hours=24)


def _key(tenant_id: str, idempotency_key: str) -> dict[str, Any]:
    return keys.attributes(keys.idempotency_key(tenant_id, key_digest(idempotency_key)))


class IdempotencyStore:
    """Claims keys atomically; a lost race returns the winner's record without a second read."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def claim(
        self, tenant_id: str, idempotency_key: str, record: IdempotencyRecord
    ) -> IdempotencyRecord | None:
        """Store `record` unless a live one exists; returns the existing one (None: claimed)."""
        now = int(record.created_at.timestamp())
        item = {
            **_key(tenant_id, idempotency_key),
            "entityType": {"S": "IDEMPOTENCY"},
            "requestHash": {"S": record.request_hash},
            "orderId": {"S": record.order_id},
            "event": {"S": record.event},
            "createdAt": {"N": str(now)},
            keys.TTL_ATTRIBUTE: {"N": str(now + int(RETENTION.total_seconds()))},
        }
        with dependency("Could not record the idempotency key"):
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item=item,
                    ConditionExpression="attribute_not_exists(PK) OR #expires < :now",
                    ExpressionAttributeNames={"#expires": keys.TTL_ATTRIBUTE},
                    ExpressionAttributeValues={":now": {"N": str(now)}},
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except self._client.exceptions.ConditionalCheckFailedException as exc:
                old = refused_item(exc) or {}
                return IdempotencyRecord(
                    request_hash=old["requestHash"]["S"],
                    order_id=old["orderId"]["S"],
                    event=old["event"]["S"],
                    created_at=datetime.fromtimestamp(int(old["createdAt"]["N"]), UTC),
                )
        return None

    def release(self, tenant_id: str, idempotency_key: str) -> None:
        """Forget a claim whose request failed, so a retry can succeed (best effort)."""
        # If this fails too, the record expires on its own; a retry meanwhile gets a 202 for an
        # order that was never enqueued, which the replay path re-sends after REDELIVER_AFTER.
        with contextlib.suppress(BotoCoreError, ClientError):
            self._client.delete_item(TableName=self._table, Key=_key(tenant_id, idempotency_key))
