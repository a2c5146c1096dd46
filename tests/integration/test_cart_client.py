"""The Cart client against the Cart service stub over HTTP: answers, faults, timeouts, breaker."""

from __future__ import annotations

import socket
import statistics
import time
from typing import Any

import pytest
import requests

from chalicelib import carts as cart_module
from chalicelib.carts import CartClient, new_breaker, new_pool
from chalicelib.errors import AuthenticationFailed, CartServiceUnavailable, PermissionDenied
from devstack.cart_stub import Faults
from tests.conftest import CART_API_URL, CARTS
from tests.tokens import TestIssuer


@pytest.fixture
def alice(issuer: TestIssuer) -> str:
    """Alice's Authorization header (the client forwards the caller's header as it came)."""
    return "Bearer " + issuer.token(tenant_id="tenant-a", subject="alice")


@pytest.fixture
def client() -> CartClient:
    return CartClient(CART_API_URL)


@pytest.fixture
def fast_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cart_module, "READ_TIMEOUT_S", 0.5)


def new_cart(token: str, **body: Any) -> dict[str, Any]:
    response = requests.post(
        f"{CART_API_URL}/v1.0/carts",
        json={"items": [{"productId": "wp-pro", "quantity": 2}], **body},
        headers={"Authorization": token},
        timeout=5,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_cart_is_read_with_the_callers_token(client: CartClient, alice: str) -> None:
    made = new_cart(alice, campaignCode="SUMMER25")
    cart = client.get(made["cartId"], alice)
    assert cart is not None
    assert (cart.cartId, cart.tenantId, cart.currency, cart.status) == (
        made["cartId"],
        "tenant-a",
        "ZAR",
        "OPEN",
    )
    assert [(line.productId, line.quantity, str(line.unitPrice)) for line in cart.items] == [
        ("wp-pro", 2, "299.00")
    ]
    assert cart.campaign is not None
    assert str(cart.campaign.discountPercent) == "25.00"


def test_an_absent_or_foreign_cart_is_none(
    client: CartClient, alice: str, issuer: TestIssuer
) -> None:
    made = new_cart(alice)
    bob = "Bearer " + issuer.token(tenant_id="tenant-b", subject="bob")
    assert client.get(made["cartId"], bob) is None
    assert client.get("c-does-not-exist", alice) is None


def test_one_5xx_is_retried_and_the_read_succeeds(client: CartClient, alice: str) -> None:
    made = new_cart(alice)
    CARTS.faults = Faults(status=503, count=1)
    assert client.get(made["cartId"], alice) is not None
    assert CARTS.faults.count == 0


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_persistent_failures_are_503_for_the_caller(
    client: CartClient, alice: str, status: int
) -> None:
    made = new_cart(alice)
    CARTS.faults = Faults(status=status, count=2)
    with pytest.raises(CartServiceUnavailable) as failed:
        client.get(made["cartId"], alice)
    assert failed.value.retry_after_s == 5


@pytest.mark.parametrize(
    ("status", "error"), [(401, AuthenticationFailed), (403, PermissionDenied)]
)
def test_a_refused_token_is_the_callers_error_and_never_opens_the_breaker(
    alice: str, status: int, error: type[Exception]
) -> None:
    client = CartClient(CART_API_URL, breaker=new_breaker())
    made = new_cart(alice)
    CARTS.faults = Faults(status=status, count=3 * cart_module.FAIL_MAX)
    for _ in range(3 * cart_module.FAIL_MAX):
        with pytest.raises(error):
            client.get(made["cartId"], alice)
    assert client.get(made["cartId"], alice) is not None  # the breaker is still closed


def test_a_slow_cart_service_times_out_well_inside_the_api_limit(
    alice: str, fast_timeouts: None
) -> None:
    client = CartClient(CART_API_URL, pool=new_pool())
    made = new_cart(alice)
    CARTS.faults = Faults(delay_s=1.5, count=2)
    started = time.monotonic()
    with pytest.raises(CartServiceUnavailable):
        client.get(made["cartId"], alice)
    assert time.monotonic() - started < 3  # two attempts of 0.5 s, and the backoff


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_dead_cart_service_opens_the_breaker_and_then_costs_milliseconds(alice: str) -> None:
    client = CartClient(f"http://127.0.0.1:{_closed_port()}", breaker=new_breaker())
    for _ in range(cart_module.FAIL_MAX):
        with pytest.raises(CartServiceUnavailable):
            client.get("c-1", alice)
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        with pytest.raises(CartServiceUnavailable) as failed:
            client.get("c-1", alice)
        timings.append(time.perf_counter() - started)
    assert failed.value.retry_after_s == cart_module.RESET_S
    assert statistics.median(timings) < 0.005


def test_the_breaker_closes_again_when_the_service_is_back(
    alice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cart_module, "RESET_S", 0.2)
    client = CartClient(CART_API_URL, breaker=new_breaker())
    made = new_cart(alice)
    CARTS.faults = Faults(status=503, count=2 * cart_module.FAIL_MAX)
    for _ in range(cart_module.FAIL_MAX):
        with pytest.raises(CartServiceUnavailable):
            client.get(made["cartId"], alice)
    CARTS.faults = Faults()
    time.sleep(0.3)
    assert client.get(made["cartId"], alice) is not None  # the trial read closes it
    assert client.get(made["cartId"], alice) is not None


def test_a_cart_that_breaks_the_contract_is_503_not_500(client: CartClient, alice: str) -> None:
    made = new_cart(alice)
    CARTS.carts[made["cartId"]]["items"][0]["unitPrice"] = "1e2"
    with pytest.raises(CartServiceUnavailable):
        client.get(made["cartId"], alice)
