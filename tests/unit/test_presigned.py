"""Presigned GETs checked as S3 checks them (devstack/presigned.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.config import Config

from devstack.presigned import MAX_EXPIRES_S, verify

SECRETS = {"local": "local"}
ENDPOINT = "http://127.0.0.1:5999"


def _link(
    key: str = "tenant-a/orders/order_1.pdf",
    expires: int = 300,
    secret: str = "local",  # noqa: S107 - the dev stack's fixed key
) -> str:
    s3 = boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key=secret,
        config=Config(signature_version="s3v4"),
    )
    return str(
        s3.generate_presigned_url(
            "get_object", Params={"Bucket": "bbws-orders-local", "Key": key}, ExpiresIn=expires
        )
    )


def _check(url: str, now: datetime | None = None) -> tuple[int, str] | None:
    refusal = verify("GET", url, {"Host": "127.0.0.1:5999"}, SECRETS, now)
    return None if refusal is None else (refusal.status, refusal.code)


def test_a_fresh_link_is_honoured() -> None:
    assert _check(_link()) is None
    assert _check(_link(), datetime.now(UTC) + timedelta(seconds=290)) is None


def test_a_link_for_another_key_is_a_signature_mismatch() -> None:
    url = _link()
    assert _check(url.replace("order_1.pdf", "order_2.pdf")) == (403, "SignatureDoesNotMatch")
    assert _check(url.replace("tenant-a/", "tenant-b/")) == (403, "SignatureDoesNotMatch")


def test_an_expired_link_is_access_denied() -> None:
    later = datetime.now(UTC) + timedelta(seconds=301)
    assert _check(_link(), later) == (403, "AccessDenied")


def test_a_link_signed_with_another_secret_or_key_is_refused() -> None:
    assert _check(_link(secret="other")) == (403, "SignatureDoesNotMatch")
    assert _check(_link().replace("Credential=local", "Credential=someone")) == (
        403,
        "InvalidAccessKeyId",
    )


@pytest.mark.parametrize(
    ("given", "changed"),
    [
        ("X-Amz-Expires=300", "X-Amz-Expires=3000"),  # a longer life than was signed
        ("X-Amz-Date=", "X-Amz-Date=1"),  # another date
        ("X-Amz-Signature=", "X-Amz-Signature=0"),
    ],
)
def test_a_tampered_lifetime_date_or_signature_is_refused(given: str, changed: str) -> None:
    url = _link()
    assert given in url
    assert _check(url.replace(given, changed)) is not None


def test_a_lifetime_over_a_week_is_400() -> None:
    url = _link(expires=MAX_EXPIRES_S)
    assert _check(url) is None
    too_long = url.replace(f"X-Amz-Expires={MAX_EXPIRES_S}", f"X-Amz-Expires={MAX_EXPIRES_S + 1}")
    assert _check(too_long) == (400, "AuthorizationQueryParametersError")
