"""Who is calling: ID-token claims → `Principal`, in one place.

In AWS, API Gateway's Cognito authorizer verifies the token and hands the claims over in the
request context. `chalice local` verifies nothing, so with `AUTH_MODE=jwks` (stage `local`) the
service verifies the token itself against the user pool's JWKS: signature, expiry, issuer,
audience and `token_use`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

from chalicelib.errors import AuthenticationFailed, DependencyFailed
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
    """Cognito groups as a list (JWT) or as API Gateway's flattened string ("[a b]", "a,b")."""
    if isinstance(raw, list | tuple):
        return frozenset(str(g) for g in raw)
    if isinstance(raw, str):
        return frozenset(g for g in raw.strip("[]").replace(",", " ").split() if g)
    return frozenset()


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """Build the caller from verified claims; a token without subject or tenant is refused."""
    subject = claims.get("sub")
    tenant_id = claims.get(TENANT_CLAIM)
    if not subject or not tenant_id:
        raise AuthenticationFailed("The token carries no subject or no tenant")
    return Principal(
        subject=str(subject),
        tenant_id=str(tenant_id),
        email=claims.get("email"),
        groups=_groups(claims.get(GROUPS_CLAIM)),
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

        if not authorization or not authorization.strip():
            raise AuthenticationFailed("The Authorization header is missing")
        token = authorization.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
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
    return principal_from_claims(claims)
