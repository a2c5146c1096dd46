"""Who is calling: ID-token claims → `Principal`, in one place.

API Gateway's Cognito authorizer verifies the token (signature, expiry, issuer, audience) and
hands the claims over in the request context; the service reads them, never a token it has not
seen verified. The dev stack and the tests put the same verification in front of Chalice's local
gateway (`devstack/authorizer.py`), so this one path runs everywhere (docs/adr/0012).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from chalicelib.errors import AuthenticationFailed, PermissionDenied
from chalicelib.models.fields import TENANT_ID
from chalicelib.models.principal import Principal

TENANT_CLAIM = "custom:tenantId"
GROUPS_CLAIM = "cognito:groups"


def route_authorizer() -> Any:
    """The Cognito User Pool authorizer of the `/v1.0` routes (the pool ARNs from packaging)."""
    from chalice.app import CognitoUserPoolAuthorizer

    from chalicelib.settings import get_settings

    return CognitoUserPoolAuthorizer("CognitoUserPool", provider_arns=get_settings().user_pool_arns)


def _groups(raw: Any) -> frozenset[str]:
    """Cognito groups as the token's JSON list, matched exactly (a group `x,admin` is not admin)."""
    if isinstance(raw, list | tuple):
        return frozenset(g for g in raw if isinstance(g, str))
    return frozenset()


def bearer(authorization: str | None) -> str:
    """The token in an `Authorization` header, raw or as `Bearer <token>` ("" when absent)."""
    token = (authorization or "").strip()
    return token[7:].strip() if token[:7].lower() == "bearer " else token


def _token_payload(authorization: str | None) -> dict[str, Any]:
    """The claims inside the bearer token (no verification: only for a token already verified).

    API Gateway hands the authorizer's claims over as strings, flattening `cognito:groups` to
    "a,b" (REST) or "[a b]" (HTTP API): a group named `x,admin` would read as two groups. The
    token itself holds the exact list.
    """
    try:
        body = bearer(authorization).split(".")[1]
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (IndexError, ValueError, binascii.Error, UnicodeDecodeError):
        return {}
    return payload if isinstance(payload, dict) else {}


def principal_from_claims(
    claims: Mapping[str, Any], groups: frozenset[str] | None = None
) -> Principal:
    """Build the caller from verified claims; a token without subject or tenant is refused.

    The tenant must match `^[a-z0-9][a-z0-9-]{1,62}$`: it becomes part of storage keys, S3 keys
    and object metadata, so anything else is refused here, before it is stored anywhere.
    """
    subject = claims.get("sub")
    tenant_id = claims.get(TENANT_CLAIM)
    if not subject or not tenant_id:
        raise AuthenticationFailed("The token carries no subject or no tenant")
    if not isinstance(tenant_id, str) or not TENANT_ID.fullmatch(tenant_id):
        raise PermissionDenied(
            "The token's tenant is not a valid tenant id (2-63 lower-case letters, digits or "
            "hyphens); ask an administrator to correct the user's custom:tenantId"
        )
    email = claims.get("email")
    return Principal(
        subject=str(subject),
        tenant_id=tenant_id,
        email=email if isinstance(email, str) else None,
        groups=_groups(claims.get(GROUPS_CLAIM)) if groups is None else groups,
    )


def principal(headers: Mapping[str, str], context: Mapping[str, Any]) -> Principal:
    """The caller of this request, from the claims the gateway's authorizer verified."""
    claims = (context.get("authorizer") or {}).get("claims")
    if not claims:
        raise AuthenticationFailed("The request carries no verified identity")
    # The gateway verified this very header; its payload has the groups as an exact list.
    payload = _token_payload(headers.get("authorization"))
    same_token = payload.get("sub") == claims.get("sub")
    return principal_from_claims(claims, _groups(payload.get(GROUPS_CLAIM)) if same_token else None)
