"""The dev stack's stream consumer behaves like Lambda's stream mapping (against moto's stream)."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest

from chalicelib.topology import ORDER_STATUS_STREAM
from devstack.provision import Provisioned
from devstack.stream_poller import ShardPoller, first_failure
from tests.integration.conftest import client

SETTINGS = replace(
    ORDER_STATUS_STREAM, batch_size=10, batching_window_s=1, maximum_retry_attempts=2
)


def streams() -> Any:
    return boto3.client(
        "dynamodbstreams",
        region_name="eu-west-1",
        endpoint_url="https://streams.dynamodb.eu-west-1.amazonaws.com",
    )


def write(stack: Provisioned, count: int, first: int = 0) -> None:
    """`count` changes of order items (MODIFY), between writes the mapping's filter drops."""
    dynamodb = client("dynamodb")
    for n in range(first, first + count):
        order = {"PK": {"S": f"TENANT#t{n}"}, "SK": {"S": "ORDER#1"}, "entityType": {"S": "ORDER"}}
        other = {"PK": {"S": f"NOTIFICATION#t{n}"}, "SK": {"S": "EMAIL"}, "entityType": {"S": "X"}}
        dynamodb.put_item(TableName=stack.table_name, Item=order)  # INSERT: filtered out
        dynamodb.put_item(TableName=stack.table_name, Item=other)  # another entity: filtered out
        dynamodb.put_item(TableName=stack.table_name, Item=other | {"n": {"N": "1"}})  # ditto
        dynamodb.put_item(TableName=stack.table_name, Item=order | {"n": {"N": str(n)}})


def poller(stack: Provisioned, invoke: Any, checkpoints: Path) -> ShardPoller:
    arn = client("dynamodb").describe_table(TableName=stack.table_name)["Table"]["LatestStreamArn"]
    [shard] = streams().describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    return ShardPoller(
        streams(),
        client("sqs"),
        stream_arn=arn,
        shard_id=shard["ShardId"],
        invoke=invoke,
        settings=SETTINGS,
        region="eu-west-1",
        dlq_url=stack.stream_dlq_url,
        checkpoints=checkpoints,
        retry_delay_s=0,
    )


def numbers(event: dict[str, Any]) -> list[str]:
    return [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]


def test_a_reported_failure_retries_from_that_record_then_gives_up_to_the_dlq(
    stack: Provisioned, tmp_path: Path
) -> None:
    write(stack, 4)
    seen: list[list[str]] = []

    def invoke(event: dict[str, Any]) -> Any:
        seen.append(numbers(event))
        assert all(r["eventSource"] == "aws:dynamodb" for r in event["Records"])
        assert {r["eventName"] for r in event["Records"]} == {"MODIFY"}  # the filter held
        return {
            "batchItemFailures": [
                {"itemIdentifier": event["Records"][-2]["dynamodb"]["SequenceNumber"]}
            ]
        }

    shard = poller(stack, invoke, tmp_path / "checkpoints.json")
    shard.run_batch(shard.gather(threading.Event()))
    first = seen[0]
    assert len(first) == 4
    # From the failed record on (the two before it are done), then retried twice and given up.
    assert seen[1:] == [first[2:], first[2:]]
    messages = client("sqs").receive_message(QueueUrl=stack.stream_dlq_url)["Messages"]
    [given_up] = [json.loads(m["Body"]) for m in messages]
    info = given_up["DDBStreamBatchInfo"]
    assert given_up["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert (info["startSequenceNumber"], info["endSequenceNumber"]) == (first[2], first[3])
    assert info["batchSize"] == 2
    checkpoint = json.loads((tmp_path / "checkpoints.json").read_text())
    assert list(checkpoint.values()) == [first[-1]]  # the poller moved past the given-up batch


def test_a_restarted_poller_goes_on_after_its_checkpoint(
    stack: Provisioned, tmp_path: Path
) -> None:
    write(stack, 3)
    delivered: list[str] = []

    def invoke(event: dict[str, Any]) -> Any:
        delivered.extend(numbers(event))
        return {"batchItemFailures": []}

    checkpoints = tmp_path / "checkpoints.json"
    shard = poller(stack, invoke, checkpoints)
    shard.run_batch(shard.gather(threading.Event()))
    write(stack, 2, first=3)
    again = poller(stack, invoke, checkpoints)  # a new process: reads the checkpoint
    again.run_batch(again.gather(threading.Event()))
    assert len(delivered) == 5
    assert len(set(delivered)) == 5  # nothing delivered twice, nothing skipped


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"batchItemFailures": []}, None),
        (None, None),
        ({"batchItemFailures": [{"itemIdentifier": "2"}, {"itemIdentifier": "3"}]}, 1),
        ({"batchItemFailures": [{"itemIdentifier": "99"}]}, 0),  # unknown: the whole batch
        ({"batchItemFailures": ["junk"]}, 0),
    ],
)
def test_the_failure_report_is_read_as_lambda_reads_it(result: Any, expected: int | None) -> None:
    batch = [{"dynamodb": {"SequenceNumber": str(n)}} for n in (1, 2, 3)]
    assert first_failure(result, batch) == expected
