"""The only place boto3 clients are made: lazily, once per process, endpoint from the environment.

`AWS_ENDPOINT_URL` (the standard botocore setting) points every client at an emulator; unset,
the clients talk to AWS. Retries use botocore's `standard` mode.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import TYPE_CHECKING, Any

from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_ses import SESClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient

# boto3's default session is not thread-safe to create clients from; the local poller and the
# threaded `chalice local` server both make clients from several threads.
_lock = threading.Lock()


@cache
def client(service: str) -> Any:
    """A cached boto3 client for `service`, created on first use."""
    import boto3
    from botocore.config import Config

    settings = get_settings()
    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=3,
        read_timeout=10,
        tcp_keepalive=True,
        # Presigned links must be SigV4: S3 refuses SigV2 for SSE-KMS objects, and botocore
        # still presigns SigV2 in some regions (eu-west-1, the DR region) unless told.
        signature_version="s3v4" if service == "s3" else None,
    )
    with _lock:
        return boto3.session.Session().client(
            service,  # type: ignore[call-overload]
            region_name=settings.aws_region,
            endpoint_url=settings.aws_endpoint_url,
            config=config,
        )


def dynamodb() -> DynamoDBClient:
    """The DynamoDB client."""
    return client("dynamodb")  # type: ignore[no-any-return]


def sqs() -> SQSClient:
    """The SQS client."""
    return client("sqs")  # type: ignore[no-any-return]


def sns() -> SNSClient:
    """The SNS client."""
    return client("sns")  # type: ignore[no-any-return]


def s3() -> S3Client:
    """The S3 client."""
    return client("s3")  # type: ignore[no-any-return]


def ses() -> SESClient:
    """The SES client."""
    return client("ses")  # type: ignore[no-any-return]


def secretsmanager() -> SecretsManagerClient:
    """The Secrets Manager client."""
    return client("secretsmanager")  # type: ignore[no-any-return]
