"""Events on the wire (chalicelib/models/wire.py, chalicelib/messaging.py): compact UTF-8 bodies,
sizes as SNS and SQS count them, PublishBatch cut by count and by bytes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.messaging import SNS_BATCH_BYTES, TopicPublisher
from chalicelib.models import wire
from chalicelib.models.events import OrderCreated
from chalicelib.models.orders import CreateOrderRequest
from tests.sample import WIDEST, largest_order_body, order_body, order_from


def _event(body: dict[str, Any], index: int = 0) -> OrderCreated:
    order = order_from(CreateOrderRequest.parse_obj(body), orderNumber=f"ORD-T-{index:07d}")
    return OrderCreated(
        id=f"e-{index}", occurredAt=order.dateCreated, correlationId="corr-1", data=order
    )


def test_bodies_are_compact_utf8_and_read_back_as_the_same_event() -> None:
    event = _event(order_body(billingAddress={**order_body()["billingAddress"], "city": WIDEST}))
    body = wire.encode(event)
    assert WIDEST in body
    assert "\\ud800" not in body
    assert ", " not in body
    assert ": " not in body
    assert OrderCreated.parse_raw(body) == event
    assert wire.utf8_size(body) < len(event.json().encode())


def test_characters_sqs_refuses_are_escaped() -> None:
    event = _event(order_body(billingAddress={**order_body()["billingAddress"], "city": "a\ufffe"}))
    body = wire.encode(event)
    assert "\ufffe" not in body
    assert "\\ufffe" in body
    assert OrderCreated.parse_raw(body).data.billingAddress.city == "a\ufffe"


def test_sizes_count_utf8_bytes_and_every_attribute_part() -> None:
    attributes = {"type": {"DataType": "String", "StringValue": "OrderCreated"}}
    assert wire.message_size(WIDEST * 3, attributes) == 12 + len("type") + len("String") + 12
    assert wire.attributes_size({"b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}) == 9


def test_the_largest_order_is_well_inside_the_budget_and_was_not_before() -> None:
    event = _event(largest_order_body())
    assert len(event.json().encode()) > wire.MESSAGE_LIMIT  # escaped, as before issue 28
    assert wire.utf8_size(wire.encode(event)) < wire.EVENT_BUDGET / 2


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ([], []),
        ([1] * 25, [(0, 10), (10, 20), (20, 25)]),
        ([100, 100, 100], [(0, 2), (2, 3)]),
        ([300, 50, 50], [(0, 1), (1, 3)]),  # an entry over the limit travels alone
        ([200, 50, 201], [(0, 2), (2, 3)]),
    ],
)
def test_batches_are_cut_by_count_and_by_bytes(
    sizes: list[int], expected: list[tuple[int, int]]
) -> None:
    cut = [(r.start, r.stop) for r in wire.batches(sizes, max_entries=10, max_bytes=250)]
    assert cut == expected


class _RecordingSns:
    def __init__(self) -> None:
        self.requests: list[list[dict[str, Any]]] = []

    def publish_batch(self, TopicArn: str, PublishBatchRequestEntries: Any) -> dict[str, Any]:
        self.requests.append(PublishBatchRequestEntries)
        return {"Successful": [{"Id": e["Id"]} for e in PublishBatchRequestEntries], "Failed": []}


def test_ten_large_events_are_published_in_requests_under_the_topic_limit() -> None:
    sns = _RecordingSns()
    events = [_event(largest_order_body(), index) for index in range(10)]
    assert TopicPublisher(sns, "arn:aws:sns:eu-west-1:1:t").publish_batch(events) == set()  # type: ignore[arg-type]
    assert len(sns.requests) == 5  # two ~103 KB events a request
    assert [e["Id"] for r in sns.requests for e in r] == [str(i) for i in range(10)]
    for request in sns.requests:
        total = sum(wire.message_size(e["Message"], e["MessageAttributes"]) for e in request)
        assert total <= SNS_BATCH_BYTES
        assert [json.loads(e["Message"])["type"] for e in request] == ["OrderCreated"] * len(
            request
        )
