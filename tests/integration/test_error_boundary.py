"""Issue 30: the error boundary holds for every route by construction (app.BoundedChalice).

Walks `app.app.routes`, injects a failure into each route's own code, and checks that the answer
is problem+json (never Chalice's body or a stack trace) and that the failure is logged under this
request's keys only: not the tenant the previous request bound.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from chalice.test import Client

import app as app_module
from devstack.provision import Provisioned
from tests.integration.api_helpers import bearer

ORDER_ID = "3f1c2a9e-5b7d-4c21-9a0e-6d2f1b8c4e57"


def injected(*_: Any, **__: Any) -> Any:
    raise RuntimeError("injected failure: secret internals")


def test_every_route_answers_an_injected_failure_as_problem_json_with_clean_log_keys(
    api: Client,
    stack: Provisioned,
    alice: str,
    monkeypatch: pytest.MonkeyPatch,
    log_lines: io.StringIO,
) -> None:
    routes = [(path, method) for path, views in app_module.app.routes.items() for method in views]
    assert len(routes) == 19  # 10 routes and their 9 paths' preflights
    bound = api.http.get("/v1.0/tenants/tenant-a/orders", headers=bearer(alice))
    assert bound.status_code == 200  # this request bound tenant_id=tenant-a to the log
    # Every route's own code reads the request (or, /health, the clock) first.
    monkeypatch.setattr(app_module, "_request", injected)
    monkeypatch.setattr(app_module, "utc_now", injected)
    for path, method in routes:
        concrete = path.replace("{orderId}", ORDER_ID).replace("{tenantId}", "tenant-a")
        log_lines.seek(0)
        log_lines.truncate()
        answer = api.http.request(method, concrete, headers=bearer(alice), body=b"{}")
        where = f"{method} {path}"
        assert answer.status_code == 500, (where, answer.body)
        assert answer.headers["Content-Type"] == "application/problem+json", where
        problem = json.loads(answer.body)
        assert problem["status"] == 500, where
        assert problem["instance"] == concrete.split("?")[0], where
        assert "injected" not in answer.body.decode(), where  # no internals, no trace
        assert "Traceback" not in answer.body.decode(), where
        assert answer.headers.get("X-Correlation-Id"), where
        logged = [json.loads(line) for line in log_lines.getvalue().splitlines()]
        [failure] = [line for line in logged if line.get("message") == "Request failed"]
        assert failure["function"] == "api", where
        assert "tenant_id" not in failure, (where, failure)  # not the previous request's tenant
        assert "injected failure" in failure.get("exception", ""), where  # the log has it all
