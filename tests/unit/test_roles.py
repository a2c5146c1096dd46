"""Who may set which status (API.md "Roles"): each role, each target, each current status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.errors import OrderNotFound, PermissionDenied
from chalicelib.models.lifecycle import MAY_SET, ONLY_FROM, TRANSITIONS, Role, role_table
from chalicelib.models.orders import CreateOrderRequest, OrderStatus, UpdateOrderRequest
from chalicelib.models.principal import Principal
from chalicelib.services.order_updates import OrderUpdater
from chalicelib.services.state_machine import InvalidTransition
from tests.fakes import InMemoryOrderStore
from tests.sample import PAYMENT, REFUND, order_body, order_from

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
ORDER_ID = "11111111-1111-4111-8111-111111111111"
CALLERS = {
    Role.CUSTOMER: Principal(subject="alice", tenant_id="tenant-a"),
    Role.PAYMENTS: Principal(subject="pay", tenant_id="platform", groups=frozenset({"payments"})),
    Role.ADMIN: Principal(subject="ops", tenant_id="platform", groups=frozenset({"admin"})),
}
# What API.md's roles table says, written out (not derived from the code under test).
EXPECTED_MAY_SET = {
    Role.CUSTOMER: {"CANCELLED"},
    Role.PAYMENTS: {"PAID", "PAYMENT_FAILED", "REFUNDED"},
    Role.ADMIN: {"PROCESSING", "COMPLETED", "CANCELLED"},
}


def _updater(current: OrderStatus) -> tuple[OrderUpdater, InMemoryOrderStore]:
    store = InMemoryOrderStore()
    order = order_from(
        CreateOrderRequest.parse_obj(order_body()),
        id=ORDER_ID,
        status=current,
        dateCreated=NOW - timedelta(hours=1),
    )
    store.create(order)
    return OrderUpdater(store, clock=lambda: NOW), store


def _body(target: OrderStatus) -> UpdateOrderRequest:
    payment = {**PAYMENT, "paidAt": "2026-11-28T09:30:00.000Z"}
    if target in (OrderStatus.PAID, OrderStatus.PAYMENT_FAILED):
        return UpdateOrderRequest.parse_obj({"status": target.value, "paymentDetails": payment})
    if target is OrderStatus.REFUNDED:
        refund = {**REFUND, "refundedAt": "2026-11-28T09:45:00.000Z"}
        return UpdateOrderRequest.parse_obj({"status": target.value, "refundDetails": refund})
    return UpdateOrderRequest.parse_obj({"status": target.value})


def test_the_table_is_the_contracts() -> None:
    assert {r: {s.value for s in MAY_SET[r]} for r in Role} == EXPECTED_MAY_SET
    customer_cancels_from = {OrderStatus.PENDING, OrderStatus.PAYMENT_FAILED}
    assert {(Role.CUSTOMER, OrderStatus.CANCELLED): customer_cancels_from} == ONLY_FROM


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("target", list(OrderStatus))
@pytest.mark.parametrize("current", list(OrderStatus))
def test_every_role_may_set_exactly_its_statuses(
    role: Role, target: OrderStatus, current: OrderStatus
) -> None:
    updater, store = _updater(current)
    request = _body(target)
    if target.value not in EXPECTED_MAY_SET[role]:
        with pytest.raises(PermissionDenied, match=f"You may not set status {target.value}"):
            updater.update(CALLERS[role], ORDER_ID, request)
    elif target not in TRANSITIONS[current]:
        with pytest.raises(InvalidTransition):
            updater.update(CALLERS[role], ORDER_ID, request)
    else:
        assert updater.update(CALLERS[role], ORDER_ID, request).status is target
        return
    stored = store.get("tenant-a", ORDER_ID)
    assert stored is not None
    assert (stored.status, stored.version) == (current, 1)  # a refusal changes nothing


def test_a_refusal_names_what_the_role_may_do() -> None:
    updater, _ = _updater(OrderStatus.PENDING)
    with pytest.raises(PermissionDenied) as refused:
        updater.update(CALLERS[Role.CUSTOMER], ORDER_ID, _body(OrderStatus.PAID))
    assert "as customer: CANCELLED on its own tenant's PAYMENT_FAILED or PENDING orders" in str(
        refused.value
    )


def test_customers_cancel_only_their_own_tenants_orders() -> None:
    updater, _ = _updater(OrderStatus.PENDING)
    bob = Principal(subject="bob", tenant_id="tenant-b")
    with pytest.raises(OrderNotFound):
        updater.update(bob, ORDER_ID, _body(OrderStatus.CANCELLED))


def test_the_payment_system_acts_on_any_tenant_and_only_with_its_group() -> None:
    updater, _ = _updater(OrderStatus.PENDING)
    paid = updater.update(CALLERS[Role.PAYMENTS], ORDER_ID, _body(OrderStatus.PAID))
    assert (paid.tenantId, paid.status) == ("tenant-a", OrderStatus.PAID)
    impostor = Principal(subject="x", tenant_id="tenant-a", groups=frozenset({"payment"}))
    with pytest.raises(PermissionDenied):
        updater.update(impostor, ORDER_ID, _body(OrderStatus.REFUNDED))


def test_only_admins_change_active() -> None:
    updater, _ = _updater(OrderStatus.PENDING)
    for role in (Role.CUSTOMER, Role.PAYMENTS):
        with pytest.raises(PermissionDenied, match="You may not set active"):
            updater.update(CALLERS[role], ORDER_ID, UpdateOrderRequest(active=False))
    assert updater.update(CALLERS[Role.ADMIN], ORDER_ID, UpdateOrderRequest(active=False)).version


def test_the_openapi_table_lists_every_role() -> None:
    table = role_table()
    for role in Role:
        assert f"| {role.value} |" in table
