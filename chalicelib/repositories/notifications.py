"""A ledger of sent emails, so each order's emails go out once however often SQS delivers.

Item: `PK = NOTIFICATION#{tenantId}#{orderId}`, `SK = EMAIL#{kind}` with `status` SENDING
(under a lease), SENT, or REFUSED (SES refused the address or message for good). A delivery
claims the item before sending and marks it SENT after; a later delivery sees SENT and does
nothing, so "sent but not deleted from the queue" sends nothing twice. A delivery that finds
another's live lease is retried, not dropped: should that other delivery die before SES, the
retry sends once the lease lapses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.failures import dependency, refused_item
from chalicelib.ports import Claim
from chalicelib.repositories import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LEASE_S = 120  # longer than any send; a crashed sender's claim lapses after it


def _key(tenant_id: str, order_id: str, kind: str) -> dict[str, Any]:
    return keys.attributes(keys.notification_key(tenant_id, order_id, kind))


class NotificationLedger:
    """Claim → send → complete, with conditional writes."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def claim(self, tenant_id: str, order_id: str, kind: str, now: int) -> Claim:
        """`claimed`: this delivery may send; `sent`: it was; `sending`: another holds the lease."""
        with dependency("Could not claim the notification"):
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item={
                        **_key(tenant_id, order_id, kind),
                        "entityType": {"S": "NOTIFICATION"},
                        "status": {"S": "SENDING"},
                        "leaseUntil": {"N": str(now + LEASE_S)},
                    },
                    ConditionExpression=(
                        "attribute_not_exists(PK) OR (#status = :sending AND leaseUntil < :now)"
                    ),
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues={
                        ":sending": {"S": "SENDING"},
                        ":now": {"N": str(now)},
                    },
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except self._client.exceptions.ConditionalCheckFailedException as exc:
                status = (refused_item(exc) or {}).get("status", {}).get("S")
                return "sending" if status == "SENDING" else "sent"  # SENT or REFUSED: done
        return "claimed"

    def complete(self, tenant_id: str, order_id: str, kind: str, message_id: str, now: int) -> None:
        """Mark the email sent (SES's message id kept for support)."""
        self._settle(
            (tenant_id, order_id, kind), "SENT", ("messageId", message_id), ("sentAt", now)
        )

    def refuse(self, tenant_id: str, order_id: str, kind: str, reason: str, now: int) -> None:
        """Mark the email refused for good by SES (kept for support; never sent again)."""
        self._settle(
            (tenant_id, order_id, kind), "REFUSED", ("reason", reason[:1000]), ("refusedAt", now)
        )

    def _settle(
        self, which: tuple[str, str, str], status: str, detail: tuple[str, str], at: tuple[str, int]
    ) -> None:
        """The final state of a claim: SENT or REFUSED, with its detail and time; lease gone."""
        with dependency(f"Could not record the notification as {status}"):
            self._client.update_item(
                TableName=self._table,
                Key=_key(*which),
                UpdateExpression=f"SET #status = :status, {detail[0]} = :detail, {at[0]} = :at "
                "REMOVE leaseUntil",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":status": {"S": status},
                    ":detail": {"S": detail[1]},
                    ":at": {"N": str(at[1])},
                },
            )

    def release(self, tenant_id: str, order_id: str, kind: str) -> None:
        """Give up a claim after a failed send, so the retry may send at once."""
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=_key(tenant_id, order_id, kind),
                ConditionExpression="#status = :sending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":sending": {"S": "SENDING"}},
            )
        except (BotoCoreError, ClientError):
            return  # the lease lapses on its own
