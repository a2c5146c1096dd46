"""Orders from carts (API.md "CreateOrderRequest (revision 2)"), with in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.errors import (
    CartAlreadyOrdered,
    CartServiceUnavailable,
    Conflict,
    DependencyFailed,
    PermissionDenied,
    Unprocessable,
    ValidationFailed,
)
from chalicelib.models.carts import Cart
from chalicelib.models.events import OrderCreateRequested
from chalicelib.models.orders import CreateOrderRequest
from chalicelib.models.principal import Principal
from chalicelib.services.checkout import Checkout
from chalicelib.services.cursor import CursorCodec
from chalicelib.services.orders import OrderService
from tests.fakes import (
    InMemoryCartClaims,
    InMemoryCarts,
    InMemoryIdempotency,
    InMemoryOrderStore,
    RecordingPublisher,
)
from tests.sample import cart_order_body, order_body

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
ALICE = Principal(subject="alice", tenant_id="tenant-a")
BOB = Principal(subject="bob", tenant_id="tenant-b")
ADMIN = Principal(subject="ops", tenant_id="platform", groups=frozenset({"admin"}))
PAYMENTS = Principal(subject="pay", tenant_id="platform", groups=frozenset({"payments"}))
TOKEN = "Bearer alice-token"


def cart(cart_id: str = "c-1", tenant: str = "tenant-a", **fields: Any) -> Cart:
    return Cart.parse_obj(
        {
            "cartId": cart_id,
            "tenantId": tenant,
            "currency": "ZAR",
            "items": [
                *order_body()["items"],  # 2 x wp-pro at 299.00
                {
                    "productId": "domain-coza",
                    "productName": "co.za domain (1 year)",
                    "quantity": 1,
                    "unitPrice": "99.00",
                    "sku": "ignored: the Cart service may add fields",
                },
            ],
            "campaign": {"code": "SUMMER25", "name": "Summer sale", "discountPercent": "25.00"},
            "status": "OPEN",
            **fields,
        }
    )


class World:
    def __init__(self, *carts: Cart) -> None:
        self.carts = InMemoryCarts(*carts)
        self.claims = InMemoryCartClaims()
        self.now = NOW
        self.queue = RecordingPublisher()
        self.idempotency = InMemoryIdempotency()
        counter = iter(range(1, 10_000))
        self.service = OrderService(
            InMemoryOrderStore(),
            self.queue,
            self.idempotency,
            CursorCodec(lambda: b"k" * 32, clock=NOW.timestamp),
            checkout=Checkout(self.carts, self.claims),
            clock=lambda: self.now,
            ids=lambda: f"00000000-0000-4000-8000-{next(counter):012d}",
        )

    def order(self, principal: Principal = ALICE, key: str | None = None, **body: Any) -> str:
        request = CreateOrderRequest.parse_obj(cart_order_body("c-1", **body))
        accepted = self.service.accept(principal, request, "corr-1", key, TOKEN)
        return accepted.orderId

    def enqueued(self) -> list[OrderCreateRequested]:
        return [e for e in self.queue.events if isinstance(e, OrderCreateRequested)]


def test_the_order_is_a_snapshot_of_the_cart_priced_by_the_service() -> None:
    world = World(cart())
    order_id = world.order()
    [event] = world.enqueued()
    order = event.data
    assert (order.id, order.cartId, order.tenantId, order.currency) == (
        order_id,
        "c-1",
        "tenant-a",
        "ZAR",
    )
    assert [(line.productId, line.quantity, str(line.lineTotal)) for line in order.items] == [
        ("wp-pro", 2, "598.00"),
        ("domain-coza", 1, "99.00"),
    ]
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("697.00"),
        Decimal("174.25"),
        Decimal("522.75"),
    )
    assert order.campaign is not None
    assert order.campaign.code == "SUMMER25"
    assert world.carts.reads == [("c-1", TOKEN)]  # read with the caller's own token


@pytest.mark.parametrize(
    "priced",
    [
        {"items": order_body()["items"]},
        {"campaign": order_body()["campaign"]},
        {"currency": "ZAR"},
        {"tenantId": "tenant-a"},
    ],
)
def test_a_cart_order_carrying_prices_or_lines_is_400(priced: dict[str, Any]) -> None:
    world = World(cart())
    with pytest.raises(ValidationFailed) as refused:
        world.order(**priced)
    assert [e.field for e in refused.value.errors] == list(priced)
    assert world.enqueued() == []
    assert world.carts.reads == []


@pytest.mark.parametrize(
    ("carts", "message"),
    [
        ((), "There is no such cart"),
        ((cart(tenant="tenant-b"),), "There is no such cart"),
        ((cart(items=[]),), "The cart is empty"),
    ],
)
def test_an_absent_foreign_or_empty_cart_is_422(carts: tuple[Cart, ...], message: str) -> None:
    world = World(*carts)
    with pytest.raises(Unprocessable, match=message) as refused:
        world.order()
    assert refused.value.errors[0].field == "cartId"
    assert world.enqueued() == []
    assert world.claims.claims == {}


def test_a_cart_becomes_one_order_and_a_second_post_names_it() -> None:
    world = World(cart())
    first = world.order()
    with pytest.raises(CartAlreadyOrdered) as again:
        world.order()
    assert again.value.order_id == first
    assert again.value.members == {"orderId": first}
    assert len(world.enqueued()) == 1


def test_an_idempotent_retry_of_a_cart_order_is_the_first_202() -> None:
    world = World(cart())
    first = world.order(key="k-1")
    assert world.order(key="k-1") == first
    assert len(world.enqueued()) == 1
    assert world.idempotency.records == {}  # the cart's claim is its idempotency record


def test_the_cart_with_another_key_is_409_and_the_key_with_another_body_is_409() -> None:
    world = World(cart())
    first = world.order(key="k-1")
    with pytest.raises(CartAlreadyOrdered) as other_key:
        world.order(key="k-2")
    assert other_key.value.order_id == first
    with pytest.raises(Conflict, match="different request body") as other_body:
        world.order(key="k-1", customerEmail="other@example.com")
    assert not isinstance(other_body.value, CartAlreadyOrdered)
    assert len(world.enqueued()) == 1


@pytest.mark.parametrize(("minutes", "resent"), [(1, 0), (5, 1)])
def test_a_cart_whose_enqueue_was_lost_is_sent_again_by_the_next_post(
    minutes: int, resent: int
) -> None:
    world = World(cart())
    first = world.order()
    world.queue.events.clear()  # the process died between the claim and the enqueue
    world.now = NOW + timedelta(minutes=minutes)
    with pytest.raises(CartAlreadyOrdered) as again:
        world.order()
    assert again.value.order_id == first
    assert [e.data.id for e in world.enqueued()] == [first] * resent


def test_a_down_cart_service_is_503_with_retry_after_and_nothing_enqueued() -> None:
    world = World(cart())
    world.carts.down = True
    with pytest.raises(CartServiceUnavailable) as failed:
        world.order(key="k-1")
    assert failed.value.retry_after_s == 30
    assert world.enqueued() == []
    assert world.claims.claims == {}
    assert world.idempotency.records == {}


def test_a_failed_enqueue_gives_the_cart_back() -> None:
    world = World(cart())
    world.queue.fail = True
    with pytest.raises(DependencyFailed, match="queue unavailable"):
        world.order()
    assert world.claims.claims == {}
    world.queue.fail = False
    assert world.order()  # the retry orders the cart


def test_a_checked_out_cart_is_409_and_stays_unclaimed() -> None:
    world = World(cart(status="CHECKED_OUT"))
    with pytest.raises(Conflict, match="checked out already") as refused:
        world.order()
    assert not isinstance(refused.value, CartAlreadyOrdered)
    assert world.claims.claims == {}
    assert world.enqueued() == []


def test_no_cart_and_no_items_is_400_naming_cart_id() -> None:
    world = World()
    with pytest.raises(ValidationFailed) as refused:
        world.order(cartId=None)
    assert refused.value.errors[0].field == "cartId"


def test_the_payment_system_cannot_order() -> None:
    with pytest.raises(PermissionDenied):
        World(cart()).order(PAYMENTS)


def test_admins_place_back_office_orders_with_priced_lines() -> None:
    world = World()
    body = {k: v for k, v in order_body().items() if k != "cartId"}
    request = CreateOrderRequest.parse_obj({**body, "tenantId": "tenant-b"})
    world.service.accept(ADMIN, request, "corr-1", None, TOKEN)
    [event] = world.enqueued()
    assert (event.data.tenantId, str(event.data.total), event.data.cartId) == (
        "tenant-b",
        "448.50",
        None,
    )
