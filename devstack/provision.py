"""Create every resource the service uses, with the stage's names and settings, on an endpoint.

Mirrors the Terraform modules for stage `local`: the orders table (both GSIs, TTL, streams),
one queue + DLQ + redrive per SQS-triggered function, the SNS fan-out, both buckets (templates
uploaded), SES identities, and a Cognito user pool with an app client and three demo users.
"""

from __future__ import annotations

import json
import os
import secrets
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib import topology
from chalicelib.models import wire
from chalicelib.repositories import keys
from devstack.stage import PROJECT_DIR

TEMPLATES_DIR = PROJECT_DIR / "chalicelib" / "templates" / "email"
QUEUE_RETENTION_S = 4 * 24 * 3600
DLQ_RETENTION_S = 7 * 24 * 3600

DEMO_USERS = (
    ("alice@tenant-a.example", "tenant-a", ()),
    ("bob@tenant-b.example", "tenant-b", ()),
    ("ops@bbws.example", "platform", ("admin",)),
    # The payment system's service identity: the only one that marks orders paid (ADR 0013).
    ("payments@bbws.example", "platform", ("payments",)),
)
GROUPS = {"admin": "Platform operators", "payments": "The payment system (PAID, REFUNDED)"}

ClientFactory = Callable[[str], Any]


@dataclass
class Provisioned:
    """What was created: written to `.local/stack.json` and passed to the processes."""

    region: str
    table_name: str
    orders_bucket: str
    templates_bucket: str
    topic_arn: str
    user_pool_id: str
    user_pool_client_id: str
    queues: dict[str, dict[str, str]] = field(default_factory=dict)
    users: list[dict[str, Any]] = field(default_factory=list)
    stream_dlq_url: str = ""  # where the stream consumer's failed batches are reported


def new_password() -> str:
    """Fresh per user: no password lives in the repository. Every class Cognito may ask for."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(16)) + "aA1!"


def create_table(dynamodb: Any, name: str) -> None:
    """The single table: PK/SK, GSI1 OrdersByDateIndex, GSI2 OrderByIdIndex, TTL, streams."""
    attribute_names = ("PK", "SK", "GSI1_PK", "GSI1_SK", "GSI2_PK", "GSI2_SK")
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in attribute_names],
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": f"{prefix}_PK", "KeyType": "HASH"},
                    {"AttributeName": f"{prefix}_SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index, prefix in (
                (keys.ORDERS_BY_DATE_INDEX, "GSI1"),
                (keys.ORDER_BY_ID_INDEX, "GSI2"),
            )
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        SSESpecification={"Enabled": True},
    )
    dynamodb.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": keys.TTL_ATTRIBUTE},
    )


def create_queue_pair(
    sqs: Any, name: str, dlq_name: str, visibility_timeout_s: int
) -> dict[str, str]:
    """A queue with its DLQ and redrive policy; returns urls and arns."""
    dlq_url = sqs.create_queue(
        QueueName=dlq_name,
        Attributes={
            "MessageRetentionPeriod": str(DLQ_RETENTION_S),
            "MaximumMessageSize": str(wire.MESSAGE_LIMIT),
            "SqsManagedSseEnabled": "true",
        },
    )["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(visibility_timeout_s),
            "MessageRetentionPeriod": str(QUEUE_RETENTION_S),
            "ReceiveMessageWaitTimeSeconds": "20",
            "MaximumMessageSize": str(wire.MESSAGE_LIMIT),  # as Terraform sets it
            "SqsManagedSseEnabled": "true",
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": topology.MAX_RECEIVE_COUNT}
            ),
        },
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return {"url": url, "arn": arn, "dlqUrl": dlq_url, "dlqArn": dlq_arn}


def subscribe_queue(sns: Any, sqs: Any, topic_arn: str, queue: dict[str, str]) -> None:
    """Raw delivery of the topic's messages to a queue, with the queue policy SNS needs."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue["arn"],
                "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=queue["url"], Attributes={"Policy": json.dumps(policy)})
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue["arn"],
        Attributes={"RawMessageDelivery": "true"},
    )


def create_bucket(s3: Any, name: str, region: str) -> None:
    """Versioned, encrypted, with every public-access block on."""
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )


def upload_templates(s3: Any, bucket: str) -> None:
    """The packaged email templates, under the keys the senders read."""
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        s3.put_object(
            Bucket=bucket,
            Key=path.relative_to(TEMPLATES_DIR).as_posix(),
            Body=path.read_bytes(),
            ContentType="text/html; charset=utf-8",
        )


def add_user(
    cognito: Any,
    pool_id: str,
    username: str,
    tenant_id: str,
    groups: Sequence[str],
    *,
    password: str,
) -> None:
    """A confirmed user with a tenant and a permanent password, in `groups` (no invitation)."""
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": username},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "custom:tenantId", "Value": tenant_id},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)


def create_user_pool(cognito: Any, name: str) -> tuple[str, str, list[dict[str, Any]]]:
    """A pool with the tenant attribute, an app client for USER_PASSWORD_AUTH, demo users."""
    pool_id = cognito.create_user_pool(
        PoolName=name,
        Schema=[{"Name": "tenantId", "AttributeDataType": "String", "Mutable": False}],
        AutoVerifiedAttributes=["email"],
        UsernameAttributes=["email"],
    )["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=f"{name}-portal",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        GenerateSecret=False,
    )["UserPoolClient"]["ClientId"]
    for group, description in GROUPS.items():
        cognito.create_group(UserPoolId=pool_id, GroupName=group, Description=description)
    users = []
    for username, tenant_id, groups in DEMO_USERS:
        password = new_password()
        add_user(cognito, pool_id, username, tenant_id, groups, password=password)
        users.append(
            {
                "username": username,
                "password": password,
                "tenantId": tenant_id,
                "groups": list(groups),
            }
        )
    return pool_id, client_id, users


def provision(
    client: ClientFactory, env: dict[str, str], region: str, timeouts: dict[str, int]
) -> Provisioned:
    """Create everything for one stage; `timeouts` maps function name → Lambda timeout (s)."""
    sqs, sns = client("sqs"), client("sns")
    create_table(client("dynamodb"), env["ORDERS_TABLE_NAME"])

    topic_arn = sns.create_topic(
        Name=env[topology.EVENTS_TOPIC_ENV], Attributes={"KmsMasterKeyId": "alias/aws/sns"}
    )["TopicArn"]
    queues: dict[str, dict[str, str]] = {}
    # LOCAL_VISIBILITY_TIMEOUT_S: for tests that crash a poller and wait for its messages to come
    # back (6 x the PDF function's timeout is six minutes). Unset, the queues are Terraform's.
    shortened = os.environ.get("LOCAL_VISIBILITY_TIMEOUT_S")
    for consumer in topology.CONSUMERS:
        visibility = (
            int(shortened)
            if shortened
            else topology.VISIBILITY_TIMEOUT_FACTOR * timeouts[consumer.function]
        )
        queue = create_queue_pair(sqs, env[consumer.queue_env], env[consumer.dlq_env], visibility)
        if consumer.fed_by_topic:
            subscribe_queue(sns, sqs, topic_arn, queue)
        queues[consumer.function] = queue

    stream_dlq_url = sqs.create_queue(
        QueueName=env[topology.ORDER_STATUS_STREAM.dlq_env],
        Attributes={
            "MessageRetentionPeriod": str(DLQ_RETENTION_S),
            "MaximumMessageSize": str(wire.MESSAGE_LIMIT),
            "SqsManagedSseEnabled": "true",
        },
    )["QueueUrl"]

    s3 = client("s3")
    for bucket in (env["ORDERS_BUCKET_NAME"], env["TEMPLATES_BUCKET_NAME"]):
        create_bucket(s3, bucket, region)
    upload_templates(s3, env["TEMPLATES_BUCKET_NAME"])

    ses = client("ses")
    identities = [env["EMAIL_SENDER"], *env["INTERNAL_NOTIFICATION_RECIPIENTS"].split(",")]
    for identity in identities:
        ses.verify_email_identity(EmailAddress=identity.strip())

    client("secretsmanager").create_secret(
        Name=env["CURSOR_SECRET_ID"],
        Description="Signs the order list cursors (generated per local stack)",
        SecretString=secrets.token_urlsafe(48),
    )
    pool_id, client_id, users = create_user_pool(
        client("cognito-idp"), f"bbws-customer-portal-{env['APP_ENV']}"
    )
    return Provisioned(
        region=region,
        table_name=env["ORDERS_TABLE_NAME"],
        orders_bucket=env["ORDERS_BUCKET_NAME"],
        templates_bucket=env["TEMPLATES_BUCKET_NAME"],
        topic_arn=topic_arn,
        user_pool_id=pool_id,
        user_pool_client_id=client_id,
        queues=queues,
        users=users,
        stream_dlq_url=stream_dlq_url,
    )
