"""Integration fixtures: every resource of stage `local`, provisioned in in-process moto."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.topology import CONSUMERS
from devstack.aws_limits import enforce_aws_limits
from devstack.emulator import make_dynamodb_atomic
from devstack.provision import Provisioned, provision
from tests.tokens import TestIssuer

TIMEOUTS = {c.function: 30 for c in CONSUMERS}


def client(service: str) -> Any:
    return boto3.client(service, region_name="eu-west-1")  # type: ignore[call-overload]


make_dynamodb_atomic()  # as the local stack's emulator does: DynamoDB's per-item atomicity
enforce_aws_limits()  # ... and AWS's sizes where moto forgives them


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Provisioned]:
    """A fresh emulated account per test, provisioned exactly as `make run` does."""
    with mock_aws():
        made = provision(client, dict(os.environ), "eu-west-1", TIMEOUTS)
        monkeypatch.setenv("ORDER_EVENTS_TOPIC_ARN", made.topic_arn)
        yield made


@pytest.fixture
def api(stack: Provisioned) -> Iterator[Any]:
    """Chalice's test client on app.py, against the provisioned account."""
    from chalice.test import Client

    import app as app_module

    with Client(app_module.app, stage_name="local") as test_client:
        yield test_client


@pytest.fixture
def alice(issuer: TestIssuer) -> str:
    return issuer.token(tenant_id="tenant-a", subject="alice")


@pytest.fixture
def bob(issuer: TestIssuer) -> str:
    return issuer.token(tenant_id="tenant-b", subject="bob")


@pytest.fixture
def admin(issuer: TestIssuer) -> str:
    return issuer.token(tenant_id="platform", groups=["admin"], subject="ops")


@pytest.fixture
def payments(issuer: TestIssuer) -> str:
    """The payment system's service identity: the only caller that marks orders paid."""
    return issuer.token(tenant_id="platform", groups=["payments"], subject="payments")


def drain(queue_url: str) -> list[dict[str, Any]]:
    """Receive (and delete) everything waiting in a queue."""
    sqs, messages = client("sqs"), []
    while batch := sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, AttributeNames=["All"]
    ).get("Messages"):
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        messages.extend(batch)
    return messages
