"""Orders in the single DynamoDB table."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.errors import DependencyFailed
from chalicelib.models.orders import Order
from chalicelib.repositories import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ENTITY = "ORDER"
_KEY_ATTRIBUTES = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "entityType")


def _serializer() -> Any:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer()


def _deserializer() -> Any:
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer()


def to_item(order: Order) -> dict[str, Any]:
    """Order → DynamoDB attribute map, in its wire form: money and times as exact strings."""
    plain = json.loads(order.json())
    plain.update(keys.order_keys(order.tenantId, order.id, plain["dateCreated"]))
    plain["entityType"] = ENTITY
    serializer = _serializer()
    return {name: serializer.serialize(value) for name, value in plain.items() if value is not None}


def from_item(item: dict[str, Any]) -> Order:
    """DynamoDB attribute map → Order (storage keys dropped)."""
    deserializer = _deserializer()
    plain = {
        name: deserializer.deserialize(value)
        for name, value in item.items()
        if name not in _KEY_ATTRIBUTES
    }
    return Order.parse_obj(plain)


class OrderRepository:
    """AP1 (tenant + id) and AP4 (id across tenants) reads; conditional creation."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def create(self, order: Order) -> bool:
        """Put the order unless it exists; False (and nothing written) when it does."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_item(order),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        except (BotoCoreError, ClientError) as exc:
            raise DependencyFailed("Could not store the order") from exc
        return True

    def get(self, tenant_id: str, order_id: str) -> Order | None:
        """AP1: one item by its primary key."""
        try:
            response = self._client.get_item(
                TableName=self._table,
                Key={"PK": {"S": keys.tenant_pk(tenant_id)}, "SK": {"S": keys.order_sk(order_id)}},
                ConsistentRead=True,
            )
        except (BotoCoreError, ClientError) as exc:
            raise DependencyFailed("Could not read the order") from exc
        item = response.get("Item")
        return from_item(item) if item else None

    def find_by_id(self, order_id: str) -> Order | None:
        """AP4: the order with this id in any tenant (GSI2, eventually consistent)."""
        try:
            response = self._client.query(
                TableName=self._table,
                IndexName=keys.ORDER_BY_ID_INDEX,
                KeyConditionExpression="GSI2PK = :pk",
                ExpressionAttributeValues={":pk": {"S": keys.order_sk(order_id)}},
                Limit=1,
            )
        except (BotoCoreError, ClientError) as exc:
            raise DependencyFailed("Could not read the order") from exc
        items = response.get("Items", [])
        return from_item(items[0]) if items else None
