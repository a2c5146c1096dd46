"""The documents register in the single table: one item per document issued (docs/adr/0030).

Item: `PK = TENANT#{tenantId}` (the renderer's own partitions), `SK = DOCUMENT#{kind}#{orderId}`.
Its GSI1 keys put every tenant's documents in one partition of the index, by date of issue:
`GSI1_PK = DOCUMENTS`, `GSI1_SK = {issueDate}#{issuedAt}#{kind}#{tenantId}#{orderId}` (ISO dates
sort as time; the rest makes it unique and is where a page resumes). A period is one key range:
one Query per page, never a scan.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from chalicelib import log, metrics
from chalicelib.failures import dependency
from chalicelib.models.orders import DocumentKind
from chalicelib.models.register import Period, RegisterEntry
from chalicelib.ports import InvalidStartKey, RegisterPage
from chalicelib.repositories import keys
from chalicelib.repositories.pages import query_page

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ENTITY = "DOCUMENT"
REGISTER_PARTITION = "DOCUMENTS"
_FIELDS = tuple(RegisterEntry.__fields__)


def index_key(entry: RegisterEntry) -> str:
    """GSI1_SK: by date of issue, then instant; unique per document."""
    plain = json.loads(entry.json())
    return "#".join(
        [plain["issueDate"], plain["issuedAt"], entry.kind.value, entry.tenantId, entry.orderId]
    )


def item_key(tenant_id: str, kind: DocumentKind, order_id: str) -> dict[str, str]:
    """The register item's primary key."""
    return {"PK": keys.tenant_pk(tenant_id), "SK": f"DOCUMENT#{kind.value}#{order_id}"}


def _start_key(index_sk: str) -> dict[str, Any]:
    """ExclusiveStartKey of the item whose GSI1_SK is `index_sk`; ValueError when malformed."""
    _, _, kind, tenant_id, order_id = index_sk.split("#")
    key = item_key(tenant_id, DocumentKind(kind), order_id)
    return keys.attributes({**key, "GSI1_PK": REGISTER_PARTITION, "GSI1_SK": index_sk})


class DocumentRegister:
    """Adds documents as they are first issued; lists a period's, oldest first."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add(self, entry: RegisterEntry) -> None:
        """Write the document's line (the same line however often: an idempotent upsert).

        UpdateItem, not PutItem: the renderer's role updates items in its tenants' partitions
        and may not replace them."""
        plain = {k: v for k, v in json.loads(entry.json()).items() if v is not None}
        plain.update(entityType=ENTITY, GSI1_PK=REGISTER_PARTITION, GSI1_SK=index_key(entry))
        names = {f"#f{i}": name for i, name in enumerate(plain)}
        values = {f":v{i}": {"S": str(value)} for i, value in enumerate(plain.values())}
        sets = ", ".join(f"#f{i} = :v{i}" for i in range(len(plain)))
        with dependency("Could not register the document"):
            self._client.update_item(
                TableName=self._table,
                Key=keys.attributes(item_key(entry.tenantId, entry.kind, entry.orderId)),
                UpdateExpression=f"SET {sets}",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )

    def page(
        self,
        period: Period,
        kinds: tuple[DocumentKind, ...] | None,
        limit: int | None,
        after: str | None,
    ) -> RegisterPage:
        """One Query: the period's documents (of `kinds`) after the GSI1_SK `after`, oldest
        first; at most `limit` (None: as many as one response holds, 1 MB)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.ORDERS_BY_DATE_INDEX,
            "KeyConditionExpression": "GSI1_PK = :p AND GSI1_SK BETWEEN :from AND :to",
            "ExpressionAttributeValues": {
                ":p": {"S": REGISTER_PARTITION},
                ":from": {"S": period.start.isoformat()},
                # Every key of the last day: "{day}#…" sorts below "{day+1}".
                ":to": {"S": (period.end + timedelta(days=1)).isoformat()},
            },
        }
        if kinds:
            names = [f":k{i}" for i in range(len(kinds))]
            request["FilterExpression"] = f"#kind IN ({', '.join(names)})"
            request["ExpressionAttributeNames"] = {"#kind": "kind"}
            request["ExpressionAttributeValues"].update(
                {n: {"S": k.value} for n, k in zip(names, kinds, strict=True)}
            )
        if after:
            try:
                request["ExclusiveStartKey"] = _start_key(after)
            except ValueError as exc:
                raise InvalidStartKey(after) from exc
        items, last = query_page(
            self._client, request, limit, "Could not read the documents register"
        )
        return RegisterPage(_entries(items), last["GSI1_SK"]["S"] if last else None)


def _entries(items: list[dict[str, Any]]) -> list[RegisterEntry]:
    entries = []
    for item in items:
        plain = {k: v["S"] for k, v in item.items() if k in _FIELDS and "S" in v}
        try:
            entries.append(RegisterEntry.parse_obj(plain))
        except ValidationError as exc:  # never break the register: logged, alarmed, left out
            metrics.count("UnreadableItems")
            log.logger.error(
                "A register line does not parse",
                extra={"item_key": item.get("SK", {}).get("S"), "problem": str(exc)[:2000]},
            )
    return entries
