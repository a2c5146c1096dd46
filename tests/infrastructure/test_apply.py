"""One truth: the Terraform modules, applied to the emulator, build what `make run` provisions.

The modules are applied with stage `local`'s names to a moto server; the local stack's own
provisioning (devstack/provision.py) runs in an in-process moto. Both are described
through the AWS APIs and compared: table, indexes, TTL, stream, queues, redrive, the fan-out
subscriptions, buckets and the uploaded templates. Encryption differs on purpose (KMS in AWS,
service-managed keys locally) and is checked in the plans instead. The iam module is applied too,
and its policies read back: no wildcard action, each function only what its code calls.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.topology import CONSUMERS, ORDER_STATUS_STREAM
from devstack.provision import provision
from scripts import package
from tests.infrastructure.applied import LOCAL, REGION, TIMEOUTS
from tests.infrastructure.conftest import needs_terraform

pytestmark = needs_terraform


@pytest.fixture(scope="module")
def provisioned() -> Iterator[Callable[[str], Any]]:
    """What `make run` provisions, in an in-process moto."""
    with mock_aws():

        def client(service: str) -> Any:
            return boto3.client(service, region_name=REGION)  # type: ignore[call-overload]

        provision(client, LOCAL, REGION, TIMEOUTS)
        yield client


def describe(client: Callable[[str], Any]) -> dict[str, Any]:
    """The service's resources as the AWS APIs show them, without ids, ARNs or encryption."""
    dynamodb, sqs, sns, s3 = client("dynamodb"), client("sqs"), client("sns"), client("s3")
    name = LOCAL["ORDERS_TABLE_NAME"]
    table = dynamodb.describe_table(TableName=name)["Table"]
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    queues = {}
    envs = [env for c in CONSUMERS for env in (c.queue_env, c.dlq_env)]
    for env in [*envs, ORDER_STATUS_STREAM.dlq_env]:
        url = sqs.get_queue_url(QueueName=LOCAL[env])["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attributes.get("RedrivePolicy", "{}"))
        queues[LOCAL[env]] = {
            "VisibilityTimeout": attributes["VisibilityTimeout"],
            "MessageRetentionPeriod": attributes["MessageRetentionPeriod"],
            "ReceiveMessageWaitTimeSeconds": attributes["ReceiveMessageWaitTimeSeconds"],
            # Terraform's max_message_size and models.wire.MESSAGE_LIMIT, the one the events keep to
            "MaximumMessageSize": attributes["MaximumMessageSize"],
            "deadLetterTarget": redrive.get("deadLetterTargetArn", "").rsplit(":", 1)[-1],
            "maxReceiveCount": int(redrive.get("maxReceiveCount", 0)),
        }
    [topic] = [
        t["TopicArn"]
        for t in sns.list_topics()["Topics"]
        if t["TopicArn"].endswith(":" + LOCAL["ORDER_EVENTS_TOPIC_NAME"])
    ]
    subscriptions = sorted(
        (
            s["Endpoint"].rsplit(":", 1)[-1],
            sns.get_subscription_attributes(SubscriptionArn=s["SubscriptionArn"])["Attributes"].get(
                "RawMessageDelivery"
            ),
        )
        for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    )
    buckets = {}
    for bucket in (LOCAL["ORDERS_BUCKET_NAME"], LOCAL["TEMPLATES_BUCKET_NAME"]):
        buckets[bucket] = {
            "versioning": s3.get_bucket_versioning(Bucket=bucket).get("Status"),
            "publicAccessBlock": s3.get_public_access_block(Bucket=bucket)[
                "PublicAccessBlockConfiguration"
            ],
            "keys": sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])),
        }
    return {
        "table": {
            "KeySchema": table["KeySchema"],
            "AttributeDefinitions": sorted(
                table["AttributeDefinitions"], key=lambda a: a["AttributeName"]
            ),
            "BillingMode": table["BillingModeSummary"]["BillingMode"],
            "GlobalSecondaryIndexes": sorted(
                (i["IndexName"], json.dumps(i["KeySchema"]), i["Projection"]["ProjectionType"])
                for i in table["GlobalSecondaryIndexes"]
            ),
            "StreamSpecification": table["StreamSpecification"],
            "TimeToLive": (ttl["TimeToLiveStatus"], ttl["AttributeName"]),
        },
        "queues": queues,
        "subscriptions": subscriptions,
        "buckets": buckets,
        "secret": client("secretsmanager").describe_secret(SecretId=LOCAL["CURSOR_SECRET_ID"])[
            "Name"
        ],
    }


def test_terraform_builds_what_make_run_provisions(
    applied: Callable[[str], Any], provisioned: Callable[[str], Any]
) -> None:
    from_terraform = describe(applied)
    assert from_terraform == describe(provisioned)
    # and it is the right thing, not two equal mistakes:
    record = from_terraform["queues"][LOCAL["ORDER_CREATION_QUEUE_NAME"]]
    assert record == {
        "VisibilityTimeout": str(6 * 30),
        "MessageRetentionPeriod": str(4 * 86400),
        "ReceiveMessageWaitTimeSeconds": "20",
        "MaximumMessageSize": "262144",
        "deadLetterTarget": LOCAL["ORDER_CREATION_DLQ_NAME"],
        "maxReceiveCount": 3,
    }
    assert len(from_terraform["subscriptions"]) == sum(c.fed_by_topic for c in CONSUMERS)
    assert from_terraform["table"]["TimeToLive"] == ("ENABLED", "expiresAt")
    assert from_terraform["buckets"][LOCAL["TEMPLATES_BUCKET_NAME"]]["keys"] == [
        "customer/order_confirmation.html",
        "customer/order_update.html",
        "internal/order_notification.html",
    ]


# What every SQS-triggered function may do on its own queue.
RECEIVE = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
)
EXPECTED_ACTIONS = {
    "api_handler": {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "sqs:GetQueueUrl",
        "sqs:SendMessage",
        "secretsmanager:GetSecretValue",
        "s3:GetObject",
        "kms:Decrypt",
        "kms:GenerateDataKey",
    },
    "order_creator_record": {
        *RECEIVE,
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "sns:Publish",
        "kms:Decrypt",
        "kms:GenerateDataKey",
    },
    "order_pdf_creator": {
        *RECEIVE,
        "dynamodb:UpdateItem",
        "s3:PutObject",
        "s3:GetObject",
        "sqs:GetQueueUrl",
        "sqs:SendMessage",
        "kms:Decrypt",
        "kms:GenerateDataKey",
    },
    "order_status_stream": {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "sqs:GetQueueUrl",
        "sqs:SendMessage",
        "kms:Decrypt",
        "kms:GenerateDataKey",
    },
    "customer_order_confirmation_sender": {
        *RECEIVE,
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "ses:SendEmail",
        "ses:SendRawEmail",
        "kms:Decrypt",
    },
}
# The queues each function may send to (SendMessage); every other sqs grant is its own queue.
SENDS_TO = {
    "api_handler": {LOCAL["ORDER_CREATION_QUEUE_NAME"], LOCAL["ORDER_PDF_QUEUE_NAME"]},
    "order_pdf_creator": {LOCAL["CUSTOMER_CONFIRMATION_QUEUE_NAME"]},
    "order_status_stream": {LOCAL["ORDER_PDF_QUEUE_NAME"], LOCAL["ORDER_STATUS_STREAM_DLQ_NAME"]},
}
# Which partitions (dynamodb:LeadingKeys) each function may write, and which statement may read an
# index: nobody writes to an index, and an email sender reaches nothing but its ledger.
WRITABLE_PARTITIONS = {
    "api_handler": {"TENANT#*", "IDEMPOTENCY#*", "CART#*", "ACTION#*"},
    "order_creator_record": {"TENANT#*"},
    "order_pdf_creator": {"TENANT#*"},
    "order_internal_notification_sender": {"NOTIFICATION#*"},
    "customer_order_confirmation_sender": {"NOTIFICATION#*"},
    "order_status_stream": set(),  # reads the stream; writes nothing
}
WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
COMMON_ACTIONS = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}


def test_every_role_allows_only_named_actions_on_its_own_resources(
    applied: Callable[[str], Any],
) -> None:
    iam = applied("iam")
    for function in TIMEOUTS:
        role = package.function_name(function, "local")
        trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
        assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
        [policy_name] = iam.list_role_policies(RoleName=role)["PolicyNames"]
        document = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
        statements = document["Statement"]
        actions: set[str] = set()
        for statement in statements:
            assert statement["Effect"] == "Allow"
            listed = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            assert all("*" not in action for action in listed), (role, listed)
            resources = (
                statement["Resource"]
                if isinstance(statement["Resource"], list)
                else [statement["Resource"]]
            )
            if resources == ["*"]:
                assert set(listed) <= {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, listed
            actions |= set(listed)
        assert actions >= COMMON_ACTIONS
        if function in EXPECTED_ACTIONS:
            assert actions - COMMON_ACTIONS == EXPECTED_ACTIONS[function], function
        assert_table_access(function, statements)
        own = [LOCAL[c.queue_env] for c in CONSUMERS if c.function == function]
        assert queues_for(statements, "sqs:ReceiveMessage") == set(own), function
        assert queues_for(statements, "sqs:SendMessage") == SENDS_TO.get(function, set()), function


def queues_for(statements: list[dict[str, Any]], action: str) -> set[str]:
    """The queue names the statements grant `action` on."""
    return {
        resource.rsplit(":", 1)[-1]
        for statement in statements
        if action in _listed(statement["Action"])
        for resource in _listed(statement["Resource"])
    }


def _listed(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def assert_table_access(function: str, statements: list[dict[str, Any]]) -> None:
    """Writes only on the table, confined to the function's own partitions; index reads only."""
    partitions: set[str] = set()
    for statement in statements:
        actions = set(_listed(statement["Action"]))
        resources = _listed(statement["Resource"])
        if not any(a.startswith("dynamodb:") for a in actions):
            continue
        if any("/index/" in r for r in resources):
            assert actions == {"dynamodb:Query"}, (function, statement)
            continue
        if actions & WRITES:
            condition = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
            partitions |= set(_listed(condition))
    assert partitions == WRITABLE_PARTITIONS[function], function
