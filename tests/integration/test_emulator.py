"""The emulator's DynamoDB keeps DynamoDB's single-item atomicity for reads as well as writes."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from devstack import emulator
from devstack.provision import Provisioned
from tests.integration.conftest import client


def _in_thread(call: Any) -> tuple[threading.Thread, list[Any]]:
    results: list[Any] = []
    thread = threading.Thread(target=lambda: results.append(call()), daemon=True)
    thread.start()
    return thread, results


def test_a_read_waits_for_a_write_in_flight(stack: Provisioned) -> None:
    dynamodb = client("dynamodb")
    key = {"PK": {"S": "TENANT#t"}, "SK": {"S": "COUNTER#ORDER#EU"}}
    reads = {
        "scan": lambda: dynamodb.scan(TableName=stack.table_name),
        "get_item": lambda: dynamodb.get_item(TableName=stack.table_name, Key=key),
        "query": lambda: dynamodb.query(
            TableName=stack.table_name,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": "TENANT#t"}},
        ),
    }
    for name, read in reads.items():
        with emulator._lock:  # a write holding the item, half-applied
            thread, results = _in_thread(read)
            thread.join(0.3)
            assert thread.is_alive(), f"{name} read past a write in flight"
        thread.join(5)
        assert results, f"{name} never completed"


def test_an_item_created_by_update_is_never_seen_half_made(stack: Provisioned) -> None:
    dynamodb = client("dynamodb")
    stop = threading.Event()
    seen: list[dict[str, Any]] = []

    def scan() -> None:
        while not stop.is_set():
            seen.extend(dynamodb.scan(TableName=stack.table_name)["Items"])

    reader = threading.Thread(target=scan, daemon=True)
    reader.start()
    for n in range(60):
        dynamodb.update_item(
            TableName=stack.table_name,
            Key={"PK": {"S": f"TENANT#t{n}"}, "SK": {"S": "COUNTER#ORDER#EU"}},
            UpdateExpression="ADD lastNumber :one SET entityType = :type",
            ExpressionAttributeValues={":one": {"N": "1"}, ":type": {"S": "COUNTER"}},
        )
    stop.set()
    reader.join(5)
    assert seen, "the reader saw nothing"
    assert all("entityType" in item and "lastNumber" in item for item in seen)


def test_concurrent_adds_are_each_answered_their_own_value(
    stack: Provisioned, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto renders an UpdateItem's answer from the item it changed in place: with only its
    backend locked, an ADD landing between another's update and its answer gave both callers the
    same number. The window is widened here (rendering an item takes 50 ms)."""
    from moto.dynamodb.models.dynamo_type import Item

    render = Item.to_json

    def slow(self: Any, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.05)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(Item, "to_json", slow)
    dynamodb = client("dynamodb")

    def add_ten() -> int:
        answer = dynamodb.update_item(
            TableName=stack.table_name,
            Key={"PK": {"S": "TENANT#race"}, "SK": {"S": "COUNTER#ORDER#EU"}},
            UpdateExpression="ADD lastNumber :ten",
            ExpressionAttributeValues={":ten": {"N": "10"}},
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"]["lastNumber"]["N"])

    calls = [_in_thread(add_ten) for _ in range(4)]
    for thread, _ in calls:
        thread.join(10)
    assert sorted(result for _, results in calls for result in results) == [10, 20, 30, 40]


def _item_operations(dynamodb: Any, table: str) -> list[Any]:
    """Every item operation the service uses, over awkward values; the parsed answers."""
    item = {
        "PK": {"S": "TENANT#fast"},
        "SK": {"S": "ORDER#1"},
        "total": {"N": "448.50"},
        "items": {"L": [{"M": {"q": {"N": "2"}, "name": {"S": "Pro \u2013 \u201chosting\u201d"}}}]},
        "invoice": {"M": {"available": {"BOOL": True}}},
        "paymentDetails": {"NULL": True},
        "tags": {"SS": ["a", "b"]},
        "blob": {"B": b"\x00\xff"},
    }
    key = {"PK": item["PK"], "SK": item["SK"]}
    second = {**item, "SK": {"S": "ORDER#2"}}
    answers = [
        dynamodb.put_item(TableName=table, Item=item, ReturnValues="ALL_OLD"),
        dynamodb.put_item(TableName=table, Item=second),
        dynamodb.get_item(TableName=table, Key=key),
        dynamodb.query(
            TableName=table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": item["PK"]},
            Limit=1,
        ),
        dynamodb.scan(TableName=table),
        dynamodb.batch_get_item(RequestItems={table: {"Keys": [key]}}),
        dynamodb.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="ADD version :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        ),
        dynamodb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD"),
        dynamodb.delete_item(TableName=table, Key={**key, "SK": {"S": "ORDER#2"}}),
    ]
    for answer in answers:
        answer.pop("ResponseMetadata", None)
    return answers


def test_fast_responses_answer_exactly_what_motos_serializer_does(
    stack: Provisioned, monkeypatch: Any
) -> None:
    from moto.dynamodb.responses import DynamoResult

    dynamodb = client("dynamodb")
    by_moto = _item_operations(dynamodb, stack.table_name)
    calls: list[str] = []
    fast = emulator.fast_execute_result(DynamoResult.execute_result)

    def counted(self: Any, context: Any) -> Any:
        calls.append(context.operation_model.name)
        return fast(self, context)

    monkeypatch.setattr(DynamoResult, "execute_result", counted)
    assert _item_operations(dynamodb, stack.table_name) == by_moto
    assert {"Query", "GetItem", "UpdateItem", "BatchGetItem"} <= set(calls)


def test_fast_stream_records_are_what_motos_serializer_says(
    stack: Provisioned, monkeypatch: Any
) -> None:
    import boto3
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    dynamodb = client("dynamodb")
    _item_operations(dynamodb, stack.table_name)  # every kind of write, binary values included
    streams = boto3.client(
        "dynamodbstreams",
        region_name="eu-west-1",
        endpoint_url="https://streams.dynamodb.eu-west-1.amazonaws.com",
    )
    arn = dynamodb.describe_table(TableName=stack.table_name)["Table"]["LatestStreamArn"]
    [shard] = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]

    def records() -> list[dict[str, Any]]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        return list(streams.get_records(ShardIterator=iterator)["Records"])

    by_moto = records()
    monkeypatch.setattr(DynamoDBStreamsHandler, "get_records", DynamoDBStreamsHandler.get_records)
    emulator.use_fast_dynamodb_streams()
    assert getattr(DynamoDBStreamsHandler.get_records, "_bbws_fast", False)
    fast = records()
    assert [r["eventName"] for r in fast] == [r["eventName"] for r in by_moto]
    assert {r["eventName"] for r in fast} == {"INSERT", "MODIFY", "REMOVE"}
    for mine, theirs in zip(fast, by_moto, strict=True):
        for part in ("Keys", "NewImage", "OldImage", "SequenceNumber", "StreamViewType"):
            assert mine["dynamodb"].get(part) == theirs["dynamodb"].get(part), part
        created = mine["dynamodb"]["ApproximateCreationDateTime"]
        expected = theirs["dynamodb"]["ApproximateCreationDateTime"]
        assert abs(created.timestamp() - expected.timestamp()) < 1
