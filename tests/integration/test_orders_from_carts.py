"""POST /v1.0/orders from a cart: the API, the Cart service stub over HTTP, and moto."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.carts import FAIL_MAX
from chalicelib.errors import AuthenticationFailed, CartAlreadyOrdered
from chalicelib.models.orders import CreateOrderRequest
from chalicelib.models.principal import Principal
from devstack.cart_stub import Faults
from devstack.provision import Provisioned
from tests.conftest import CARTS
from tests.integration.api_helpers import bearer, new_cart, run_record_writer
from tests.integration.conftest import drain
from tests.sample import cart_order_body, order_body
from tests.tokens import TestIssuer


def post(api: Client, token: str, body: dict[str, Any], **headers: str) -> Any:
    return api.http.post("/v1.0/orders", headers=bearer(token, **headers), body=json.dumps(body))


def test_a_cart_becomes_an_order_priced_from_the_cart(
    api: Client, stack: Provisioned, alice: str
) -> None:
    cart_id = new_cart(alice, campaignCode="SUMMER25")
    accepted = post(api, alice, cart_order_body(cart_id))
    assert accepted.status_code == 202, accepted.json_body
    run_record_writer(stack)
    order = api.http.get(accepted.headers["Location"], headers=bearer(alice)).json_body
    assert (order["cartId"], order["total"], order["discount"]) == (cart_id, "448.50", "149.50")
    assert order["items"][0]["productName"] == "WordPress Pro Hosting"


def test_a_second_post_of_the_cart_is_409_naming_the_order(
    api: Client, stack: Provisioned, alice: str
) -> None:
    cart_id = new_cart(alice)
    first = post(api, alice, cart_order_body(cart_id)).json_body["orderId"]
    again = post(api, alice, cart_order_body(cart_id))
    assert again.status_code == 409
    assert again.headers["Content-Type"] == "application/problem+json"
    assert again.json_body["orderId"] == first
    assert len(drain(stack.queues["order_creator_record"]["url"])) == 1


@pytest.mark.parametrize(
    ("who", "items", "detail"),
    [("bob", None, "no such cart"), ("alice", [], "empty")],
)
def test_a_foreign_or_empty_cart_is_422(  # noqa: PLR0917 - fixtures and three parameters
    api: Client,
    stack: Provisioned,
    alice: str,
    issuer: TestIssuer,
    who: str,
    items: Any,
    detail: str,
) -> None:
    cart_id = new_cart(alice, items)
    caller = alice if who == "alice" else issuer.token(tenant_id="tenant-b", subject="bob")
    refused = post(api, caller, cart_order_body(cart_id))
    assert refused.status_code == 422, refused.json_body
    assert detail in refused.json_body["detail"].lower()
    assert refused.json_body["errors"][0]["field"] == "cartId"
    assert drain(stack.queues["order_creator_record"]["url"]) == []


def test_prices_next_to_a_cart_are_400(api: Client, stack: Provisioned, alice: str) -> None:
    cart_id = new_cart(alice)
    refused = post(
        api, alice, cart_order_body(cart_id, items=order_body()["items"], currency="ZAR")
    )
    assert refused.status_code == 400
    assert {e["field"] for e in refused.json_body["errors"]} == {"items", "currency"}


def test_a_failing_cart_service_is_503_with_retry_after_and_nothing_enqueued(
    api: Client, stack: Provisioned, alice: str, caplog: pytest.LogCaptureFixture
) -> None:
    cart_id = new_cart(alice)
    CARTS.faults = Faults(status=503, count=2)
    with caplog.at_level("INFO"):
        failed = post(api, alice, cart_order_body(cart_id), **{"Idempotency-Key": "k-503"})
    assert failed.status_code == 503
    # an outage is a warning line with its cause, not a stack trace per request
    [line] = [r for r in caplog.records if r.getMessage().startswith("Request failed")]
    assert (line.levelname, line.exc_info) == ("WARNING", None)
    assert "did not answer" in line.error  # type: ignore[attr-defined]
    assert failed.headers["Retry-After"] == "5"
    assert drain(stack.queues["order_creator_record"]["url"]) == []
    retried = post(api, alice, cart_order_body(cart_id), **{"Idempotency-Key": "k-503"})
    assert retried.status_code == 202  # neither the key nor the cart was held by the failure


def test_twenty_concurrent_posts_of_one_cart_make_one_order(stack: Provisioned, alice: str) -> None:
    cart_id = new_cart(alice)
    caller = Principal(subject="alice", tenant_id="tenant-a")
    request = CreateOrderRequest.parse_obj(cart_order_body(cart_id))
    service = wiring.order_service()

    def attempt(_: int) -> str:
        try:
            return service.accept(caller, request, "corr", None, f"Bearer {alice}").orderId
        except CartAlreadyOrdered as refused:
            return f"409:{refused.order_id}"

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(attempt, range(20)))
    accepted = [a for a in answers if not a.startswith("409:")]
    assert len(accepted) == 1
    assert sorted(set(answers) - set(accepted)) == [f"409:{accepted[0]}"]
    assert len(drain(stack.queues["order_creator_record"]["url"])) == 1


def test_a_burst_of_expiring_tokens_is_401_to_its_callers_and_others_still_order(
    api: Client, issuer: TestIssuer, bob: str
) -> None:
    """Tokens that expire between the API's check and the Cart read are their callers' 401s: the
    breaker counts none of them, so bob's order right after is accepted (issue 28)."""
    burst = 4 * FAIL_MAX
    cart_id = new_cart(issuer.token(tenant_id="tenant-a", subject="alice"))
    # Valid now, expired once the stalled Cart service reads them.
    tokens = [issuer.token(subject="alice", expires_in=1) for _ in range(burst)]
    request = CreateOrderRequest.parse_obj(cart_order_body(cart_id))
    service = wiring.order_service()
    caller = Principal(subject="alice", tenant_id="tenant-a")
    CARTS.faults = Faults(delay_s=1.5, count=burst)

    def attempt(token: str) -> str:
        try:
            service.accept(caller, request, "corr", None, f"Bearer {token}")
        except AuthenticationFailed:
            return "401"
        return "accepted"

    with ThreadPoolExecutor(burst) as pool:
        answers = list(pool.map(attempt, tokens))
    assert answers == ["401"] * burst
    CARTS.faults = Faults(delay_s=1.5, count=1)
    refused = post(api, issuer.token(subject="alice", expires_in=1), cart_order_body(cart_id))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="bbws-order"'
    accepted = post(api, bob, cart_order_body(new_cart(bob)))
    assert accepted.status_code == 202, accepted.json_body
