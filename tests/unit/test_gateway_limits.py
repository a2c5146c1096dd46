"""API Gateway's payload limit and integration timeout, locally (devstack/gateway_limits.py)."""

from __future__ import annotations

import json
import time

import pytest
from chalice.app import Chalice
from chalice.config import Config
from chalice.local import LocalGateway, LocalGatewayException

from devstack import gateway_limits


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> LocalGateway:
    monkeypatch.setattr(gateway_limits, "INTEGRATION_TIMEOUT_S", 0.3)
    monkeypatch.setattr(gateway_limits, "PAYLOAD_LIMIT", 1000)
    monkeypatch.setattr(LocalGateway, "handle_request", LocalGateway.handle_request)  # undone after
    gateway_limits.install()
    gateway_limits.install()  # idempotent
    app = Chalice("limits")

    @app.route("/slow", methods=["POST"])
    def slow() -> dict[str, str]:
        request = app.current_request
        assert request is not None
        time.sleep(float(request.json_body["s"]))
        return {"ok": "yes"}

    return LocalGateway(app, Config.create(lambda_timeout=60))


def _post(gateway: LocalGateway, body: bytes) -> dict[str, object]:
    return gateway.handle_request("POST", "/slow", {"content-type": "application/json"}, body)


def test_an_answer_in_time_passes_through(gateway: LocalGateway) -> None:
    response = _post(gateway, b'{"s": "0"}')
    assert response["statusCode"] == 200


def test_a_slow_integration_is_504_as_a_problem(gateway: LocalGateway) -> None:
    with pytest.raises(LocalGatewayException) as answered:
        _post(gateway, b'{"s": "1"}')
    assert answered.value.CODE == 504
    assert answered.value.headers["Content-Type"] == "application/problem+json"
    assert json.loads(answered.value.body or b"")["detail"] == "Endpoint request timed out"


def test_a_body_over_the_limit_is_413_before_the_function_runs(gateway: LocalGateway) -> None:
    with pytest.raises(LocalGatewayException) as answered:
        _post(gateway, b'{"s": "0", "pad": "' + b"x" * 1000 + b'"}')
    assert answered.value.CODE == 413
    assert json.loads(answered.value.body or b"")["status"] == 413
