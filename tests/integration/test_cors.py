"""CORS (API.md "Browsers"): listed origins only, never `*`, on every route and every error."""

from __future__ import annotations

import pytest
import requests
from chalice.test import Client

import app as app_module
from devstack.provision import Provisioned
from tests.integration.api_helpers import bearer, post_order

PORTAL = "http://127.0.0.1:3000"  # stage local's list: this and http://localhost:3000
STRANGER = "https://evil.example"


def preflight(api: Client, path: str, origin: str, method: str = "GET") -> dict[str, str]:
    response = api.http.request(
        "OPTIONS",
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 204
    return {k.lower(): v for k, v in response.headers.items()}


@pytest.mark.parametrize("path", ["/v1.0/orders", "/v1.0/orders/o-1", "/v1.0/tenants/t/orders",
                                  "/v1.0/orders/o-1/invoice", "/health"])  # fmt: skip
def test_every_route_answers_a_listed_origins_preflight_without_a_token(
    api: Client, stack: Provisioned, path: str
) -> None:
    headers = preflight(api, path, PORTAL)
    assert headers["access-control-allow-origin"] == PORTAL
    assert "Authorization" in headers["access-control-allow-headers"]
    assert "Idempotency-Key" in headers["access-control-allow-headers"]
    assert "OPTIONS" in headers["access-control-allow-methods"]
    assert headers["vary"] == "Origin"
    assert headers["access-control-max-age"] == "600"


def test_the_preflight_names_the_methods_of_its_route(api: Client, stack: Provisioned) -> None:
    assert preflight(api, "/v1.0/orders/o-1", PORTAL)["access-control-allow-methods"] == (
        "GET, OPTIONS, PUT"
    )
    assert preflight(api, "/v1.0/orders", PORTAL)["access-control-allow-methods"] == "OPTIONS, POST"
    other = preflight(api, "/v1.0/orders", "http://localhost:3000")
    assert other["access-control-allow-origin"] == "http://localhost:3000"


@pytest.mark.parametrize(
    "origin", [STRANGER, "http://127.0.0.1:3001", "http://127.0.0.1:3000.evil.example", "null"]
)
def test_an_unlisted_origin_gets_no_allow_header(
    api: Client, stack: Provisioned, origin: str
) -> None:
    headers = preflight(api, "/v1.0/orders", origin, "POST")
    assert "access-control-allow-origin" not in headers
    assert "access-control-allow-methods" not in headers
    assert headers["vary"] == "Origin"


def test_responses_and_errors_carry_the_allow_and_expose_headers(
    api: Client, stack: Provisioned, alice: str
) -> None:
    accepted = post_order(api, alice, Origin=PORTAL)
    assert accepted.status_code == 202
    assert accepted.headers["Access-Control-Allow-Origin"] == PORTAL
    exposed = accepted.headers["Access-Control-Expose-Headers"]
    for name in ("ETag", "Location", "X-Correlation-Id", "Retry-After"):
        assert name in exposed
    missing = api.http.get("/v1.0/orders/nope", headers=bearer(alice, Origin=PORTAL))
    assert missing.status_code == 404  # the page shows this problem's detail: CORS on errors
    assert missing.headers["Access-Control-Allow-Origin"] == PORTAL
    assert missing.headers["Vary"] == "Origin"
    refused = api.http.get("/v1.0/orders/nope", headers=bearer(alice, Origin=STRANGER))
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert all(v != "*" for v in accepted.headers.values())


def test_no_route_is_without_its_preflight() -> None:
    for path, views in app_module.app.routes.items():
        assert "OPTIONS" in views, path
        assert views["OPTIONS"].authorizer is None  # browsers send preflights without a token


def test_the_authorizers_refusal_names_the_stages_portal_as_api_gateway_would(
    api: Client, stack: Provisioned
) -> None:
    refused = api.http.get("/v1.0/orders/o-1", headers={"Origin": PORTAL})
    assert refused.status_code == 401
    assert refused.headers["Access-Control-Allow-Origin"] == PORTAL  # the first listed origin
    assert refused.headers["Vary"] == "Origin"


def test_the_cart_stub_answers_the_portal_as_the_api_does() -> None:
    """The portal page calls the Cart service from its own origin too (devstack/cart_stub.py)."""
    from devstack.cart_stub import CartStore, serve
    from tests.conftest import VERIFIER

    stub = serve("127.0.0.1", 0, VERIFIER, CartStore(), origins=(PORTAL,))
    base = f"http://127.0.0.1:{stub.server_address[1]}"
    try:
        preflight = requests.options(
            f"{base}/v1.0/carts",
            headers={"Origin": PORTAL, "Access-Control-Request-Method": "POST"},
            timeout=5,
        )
        assert preflight.status_code == 204
        assert preflight.headers["Access-Control-Allow-Origin"] == PORTAL
        assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
        assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
        refused = requests.get(f"{base}/v1.0/products", headers={"Origin": PORTAL}, timeout=5)
        assert refused.status_code == 401  # no token: the problem is readable by the portal
        assert refused.headers["Access-Control-Allow-Origin"] == PORTAL
        other = requests.options(
            f"{base}/v1.0/carts",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
            timeout=5,
        )
        assert "Access-Control-Allow-Origin" not in other.headers
        assert other.headers["Vary"] == "Origin"
    finally:
        stub.shutdown()
        stub.server_close()
