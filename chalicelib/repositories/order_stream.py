"""The orders table's stream (NEW_AND_OLD_IMAGES) → `OrderStatusChanged`, one per status change.

A stream record is a write to the table. Only a MODIFY of an order item whose `status` differs
between its old and new image is a status change. Inserts (a new order: `OrderCreated` covers
it), removals, other writes to an order (the invoice flag, `active`, payment details alone) and
every other item (claims, counters, ledgers) make no event.

The event id is a UUID derived from the order id and its new version, and the correlation id is
derived from the event. So a record Lambda delivers twice becomes the same event twice, and the
consumers' ledgers act on it once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib.errors import StoredDataUnreadable
from chalicelib.models.events import OrderStatusChanged
from chalicelib.models.orders import OrderStatus
from chalicelib.repositories.orders import ENTITY, UPDATED_IN, from_item

# Fixed forever: changing it would give every past change a new event id.
EVENT_NAMESPACE = uuid.UUID("6f0b1d2e-52a4-4c55-9a53-3f7e1c0b8d41")


@dataclass
class StatusChanges:
    """What a batch of stream records holds: the events, and the records that could not be read."""

    events: list[OrderStatusChanged] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # sequence numbers, for batchItemFailures
    sequence_of: dict[str, str] = field(default_factory=dict)  # event id → its record's number


def status_changes(records: Sequence[dict[str, Any]], region: str | None = None) -> StatusChanges:
    """The status changes in a batch of DynamoDB stream records (Lambda's `Records`).

    With `region`, a change another region's API made is left to that region's consumer: a
    global table's replica streams carry it too, and acting on it twice would issue twice.
    """
    found = StatusChanges()
    for record in records:
        change = record.get("dynamodb", {})
        if record.get("eventName") != "MODIFY":
            continue
        old, new = change.get("OldImage", {}), change.get("NewImage", {})
        if new.get("entityType", {}).get("S") != ENTITY:
            continue
        before, after = old.get("status", {}).get("S"), new.get("status", {}).get("S")
        if before == after or before is None:
            continue
        if region and new.get(UPDATED_IN, {}).get("S", region) != region:
            continue
        try:
            order = from_item(new)
            previous = OrderStatus(before)
        except (StoredDataUnreadable, ValueError):
            found.failed.append(str(change.get("SequenceNumber", "")))
            continue
        event_id = str(uuid.uuid5(EVENT_NAMESPACE, f"{order.id}#{order.version}"))
        found.sequence_of[event_id] = str(change.get("SequenceNumber", ""))
        found.events.append(
            OrderStatusChanged(
                id=event_id,
                occurredAt=order.dateLastUpdated,
                correlationId=f"status-{event_id}",
                data=order,
                previousStatus=previous,
            )
        )
    return found
