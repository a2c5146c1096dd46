"""Find stored orders that no longer parse, and repair or quarantine them.

An earlier version could store an order no read can parse (issue 13: a `paidAt` in year 999 was
written as `999-12-31T…`). The service now reads that known form as it was meant, and refuses
such input; this command rewrites every damaged order in its canonical form so that nothing
relies on the tolerant read, and moves an order that cannot be understood at all out of the
way (`QUARANTINE#ORDER#{id}` in its tenant's partition, without index keys, so no list or read
trips on it) for a person to look at.

It reads the whole table (a paginated Scan of order items) and changes nothing unless told to
(`--apply`). Each write is conditional on the item being unchanged since it was read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from chalicelib.models.orders import Order
from chalicelib.repositories.orders import item_to_plain, to_item, upgrade

Verdict = Literal["repairable", "unreadable"]
INDEX_KEYS = ("GSI1_PK", "GSI1_SK", "GSI2_PK", "GSI2_SK")


@dataclass(frozen=True)
class Finding:
    """One order item that does not parse as stored."""

    pk: str
    sk: str
    verdict: Verdict
    problem: str
    order: Order | None  # the canonical order, for a repairable item
    item: dict[str, Any]

    def row(self, action: str) -> dict[str, str]:
        return {
            "tenant": self.pk.removeprefix("TENANT#"),
            "order": self.sk.removeprefix("ORDER#"),
            "verdict": self.verdict,
            "problem": self.problem,
            "action": action,
        }


def _problem(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}" + (
            f" (+{len(error.errors()) - 1} more)" if len(error.errors()) > 1 else ""
        )
    return f"{type(error).__name__}: {error}"


def examine(item: dict[str, Any]) -> Finding | None:
    """None for an item that parses as stored; else what is wrong and whether it can be fixed."""
    pk, sk = item["PK"]["S"], item["SK"]["S"]
    plain = item_to_plain(item)
    try:
        Order.parse_obj(plain)
        return None
    except (ValidationError, TypeError, ValueError) as error:
        problem = _problem(error)
    try:
        order = Order.parse_obj(upgrade(plain))
    except (ValidationError, TypeError, ValueError) as error:
        return Finding(pk, sk, "unreadable", _problem(error), None, item)
    return Finding(pk, sk, "repairable", problem, order, item)


def order_items(client: Any, table: str) -> Iterator[dict[str, Any]]:
    """Every order item of the table (a paginated, filtered Scan)."""
    paginator = client.get_paginator("scan")
    for page in paginator.paginate(
        TableName=table,
        FilterExpression="entityType = :order",
        ExpressionAttributeValues={":order": {"S": "ORDER"}},
    ):
        yield from page.get("Items", [])


def _unchanged(item: dict[str, Any]) -> dict[str, Any]:
    """Condition: the item still has the version (and update time) it had when it was read."""
    values: dict[str, Any] = {":v": item.get("version", {"N": "0"})}
    condition = "#v = :v"
    if "dateLastUpdated" in item:
        condition += " AND dateLastUpdated = :u"
        values[":u"] = item["dateLastUpdated"]
    return {
        "ConditionExpression": condition,
        "ExpressionAttributeNames": {"#v": "version"},
        "ExpressionAttributeValues": values,
    }


def repair(client: Any, table: str, finding: Finding) -> None:
    """Rewrite a repairable order in its canonical form (same keys, same version)."""
    assert finding.order is not None
    client.put_item(TableName=table, Item=to_item(finding.order), **_unchanged(finding.item))


def quarantine(client: Any, table: str, finding: Finding, now: Callable[[], float]) -> None:
    """Move an unreadable item aside in one transaction: copy without index keys, delete."""
    copy = {k: v for k, v in finding.item.items() if k not in INDEX_KEYS}
    copy.update(
        SK={"S": "QUARANTINE#" + finding.sk},
        entityType={"S": "QUARANTINED_ORDER"},
        quarantinedAt={"N": str(int(now()))},
        problem={"S": finding.problem[:1000]},
    )
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": copy}},
            {
                "Delete": {
                    "TableName": table,
                    "Key": {"PK": finding.item["PK"], "SK": finding.item["SK"]},
                    **_unchanged(finding.item),
                }
            },
        ]
    )


def run(
    client: Any, table: str, apply: bool, now: Callable[[], float] = time.time
) -> tuple[int, list[dict[str, str]]]:
    """(items scanned, one row per finding with the action taken or proposed)."""
    scanned = 0
    rows = []
    for item in order_items(client, table):
        scanned += 1
        finding = examine(item)
        if finding is None:
            continue
        if finding.verdict == "repairable":
            action = "rewritten" if apply else "would rewrite"
            if apply:
                repair(client, table, finding)
        else:
            action = "quarantined" if apply else "would quarantine"
            if apply:
                quarantine(client, table, finding, now)
        rows.append(finding.row(action))
    return scanned, rows
