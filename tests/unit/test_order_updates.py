from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.errors import (
    OrderNotFound,
    PermissionDenied,
    PreconditionFailed,
    Unprocessable,
    ValidationFailed,
)
from chalicelib.models.orders import CreateOrderRequest, Order, OrderStatus, UpdateOrderRequest
from chalicelib.models.principal import Principal
from chalicelib.services.order_updates import OrderUpdater
from chalicelib.services.pricing import price
from chalicelib.services.state_machine import InvalidTransition
from tests.fakes import InMemoryOrderStore
from tests.sample import PAYMENT, order_body

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
ORDER_ID = "11111111-1111-4111-8111-111111111111"
ALICE = Principal(subject="alice", tenant_id="tenant-a")
BOB = Principal(subject="bob", tenant_id="tenant-b")
ADMIN = Principal(subject="ops", tenant_id="platform", groups=frozenset({"admin"}))
PAYMENTS = Principal(subject="payments", tenant_id="platform", groups=frozenset({"payments"}))


@pytest.fixture
def store() -> InMemoryOrderStore:
    request = CreateOrderRequest.parse_obj(order_body())
    assert request.items is not None
    totals = price(request.items, request.campaign)
    order = Order(
        id=ORDER_ID, tenantId="tenant-a", customerEmail="jane@example.com",
        status=OrderStatus.PENDING, currency="ZAR", **totals.order_fields(),
        billingAddress=request.billingAddress, dateCreated=NOW,
        dateLastUpdated=NOW, lastUpdatedBy="alice",
    )  # fmt: skip
    memory = InMemoryOrderStore()
    memory.create(order)
    return memory


@pytest.fixture
def updater(store: InMemoryOrderStore) -> OrderUpdater:
    return OrderUpdater(store, clock=lambda: NOW)


def change(**body: Any) -> UpdateOrderRequest:
    return UpdateOrderRequest.parse_obj(body)


def test_paying_moves_to_paid_and_bumps_the_version(updater: OrderUpdater) -> None:
    order = updater.update(PAYMENTS, ORDER_ID, change(status="PAID", paymentDetails=PAYMENT))
    assert order.status is OrderStatus.PAID
    assert order.version == 2
    assert order.paymentDetails is not None
    assert str(order.paymentDetails.amount) == "448.50"
    assert order.lastUpdatedBy == "payments"


def test_an_invalid_transition_names_the_allowed_ones(updater: OrderUpdater) -> None:
    with pytest.raises(InvalidTransition, match="CANCELLED, PAID, PAYMENT_FAILED"):
        updater.update(ADMIN, ORDER_ID, change(status="COMPLETED"))


def test_paid_needs_payment_details(updater: OrderUpdater) -> None:
    with pytest.raises(ValidationFailed) as caught:
        updater.update(PAYMENTS, ORDER_ID, change(status="PAID"))
    assert caught.value.errors[0].field == "paymentDetails"


def test_a_payment_must_match_the_order(updater: OrderUpdater) -> None:
    with pytest.raises(Unprocessable) as caught:
        updater.update(
            PAYMENTS, ORDER_ID, change(status="PAID", paymentDetails={**PAYMENT, "amount": "1.00"})
        )
    assert "448.50" in caught.value.errors[0].message


def test_payment_details_only_go_with_payment_statuses(updater: OrderUpdater) -> None:
    with pytest.raises(ValidationFailed):
        updater.update(ALICE, ORDER_ID, change(status="CANCELLED", paymentDetails=PAYMENT))


def test_card_data_is_rejected() -> None:
    with pytest.raises(ValueError, match="extra fields not permitted"):
        change(status="PAID", paymentDetails={**PAYMENT, "cardNumber": "4111111111111111"})


def test_an_empty_update_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least one"):
        change()


def test_a_stale_if_match_is_412(updater: OrderUpdater) -> None:
    updater.update(ALICE, ORDER_ID, change(status="CANCELLED"), if_match=1)
    with pytest.raises(PreconditionFailed, match="version 2"):
        updater.update(ALICE, ORDER_ID, change(status="CANCELLED"), if_match=1)


def test_other_tenants_cannot_update(updater: OrderUpdater) -> None:
    with pytest.raises(OrderNotFound):
        updater.update(BOB, ORDER_ID, change(status="CANCELLED"))


def test_only_admins_soft_delete_and_then_tenants_lose_the_order(updater: OrderUpdater) -> None:
    with pytest.raises(PermissionDenied):
        updater.update(ALICE, ORDER_ID, change(active=False))
    assert updater.update(ADMIN, ORDER_ID, change(active=False)).active is False
    with pytest.raises(OrderNotFound):
        updater.update(ALICE, ORDER_ID, change(status="CANCELLED"))
    assert updater.update(ADMIN, ORDER_ID, change(active=True)).version == 3


@pytest.mark.parametrize("odd", ["nope", "ä", "a" * 1024, "x\x00"])
def test_odd_ids_are_not_found(updater: OrderUpdater, odd: str) -> None:
    with pytest.raises(OrderNotFound):
        updater.update(ADMIN, odd, change(active=True))


def test_admins_get_404_for_unknown_orders(updater: OrderUpdater) -> None:
    with pytest.raises(OrderNotFound):
        updater.update(ADMIN, "22222222-2222-4222-8222-222222222222", change(active=True))


@pytest.mark.parametrize(
    "paid_at", ["0999-12-31T00:00:00Z", "2026-11-28T09:59:59.999Z", "2026-11-28T11:59:00+02:00"]
)
def test_a_payment_before_the_order_existed_is_422(
    updater: OrderUpdater, store: InMemoryOrderStore, paid_at: str
) -> None:
    with pytest.raises(Unprocessable, match="before the order") as caught:
        updater.update(
            PAYMENTS,
            ORDER_ID,
            change(status="PAID", paymentDetails={**PAYMENT, "paidAt": paid_at}),
        )
    assert caught.value.errors[0].field == "paymentDetails.paidAt"
    stored = store.get("tenant-a", ORDER_ID)
    assert stored is not None
    assert stored.status is OrderStatus.PENDING
    assert stored.version == 1


def test_a_payment_more_than_five_minutes_ahead_is_422(updater: OrderUpdater) -> None:
    ahead = {**PAYMENT, "paidAt": "2026-11-28T10:05:00.001Z"}
    with pytest.raises(Unprocessable, match="in the future"):
        updater.update(PAYMENTS, ORDER_ID, change(status="PAID", paymentDetails=ahead))
    with pytest.raises(OrderNotFound):  # a missing order stays a 404 whatever the body says
        updater.update(
            PAYMENTS,
            "22222222-2222-4222-8222-222222222222",
            change(status="PAID", paymentDetails=ahead),
        )
