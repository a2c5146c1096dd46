"""API Gateway's Cognito authorizer, for `chalice local` and Chalice's test client.

In AWS, API Gateway verifies the ID token (signature, expiry, issuer, audience) before the
function runs and hands the claims over in the request context; the service only reads them
(`chalicelib.api.auth`). `chalice local` verifies nothing: it decodes the token's payload and
passes it on as claims. `install()` makes the local gateway do what the real one does: verify the
token against the user pool's JWKS (the emulator's, locally) with PyJWT, and answer 401 as a
problem, like the gateway response `UNAUTHORIZED` (scripts/package.py), before the app runs.

Development only (PyJWT is a dev dependency); nothing of it is deployed (docs/adr/0012).
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from http import HTTPStatus
from typing import Any

from chalicelib.api.auth import bearer
from chalicelib.errors import AuthenticationFailed, DependencyFailed

ID_TOKEN = "id"  # noqa: S105 - the `token_use` of an ID token, not a secret


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

        token = bearer(authorization)
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
        if claims.get("token_use") != ID_TOKEN:
            raise AuthenticationFailed("An ID token is required")
        return claims


def from_environment() -> TokenVerifier:
    """The verifier for the pool the dev stack provisioned (`COGNITO_*`, set by the stack)."""
    return TokenVerifier(
        os.environ["COGNITO_JWKS_URL"],
        os.environ["COGNITO_ISSUER"],
        os.environ.get("COGNITO_APP_CLIENT_ID"),
    )


def as_gateway_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway (REST) hands them over: every value a string, lists flattened."""
    return {
        name: ",".join(map(str, value)) if isinstance(value, list) else str(value)
        for name, value in claims.items()
    }


# What a refused token is answered with, by the error the verifier raised: the service's own
# mapping (401 for a bad token, 503 when the signing keys cannot be fetched).
REFUSED = (AuthenticationFailed, DependencyFailed)


def refusal_status(error: Exception) -> int:
    """The HTTP status of a token the verifier refused (`chalicelib.api.problems`' mapping)."""
    # Imported here, not at the top: it loads chalicelib.log, whose Logger takes its level from
    # the environment, and `chalice local` sets the stage's environment only after this module.
    from chalicelib.api.problems import describe

    return describe(error)[0]


def gateway_answer(status: int, detail: str) -> Exception:
    """An answer of API Gateway's own (a gateway response): problem+json, raised in Chalice's
    local gateway, which sends it as it is."""
    from chalice.local import LocalGatewayException

    answer = LocalGatewayException(*_problem(status, detail))
    answer.CODE = status  # what Chalice's local server answers with
    return answer


def _problem(status: int, detail: str) -> tuple[dict[str, str], bytes]:
    request_id = str(uuid.uuid4())
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "requestId": request_id,
    }
    headers = {
        "Content-Type": "application/problem+json",
        "x-amzn-RequestId": request_id,
        **_gateway_cors(),
    }
    if status == 401:  # as the gateway response UNAUTHORIZED says it (scripts/package.py)
        from chalicelib.api.problems import BEARER_CHALLENGE

        headers["WWW-Authenticate"] = BEARER_CHALLENGE
    return headers, json.dumps(body).encode()


def listed_origins() -> tuple[str, ...]:
    """The stage's CORS list as the dev stack sets it (`CORS_ALLOWED_ORIGINS`), for the local
    servers that answer browsers besides the API (its token check, the Cart stub)."""
    from chalicelib.settings import parse_origins

    return parse_origins(os.environ.get("CORS_ALLOWED_ORIGINS", ""))


def _gateway_cors() -> dict[str, str]:
    """What API Gateway's gateway responses carry: the stage's first listed origin (ADR 0017)."""
    from chalicelib.api.cors import response_headers

    origins = listed_origins()
    return response_headers(origins[0] if origins else None)


def install(verifier: TokenVerifier) -> None:
    """Verify tokens in Chalice's local gateway the way API Gateway's authorizer does."""
    from chalice.app import CognitoUserPoolAuthorizer
    from chalice.local import LocalGatewayAuthorizer

    def authorize(
        self: LocalGatewayAuthorizer, raw_path: str, event: Any, context: Any
    ) -> tuple[Any, Any]:
        route = self._route_for_event(event)
        if route is None or not isinstance(route.authorizer, CognitoUserPoolAuthorizer):
            return original(self, raw_path, event, context)
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        try:
            claims = verifier.verify(headers.get("authorization"))
        except REFUSED as refused:
            raise gateway_answer(refusal_status(refused), str(refused)) from None
        result = {"context": {"claims": as_gateway_claims(claims)}, "principalId": claims["sub"]}
        return self._update_lambda_event(event, result), context

    original = getattr(LocalGatewayAuthorizer, "_bbws_original", LocalGatewayAuthorizer.authorize)
    LocalGatewayAuthorizer._bbws_original = original  # type: ignore[attr-defined]
    LocalGatewayAuthorizer.authorize = authorize  # type: ignore[method-assign,assignment]
