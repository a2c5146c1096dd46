"""Presigned S3 URLs checked as S3 checks them: SigV4 query signature, lifetime, expiry.

moto serves any presigned GET whatever its signature or age, so a link for another key, or one
that expired, worked locally and would fail in AWS (issue 28). `verify` recomputes the signature
with botocore's own SigV4 query signer, from the URL's own date, scope and lifetime, and
compares; `install` puts it in front of moto's object routes. The emulator knows one key pair,
the dev stack's (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, "local"), as an account knows
its users' secrets.

Answers, as S3 gives them: a SigV2 link (`Signature=`, which S3 no longer takes for buckets
made since June 2020) is 400 `InvalidRequest`; a lifetime over 7 days is 400
`AuthorizationQueryParametersError`; an expired link 403 `AccessDenied` "Request has expired";
an unknown key 403 `InvalidAccessKeyId`; any other difference 403 `SignatureDoesNotMatch`.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from devstack.patching import patch_once

MAX_EXPIRES_S = 7 * 24 * 3600  # SigV4 query signing: a week at most
_TIMESTAMP = "%Y%m%dT%H%M%SZ"
_MISSING_PARAMETERS = (
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
    "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
)
_TOO_LONG = f"X-Amz-Expires must be less than a week (in seconds) that is; {MAX_EXPIRES_S}"
_SIGV2 = (
    "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
)
_UNKNOWN_KEY = "The AWS Access Key Id you provided does not exist in our records."
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)


@dataclass(frozen=True)
class Refusal:
    """S3's answer to a presigned request it does not honour."""

    status: int
    code: str
    message: str

    def response(self) -> tuple[int, dict[str, str], str]:
        """(status, headers, XML body) as S3 answers it."""
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{self.code}</Code><Message>{self.message}</Message></Error>"
        )
        return self.status, {"Content-Type": "application/xml"}, body


def _refused(code: str, message: str, status: int = 403) -> Refusal:
    return Refusal(status, code, message)


def verify(
    method: str,
    url: str,
    headers: Mapping[str, str],
    secrets: Mapping[str, str],
    now: datetime | None = None,
) -> Refusal | None:
    """None when S3 would honour this presigned request; else S3's refusal."""
    from botocore.auth import S3SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    given = dict(query)
    try:
        access_key, date, region, service, _ = given["X-Amz-Credential"].split("/")
        signed_at = datetime.strptime(given["X-Amz-Date"], _TIMESTAMP).replace(tzinfo=UTC)
        expires = int(given["X-Amz-Expires"])
        signature = given["X-Amz-Signature"]
    except (KeyError, ValueError):
        return _refused("AuthorizationQueryParametersError", _MISSING_PARAMETERS, 400)
    if not 0 < expires <= MAX_EXPIRES_S:
        return _refused("AuthorizationQueryParametersError", _TOO_LONG, 400)
    if (now or datetime.now(UTC)) > signed_at + timedelta(seconds=expires):
        return _refused("AccessDenied", "Request has expired")
    secret = secrets.get(access_key)
    if secret is None:
        return _refused("InvalidAccessKeyId", _UNKNOWN_KEY)
    unsigned = [(k, v) for k, v in query if not k.startswith("X-Amz-")]
    request = AWSRequest(
        method=method,
        url=urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(unsigned), "")),
        headers={"host": headers.get("host") or headers.get("Host") or parts.netloc},
    )
    request.context["timestamp"] = given["X-Amz-Date"]
    signer = S3SigV4QueryAuth(Credentials(access_key, secret), service, region, expires=expires)
    signer._modify_request_before_signing(request)  # type: ignore[attr-defined]
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if date != given["X-Amz-Date"][:8] or not hmac.compare_digest(expected, signature):
        return _refused("SignatureDoesNotMatch", _MISMATCH)
    return None


def dev_stack_secrets() -> dict[str, str]:
    """The one key pair the dev stack's processes use (devstack/stack.py `child_env`)."""
    return {
        os.environ.get("AWS_ACCESS_KEY_ID", "local"): os.environ.get(
            "AWS_SECRET_ACCESS_KEY", "local"
        )
    }


def _checked(original: Callable[..., Any]) -> Callable[..., Any]:
    def key_response(self: Any, request: Any, full_url: str, headers: Any) -> Any:
        query = urlsplit(full_url).query
        presigned = "Signature=" in query and "Authorization" not in request.headers
        if presigned and "X-Amz-Signature=" not in query:  # SigV2: not for buckets made now
            return _refused("InvalidRequest", _SIGV2, 400).response()
        if presigned and request.method in {"GET", "HEAD"}:
            refusal = verify(request.method, full_url, request.headers, dev_stack_secrets())
            if refusal is not None:
                return refusal.response()
        return original(self, request, full_url, headers)

    return key_response


def install() -> None:
    """Check presigned GETs in moto's S3 (idempotent)."""
    from moto.s3.responses import S3Response

    patch_once(S3Response, "key_response", _checked)
