"""API Gateway's own limits in front of `chalice local` (docs/aws-limits.md).

Chalice's local gateway takes a body of any size and waits for the function as long as it runs.
API Gateway (REST) refuses a payload over 10 MB with its `REQUEST_TOO_LARGE` gateway response
(413) and answers 504 (`INTEGRATION_TIMEOUT`) when the Lambda integration has not answered in
29 s, while the function goes on to its own timeout. `install()` makes the local gateway do the
same, with the problem+json bodies the packaged gateway responses have (scripts/package.py).

Development only; nothing of it is deployed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from devstack.authorizer import gateway_answer
from devstack.patching import patch_once

PAYLOAD_LIMIT = 10 * 1024 * 1024  # bytes of the request body
INTEGRATION_TIMEOUT_S = 29.0


def install() -> None:
    """Patch Chalice's local gateway (idempotent)."""
    from chalice.local import LocalGateway

    patch_once(LocalGateway, "handle_request", _limited)


def _limited(original: Callable[..., Any]) -> Callable[..., Any]:
    def handle_request(self: Any, method: str, path: str, headers: Any, body: bytes | None) -> Any:
        if body is not None and len(body) > PAYLOAD_LIMIT:
            raise gateway_answer(413, f"Request Too Long: the body is over {PAYLOAD_LIMIT} bytes")
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["response"] = original(self, method, path, headers, body)
            except BaseException as error:  # handed to the request's own thread
                outcome["error"] = error

        worker = threading.Thread(target=run, name="lambda-integration", daemon=True)
        worker.start()
        worker.join(INTEGRATION_TIMEOUT_S)
        if worker.is_alive():  # the function goes on; the caller has its answer
            raise gateway_answer(504, "Endpoint request timed out")
        if "error" in outcome:
            raise outcome["error"]
        return outcome["response"]

    return handle_request
