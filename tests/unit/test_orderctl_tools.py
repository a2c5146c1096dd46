"""orderctl's demo data, token checks and the DLQ redrive's two ways, with in-memory fakes."""

from __future__ import annotations

import random
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.models.orders import CreateOrderRequest
from orderctl import dlq
from orderctl.api import check_not_expired, claims
from orderctl.demo import order, tenant_ids
from orderctl.errors import OrderctlError
from orderctl.target import Target
from tests.e2e.test_orderctl import expired_token


def test_demo_orders_are_valid_requests_of_the_api() -> None:
    rng = random.Random(1)
    bodies = [order(rng, tenant_id="tenant-c") for _ in range(300)]
    for body in bodies:
        CreateOrderRequest.parse_obj(body)  # the API's own model accepts every one
    assert {b["tenantId"] for b in bodies} == {"tenant-c"}
    assert any("campaign" in b for b in bodies)
    assert any(len(b["items"]) > 1 for b in bodies)
    simulated = order(random.Random(2), simulator=True)
    assert simulated["customerEmail"].endswith("@simulator.amazonses.com")
    assert order(random.Random(3)) == order(random.Random(3))  # --random-seed repeats


def test_tenant_ids_start_with_the_local_demo_tenants() -> None:
    assert tenant_ids(3) == ["tenant-a", "tenant-b", "tenant-c"]
    assert tenant_ids(28)[-2:] == ["tenant-aa", "tenant-ab"]


def test_an_expired_token_is_named_before_any_request() -> None:
    with pytest.raises(OrderctlError, match="expired at 2023-11-14T22:13:20"):
        check_not_expired(expired_token())
    check_not_expired(expired_token(), now=1_600_000_000)  # not yet expired then
    assert claims(expired_token())["custom:tenantId"] == "x"
    with pytest.raises(OrderctlError, match="not a JWT"):
        claims("not-a-token")


class FakeSqs:
    """Two queues; message-move tasks optionally supported."""

    def __init__(self, dead: int, move_tasks: bool) -> None:
        self.queues: dict[str, list[str]] = {
            "work": [],
            "dead": [f"m{i}" for i in range(dead)],
        }
        self.move_tasks = move_tasks
        self.tasks: list[dict[str, Any]] = []

    def get_queue_url(self, QueueName: str) -> dict[str, str]:
        return {"QueueUrl": QueueName}

    def get_queue_attributes(self, QueueUrl: str, AttributeNames: list[str]) -> dict[str, Any]:
        return {
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:eu-west-1:1:{QueueUrl}",
                "ApproximateNumberOfMessages": str(len(self.queues[QueueUrl])),
                "ApproximateNumberOfMessagesNotVisible": "0",
            }
        }

    def start_message_move_task(self, **options: Any) -> dict[str, str]:
        if not self.move_tasks:
            raise ClientError(
                {"Error": {"Code": "InvalidAction", "Message": "no"}}, "StartMessageMoveTask"
            )
        moved = len(self.queues["dead"])
        self.queues["work"] += self.queues["dead"]
        self.queues["dead"] = []
        self.tasks.append({"options": options, "moved": moved})
        return {"TaskHandle": "t-1"}

    def list_message_move_tasks(self, SourceArn: str, MaxResults: int) -> dict[str, Any]:
        return {
            "Results": [
                {"Status": "COMPLETED", "ApproximateNumberOfMessagesMoved": t["moved"]}
                for t in self.tasks
            ]
        }

    def receive_message(self, QueueUrl: str, MaxNumberOfMessages: int, **_: Any) -> dict[str, Any]:
        batch = self.queues[QueueUrl][:MaxNumberOfMessages]
        return {"Messages": [{"MessageId": m, "Body": m, "ReceiptHandle": m} for m in batch]}

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.queues[QueueUrl] += [e["MessageBody"] for e in Entries]
        return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        gone = {e["ReceiptHandle"] for e in Entries}
        self.queues[QueueUrl] = [m for m in self.queues[QueueUrl] if m not in gone]
        return {}


class FakeTarget(Target):
    def __init__(self, sqs: FakeSqs) -> None:
        super().__init__("dev", "af-south-1", profile="ops")
        object.__setattr__(self, "fake", sqs)

    def client(self, service: str) -> Any:
        return self.fake  # type: ignore[attr-defined]


PAIR = dlq.Pair("order_pdf_creator", "pdf", "work", "dead")


def test_redrive_uses_an_sqs_message_move_task_where_there_is_one() -> None:
    sqs = FakeSqs(dead=23, move_tasks=True)
    result = dlq.redrive(FakeTarget(sqs), PAIR, rate=5)
    assert (result.method, result.moved, result.failed) == ("SQS message-move task", 23, [])
    assert sqs.tasks[0]["options"] == {
        "SourceArn": "arn:aws:sqs:eu-west-1:1:dead",
        "DestinationArn": "arn:aws:sqs:eu-west-1:1:work",
        "MaxNumberOfMessagesPerSecond": 5,
    }


def test_without_move_tasks_it_moves_batches_by_hand() -> None:
    sqs = FakeSqs(dead=23, move_tasks=False)
    seen: list[int] = []
    result = dlq.redrive(FakeTarget(sqs), PAIR, progress=seen.append)
    assert (result.method, result.moved, result.interrupted) == ("receive/send/delete", 23, False)
    assert seen == [10, 20, 23]
    assert sorted(sqs.queues["work"]) == sorted(f"m{i}" for i in range(23))
    assert sqs.queues["dead"] == []


@pytest.mark.parametrize(
    ("error", "unsupported"),
    [
        (NotImplementedError("moto"), True),
        (ClientError({"Error": {"Code": "AccessDenied"}}, "StartMessageMoveTask"), True),
        (
            ClientError(
                {"Error": {"Code": "X"}, "ResponseMetadata": {"HTTPStatusCode": 500}},  # type: ignore[typeddict-item]
                "Start",
            ),
            True,
        ),
        (ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "Start"), False),
        (ValueError("a bug"), False),
    ],
)
def test_which_move_task_errors_fall_back_to_moving_by_hand(
    error: BaseException, unsupported: bool
) -> None:
    assert dlq._move_task_unsupported(error) is unsupported


def test_queues_are_named_by_short_name_function_or_queue() -> None:
    target = Target("dev", "af-south-1")
    assert dlq.find(target, "pdf").dlq == "bbws-order-pdf-dlq-dev"
    assert dlq.find(target, "customer_order_confirmation_sender").short == "customer"
    assert dlq.find(target, "bbws-order-creation-dev").function == "order_creator_record"
    with pytest.raises(OrderctlError, match="unknown queue 'emails': one of record, pdf"):
        dlq.find(target, "emails")


def test_completion_is_watched_while_the_load_runs_and_nothing_seen_is_forgotten() -> None:
    from orderctl.completion import Watcher
    from orderctl.load import Load, observe

    done: set[str] = set()

    class Table:
        def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
            keys = RequestItems["orders"]["Keys"]
            found = [{"SK": k["SK"]} for k in keys if k["SK"]["S"] in done]
            return {"Responses": {"orders": found}}

    class Target:
        def client(self, _: str) -> Table:
            return Table()

        def environment(self) -> dict[str, str]:
            return {"ORDERS_TABLE_NAME": "orders"}

    watcher, load = Watcher(Target()), Load()  # type: ignore[arg-type]
    load.accepted.append(("o-1", "tenant-a", 0.0))
    done.add("ORDER#o-1")
    assert observe(watcher, load) == 0  # recorded, nothing else yet: still watched
    assert "record" in watcher.progress()["o-1"].done
    load.accepted.append(("o-2", "tenant-a", 1.0))
    observe(watcher, load)  # o-1 is watched again: its record is not forgotten
    assert "record" in watcher.progress()["o-1"].done
    assert set(watcher.progress()) == {"o-1", "o-2"}
