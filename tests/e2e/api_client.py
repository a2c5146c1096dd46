"""A small HTTP client for the running local stack, acting as one of its demo users."""

from __future__ import annotations

import time
from typing import Any

import requests

from devstack.token import id_token
from tests.sample import cart_order_body

USERS = {
    "alice": "alice@tenant-a.example",
    "bob": "bob@tenant-b.example",
    "admin": "ops@bbws.example",
    "payments": "payments@bbws.example",
}


class Caller:
    """Requests with a real Cognito ID token (InitiateAuth against the emulator)."""

    def __init__(self, stack: dict[str, Any], who: str) -> None:
        self.base = stack["apiUrl"]
        self.cart_api = stack["cartApiUrl"]
        self.token = id_token(stack, USERS[who])
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {self.token}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=30, **kwargs)

    def new_cart(self, *lines: tuple[str, int], campaign: str | None = None) -> str:
        """A cart of (productId, quantity) lines in the Cart service stub, for this user."""
        body: dict[str, Any] = {"items": [{"productId": p, "quantity": q} for p, q in lines]}
        if campaign is not None:
            body["campaignCode"] = campaign
        response = self.session.post(f"{self.cart_api}/v1.0/carts", json=body, timeout=30)
        assert response.status_code == 201, response.text
        return str(response.json()["cartId"])

    def order_cart(self, cart_id: str, **body: Any) -> requests.Response:
        """POST /v1.0/orders for a cart (the customer's body of contract revision 2)."""
        return self.request("POST", "/v1.0/orders", json=cart_order_body(cart_id, **body))

    def sample_cart(self) -> str:
        """The sample order's cart: 2 x WordPress Pro Hosting, SUMMER25 (448.50)."""
        return self.new_cart(("wp-pro", 2), campaign="SUMMER25")

    def create(self, **body: Any) -> str:
        """A customer's order of a new sample cart; `body` overrides its email or address."""
        response = self.order_cart(self.sample_cart(), **body)
        assert response.status_code == 202, response.text
        return str(response.json()["orderId"])

    def wait_for(self, order_id: str, limit_s: float = 8) -> dict[str, Any]:
        deadline = time.monotonic() + limit_s
        while True:
            response = self.request("GET", f"/v1.0/orders/{order_id}")
            if response.status_code == 200:
                return response.json()  # type: ignore[no-any-return]
            assert time.monotonic() < deadline, f"order {order_id} never appeared: {response.text}"
            time.sleep(0.1)

    def settled(self, order_id: str, limit_s: float = 60) -> dict[str, Any]:
        """The order once its document is stored: nothing changes it after that by itself."""
        deadline = time.monotonic() + limit_s
        while not (order := self.wait_for(order_id))["invoice"]["available"]:
            assert time.monotonic() < deadline, f"order {order_id} has no document: {order}"
            time.sleep(0.2)
        return order


def orderctl_env(extra: dict[str, str]) -> dict[str, str]:
    """orderctl's environment in a test: no AWS_/ORDERCTL_ variables leak in, no config file."""
    import os

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ORDERCTL_", "AWS_"))}
    clean["ORDERCTL_CONFIG"] = os.devnull  # no profiles of the machine's own config file
    return {**clean, **extra}


def orderctl(*args: str, env: dict[str, str], timeout_s: float = 300) -> Any:
    """`python -m orderctl …` as a user runs it; no AWS_/ORDERCTL_ variables leak in."""
    import subprocess
    import sys
    from pathlib import Path

    return subprocess.run(
        [sys.executable, "-m", "orderctl", *args],
        cwd=Path(__file__).resolve().parents[2],
        env=orderctl_env(env),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
