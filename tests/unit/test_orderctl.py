"""orderctl's smoke logic and credential handling, with an in-memory HTTP fake."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from orderctl import auth, profiles
from orderctl.errors import AuthError, OrderctlError, UsageError
from orderctl.profiles import Profile
from orderctl.smoke import Smoke, publish


class FakeResponse(requests.Response):
    def __init__(self, status: int, body: Any = None, content: bytes | None = None) -> None:
        super().__init__()
        self.status_code = status
        self._content = content if content is not None else json.dumps(body).encode()


class FakeSession(requests.Session):
    """Answers by (method, path) with a list of responses; the last one repeats."""

    def __init__(self, routes: dict[tuple[str, str], list[FakeResponse]]) -> None:
        super().__init__()
        self.routes = routes
        self.calls: list[tuple[str, str, dict[str, str]]] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> FakeResponse:  # type: ignore[override]
        path = url.split("://", 1)[1].split("/", 1)[1]
        self.calls.append((method, "/" + path, dict(self.headers)))
        answers = self.routes[(method, "/" + path)]
        return answers.pop(0) if len(answers) > 1 else answers[0]


ORDER = {"orderId": "o-1", "tenantId": "tenant-a"}
CATALOG = {
    "items": [
        {"productId": "wp-pro", "productName": "WordPress Pro", "unitPrice": "299.00"},
        {"productId": "backup", "productName": "Daily backup", "unitPrice": "79.00"},
        {"productId": "domain", "productName": "co.za domain", "unitPrice": "99.00"},
    ]
}
RECORD = {"orderNumber": "ORD-EU-0000001", "status": "PENDING", "total": "1.00", "currency": "ZAR"}


def routes(**overrides: list[FakeResponse]) -> dict[tuple[str, str], list[FakeResponse]]:
    table = {
        ("GET", "/v1/health"): [FakeResponse(200, {"status": "ok", "environment": "dev"})],
        ("GET", "/cart/v1.0/products"): [FakeResponse(200, CATALOG)],
        ("POST", "/cart/v1.0/carts"): [FakeResponse(201, {"cartId": "c-9"})],
        ("POST", "/v1/v1.0/orders"): [FakeResponse(202, ORDER)],
        ("GET", "/v1/v1.0/orders/o-1"): [FakeResponse(404, {}), FakeResponse(200, RECORD)],
        ("GET", "/v1/v1.0/orders/o-1/invoice"): [
            FakeResponse(404, {}),
            FakeResponse(200, {"url": "https://s3.example/o-1.pdf", "expiresIn": 300}),
        ],
        ("PUT", "/v1/v1.0/orders/o-1"): [FakeResponse(200, {"status": "CANCELLED"})],
    }
    table.update({tuple(k.split(" ", 1)): v for k, v in overrides.items()})  # type: ignore[misc]
    return table


def smoke(
    table: dict[tuple[str, str], list[FakeResponse]],
    pdf: FakeResponse | None = None,
    token: Callable[[], str] = lambda: "the-token",
    timeout_s: float = 1,
    cart_api: str | OrderctlError = "https://cart.example/cart",
) -> tuple[Smoke, FakeSession, list[str]]:
    lines: list[str] = []
    http = FakeSession(table)
    downloads = FakeSession(
        {("GET", "/o-1.pdf"): [pdf if pdf is not None else FakeResponse(200, content=b"%PDF-1.4")]}
    )
    runner = Smoke(
        "https://api.example/v1/",
        token,
        timeout_s=timeout_s,
        poll_s=0.01,
        echo=lines.append,
        session=http,
        downloads=downloads,
        cart_api=cart_api,
    )
    return runner, http, lines


def test_a_healthy_stage_passes_every_check_in_order() -> None:
    runner, http, lines = smoke(routes())
    report = runner.run()
    assert report.passed
    assert [c.name for c in report.checks] == [
        "health",
        "sign-in",
        "cart",
        "create",
        "record",
        "invoice",
        "cancel",
    ]
    assert report.order_id == "o-1"
    assert report.checks[2].detail == "c-9: 1 x Daily backup at 79.00"  # the cheapest product
    assert "ORD-EU-0000001, PENDING, total 1.00 ZAR" in report.checks[4].detail
    # /health is called without a token; everything after sign-in carries it.
    assert "Authorization" not in http.calls[0][2]
    assert all(call[2]["Authorization"] == "Bearer the-token" for call in http.calls[1:])
    # Each POST is its own idempotency key, and the smoke order is cancelled at the end.
    assert http.calls[-1][0] == "PUT"
    assert lines[-1] == "smoke test passed"


def test_without_a_cart_service_the_cart_step_fails_with_the_reason() -> None:
    runner, http, _ = smoke(routes(), cart_api=OrderctlError("name the Cart service"))
    report = runner.run()
    assert [(c.name, c.ok) for c in report.checks][-1] == ("cart", False)
    assert report.checks[-1].detail == "name the Cart service"
    assert [call[0] for call in http.calls] == ["GET"]  # /health only: no order was placed


def test_a_cart_service_that_cannot_make_carts_fails_the_cart_step() -> None:
    runner, _, _ = smoke(routes(**{"POST /cart/v1.0/carts": [FakeResponse(405, {})]}))
    report = runner.run()
    assert report.checks[-1].name == "cart"
    assert "POST /v1.0/carts" in report.checks[-1].detail
    assert "expected 201, got 405" in report.checks[-1].detail


def test_a_failed_check_stops_the_run_and_names_the_step() -> None:
    runner, http, lines = smoke(routes(**{"GET /v1/health": [FakeResponse(503, {"x": 1})]}))
    report = runner.run()
    assert not report.passed
    assert [c.name for c in report.checks] == ["health"]
    assert "expected 200, got 503" in report.checks[0].detail
    assert len(http.calls) == 1
    assert lines[-1] == "smoke test FAILED"


def test_a_record_that_never_appears_times_out_with_the_reason() -> None:
    runner, _, _ = smoke(routes(**{"GET /v1/v1.0/orders/o-1": [FakeResponse(404, {})]}))
    report = runner.run()
    assert [c.name for c in report.checks][-1] == "record"
    assert report.checks[-1].detail == "the order record did not happen within 1 s"


def test_an_invoice_link_that_is_not_a_pdf_fails() -> None:
    runner, _, _ = smoke(routes(), pdf=FakeResponse(403, content=b"<Error>AccessDenied</Error>"))
    report = runner.run()
    assert report.checks[-1].name == "invoice"
    assert report.checks[-1].detail == "the invoice URL gave 403, not a PDF"


def test_a_login_error_is_the_sign_in_checks_detail() -> None:
    def refused() -> str:
        raise OrderctlError("wrong username or password for smoke@tenant-smoke.example")

    runner, _, _ = smoke(routes(), token=refused)
    report = runner.run()
    assert [c.ok for c in report.checks] == [True, False]
    assert report.checks[1].detail == "wrong username or password for smoke@tenant-smoke.example"


def test_publish_writes_the_json_and_the_job_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    report = smoke(routes())[0].run()
    publish(report, tmp_path / "out" / "smoke.json", "DEV smoke | af-south-1")
    written = json.loads((tmp_path / "out" / "smoke.json").read_text())
    assert written["passed"] is True
    assert written["baseUrl"] == "https://api.example/v1"
    text = summary.read_text()
    assert text.startswith("### DEV smoke | af-south-1: passed")
    assert text.count("| ✅ ") == 7


def test_a_profile_that_cannot_sign_in_lists_what_is_missing() -> None:
    profile = Profile(name="dev", stage="dev", api_url="https://api-dev.bbws.io")
    with pytest.raises(AuthError) as error:
        auth.login_for(profile, environ={})
    assert str(error.value) == (
        "profile dev (https://api-dev.bbws.io) cannot sign in: set its cognito_client_id (or "
        "$ORDERCTL_CLIENT_ID); cognito_region (or --cognito-region, $ORDERCTL_COGNITO_REGION); "
        "username (or --user, $ORDERCTL_USERNAME)"
    )


def test_the_password_comes_from_the_environment_never_a_flag_and_the_secret_hash_is_cognitos(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    profile = Profile(
        name="dev",
        stage="dev",
        cognito_client_id="client",
        cognito_region="af-south-1",
        username="smoke@tenant-smoke.example",
    )
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(AuthError, match=r"set \$ORDERCTL_PASSWORD"):
        auth.login_for(profile, environ={})
    login = auth.login_for(
        profile, environ={"ORDERCTL_PASSWORD": "pw", "ORDERCTL_CLIENT_SECRET": "s3cret"}
    )
    assert (login.region, login.endpoint_url, login.client_secret) == ("af-south-1", None, "s3cret")
    # Cognito's documented SECRET_HASH: Base64(HMAC-SHA256(secret, username + client id)).
    assert auth.secret_hash(login) == "HZuOJaTg3IDma42rwsObF7F8tPXFn8gWiUiXkSYN53Y="
    other = auth.login_for(profile, "ops@bbws.io", environ={"ORDERCTL_PASSWORD": "pw"})
    assert other.username == "ops@bbws.io"


def test_a_local_user_that_does_not_exist_is_named() -> None:
    stack = {
        "users": [{"username": "alice@tenant-a.example", "password": "x"}],
        "userPoolClientId": "c",
        "region": "eu-west-1",
        "awsEndpointUrl": "http://127.0.0.1:4566",
    }
    with pytest.raises(OrderctlError, match="unknown user 'mallory'; the local demo users: alice"):
        auth.login_from_stack(stack, "mallory")
    assert auth.login_from_stack(stack).endpoint_url == "http://127.0.0.1:4566"


@pytest.mark.parametrize("url", ["api.bbws.io", "ftp://api.bbws.io"])
def test_a_base_url_must_be_http(url: str, tmp_path: Path) -> None:
    environ = {"ORDERCTL_CONFIG": str(tmp_path / "none.toml"), "LOCAL_STATE_DIR": str(tmp_path)}
    with pytest.raises(UsageError, match="must be an http"):
        profiles.resolve(None, {"api_url": url}, environ)
