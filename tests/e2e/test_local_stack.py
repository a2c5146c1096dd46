"""The real local stack as a newcomer runs it: emulator + chalice local + poller, over HTTP."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from devstack.token import id_token
from tests.e2e.stack_process import RunningStack, alive
from tests.sample import cart_order_body

pytestmark = pytest.mark.e2e


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def create(stack: dict[str, Any], token: str) -> str:
    """Order a new cart (2 x wp-pro, SUMMER25) as the token's customer."""
    cart = requests.post(
        f"{stack['cartApiUrl']}/v1.0/carts",
        json={"items": [{"productId": "wp-pro", "quantity": 2}], "campaignCode": "SUMMER25"},
        headers=auth(token),
        timeout=10,
    )
    assert cart.status_code == 201, cart.text
    response = requests.post(
        f"{stack['apiUrl']}/v1.0/orders",
        json=cart_order_body(cart.json()["cartId"]),
        headers=auth(token),
        timeout=10,
    )
    assert response.status_code == 202, response.text
    return str(response.json()["orderId"])


def wait_for_order(
    stack: dict[str, Any], token: str, order_id: str, limit_s: float = 5
) -> tuple[requests.Response, float]:
    started = time.monotonic()
    while True:
        response = requests.get(
            f"{stack['apiUrl']}/v1.0/orders/{order_id}", headers=auth(token), timeout=10
        )
        elapsed = time.monotonic() - started
        if response.status_code == 200 or elapsed > limit_s:
            return response, elapsed
        time.sleep(0.1)


def test_the_stack_description_is_complete(stack: dict[str, Any]) -> None:
    assert set(stack) >= {
        "apiUrl",
        "cartApiUrl",
        "awsEndpointUrl",
        "region",
        "userPoolId",
        "userPoolClientId",
        "tableName",
        "ordersBucket",
        "templatesBucket",
        "queues",
        "streamDlqUrl",
        "supplier",
        "corsOrigins",
        "portalUrl",
        "apiReferenceUrl",
        "users",
    }
    # LOCAL_STACK.md: the supplier's particulars the documents carry (stage local's sample).
    assert stack["supplier"]["vatNumber"] == "4123456789"
    assert stack["supplier"]["name"].endswith("[LOCAL]")
    port = stack["portalUrl"].rsplit(":", 1)[1]  # PORTAL_PORT moves it; the CORS list follows
    assert stack["corsOrigins"] == [stack["portalUrl"], f"http://localhost:{port}"]
    assert [u["tenantId"] for u in stack["users"]] == [
        "tenant-a",
        "tenant-b",
        "platform",
        "platform",
    ]
    assert requests.get(f"{stack['cartApiUrl']}/health", timeout=5).status_code == 200


def test_an_order_is_readable_within_five_seconds(stack: dict[str, Any]) -> None:
    token = id_token(stack, "alice@tenant-a.example")
    order_id = create(stack, token)
    response, elapsed = wait_for_order(stack, token, order_id)
    assert response.status_code == 200, response.text
    assert elapsed < 5
    order = response.json()
    assert order["id"] == order_id
    assert order["tenantId"] == "tenant-a"
    assert order["total"] == "448.50"


def test_tenants_are_isolated_and_admins_see_all(stack: dict[str, Any]) -> None:
    alice = id_token(stack, "alice@tenant-a.example")
    order_id = create(stack, alice)
    assert wait_for_order(stack, alice, order_id, limit_s=10)[0].status_code == 200
    bob = requests.get(
        f"{stack['apiUrl']}/v1.0/orders/{order_id}",
        headers=auth(id_token(stack, "bob@tenant-b.example")),
        timeout=10,
    )
    assert bob.status_code == 404
    admin = requests.get(
        f"{stack['apiUrl']}/v1.0/orders/{order_id}",
        headers=auth(id_token(stack, "ops@bbws.example")),
        timeout=10,
    )
    assert admin.status_code == 200


def expired_token(stack: dict[str, Any]) -> str:
    """A token signed with the emulator's own key (moto ships it) but past its expiry."""
    from moto.utilities.utils import load_resource

    private = jwt.algorithms.RSAAlgorithm.from_jwk(
        json.dumps(load_resource("cognitoidp/resources/jwks-private.json"))
    )
    assert isinstance(private, RSAPrivateKey)
    good = jwt.decode(
        id_token(stack, "alice@tenant-a.example"), options={"verify_signature": False}
    )
    good.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    return jwt.encode(good, private, algorithm="RS256", headers={"kid": "dummy"})


@pytest.mark.parametrize("kind", ["missing", "garbage", "tampered", "expired"])
def test_untrusted_tokens_get_401_and_the_server_stays_up(stack: dict[str, Any], kind: str) -> None:
    good = id_token(stack, "alice@tenant-a.example")
    header, payload, signature = good.split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["custom:tenantId"] = "tenant-b"
    forged_payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    headers = {
        "missing": {},
        "garbage": {"Authorization": "garbage"},
        "tampered": {"Authorization": f"Bearer {header}.{forged_payload}.{signature}"},
        "expired": {"Authorization": f"Bearer {expired_token(stack)}"},
    }[kind]
    for method, path in (
        ("POST", "/v1.0/orders"),
        ("GET", "/v1.0/orders/11111111-1111-4111-8111-111111111111"),
    ):
        response = requests.request(
            method, stack["apiUrl"] + path, json=cart_order_body("c-1"), headers=headers, timeout=10
        )
        assert response.status_code == 401, response.text
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 401
    assert requests.get(f"{stack['apiUrl']}/health", timeout=10).status_code == 200


def test_ctrl_c_leaves_no_process_and_a_crash_restarts_cleanly(tmp_path: Path) -> None:
    stack_process = RunningStack(tmp_path / "crash")
    stack_process.start()
    children = stack_process.children()
    assert set(children) == {
        "emulator",
        "api",
        "cart",
        "record",
        "pdf",
        "internal",
        "customer",
        "stream",
        "portal",
    }

    stack_process.send(signal.SIGKILL)  # a crash: no chance to clean up
    assert stack_process.process is not None
    stack_process.process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in children.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [name for name, pid in children.items() if alive(pid)], (
        "children outlived the supervisor"
    )

    started = time.monotonic()
    stack = stack_process.start()
    restart_s = time.monotonic() - started
    assert restart_s < 15
    assert requests.get(f"{stack['apiUrl']}/health", timeout=10).status_code == 200

    children = stack_process.children()
    assert stack_process.stop() == 0
    assert not [name for name, pid in children.items() if alive(pid)]
    assert not (tmp_path / "crash" / "pids.json").exists()


def test_the_api_reference_is_served_on_the_portal_origin_from_local_assets(
    stack: dict[str, Any],
) -> None:
    page = requests.get(stack["apiReferenceUrl"], timeout=10)
    assert page.status_code == 200
    assert "swagger-ui-bundle.js" in page.text
    assert "https://" not in page.text  # no CDN: every asset from the swagger-ui-bundle package
    policy = dict(
        rule.strip().split(" ", 1) for rule in page.headers["Content-Security-Policy"].split(";")
    )
    # Scripts may call this origin, the API, the Cart service and Cognito (the emulator): no more.
    assert set(policy["connect-src"].split()) == {
        "'self'", stack["apiUrl"], stack["cartApiUrl"], stack["awsEndpointUrl"]
    }  # fmt: skip
    assert policy["default-src"] == "'self'"
    bundle = requests.get(f"{stack['portalUrl']}/api/swagger-ui-bundle.js", timeout=10)
    assert bundle.status_code == 200
    assert len(bundle.content) > 100_000
    document = requests.get(f"{stack['portalUrl']}/openapi.json", timeout=10).json()
    assert document["servers"] == [{"url": stack["apiUrl"], "description": "the local stack's API"}]
    assert "/v1.0/orders" in document["paths"]
    outside = requests.get(f"{stack['portalUrl']}/api/../../pyproject.toml", timeout=10)
    assert outside.status_code == 404
    # "Try it out" from this origin works: the API's preflight names it.
    preflight = requests.options(
        f"{stack['apiUrl']}/v1.0/orders",
        headers={"Origin": stack["portalUrl"], "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == stack["portalUrl"]


def test_the_portal_page_knows_where_the_api_cart_and_cognito_are(stack: dict[str, Any]) -> None:
    page = requests.get(f"{stack['portalUrl']}/", timeout=10)
    assert page.status_code == 200
    assert '<script type="module" src="/portal.js">' in page.text
    assert 'href="/api/"' in page.text  # the API reference, linked
    config = requests.get(f"{stack['portalUrl']}/config.json", timeout=10).json()
    assert config["apiUrl"] == stack["apiUrl"]
    assert config["cartApiUrl"] == stack["cartApiUrl"]
    assert config["cognito"] == {
        "endpoint": f"{stack['awsEndpointUrl']}/",
        "region": stack["region"],
        "clientId": stack["userPoolClientId"],
    }
    # Customers only: operators and the payment system use orderctl and the API, not the portal.
    customers = [u for u in stack["users"] if not u["groups"]]
    assert [u["username"] for u in config["demoUsers"]] == [u["username"] for u in customers]
    script = requests.get(f"{stack['portalUrl']}/portal.js", timeout=10)
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
