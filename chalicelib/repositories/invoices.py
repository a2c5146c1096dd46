"""Invoice PDFs in the orders bucket, at `ports.invoice_key` (`{tenant}/orders/order_{id}.pdf`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from chalicelib.failures import dependency, error_code
from chalicelib.models.orders import Order

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

PDF = "application/pdf"


class InvoiceStore:
    """Writes each invoice once (conditional put) and hands out short-lived links."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def exists(self, key: str) -> bool:
        """Whether the object is there (a redelivery skips rendering)."""
        with dependency("Could not look for the invoice"):
            try:
                self._client.head_object(Bucket=self._bucket, Key=key)
            except ClientError as exc:
                if error_code(exc) in {"404", "NoSuchKey", "NotFound"}:
                    return False
                raise
        return True

    def put(self, key: str, pdf: bytes, order: Order) -> bool:
        """Store the PDF unless it exists (`If-None-Match: *`): never a second version."""
        with dependency("Could not store the invoice"):
            try:
                self._client.put_object(
                    Bucket=self._bucket,
                    Key=key,
                    Body=pdf,
                    ContentType=PDF,
                    # Encrypted by the bucket's default: SSE-KMS with the environment's key in AWS
                    # (infrastructure/modules/storage), AES256 on the local stack.
                    IfNoneMatch="*",
                    Metadata={
                        "order-id": order.id,
                        "tenant-id": order.tenantId,
                        "order-number": order.orderNumber or "",
                    },
                )
            except ClientError as exc:
                if error_code(exc) in {"PreconditionFailed", "412"}:
                    return False
                raise
        return True

    def link(self, key: str, expires_in: int) -> str:
        """A presigned GET URL (computed locally: no request to S3)."""
        return str(
            self._client.generate_presigned_url(
                "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_in
            )
        )
