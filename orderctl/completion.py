"""How far each order got: record, PDF, both emails, read straight from the orders table.

Each poll asks only for what is still outstanding, by exact key, in BatchGetItem calls of up
to 100 keys: the order item (`ORDER#id`, whose `invoice.available` says the PDF exists) and the
email ledger items (`NOTIFICATION#tenant#id` / `EMAIL#internal|customer`, status SENT). The cost
falls as orders complete, and does not grow with the table's history.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from chalicelib.repositories.keys import attributes, notification_key, order_sk, tenant_pk
from orderctl.target import Target

STAGES = ("record", "pdf", "internal", "customer")
BATCH = 100  # BatchGetItem's limit


@dataclass
class Progress:
    """First time each stage was seen done, in seconds since the order was accepted."""

    accepted_at: float
    done: dict[str, float] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return all(stage in self.done for stage in STAGES)

    @property
    def seconds(self) -> float | None:
        return max(self.done.values()) if self.complete else None


class Watcher:
    """Polls the table; `update()` returns how many orders are complete."""

    def __init__(self, target: Target) -> None:
        self.dynamodb = target.client("dynamodb")
        self.table = target.environment()["ORDERS_TABLE_NAME"]
        self.orders: dict[str, tuple[str, Progress]] = {}

    def watch(self, order_id: str, tenant_id: str, accepted_at: float) -> None:
        """Follow an order (again: what was already seen of it is kept)."""
        self.orders.setdefault(order_id, (tenant_id, Progress(accepted_at)))

    def update(self) -> int:
        now = time.monotonic()
        keys: list[dict[str, str]] = []
        for order_id, (tenant_id, progress) in self.orders.items():
            if "record" not in progress.done or "pdf" not in progress.done:
                keys.append({"PK": tenant_pk(tenant_id), "SK": order_sk(order_id)})
            keys.extend(
                notification_key(tenant_id, order_id, kind)
                for kind in ("internal", "customer")
                if kind not in progress.done
            )
        for start in range(0, len(keys), BATCH):
            for order_id, stage in self._done(keys[start : start + BATCH]):
                progress = self.orders[order_id][1]
                progress.done.setdefault(stage, now - progress.accepted_at)
        return sum(progress.complete for _, progress in self.orders.values())

    def _done(self, keys: list[dict[str, str]]) -> Iterable[tuple[str, str]]:
        request = {
            self.table: {
                "Keys": [attributes(key) for key in keys],
                "ProjectionExpression": "PK, SK, invoice, #status",
                "ExpressionAttributeNames": {"#status": "status"},
            }
        }
        while request:
            response = self.dynamodb.batch_get_item(RequestItems=request)
            for item in response["Responses"].get(self.table, []):
                sort_key = item["SK"]["S"]
                if sort_key.startswith("ORDER#"):
                    order_id = sort_key.removeprefix("ORDER#")
                    yield order_id, "record"
                    if item.get("invoice", {}).get("M", {}).get("available", {}).get("BOOL"):
                        yield order_id, "pdf"
                elif item.get("status", {}).get("S") == "SENT":
                    order_id = item["PK"]["S"].rsplit("#", 1)[1]
                    yield order_id, sort_key.removeprefix("EMAIL#")
            request = response.get("UnprocessedKeys") or {}

    def progress(self) -> dict[str, Progress]:
        return {order_id: progress for order_id, (_, progress) in self.orders.items()}
