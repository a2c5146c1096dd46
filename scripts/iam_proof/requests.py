"""One recorded call → the IAM requests AWS authorises for it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from scripts.iam_proof.model import Call, Planned, Request, Unmapped

_BATCH_ACTIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
    "PublishBatch": "Publish",
    "HeadObject": "GetObject",
}
_KEY_CONDITION = re.compile(r"^\s*(#?\w+)\s*=\s*(:\w+)")


def requests_for(call: Call, planned: Planned) -> list[Request]:
    """The IAM requests AWS authorises for `call` (raises Unmapped for a call it cannot map)."""
    mapper = _MAPPERS.get(call.service)
    if mapper is None:
        raise Unmapped(f"no IAM mapping for {call.describe()}")
    return mapper(call, planned)


def _own(call: Call, planned: Planned, action: str, resource: str, **kwargs: Any) -> Request:
    """A request of the function's own role."""
    return Request(
        call=call,
        principal=planned.role_arn(call.function),
        action=action,
        resource=resource,
        function=call.function,
        **kwargs,
    )


def _context(**values: Any) -> tuple[tuple[str, Any], ...]:
    """Condition keys as a hashable tuple (a multi-valued key as a tuple of its values)."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in values.items()))


def _kms(
    call: Call, planned: Planned, key: str | None, actions: Iterable[str], via: str, **context: Any
) -> list[Request]:
    """What an encrypted resource costs its caller in KMS: `actions` on the key, via `via`."""
    arn = _key_arn(planned, key)
    if arn is None:
        return []
    tags = {f"aws:ResourceTag/{k}": v for k, v in planned.key_tags.get(arn, {}).items()}
    keys = _context(
        **{
            "kms:ViaService": f"{via}.{call.region}.amazonaws.com",
            "kms:CallerAccount": planned.account,
            **tags,
            **context,
        }
    )
    return [
        _own(call, planned, f"kms:{a}", arn, context=keys, resource_policy=f"key:{arn}")
        for a in actions
    ]


def _key_arn(planned: Planned, key: str | None) -> str | None:
    if not key or key.startswith("alias/aws/"):  # AWS managed keys: no key policy of ours
        return None
    if key in planned.keys:
        return key
    for arn in planned.keys:
        if arn.endswith(f"/{key}"):
            return arn
    raise Unmapped(f"the key {key} is not one the modules made")


def _dynamodb(call: Call, planned: Planned) -> list[Request]:
    params = call.params
    table = planned.tables.get(str(params.get("TableName")))
    if table is None:
        raise Unmapped(f"{call.describe()}: no such table was applied")
    if call.operation in {"DescribeTable"}:
        return [_own(call, planned, "dynamodb:DescribeTable", table["arn"])]
    if call.operation not in {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query"}:
        raise Unmapped(f"no IAM mapping for {call.describe()}")
    index = params.get("IndexName")
    resource = f"{table['arn']}/index/{index}" if index else table["arn"]
    partition = table["keys"][index or ""]
    leading = _leading_key(params, partition)
    context = _context(**{"dynamodb:LeadingKeys": [leading]}) if leading is not None else ()
    return [_own(call, planned, f"dynamodb:{call.operation}", resource, context=context)]


def _leading_key(params: Mapping[str, Any], partition: str) -> str | None:
    """The partition key value a request names (its Key, its Item, or its key condition)."""
    for name in ("Key", "Item"):
        value = (params.get(name) or {}).get(partition)
        if isinstance(value, dict):
            return str(next(iter(value.values())))
    expression = str(params.get("KeyConditionExpression") or "")
    match = _KEY_CONDITION.match(expression)
    if match:
        names = params.get("ExpressionAttributeNames") or {}
        attribute = names.get(match.group(1), match.group(1))
        value = (params.get("ExpressionAttributeValues") or {}).get(match.group(2))
        if attribute == partition and isinstance(value, dict):
            return str(next(iter(value.values())))
    return None


def _streams(call: Call, planned: Planned) -> list[Request]:
    recorded = str(call.params.get("StreamArn", ""))  # GetRecords names only its iterator
    streams = {name: t["stream"] for name, t in planned.tables.items() if t["stream"]}
    table = recorded.split(":table/", 1)[-1].split("/stream/", 1)[0] if recorded else ""
    if not table and len(streams) == 1:
        [table] = streams
    if table not in streams:
        raise Unmapped(f"{call.describe()}: no applied table {table!r} with a stream")
    stream = streams[table]  # the same table's stream: its label differs per account
    # DynamoDB uses the table's key through its own grant: neither the table's items nor its
    # stream records cost the caller a KMS request (ADR 0027).
    return [_own(call, planned, f"dynamodb:{call.operation}", stream)]


def _sqs(call: Call, planned: Planned) -> list[Request]:
    name = queue_name(call)
    queue = planned.queues.get(name)
    if queue is None:
        raise Unmapped(f"{call.describe()}: no such queue was applied")
    action = "sqs:" + _BATCH_ACTIONS.get(call.operation, call.operation)
    secure = _context(**{"aws:SecureTransport": "true"})
    requests = [
        _own(call, planned, action, queue["arn"], context=secure, resource_policy=f"queue:{name}")
    ]
    encryption = {"kms:EncryptionContext:aws:sqs:arn": queue["arn"]}
    if action == "sqs:SendMessage":
        requests += _kms(
            call, planned, queue["key"], ["GenerateDataKey", "Decrypt"], "sqs", **encryption
        )
    elif action == "sqs:ReceiveMessage":
        requests += _kms(call, planned, queue["key"], ["Decrypt"], "sqs", **encryption)
    return requests


def _sns(call: Call, planned: Planned) -> list[Request]:
    arn = str(call.params.get("TopicArn"))
    topic = planned.topics.get(arn)
    if topic is None or call.operation not in {"Publish", "PublishBatch"}:
        raise Unmapped(f"{call.describe()}: not a publish to an applied topic")
    secure = _context(**{"aws:SecureTransport": "true"})
    requests = [
        _own(call, planned, "sns:Publish", arn, context=secure, resource_policy=f"topic:{arn}")
    ]
    requests += _kms(call, planned, topic["key"], ["GenerateDataKey", "Decrypt"], "sns")
    for queue_arn in topic["queues"]:  # SNS delivers to each subscribed queue itself
        name = queue_arn.rsplit(":", 1)[-1]
        source = {
            "aws:SourceArn": arn,
            "aws:SourceAccount": planned.account,
            "aws:SecureTransport": "true",
        }
        requests.append(
            Request(
                call,
                "sns.amazonaws.com",
                "sqs:SendMessage",
                queue_arn,
                _context(**source),
                f"queue:{name}",
            )
        )
        key = _key_arn(planned, planned.queues[name]["key"])
        if key is not None:
            for action in ("kms:GenerateDataKey", "kms:Decrypt"):
                requests.append(
                    Request(
                        call,
                        "sns.amazonaws.com",
                        action,
                        key,
                        _context(**{"aws:SourceArn": arn, "aws:SourceAccount": planned.account}),
                        f"key:{key}",
                    )
                )
    return requests


def _s3(call: Call, planned: Planned) -> list[Request]:
    bucket_name = str(call.params.get("Bucket"))
    bucket = planned.buckets.get(bucket_name)
    if bucket is None:
        raise Unmapped(f"{call.describe()}: no such bucket was applied")
    operation = _BATCH_ACTIONS.get(call.operation, call.operation)
    if operation not in {"GetObject", "PutObject"}:
        raise Unmapped(f"no IAM mapping for {call.describe()}")
    if operation == "GetObject" and call.params.get("VersionId"):
        operation = "GetObjectVersion"
    resource = f"arn:aws:s3:::{bucket_name}/{call.params.get('Key')}"
    context: dict[str, Any] = {"aws:SecureTransport": "true"}
    if call.params.get("ServerSideEncryption"):
        context["s3:x-amz-server-side-encryption"] = call.params["ServerSideEncryption"]
    requests = [
        _own(
            call,
            planned,
            f"s3:{operation}",
            resource,
            context=_context(**context),
            resource_policy=f"bucket:{bucket_name}",
        )
    ]
    kms_actions = ["GenerateDataKey"] if operation == "PutObject" else ["Decrypt"]
    requests += _kms(
        call,
        planned,
        bucket["key"],
        kms_actions,
        "s3",
        **{"kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{bucket_name}"},
    )
    return requests


def _ses(call: Call, planned: Planned) -> list[Request]:
    if call.operation not in {"SendEmail", "SendRawEmail"}:
        raise Unmapped(f"no IAM mapping for {call.describe()}")
    sender = call.params.get("Source") or (call.params.get("RawMessage") or {}).get("From")
    if not sender:
        raise Unmapped(f"{call.describe()}: no sender to authorise")
    address = str(sender).rsplit("<", 1)[-1].rstrip(">")
    identity = f"arn:aws:ses:{call.region}:{planned.account}:identity/{address.rsplit('@', 1)[-1]}"
    context = _context(**{"ses:FromAddress": address})
    return [_own(call, planned, f"ses:{call.operation}", identity, context=context)]


def _secrets(call: Call, planned: Planned) -> list[Request]:
    secret_id = str(call.params.get("SecretId"))
    secret = planned.secrets.get(secret_id) or next(
        (s for s in planned.secrets.values() if s["arn"] == secret_id), None
    )
    if secret is None or call.operation != "GetSecretValue":
        raise Unmapped(f"{call.describe()}: not a read of an applied secret")
    requests = [_own(call, planned, "secretsmanager:GetSecretValue", secret["arn"])]
    context = {"kms:EncryptionContext:SecretARN": secret["arn"]}
    return requests + _kms(call, planned, secret["key"], ["Decrypt"], "secretsmanager", **context)


_MAPPERS: dict[str, Callable[[Call, Planned], list[Request]]] = {
    "dynamodb": _dynamodb,
    "dynamodbstreams": _streams,
    "sqs": _sqs,
    "sns": _sns,
    "s3": _s3,
    "ses": _ses,
    "secretsmanager": _secrets,
}


def queue_name(call: Call) -> str:
    """The queue a call names (by URL or by name)."""
    return str(
        call.params.get("QueueName")
        or urlsplit(str(call.params.get("QueueUrl"))).path.rsplit("/", 1)[-1]
    )
