"""Who is calling: ID-token claims → `Principal`, in one place.

In AWS, API Gateway's Cognito authorizer verifies the token and hands the claims over in the
request context. `chalice local` verifies nothing, so with `AUTH_MODE=jwks` (stage `local`) the
service verifies the token itself against the user pool's JWKS: signature, expiry, issuer,
audience and `token_use`.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
from collections.abc import Mapping
from typing import Any

from chalicelib.errors import AuthenticationFailed, DependencyFailed, PermissionDenied
from chalicelib.models.fields import TENANT_ID
from chalicelib.models.principal import Principal
from chalicelib.settings import Settings

TENANT_CLAIM = "custom:tenantId"
GROUPS_CLAIM = "cognito:groups"


def route_authorizer() -> Any:
    """The authorizer for `/v1.0` routes, chosen at import from `AUTH_MODE`.

    None in `jwks` mode: the service verifies tokens itself (see `TokenVerifier`).
    """
    if os.environ.get("AUTH_MODE", "gateway") == "jwks":
        return None
    from chalice.app import CognitoUserPoolAuthorizer

    arns = [arn for arn in os.environ.get("COGNITO_USER_POOL_ARN", "").split(",") if arn]
    return CognitoUserPoolAuthorizer("CognitoUserPool", provider_arns=arns)


def _groups(raw: Any) -> frozenset[str]:
    """Cognito groups as the token's JSON list, matched exactly (a group `x,admin` is not admin)."""
    if isinstance(raw, list | tuple):
        return frozenset(g for g in raw if isinstance(g, str))
    return frozenset()


def _bearer(authorization: str | None) -> str:
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
        body = _bearer(authorization).split(".")[1]
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


class TokenVerifier:
    """Verifies Cognito ID tokens against the pool's JWKS (keys cached, fetched lazily)."""

    def __init__(self, jwks_url: str, issuer: str, audience: str | None) -> None:
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._audience = audience
        self._client: Any = None
        self._lock = threading.Lock()

    def _jwks(self) -> Any:
        with self._lock:
            if self._client is None:
                import jwt

                self._client = jwt.PyJWKClient(self._jwks_url, cache_keys=True, lifespan=300)
            return self._client

    def verify(self, authorization: str | None) -> dict[str, Any]:
        """The claims of a valid ID token in an `Authorization` header (raw or `Bearer`)."""
        import jwt

        token = _bearer(authorization)
        if not token:
            raise AuthenticationFailed("The Authorization header is missing")
        try:
            key = self._jwks().get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "iat", "sub", "token_use"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationFailed("The token has expired") from exc
        except jwt.PyJWKClientConnectionError as exc:
            raise DependencyFailed("The token signing keys could not be fetched") from exc
        except jwt.PyJWTError as exc:
            raise AuthenticationFailed("The token is not valid") from exc
        if claims.get("token_use") != "id":
            raise AuthenticationFailed("An ID token is required")
        return claims


_verifier: TokenVerifier | None = None


def _local_verifier(settings: Settings) -> TokenVerifier:
    global _verifier  # noqa: PLW0603 - one verifier (and JWKS cache) per container
    if _verifier is None:
        _verifier = TokenVerifier(
            settings.jwks_url, settings.issuer, settings.cognito_app_client_id
        )
    return _verifier


def reset() -> None:
    """Forget the cached verifier (tests change settings between cases)."""
    global _verifier  # noqa: PLW0603
    _verifier = None


def principal(
    headers: Mapping[str, str], context: Mapping[str, Any], settings: Settings
) -> Principal:
    """The caller of this request, from the gateway's claims or a locally verified token."""
    if settings.auth_mode == "jwks":
        return principal_from_claims(_local_verifier(settings).verify(headers.get("authorization")))
    claims = (context.get("authorizer") or {}).get("claims")
    if not claims:
        raise AuthenticationFailed("The request carries no verified identity")
    # The gateway verified this very header; its payload has the groups as an exact list.
    payload = _token_payload(headers.get("authorization"))
    same_token = payload.get("sub") == claims.get("sub")
    return principal_from_claims(claims, _groups(payload.get(GROUPS_CLAIM)) if same_token else None)
