"""CORS for the customer portal (API.md "Browsers"): a per-stage allow-list, answered by the app.

Chalice's `CORSConfig` names one origin, and API Gateway's generated preflight (a mock
integration) can only repeat a fixed value. The portal has an origin per stage, plus local
development ones, so the app answers instead: every path has an `OPTIONS` route (no authorizer),
and every response — errors included — carries `Access-Control-Allow-Origin` naming the
caller's origin when it is on the stage's list (`CORS_ALLOWED_ORIGINS`), never `*`, with
`Vary: Origin`. Another origin gets no allow header, and the browser refuses the response.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key, If-Match, X-Correlation-Id"
EXPOSE_HEADERS = "ETag, Location, X-Correlation-Id, Retry-After"
MAX_AGE_S = 600  # browsers cap it (Chromium: 2 hours); ten minutes keeps a list change prompt


def _header(headers: Any, name: str) -> str | None:
    value = headers.get(name) if headers is not None else None
    return str(value) if value else None


def allowed_origin(headers: Any, allowed: Iterable[str]) -> str | None:
    """The request's `Origin` when it is on the list; None otherwise (or without one)."""
    origin = _header(headers, "origin")
    return origin if origin is not None and origin in allowed else None


def response_headers(origin: str | None) -> dict[str, str]:
    """What every response carries: the allow and expose headers for a listed origin."""
    if origin is None:
        return {"Vary": "Origin"}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": EXPOSE_HEADERS,
        "Vary": "Origin",
    }


def preflight_headers(origin: str | None, methods: Iterable[str]) -> dict[str, str]:
    """The answer to a preflight: what may be sent, for how long (nothing for another origin)."""
    if origin is None:
        return {"Vary": "Origin"}
    return {
        **response_headers(origin),
        "Access-Control-Allow-Methods": ", ".join(sorted({*methods, "OPTIONS"})),
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Max-Age": str(MAX_AGE_S),
    }


def middleware(allowed: Callable[[], tuple[str, ...]]) -> Callable[[Any, Any], Any]:
    """A Chalice `http` middleware adding `response_headers` to every response."""

    def cors(event: Any, get_response: Any) -> Any:
        response = get_response(event)
        origin = allowed_origin(event.headers, allowed())
        for name, value in response_headers(origin).items():
            response.headers.setdefault(name, value)
        return response

    return cors
