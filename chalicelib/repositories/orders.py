"""Orders in the single DynamoDB table (key design: docs/adr/0003-single-table-keys.md)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from chalicelib import log, metrics
from chalicelib.clock import iso
from chalicelib.errors import StoredDataUnreadable
from chalicelib.failures import dependency, refused_item
from chalicelib.models.documents import KIND_RANK
from chalicelib.models.orders import DocumentKind, IssuedDocument, Order, OrderStatus
from chalicelib.ports import OrderChange, Page, Position, UpdateRejected
from chalicelib.repositories import keys
from chalicelib.repositories.pages import query_page

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ENTITY = "ORDER"
# Storage attributes, not order fields. `updatedIn` is the region whose API last changed the order:
# with a global table every replica's stream sees every change, and only that region's stream
# consumer acts on it (repositories/order_stream.py).
_KEY_ATTRIBUTES = (
    *("PK", "SK", "GSI1_PK", "GSI1_SK", "GSI2_PK", "GSI2_SK"),
    *("entityType", "updatedIn", "issuedKinds"),
)
# The kinds in `documents`, as a string set: what `record_document`'s condition can test.
ISSUED_KINDS = "issuedKinds"
UPDATED_IN = "updatedIn"
_PAGE_KEYS = ("PK", "SK", "GSI1_PK", "GSI1_SK")
# Before the fix of issue 13, a paidAt in years 1-999 was stored without its leading zeros.
_UNPADDED_YEAR = re.compile(r"^([0-9]{1,3})-")
_TIMESTAMP_FIELDS = ("dateCreated", "dateLastUpdated")


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
    if order.documents:
        plain[ISSUED_KINDS] = {d.kind.value for d in order.documents}
    serializer = _serializer()
    return {name: serializer.serialize(value) for name, value in plain.items() if value is not None}


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the model's integers are strict."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _pad_year(value: Any) -> Any:
    if isinstance(value, str) and (match := _UNPADDED_YEAR.match(value)):
        return match.group(1).zfill(4) + value[len(match.group(1)) :]
    return value


def upgrade(plain: dict[str, Any]) -> dict[str, Any]:
    """Known damaged forms written by earlier versions, read as they were meant."""
    for name in _TIMESTAMP_FIELDS:
        plain[name] = _pad_year(plain.get(name))
    payment = plain.get("paymentDetails")
    if isinstance(payment, dict):
        payment["paidAt"] = _pad_year(payment.get("paidAt"))
    return plain


def item_to_plain(item: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB attribute map → plain values (storage keys dropped)."""
    deserializer = _deserializer()
    return {
        name: _plain(deserializer.deserialize(value))
        for name, value in item.items()
        if name not in _KEY_ATTRIBUTES
    }


def from_item(item: dict[str, Any]) -> Order:
    """DynamoDB attribute map → Order; `StoredDataUnreadable` when it does not parse."""
    try:
        return Order.parse_obj(upgrade(item_to_plain(item)))
    except (ValidationError, TypeError, ValueError) as exc:
        where = {name: item.get(name, {}).get("S") for name in ("PK", "SK")}
        metrics.count("UnreadableItems")
        log.logger.error(
            "A stored order does not parse: run `orderctl repair` "
            "(docs/runbooks/damaged-orders.md)",
            extra={"item_key": where, "problem": str(exc)[:2000]},
        )
        raise StoredDataUnreadable("The order's stored record cannot be read") from exc


def readable_orders(items: list[dict[str, Any]]) -> list[Order]:
    """The orders of a page; an unreadable one is logged and left out, never breaks the list."""
    orders = []
    for item in items:
        try:
            orders.append(from_item(item))
        except StoredDataUnreadable:
            continue
    return orders


def position_of(item: dict[str, Any]) -> Position:
    """The position of a raw item (its GSI1 sort key is {dateCreated}#{orderId})."""
    created, order_id = item["GSI1_SK"]["S"].split("#", 1)
    return Position(created, order_id)


class OrderRepository:
    """AP1 get, AP3/AP5 list newest first (GSI1), AP4 get across tenants (GSI2); writes."""

    def __init__(self, client: DynamoDBClient, table_name: str, region: str | None = None) -> None:
        self._client = client
        self._table = table_name
        self._region = region

    def create(self, order: Order) -> tuple[bool, Order]:
        """Put the order unless it exists: (True, order), or (False, the stored order).

        The stored one comes back with the refusal (`ReturnValuesOnConditionCheckFailure`),
        so a redelivery costs one request, like the first delivery.
        """
        with dependency("Could not store the order"):
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item=to_item(order),
                    ConditionExpression="attribute_not_exists(PK)",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except self._client.exceptions.ConditionalCheckFailedException as exc:
                old = refused_item(exc)
                return False, from_item(old) if old else order
        return True, order

    def mark_invoice(self, tenant_id: str, order_id: str, kind: DocumentKind) -> None:
        """Record the order's current document (system metadata: the version is not bumped).

        Never back to a lower kind: a late pro forma cannot hide the tax invoice from the link.
        """
        lower_or_same = [k for k in DocumentKind if KIND_RANK[k] <= KIND_RANK[kind]]
        names = {f":k{i}": {"S": k.value} for i, k in enumerate(lower_or_same)}
        with dependency("Could not record the invoice"):
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=_primary_key(tenant_id, order_id),
                    UpdateExpression="SET invoice = :invoice",
                    ConditionExpression="attribute_exists(PK) AND (attribute_not_exists"
                    "(invoice.#kind) OR attribute_type(invoice.#kind, :null) OR "
                    f"invoice.#kind IN ({', '.join(names)}))",
                    ExpressionAttributeNames={"#kind": "kind"},
                    ExpressionAttributeValues={
                        ":invoice": {"M": {"available": {"BOOL": True}, "kind": {"S": kind.value}}},
                        ":null": {"S": "NULL"},
                        **names,
                    },
                )
            except self._client.exceptions.ConditionalCheckFailedException:
                return  # the order is gone, or already shows a later document

    def record_document(self, tenant_id: str, order_id: str, entry: IssuedDocument) -> Order | None:
        """Add `entry` to the order's documents unless one of its kind is there: one conditional
        UpdateItem. The order as it stands (with this entry, or the one recorded first); None
        when the order is gone. System metadata: the version is not bumped."""
        kind = entry.kind.value
        with dependency("Could not record the document"):
            try:
                response = self._client.update_item(
                    TableName=self._table,
                    Key=_primary_key(tenant_id, order_id),
                    UpdateExpression="SET documents = list_append(if_not_exists(documents, :none), "
                    f":entry) ADD {ISSUED_KINDS} :kinds",
                    ConditionExpression=f"attribute_exists(PK) AND (attribute_not_exists("
                    f"{ISSUED_KINDS}) OR NOT contains({ISSUED_KINDS}, :kind))",
                    ExpressionAttributeValues={
                        ":none": {"L": []},
                        ":entry": {"L": [_serializer().serialize(json.loads(entry.json()))]},
                        ":kinds": {"SS": [kind]},
                        ":kind": {"S": kind},
                    },
                    ReturnValues="ALL_NEW",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except self._client.exceptions.ConditionalCheckFailedException as exc:
                old = refused_item(exc)
                return from_item(old) if old else None
        return from_item(response["Attributes"])

    def get(self, tenant_id: str, order_id: str) -> Order | None:
        """AP1: one item by its primary key."""
        with dependency("Could not read the order"):
            response = self._client.get_item(
                TableName=self._table,
                Key=_primary_key(tenant_id, order_id),
                ConsistentRead=True,
            )
        item = response.get("Item")
        return from_item(item) if item else None

    def find_by_id(self, order_id: str) -> Order | None:
        """AP4: the order with this id in any tenant (GSI2, eventually consistent)."""
        with dependency("Could not read the order"):
            response = self._client.query(
                TableName=self._table,
                IndexName=keys.ORDER_BY_ID_INDEX,
                KeyConditionExpression="GSI2_PK = :pk",
                ExpressionAttributeValues={":pk": {"S": keys.order_sk(order_id)}},
                Limit=1,
            )
        items = response.get("Items", [])
        return from_item(items[0]) if items else None

    def list_page(
        self,
        tenant_id: str,
        page_size: int,
        after: Position | None,
        status: OrderStatus | None,
        active_only: bool,
    ) -> Page:
        """AP3 (newest first) and AP5 (by status): one Query on GSI1, in the tenant's range.

        Only orders carry GSI1 keys in a tenant's partition of the index (register lines are in
        its `DOCUMENTS` partition), so other item types never appear. Status and `active` are
        filters inside the tenant's key range: a page may come back short, with a cursor to
        continue from (still one request per page: repositories/pages.py).
        """
        request = self._newest_first(tenant_id, active_only, status=status)
        if after:
            start = keys.order_keys(tenant_id, after.order_id, after.created)
            request["ExclusiveStartKey"] = keys.attributes({k: start[k] for k in _PAGE_KEYS})
        items, last = query_page(self._client, request, page_size, "Could not list orders")
        return Page(readable_orders(items), position_of(last) if last else None)

    def find_by_number(self, tenant_id: str, order_number: str, active_only: bool) -> Order | None:
        """AP6: a tenant's order by number. A filter on the tenant's GSI1 range, read page by
        page until the order appears (numbers are unique per tenant, so at most one matches).

        The cost grows with the tenant's orders (about one read unit per 4 KB of them, newest
        first); support looks up recent orders, which come first (docs/api-decisions.md).
        """
        request = self._newest_first(tenant_id, active_only, order_number=order_number)
        with dependency("Could not look up the order"):
            while True:
                response = self._client.query(**request)
                items = readable_orders(response.get("Items", []))
                if items:
                    return items[0]
                if "LastEvaluatedKey" not in response:
                    return None
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _newest_first(
        self,
        tenant_id: str,
        active_only: bool,
        status: OrderStatus | None = None,
        order_number: str | None = None,
    ) -> dict[str, Any]:
        """A Query of the tenant's GSI1 range, newest first, with the filters asked for."""
        filters: list[str] = []
        names: dict[str, str] = {}
        values: dict[str, Any] = {":pk": {"S": keys.tenant_pk(tenant_id)}}
        if status is not None:
            filters.append("#status = :status")
            values[":status"] = {"S": status.value}
            names["#status"] = "status"
        if order_number is not None:
            filters.append("orderNumber = :number")
            values[":number"] = {"S": order_number}
        if active_only:
            filters.append("active = :true")
            values[":true"] = {"BOOL": True}
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.ORDERS_BY_DATE_INDEX,
            "KeyConditionExpression": "GSI1_PK = :pk",
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
        }
        if filters:
            request["FilterExpression"] = " AND ".join(filters)
        if names:
            request["ExpressionAttributeNames"] = names
        return request

    def update(self, tenant_id: str, order_id: str, change: OrderChange) -> Order:
        """One conditional UpdateItem; on a failed condition, `UpdateRejected` carries the item.

        `ReturnValuesOnConditionCheckFailure` explains a rejection without a second read.
        """
        sets = ["dateLastUpdated = :now", "lastUpdatedBy = :actor"]
        conditions = ["attribute_exists(PK)"]
        names: dict[str, str] = {"#version": "version"}
        values: dict[str, Any] = {
            ":now": {"S": iso(change.now)},
            ":actor": {"S": change.actor},
            ":one": {"N": "1"},
        }
        if self._region:
            sets.append(f"{UPDATED_IN} = :region")
            values[":region"] = {"S": self._region}
        if change.status is not None:
            sets.append("#status = :status")
            names["#status"] = "status"
            values[":status"] = {"S": change.status.value}
            if change.allowed_from is not None:
                sources = sorted(s.value for s in change.allowed_from) or ["-none-"]
                placeholders = [f":from{i}" for i in range(len(sources))]
                conditions.append(f"#status IN ({', '.join(placeholders)})")
                values.update({p: {"S": s} for p, s in zip(placeholders, sources, strict=True)})
        if change.payment is not None:
            sets.append("paymentDetails = :payment")
            values[":payment"] = _serializer().serialize(json.loads(change.payment.json()))
        if change.refund is not None:
            sets.append("refundDetails = :refund")
            values[":refund"] = _serializer().serialize(json.loads(change.refund.json()))
        if change.require_amount is not None:
            conditions.append("#total = :amount AND currency = :currency")
            names["#total"] = "total"
            values[":amount"] = {"S": change.require_amount[0]}
            values[":currency"] = {"S": change.require_amount[1]}
        if change.created_not_after is not None:  # ISO 8601 UTC strings of one format sort as time
            conditions.append("dateCreated <= :created_not_after")
            values[":created_not_after"] = {"S": change.created_not_after}
        if change.paid_not_after is not None:
            conditions.append(
                "(attribute_not_exists(paymentDetails.paidAt) OR paymentDetails.paidAt <= :paid_by)"
            )
            values[":paid_by"] = {"S": change.paid_not_after}
        if change.active is not None:
            sets.append("active = :active")
            values[":active"] = {"BOOL": change.active}
        if change.require_active:
            conditions.append("active = :true")
            values[":true"] = {"BOOL": True}
        if change.expected_version is not None:
            conditions.append("#version = :expected")
            values[":expected"] = {"N": str(change.expected_version)}
        with dependency("Could not update the order"):
            try:
                response = self._client.update_item(
                    TableName=self._table,
                    Key=_primary_key(tenant_id, order_id),
                    UpdateExpression=f"SET {', '.join(sets)} ADD #version :one",
                    ConditionExpression=" AND ".join(conditions),
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                    ReturnValues="ALL_NEW",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except self._client.exceptions.ConditionalCheckFailedException as exc:
                old = refused_item(exc)
                raise UpdateRejected(from_item(old) if old else None) from exc
        return from_item(response["Attributes"])


def _primary_key(tenant_id: str, order_id: str) -> dict[str, Any]:
    return keys.attributes({"PK": keys.tenant_pk(tenant_id), "SK": keys.order_sk(order_id)})
