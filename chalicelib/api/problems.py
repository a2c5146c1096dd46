"""The one mapping from errors to RFC 9457 `application/problem+json` responses."""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from chalice.app import Chalice

from chalicelib import log, metrics
from chalicelib.errors import (
    AuthenticationFailed,
    CartServiceUnavailable,
    Conflict,
    DependencyFailed,
    NotFound,
    OrderServiceError,
    PayloadTooLarge,
    PermissionDenied,
    PreconditionFailed,
    TooManyRequests,
    Unprocessable,
    UnsupportedMediaType,
    ValidationFailed,
)

PROBLEM_JSON = "application/problem+json"
CORRELATION_HEADER = "X-Correlation-Id"
# Every 401 names the scheme (RFC 9110 11.6.1): the app's, the gateway's and the dev stack's.
BEARER_CHALLENGE = 'Bearer realm="bbws-order"'
_CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
TYPE_BASE = "https://errors.bbws.io/"

# error class → (status, type slug, title); looked up along the class hierarchy.
PROBLEMS: dict[type[OrderServiceError], tuple[int, str, str]] = {
    ValidationFailed: (400, "validation-error", "Request validation failed"),
    Unprocessable: (422, "unprocessable", "The request cannot be applied to this resource"),
    AuthenticationFailed: (401, "unauthorized", "Authentication required"),
    PermissionDenied: (403, "forbidden", "Access denied"),
    NotFound: (404, "not-found", "Resource not found"),
    Conflict: (409, "conflict", "Conflict with the current state"),
    PreconditionFailed: (412, "precondition-failed", "Precondition failed"),
    PayloadTooLarge: (413, "payload-too-large", "Request body too large"),
    UnsupportedMediaType: (415, "unsupported-media-type", "Unsupported media type"),
    TooManyRequests: (429, "too-many-requests", "Too many requests"),
    DependencyFailed: (503, "service-unavailable", "Service temporarily unavailable"),
}
INTERNAL = (500, "internal-error", "Internal server error")

F = TypeVar("F", bound=Callable[..., Any])


def describe(error: Exception) -> tuple[int, str, str]:
    """Status, type slug and title for an error (500 for anything unexpected)."""
    for cls in type(error).__mro__:
        if cls in PROBLEMS:
            return PROBLEMS[cls]
    return INTERNAL


def problem_body(
    error: Exception, instance: str, request_id: str | None
) -> tuple[int, dict[str, Any], dict[str, str | list[str]]]:
    """(status, problem document, extra headers) for an error; never leaks internals."""
    status, slug, title = describe(error)
    detail = (
        error.detail if isinstance(error, OrderServiceError) else "An unexpected error occurred"
    )
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "requestId": request_id,
    }
    if isinstance(error, ValidationFailed) and error.errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
    if isinstance(error, OrderServiceError):
        body.update(error.members)
    headers: dict[str, str | list[str]] = {"Content-Type": PROBLEM_JSON}
    if status == 401:
        headers["WWW-Authenticate"] = BEARER_CHALLENGE
    if isinstance(error, DependencyFailed | TooManyRequests):
        headers["Retry-After"] = str(error.retry_after_s)
    return status, body, headers


class BoundedChalice(Chalice):
    """A Chalice app whose every route is inside `api_boundary`, by construction: the boundary
    is applied when the route is registered, so no route can answer Chalice's own error body or
    log under the previous request's keys (docs/architecture.md)."""

    def route(self, path: str, **kwargs: Any) -> Callable[[F], F]:
        register = super().route(path, **kwargs)
        boundary = api_boundary(self)

        def decorate(view: F) -> F:
            register(boundary(view))
            return view

        return decorate


def api_boundary(app: Any) -> Callable[[F], F]:
    """What wraps every route: per-request log keys, and every error as problem+json."""
    from chalice.app import Response

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            request = app.current_request
            request_id = request_id_of(app)
            correlation_id = correlation_id_of(app)
            log.reset()
            log.bind(function="api", request_id=request_id, correlation_id=correlation_id)
            with metrics.published("api"):
                try:
                    response = view(*args, **kwargs)
                except Exception as exc:  # every error leaves as problem+json
                    status, body, headers = problem_body(exc, request_path(request), request_id)
                    if isinstance(exc, CartServiceUnavailable):  # counted, alarmed (CartErrors)
                        log.logger.warning(
                            "Request failed: the Cart service",
                            extra={"status": status, "error": str(exc), "cause": _cause(exc)},
                        )
                    elif status >= 500:
                        log.logger.exception("Request failed", extra={"status": status})
                    else:
                        log.logger.info(
                            "Request refused", extra={"status": status, "detail": body["detail"]}
                        )
                    response = Response(body=json.dumps(body), status_code=status, headers=headers)
            if isinstance(response, Response):
                response.headers[CORRELATION_HEADER] = correlation_id
            return response

        return wrapper  # type: ignore[return-value]

    return decorate


def _cause(exc: BaseException) -> str:
    """What a known failure came from, in one line: an outage is not a stack trace per request."""
    cause = exc.__cause__
    return f"{type(cause).__name__}: {cause}"[:500] if cause is not None else ""


def correlation_id_of(app: Any) -> str:
    """The caller's `X-Correlation-Id` when it is a sane token, else this request's id.

    It travels with the order through the queue, the record writer, the fan-out and every
    processor, and is on every log line they write: one id finds the whole story.
    """
    given = (app.current_request.headers or {}).get(CORRELATION_HEADER.lower(), "")
    if _CORRELATION_ID.fullmatch(given):
        return str(given)
    return request_id_of(app) or str(uuid.uuid4())


def request_id_of(app: Any) -> str | None:
    """API Gateway's request id, or the Lambda request id (`chalice local` has no gateway id)."""
    request_id = (app.current_request.context or {}).get("requestId")
    if request_id:
        return str(request_id)
    context = getattr(app, "lambda_context", None)
    return getattr(context, "aws_request_id", None)


def request_path(request: Any) -> str:
    """The path as the client sent it (Chalice's `request.path` is the route template)."""
    path = str(request.path)
    for name, value in (request.uri_params or {}).items():
        path = path.replace("{" + name + "}", str(value))
    return path
