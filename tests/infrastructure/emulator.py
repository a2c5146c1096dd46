"""Talking to the emulator from Terraform and boto3 (the infrastructure tests' own helpers).

Apart from conftest.py so that `applied.py`, which the session fixture imports, does not import
the conftest back (no import cycle anywhere: tests/unit/test_architecture.py).
"""

from __future__ import annotations

from typing import Any

EMULATOR_ACCOUNT = "123456789012"  # moto's
PROVIDER_SERVICES = (
    "apigateway",
    "cloudwatch",
    "dynamodb",
    "iam",
    "kms",
    "lambda",
    "logs",
    "route53",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "sts",
    "wafv2",
)


def emulator_client(url: str, service: str, region: str = "eu-west-1") -> Any:
    """A boto3 client of an emulator."""
    import boto3

    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def emulator_provider(url: str, region: str, alias: str | None = None) -> dict[str, Any]:
    """An AWS provider block that talks to the emulator."""
    block: dict[str, Any] = {
        "region": region,
        "access_key": "test",
        "secret_key": "test",
        "allowed_account_ids": [EMULATOR_ACCOUNT],
        "skip_credentials_validation": True,
        "skip_metadata_api_check": True,
        "s3_use_path_style": True,
        "endpoints": [dict.fromkeys(PROVIDER_SERVICES, url)],
    }
    if alias:
        block["alias"] = alias
    return block
