"""The table's stream → OrderStatusChanged: one per status change, the same one if redelivered."""

from __future__ import annotations

from typing import Any

from chalicelib.models.orders import CreateOrderRequest, Order, OrderStatus
from chalicelib.repositories.order_stream import status_changes
from chalicelib.repositories.orders import to_item
from tests.sample import order_body, order_from

ORDER = order_from(CreateOrderRequest.parse_obj(order_body()), orderNumber="ORD-EU-0000001")


def record(
    old: Order | dict[str, Any] | None,
    new: Order | dict[str, Any] | None,
    event: str = "MODIFY",
    sequence: str = "100",
) -> dict[str, Any]:
    def image(value: Order | dict[str, Any] | None) -> dict[str, Any] | None:
        return to_item(value) if isinstance(value, Order) else value

    change: dict[str, Any] = {"SequenceNumber": sequence, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if old is not None:
        change["OldImage"] = image(old)
    if new is not None:
        change["NewImage"] = image(new)
    return {"eventName": event, "eventSource": "aws:dynamodb", "dynamodb": change}


def moved(order: Order, status: OrderStatus, **fields: Any) -> Order:
    return order.copy(update={"status": status, "version": order.version + 1, **fields})


def test_a_status_change_is_one_event_with_the_order_after_it() -> None:
    paid = moved(ORDER, OrderStatus.PAID)
    found = status_changes([record(ORDER, paid)])
    [event] = found.events
    assert (event.type, event.previousStatus, event.data.status) == (
        "OrderStatusChanged",
        OrderStatus.PENDING,
        OrderStatus.PAID,
    )
    assert event.data == paid
    assert event.occurredAt == paid.dateLastUpdated
    assert found.failed == []


def test_a_redelivered_record_is_the_same_event() -> None:
    change = record(ORDER, moved(ORDER, OrderStatus.CANCELLED))
    [first] = status_changes([change]).events
    [again] = status_changes([change]).events
    assert again == first
    later = moved(moved(ORDER, OrderStatus.PAID), OrderStatus.REFUNDED)
    [other] = status_changes([record(moved(ORDER, OrderStatus.PAID), later)]).events
    assert other.id != first.id  # another change of the same order is another event


def test_writes_that_do_not_change_the_status_make_no_event() -> None:
    invoiced = ORDER.copy(update={"invoice": {"available": True}})
    hidden = ORDER.copy(update={"active": False, "version": 2})
    claim = {
        "PK": {"S": "CART#tenant-a#c-1"},
        "SK": {"S": "ORDER"},
        "entityType": {"S": "CART_CLAIM"},
    }
    records = [
        record(None, ORDER, event="INSERT"),  # a new order: OrderCreated tells the processors
        record(ORDER, invoiced),
        record(ORDER, hidden),
        record(ORDER, None, event="REMOVE"),
        record(claim, {**claim, "orderId": {"S": "o-2"}}),
    ]
    assert status_changes(records).events == []


def test_an_unreadable_image_is_a_failure_and_the_rest_of_the_batch_goes_on() -> None:
    broken = to_item(moved(ORDER, OrderStatus.PAID))
    broken["total"] = {"S": "not money"}
    found = status_changes(
        [
            record(ORDER, broken, sequence="7"),
            record(ORDER, moved(ORDER, OrderStatus.CANCELLED), sequence="8"),
        ]
    )
    assert found.failed == ["7"]
    assert [e.data.status for e in found.events] == [OrderStatus.CANCELLED]
