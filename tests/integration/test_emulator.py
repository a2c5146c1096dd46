"""The emulator's DynamoDB keeps DynamoDB's single-item atomicity for reads as well as writes."""

from __future__ import annotations

import threading
from typing import Any

from chalicelib.local import emulator
from chalicelib.local.provision import Provisioned
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
