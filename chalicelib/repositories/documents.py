"""The customer's PDFs in the orders bucket (versioned), at `Document.key` (API.md, S3 layout).

Each write is conditional on what it replaces: `If-None-Match: *` for the first document at a
key, `If-Match: <etag>` for a re-render. Two deliveries of one status change can never both add
a version, and a late event for an earlier status never replaces a later document (the service
compares the stored document's `document` metadata first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from chalicelib.failures import dependency, error_code
from chalicelib.models.orders import Order
from chalicelib.ports import StoredDocument

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

PDF = "application/pdf"
SUPPORT_REQUEST = "support-request"  # metadata: the admin's re-render that wrote this version
LEGACY_DOCUMENT = "proforma"  # objects stored before the metadata was kept were all pro formas
_ABSENT = frozenset({"404", "NoSuchKey", "NotFound"})
_CHANGED = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict", "409"})


class DocumentStore:
    """Reads and conditionally writes document versions; hands out short-lived links."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def current(self, key: str) -> StoredDocument | None:
        """The current version's document name, ETag and version id; None when absent."""
        with dependency("Could not look for the document"):
            try:
                head = self._client.head_object(Bucket=self._bucket, Key=key)
            except ClientError as exc:
                if error_code(exc) in _ABSENT:
                    return None
                raise
        metadata = head.get("Metadata", {})
        return StoredDocument(
            name=metadata.get("document", LEGACY_DOCUMENT),
            etag=str(head["ETag"]),
            version_id=head.get("VersionId"),
            request=metadata.get(SUPPORT_REQUEST),
            stored_at=head.get("LastModified"),
        )

    def put(
        self,
        key: str,
        pdf: bytes,
        order: Order,
        name: str,
        replacing: StoredDocument | None,
        *,
        request: str | None = None,
    ) -> StoredDocument | None:
        """A new version, unless the key changed since `replacing` was read (then None)."""
        condition: dict[str, Any] = (
            {"IfMatch": replacing.etag} if replacing else {"IfNoneMatch": "*"}
        )
        with dependency("Could not store the document"):
            try:
                response = self._client.put_object(
                    Bucket=self._bucket,
                    Key=key,
                    Body=pdf,
                    ContentType=PDF,
                    # Encrypted by the bucket's default: SSE-KMS with the environment's key in AWS
                    # (infrastructure/modules/storage), AES256 on the local stack.
                    Metadata={
                        "document": name,
                        "order-id": order.id,
                        "tenant-id": order.tenantId,
                        "order-number": order.orderNumber or "",
                        "order-version": str(order.version),
                        **({SUPPORT_REQUEST: request} if request else {}),
                    },
                    **condition,
                )
            except ClientError as exc:
                if error_code(exc) in _CHANGED or (replacing and error_code(exc) in _ABSENT):
                    return None
                raise
        return StoredDocument(name, str(response["ETag"]), response.get("VersionId"), request)

    def read(self, key: str, version_id: str | None) -> bytes:
        """One version's bytes (to attach to an email)."""
        extra: dict[str, Any] = {"VersionId": version_id} if version_id else {}
        with dependency("Could not read the document"):
            response = self._client.get_object(Bucket=self._bucket, Key=key, **extra)
            return bytes(response["Body"].read())

    def link(self, key: str, expires_in: int) -> str:
        """A presigned GET URL (computed locally: no request to S3)."""
        return str(
            self._client.generate_presigned_url(
                "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_in
            )
        )
