"""The real local stack, started once for the e2e tests and emptied between them."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.e2e.stack_process import RunningStack, alive


@pytest.fixture(scope="session")
def running(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningStack, dict[str, Any]]]:
    stack_process = RunningStack(tmp_path_factory.mktemp("stack"))
    stack = stack_process.start()
    yield stack_process, stack
    children = stack_process.children()
    assert stack_process.stop(signal.SIGTERM) == 0
    assert not [name for name, pid in children.items() if alive(pid)]
    assert not (stack_process.state_dir / "stack.json").exists()


@pytest.fixture
def stack(running: tuple[RunningStack, dict[str, Any]]) -> dict[str, Any]:
    """The running stack, emptied of the previous test's data (moto's SQS slows as queues fill)."""
    _, description = running
    aws = {
        "endpoint_url": description["awsEndpointUrl"],
        "region_name": description["region"],
        "aws_access_key_id": "local",
        "aws_secret_access_key": "local",
    }
    sqs = boto3.client("sqs", **aws)
    # PurgeQueue is allowed once a minute per queue; receive-and-delete has no such limit.
    for queue in description["queues"].values():
        for url in (queue["url"], queue["dlqUrl"]):
            while messages := sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages"):
                sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(messages)
                    ],
                )
    dynamodb = boto3.client("dynamodb", **aws)
    for item in dynamodb.scan(TableName=description["tableName"], ProjectionExpression="PK, SK")[
        "Items"
    ]:
        dynamodb.delete_item(TableName=description["tableName"], Key=item)
    return description


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    """Headless Chromium downloading into its own folder (tests/e2e/browser.py)."""
    from tests.e2e.browser import chromium

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = chromium(downloads)
    try:
        yield driver, downloads
    finally:
        driver.quit()
