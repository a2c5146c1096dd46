"""The account as the applied modules built it, read back through the AWS APIs."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from scripts.iam_proof.model import BOUNDARY, ROLE_POLICY, Planned, as_json


def read_planned(
    client: Callable[[str], Any], role_names: Mapping[str, str], boundary: Path | None = BOUNDARY
) -> Planned:
    """The applied modules' resources and policies, read back through the AWS APIs."""
    sts = client("sts").get_caller_identity()
    iam, dynamodb, sqs, sns, s3 = (client(s) for s in ("iam", "dynamodb", "sqs", "sns", "s3"))
    planned = Planned(
        account=sts["Account"],
        region=dynamodb.meta.region_name,
        role_names=dict(role_names),
        roles={
            function: as_json(
                iam.get_role_policy(RoleName=role, PolicyName=ROLE_POLICY)["PolicyDocument"]
            )
            for function, role in role_names.items()
        },
        boundary=json.loads(boundary.read_text()) if boundary else None,
    )
    for name in dynamodb.list_tables()["TableNames"]:
        table = dynamodb.describe_table(TableName=name)["Table"]
        keys = {"": _partition(table["KeySchema"])}
        for index in table.get("GlobalSecondaryIndexes", []):
            keys[index["IndexName"]] = _partition(index["KeySchema"])
        planned.tables[name] = {
            "arn": table["TableArn"],
            "stream": table.get("LatestStreamArn"),
            "keys": keys,
        }
    for url in sqs.list_queues().get("QueueUrls", []):
        found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        planned.queues[url.rsplit("/", 1)[-1]] = {
            "arn": found["QueueArn"],
            "policy": as_json(found["Policy"]) if found.get("Policy") else None,
            "key": found.get("KmsMasterKeyId"),
        }
    for topic in sns.list_topics()["Topics"]:
        arn = topic["TopicArn"]
        found = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        subscriptions = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        planned.topics[arn] = {
            "policy": as_json(found["Policy"]) if found.get("Policy") else None,
            "key": found.get("KmsMasterKeyId"),
            "queues": [s["Endpoint"] for s in subscriptions if s["Protocol"] == "sqs"],
        }
    for bucket in s3.list_buckets()["Buckets"]:
        planned.buckets[bucket["Name"]] = _bucket(s3, bucket["Name"])
    secrets = client("secretsmanager").list_secrets()["SecretList"]
    planned.secrets = {s["Name"]: {"arn": s["ARN"], "key": s.get("KmsKeyId")} for s in secrets}
    kms = client("kms")
    for key in kms.list_keys()["Keys"]:
        arn = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["Arn"]
        policy = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
        planned.keys[arn] = as_json(policy)
        tags = kms.list_resource_tags(KeyId=key["KeyId"]).get("Tags", [])
        planned.key_tags[arn] = {t["TagKey"]: t["TagValue"] for t in tags}
    return planned


def _partition(schema: list[dict[str, str]]) -> str:
    return next(k["AttributeName"] for k in schema if k["KeyType"] == "HASH")


def _bucket(s3: Any, name: str) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    try:
        policy = as_json(s3.get_bucket_policy(Bucket=name)["Policy"])
    except ClientError:
        policy = None
    try:
        rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        default = rules[0]["ApplyServerSideEncryptionByDefault"]
        key = default.get("KMSMasterKeyID") if default["SSEAlgorithm"] == "aws:kms" else None
    except (ClientError, KeyError, IndexError):
        key = None
    return {"policy": policy, "key": key}
