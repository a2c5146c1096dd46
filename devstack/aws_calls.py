"""Every AWS call a function makes in the dev stack, recorded for the IAM proof (ADR 0027).

With `LOCAL_AWS_CALL_LOG` set to a folder, each process of the stack that runs a function's code
(the API, the containers, the stream consumer) or does what Lambda's event source mapping does
with the function's role (the pollers) records every botocore call it makes, and every
presigned URL it signs, as one JSON line in `{folder}/{function}.{pid}.jsonl`: the function, who
made it (`code`, or `mapping` for Lambda's own polling), the service, the operation, the region
and the parameters that name resources and condition keys (`summarize`). A call seen before
in the process is not written again. `scripts/iam_proof.py` turns the lines into IAM requests
and evaluates them against the planned policies.

Development only: nothing of it is deployed, and without the variable nothing is patched.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ENV = "LOCAL_AWS_CALL_LOG"
CODE, MAPPING = "code", "mapping"
# Who makes the calls of this process (threads included), unless `recording_as` says otherwise.
_process_caller = [CODE]
_caller: contextvars.ContextVar[str | None] = contextvars.ContextVar("aws_caller", default=None)

# The parameters that name a resource or carry a condition key, per service.
_KEPT = {
    "dynamodb": (
        "TableName", "IndexName", "Key", "Item", "KeyConditionExpression",
        "ExpressionAttributeNames", "ExpressionAttributeValues",
    ),
    "dynamodbstreams": ("StreamArn", "TableName"),
    "sqs": ("QueueUrl", "QueueName"),
    "sns": ("TopicArn",),
    "s3": ("Bucket", "Key", "VersionId", "ServerSideEncryption", "SSEKMSKeyId"),
    "ses": ("Source", "FromArn", "SourceArn", "ConfigurationSetName", "RawMessage"),
    "secretsmanager": ("SecretId",),
}  # fmt: skip


def _plain(value: Any) -> Any:
    """JSON-able: bytes (a raw email) as text, everything else as it is or its str."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def _sender(raw: Any) -> str | None:
    """The From address of a raw email's headers (what SES authorises SendRawEmail against)."""
    data = raw.get("Data") if isinstance(raw, dict) else None
    if data is None:
        return None
    from email.parser import BytesHeaderParser
    from email.utils import parseaddr

    text = data if isinstance(data, bytes) else str(data).encode()
    return parseaddr(BytesHeaderParser().parsebytes(text).get("From", ""))[1] or None


def summarize(service: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters that decide authorisation (names, keys, sender), nothing else."""
    kept = {k: v for k, v in params.items() if k in _KEPT.get(service, ())}
    if "Item" in kept:  # only the key attributes matter: the partition key of the item
        kept["Item"] = {k: v for k, v in kept["Item"].items() if k.endswith("PK") or k == "SK"}
    if "RawMessage" in kept:
        kept["RawMessage"] = {"From": _sender(kept["RawMessage"])}
    return dict(_plain(kept))


@contextlib.contextmanager
def recording_as(caller: str) -> Iterator[None]:
    """Calls made inside are recorded as `caller`'s (`code` or `mapping`)."""
    token = _caller.set(caller)
    try:
        yield
    finally:
        _caller.reset(token)


class _Log:
    """One process's log file: each distinct call once."""

    def __init__(self, path: Path, function: str) -> None:
        self._path = path
        self._function = function
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def write(
        self,
        service: str,
        operation: str,
        region: str | None,
        params: dict[str, Any],
        presigned: bool = False,
    ) -> None:
        line = json.dumps(
            {
                "function": self._function,
                "caller": _caller.get() or _process_caller[0],
                "service": service,
                "operation": operation,
                "region": region,
                "params": summarize(service, params),
                "presigned": presigned,
            },
            sort_keys=True,
        )
        with self._lock:
            if line in self._seen:
                return
            self._seen.add(line)
            with self._path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")


def install(function: str, caller: str = CODE) -> bool:
    """Record this process's AWS calls as `function`'s when `LOCAL_AWS_CALL_LOG` is set."""
    folder = os.environ.get(ENV)
    if not folder:
        return False
    import botocore.signers
    from botocore.client import BaseClient

    Path(folder).mkdir(parents=True, exist_ok=True)
    log = _Log(Path(folder) / f"{function}.{os.getpid()}.jsonl", function)
    _process_caller[0] = caller
    make_api_call: Callable[..., Any] = getattr(BaseClient, "_make_api_call")  # noqa: B009
    # boto3 adds generate_presigned_url to each S3 client class it creates, from this function.
    presign: Callable[..., Any] = botocore.signers.generate_presigned_url

    def recorded(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        log.write(
            self.meta.service_model.service_name, operation_name, self.meta.region_name, api_params
        )
        return make_api_call(self, operation_name, api_params)

    def presigned(self: BaseClient, ClientMethod: str, Params: Any = None, **kwargs: Any) -> Any:
        operation = self.meta.method_to_api_mapping.get(ClientMethod, ClientMethod)
        service = self.meta.service_model.service_name
        log.write(service, operation, self.meta.region_name, dict(Params or {}), presigned=True)
        return presign(self, ClientMethod, Params=Params, **kwargs)

    setattr(BaseClient, "_make_api_call", recorded)  # noqa: B010 - botocore's stubs omit it
    botocore.signers.generate_presigned_url = presigned  # type: ignore[assignment]
    return True
