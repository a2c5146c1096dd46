"""When each admin support action last ran on each order: the rate limit and the replay.

Item: `PK = ACTION#{tenantId}#{orderId}`, `SK = {action}` (`rerender-document`, `resend-email`)
with the request's id, when it ran (`at`), the SHA-256 of its `Idempotency-Key` if it had one,
and `expiresAt` (TTL) a day later. One conditional put decides both: a new action is stored only
when the last one is older than the action's window, and never over one with the same key (that
is a retry: the service answers it with the first request's id).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.failures import dependency, refused_item
from chalicelib.ports import ActionRecord
from chalicelib.repositories import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

RETENTION_S = 24 * 3600


class SupportActionStore:
    """`ports.SupportActionLog` on the orders table."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def claim(
        self, tenant_id: str, order_id: str, action: str, record: ActionRecord, window_s: int
    ) -> ActionRecord | None:
        """Store `record` unless a recent one, or one with the same key, is there (returned)."""
        item: dict[str, Any] = {
            **keys.attributes(keys.action_key(tenant_id, order_id, action)),
            "entityType": {"S": "SUPPORT_ACTION"},
            "requestId": {"S": record.request_id},
            "at": {"N": str(record.at)},
            keys.TTL_ATTRIBUTE: {"N": str(record.at + RETENTION_S)},
        }
        values: dict[str, Any] = {
            ":cutoff": {"N": str(record.at - window_s)},
            ":now": {"N": str(record.at)},
        }
        lapsed = "(#at <= :cutoff OR #expires < :now)"
        if record.key_digest:
            item["keyDigest"] = {"S": record.key_digest}
            values[":digest"] = {"S": record.key_digest}
            lapsed = f"({lapsed} AND (attribute_not_exists(#digest) OR #digest <> :digest))"
        with dependency("Could not record the support action"):
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item=item,
                    ConditionExpression=f"attribute_not_exists(PK) OR {lapsed}",
                    ExpressionAttributeNames={
                        "#at": "at",
                        "#expires": keys.TTL_ATTRIBUTE,
                        **({"#digest": "keyDigest"} if record.key_digest else {}),
                    },
                    ExpressionAttributeValues=values,
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except self._client.exceptions.ConditionalCheckFailedException as exc:
                old = refused_item(exc) or {}
                return ActionRecord(
                    request_id=old["requestId"]["S"],
                    at=int(old["at"]["N"]),
                    key_digest=old.get("keyDigest", {}).get("S"),
                )
        return None

    def release(self, tenant_id: str, order_id: str, action: str, request_id: str) -> None:
        """Forget the claim of a request that could not be queued (only that request's)."""
        # If this fails too, the next request waits out the window (429 with Retry-After).
        with contextlib.suppress(BotoCoreError, ClientError):
            self._client.delete_item(
                TableName=self._table,
                Key=keys.attributes(keys.action_key(tenant_id, order_id, action)),
                ConditionExpression="requestId = :id",
                ExpressionAttributeValues={":id": {"S": request_id}},
            )
