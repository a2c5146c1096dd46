"""The local poller honours Lambda's SQS semantics (against in-process moto)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from moto import mock_aws

import app as app_module
from devstack.poller import Source, SourcePoller, discover, failed_ids
from devstack.provision import Provisioned, create_queue_pair
from tests.integration.conftest import client


@pytest.fixture
def sqs() -> Iterator[Any]:
    with mock_aws():
        yield client("sqs")


def run_until(
    poller: SourcePoller, stop: threading.Event, done: Callable[[], bool], limit_s: float = 15
) -> None:
    thread = threading.Thread(target=poller.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + limit_s
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)
    assert done(), "the poller did not get there in time"


def make_source(
    sqs: Any, handler: Any, batch_size: int = 10, window_s: float = 0.5, visibility: int = 1
) -> tuple[Source, dict[str, str]]:
    queue = create_queue_pair(sqs, "q", "q-dlq", visibility)
    source = Source("fn", handler, queue["url"], queue["arn"], batch_size, window_s, 2, 30)
    return source, queue


def send(sqs: Any, url: str, *bodies: str) -> None:
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)


def count(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_batches_are_bounded_by_size_and_gathered_over_the_window(sqs: Any) -> None:
    batches: list[list[str]] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        assert context.get_remaining_time_in_millis() > 0
        batches.append([r["body"] for r in event["Records"]])
        return {"batchItemFailures": []}

    source, queue = make_source(sqs, handler, batch_size=5, window_s=1, visibility=10)
    send(sqs, queue["url"], *[str(i) for i in range(7)])
    stop = threading.Event()
    run_until(
        SourcePoller(sqs, source, "eu-west-1", stop, wait_s=1),
        stop,
        lambda: sum(map(len, batches)) == 7,
    )
    assert max(map(len, batches)) == 5
    assert sorted(b for batch in batches for b in batch) == [str(i) for i in range(7)]
    assert count(sqs, queue["url"]) == 0


def test_records_look_like_lambdas(sqs: Any) -> None:
    seen: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], _: Any) -> None:
        seen.extend(event["Records"])

    source, queue = make_source(sqs, handler)
    send(sqs, queue["url"], "hello")
    stop = threading.Event()
    run_until(SourcePoller(sqs, source, "eu-west-1", stop, wait_s=1), stop, lambda: bool(seen))
    record = seen[0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == queue["arn"]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["body"] == "hello"


def test_failed_items_are_retried_then_dead_lettered(sqs: Any) -> None:
    calls: dict[str, int] = {}

    def handler(event: dict[str, Any], _: Any) -> dict[str, Any]:
        failures = []
        for record in event["Records"]:
            calls[record["body"]] = calls.get(record["body"], 0) + 1
            if record["body"] == "poison":
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    source, queue = make_source(sqs, handler)
    send(sqs, queue["url"], "ok-1", "poison", "ok-2")
    stop = threading.Event()
    run_until(
        SourcePoller(sqs, source, "eu-west-1", stop, wait_s=1),
        stop,
        lambda: count(sqs, queue["dlqUrl"]) == 1,
    )
    assert calls == {"ok-1": 1, "ok-2": 1, "poison": 3}
    [dead] = sqs.receive_message(QueueUrl=queue["dlqUrl"])["Messages"]
    assert dead["Body"] == "poison"
    assert count(sqs, queue["url"]) == 0


def test_a_raising_handler_leaves_the_whole_batch(sqs: Any) -> None:
    attempts: list[int] = []

    def handler(event: dict[str, Any], _: Any) -> None:
        attempts.append(len(event["Records"]))
        if len(attempts) == 1:
            raise RuntimeError("crash")

    source, queue = make_source(sqs, handler, window_s=0.5)
    send(sqs, queue["url"], "a", "b")
    stop = threading.Event()
    run_until(
        SourcePoller(sqs, source, "eu-west-1", stop, wait_s=1),
        stop,
        lambda: count(sqs, queue["url"]) == 0 and len(attempts) >= 2,
    )
    assert sum(attempts[1:]) == 2  # both came back after the visibility timeout


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (None, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "a"}]}, {"a"}),
        ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, {"a", "b"}),
        ({"batchItemFailures": [{}]}, {"a", "b"}),
    ],
)
def test_failure_reports_are_read_as_lambda_does(result: Any, expected: set[str]) -> None:
    assert failed_ids(result, {"a", "b"}) == expected


def test_discovery_finds_every_sqs_handler_of_the_app(
    stack: Provisioned, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCAL_BATCHING_WINDOW_S", "3")  # caps the longer windows only
    capped = discover(app_module, client("sqs"), {})
    assert [s.window_s for s in capped] == [3.0, 2.0, 3.0, 3.0]
    monkeypatch.delenv("LOCAL_BATCHING_WINDOW_S")
    sources = discover(app_module, client("sqs"), {"order_creator_record": 30})
    assert [(s.function, s.batch_size, s.window_s, s.max_concurrency) for s in sources] == [
        ("order_creator_record", 10, 4.0, 5),
        ("order_pdf_creator", 5, 2.0, 10),
        ("order_internal_notification_sender", 10, 5.0, 5),
        ("customer_order_confirmation_sender", 10, 5.0, 5),
    ]
    for source in sources:
        assert source.queue_url == stack.queues[source.function]["url"]


def test_the_record_writer_runs_under_the_poller(stack: Provisioned, issuer: Any) -> None:
    from chalice.test import Client

    from tests.integration.api_helpers import post_order

    sqs = client("sqs")
    with Client(app_module.app, stage_name="local") as api:
        accepted = post_order(api, issuer.token())
    source = discover(app_module, sqs, {})[0]
    fast = Source(
        source.function, source.handler, source.queue_url, source.queue_arn, 10, 0.2, 1, 30
    )
    stop = threading.Event()
    dynamodb = client("dynamodb")

    def orders() -> list[dict[str, Any]]:
        items = dynamodb.scan(TableName=stack.table_name)["Items"]
        return [i for i in items if i["entityType"]["S"] == "ORDER"]

    run_until(
        SourcePoller(sqs, fast, "eu-west-1", stop, wait_s=1), stop, lambda: len(orders()) == 1
    )
    [item] = orders()
    assert item["id"]["S"] == accepted.json_body["orderId"]
    assert item["orderNumber"]["S"] == "ORD-EU-0000001"
