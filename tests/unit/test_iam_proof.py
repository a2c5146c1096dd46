"""The IAM proof's mapping of calls to IAM requests, and its evaluation (scripts/iam_proof)."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from scripts.iam_proof import Call, Planned, Unmapped, prove, requests_for, without_statement
from scripts.iam_proof.model import ROOT

ACCOUNT, REGION = "123456789012", "eu-west-1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k-1"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:work"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:events"


def _planned(statements: list[dict[str, Any]] | None = None) -> Planned:
    root = {
        "Sid": "Root",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    sns = {
        "Sid": "Sns",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
    }
    delivery = {
        "Sid": "Delivery",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": QUEUE,
        "Condition": {"ArnEquals": {"aws:SourceArn": TOPIC}},
    }
    return Planned(
        account=ACCOUNT,
        region=REGION,
        role_names={"f": "role-f"},
        roles={"f": {"Version": "2012-10-17", "Statement": statements or []}},
        boundary=None,
        tables={
            "orders": {
                "arn": TABLE,
                "stream": f"{TABLE}/stream/2026",
                "keys": {"": "PK", "GSI1": "GSI1_PK"},
            }
        },
        queues={
            "work": {
                "arn": QUEUE,
                "policy": {"Version": "2012-10-17", "Statement": [delivery]},
                "key": KEY,
            }
        },
        topics={TOPIC: {"policy": None, "key": KEY, "queues": [QUEUE]}},
        buckets={"docs": {"policy": None, "key": KEY}},
        secrets={
            "cursor": {
                "arn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:cursor-AbCd",
                "key": None,
            }
        },
        keys={KEY: {"Version": "2012-10-17", "Statement": [root, sns]}},
        key_tags={KEY: {"Service": "bbws-order-lambda"}},
    )


def _call(service: str, operation: str, **params: Any) -> Call:
    return Call("f", "code", service, operation, REGION, params)


def _requests(call: Call) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (r.principal, r.action, r.resource, dict(r.context)) for r in requests_for(call, _planned())
    ]


def test_a_send_to_an_encrypted_queue_needs_the_key_too() -> None:
    found = _requests(_call("sqs", "SendMessage", QueueUrl="http://127.0.0.1:1/123456789012/work"))
    assert [(a, r) for _, a, r, _ in found] == [
        ("sqs:SendMessage", QUEUE),
        ("kms:GenerateDataKey", KEY),
        ("kms:Decrypt", KEY),
    ]
    assert found[1][3]["kms:ViaService"] == "sqs.eu-west-1.amazonaws.com"
    assert found[1][3]["aws:ResourceTag/Service"] == "bbws-order-lambda"


def test_a_publish_implies_snss_own_delivery_to_each_subscribed_queue() -> None:
    found = _requests(_call("sns", "PublishBatch", TopicArn=TOPIC))
    assert ("sns.amazonaws.com", "sqs:SendMessage", QUEUE) in [(p, a, r) for p, a, r, _ in found]
    [delivery] = [c for p, a, _, c in found if p == "sns.amazonaws.com" and a == "sqs:SendMessage"]
    assert delivery["aws:SourceArn"] == TOPIC
    own = [a for p, a, _, _ in found if p != "sns.amazonaws.com"]
    assert own == ["sns:Publish", "kms:GenerateDataKey", "kms:Decrypt"]


@pytest.mark.parametrize(
    ("params", "resource", "leading"),
    [
        ({"Key": {"PK": {"S": "TENANT#a"}, "SK": {"S": "O#1"}}}, TABLE, "TENANT#a"),
        (
            {
                "KeyConditionExpression": "#pk = :pk AND begins_with(SK, :s)",
                "ExpressionAttributeNames": {"#pk": "PK"},
                "ExpressionAttributeValues": {":pk": {"S": "TENANT#b"}},
            },
            TABLE,
            "TENANT#b",
        ),
        (
            {
                "IndexName": "GSI1",
                "KeyConditionExpression": "GSI1_PK = :p",
                "ExpressionAttributeValues": {":p": {"S": "ORDERS#x"}},
            },
            f"{TABLE}/index/GSI1",
            "ORDERS#x",
        ),
    ],
)
def test_dynamodb_requests_carry_the_partition_they_touch(
    params: dict[str, Any], resource: str, leading: str
) -> None:
    operation = "Query" if "KeyConditionExpression" in params else "GetItem"
    [(_, action, found, context)] = _requests(
        _call("dynamodb", operation, TableName="orders", **params)
    )
    assert (action, found, context["dynamodb:LeadingKeys"]) == (
        f"dynamodb:{operation}",
        resource,
        (leading,),
    )


def test_a_versioned_read_is_get_object_version_and_a_presigned_link_the_signers() -> None:
    found = _requests(_call("s3", "GetObject", Bucket="docs", Key="t/o.pdf", VersionId="v1"))
    assert [a for _, a, _, _ in found] == ["s3:GetObjectVersion", "kms:Decrypt"]
    put = _requests(_call("s3", "PutObject", Bucket="docs", Key="t/o.pdf"))
    assert [a for _, a, _, _ in put] == ["s3:PutObject", "kms:GenerateDataKey"]


def test_an_email_is_authorised_against_the_senders_domain_identity() -> None:
    raw = _call("ses", "SendRawEmail", RawMessage={"From": "no-reply@kimmyai.io"})
    [(_, action, resource, context)] = _requests(raw)
    assert (action, resource) == (
        "ses:SendRawEmail",
        f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/kimmyai.io",
    )
    assert context["ses:FromAddress"] == "no-reply@kimmyai.io"


@pytest.mark.parametrize(
    "call",
    [
        _call("lambda", "Invoke", FunctionName="x"),
        _call("dynamodb", "TransactWriteItems", TableName="orders"),
        _call("sqs", "SendMessage", QueueUrl="http://h/1/not-ours"),
        _call("s3", "DeleteObject", Bucket="docs", Key="k"),
    ],
)
def test_a_call_the_proof_cannot_map_is_reported_not_passed(call: Call) -> None:
    with pytest.raises(Unmapped):
        requests_for(call, _planned())


needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "scripts" / "iam" / "node_modules").exists(),
    reason="iam-simulate is not installed (make iam-simulate)",
)
SEND = {"Sid": "Send", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": QUEUE}
KEYS = {
    "Sid": "Keys",
    "Effect": "Allow",
    "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
    "Resource": KEY,
}
ORDERS = {
    "Sid": "Orders",
    "Effect": "Allow",
    "Action": "dynamodb:GetItem",
    "Resource": TABLE,
    "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["TENANT#*"]}},
}
UNUSED = {"Sid": "Spare", "Effect": "Allow", "Action": "sqs:PurgeQueue", "Resource": QUEUE}


@needs_node
def test_the_evaluator_allows_granted_calls_and_names_the_refused_one() -> None:
    planned = _planned([SEND, KEYS, ORDERS, UNUSED])
    calls = [
        _call("sqs", "SendMessage", QueueUrl="http://h/1/work"),
        _call("dynamodb", "GetItem", TableName="orders", Key={"PK": {"S": "TENANT#a"}}),
        _call("dynamodb", "GetItem", TableName="orders", Key={"PK": {"S": "NOTIFICATION#a"}}),
    ]
    proof = prove(calls, planned, {})
    assert [o.request.describe() for o in proof.denied] == [
        f"f: dynamodb:GetItem on {TABLE} (for f: dynamodb GetItem orders)"
    ]
    assert proof.unused == [("f", "Spare", "sqs:PurgeQueue")]
    assert proof.unjustified == [("f", "Spare", "sqs:PurgeQueue")]
    refused = [o for o in without_statement(proof, planned, "f", "Send") if o.result != "Allowed"]
    assert [o.request.action for o in refused] == ["sqs:SendMessage"]


@needs_node
def test_the_permissions_boundary_takes_away_what_it_does_not_allow() -> None:
    planned = _planned([SEND, KEYS])
    planned.boundary = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}],
    }
    proof = prove([_call("sqs", "SendMessage", QueueUrl="http://h/1/work")], planned, {})
    assert sorted(o.request.action for o in proof.denied) == ["kms:Decrypt", "kms:GenerateDataKey"]
