"""Email templates kept in the templates bucket."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from chalicelib.failures import dependency, error_code

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class TemplateBucket:
    """Reads a template by key; None when the bucket has none (the packaged default is used)."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def fetch(self, key: str) -> str | None:
        """The template's text, or None if absent."""
        with dependency("Could not read the email template"):
            try:
                response = self._client.get_object(Bucket=self._bucket, Key=key)
            except ClientError as exc:
                if error_code(exc) in {"NoSuchKey", "404"}:
                    return None
                raise
        return response["Body"].read().decode("utf-8")
