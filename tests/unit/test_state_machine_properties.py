"""Property-based tests: the status state machine and the money arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.models.lifecycle import TRANSITIONS
from chalicelib.models.orders import Campaign, OrderItemRequest, OrderStatus
from chalicelib.services import state_machine
from chalicelib.services.pricing import price

FINAL = {OrderStatus.CANCELLED, OrderStatus.REFUNDED}


@given(st.lists(st.sampled_from(list(OrderStatus)), max_size=30))
def test_any_sequence_of_requests_follows_the_machine(targets: list[OrderStatus]) -> None:
    current = OrderStatus.PENDING
    history = [current]
    for target in targets:
        if target not in TRANSITIONS[current]:
            with pytest.raises(state_machine.InvalidTransition) as refused:
                state_machine.check(current, target)
            assert refused.value.allowed == sorted(s.value for s in TRANSITIONS[current])
            continue
        state_machine.check(current, target)
        assert current not in FINAL, "a final status never moves"
        assert current in state_machine.predecessors(target)
        current = target
        history.append(current)
    # Once final, always final: nothing follows a final status in the history.
    for index, status in enumerate(history):
        if status in FINAL:
            assert index == len(history) - 1
    assert history.count(OrderStatus.PAID) <= 1  # nothing after PAID leads back to it


def test_the_table_is_exactly_the_contract() -> None:
    s = OrderStatus
    expected = {
        (s.PENDING, s.PAID), (s.PENDING, s.CANCELLED), (s.PENDING, s.PAYMENT_FAILED),
        (s.PAYMENT_FAILED, s.PAID), (s.PAYMENT_FAILED, s.CANCELLED),
        (s.PAID, s.PROCESSING), (s.PAID, s.REFUNDED),
        (s.PROCESSING, s.COMPLETED), (s.PROCESSING, s.REFUNDED),
        (s.COMPLETED, s.REFUNDED),
    }  # fmt: skip
    actual = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert actual == expected


@pytest.mark.parametrize("final", sorted(FINAL))
def test_final_states_name_themselves_in_the_refusal(final: OrderStatus) -> None:
    with pytest.raises(state_machine.InvalidTransition, match=f"{final.value} is final"):
        state_machine.check(final, OrderStatus.PAID)


cents = st.integers(min_value=1, max_value=99_999_999).map(lambda c: Decimal(c) / 100)
items = st.lists(
    st.builds(
        lambda q, p: OrderItemRequest(productId="p", productName="P", quantity=q, unitPrice=p),
        st.integers(min_value=1, max_value=1000),
        cents,
    ),
    min_size=1,
    max_size=100,
)
percents = st.one_of(
    st.none(), st.integers(min_value=0, max_value=10_000).map(lambda b: Decimal(b) / 100)
)


@settings(max_examples=300)
@given(items, percents)
def test_money_is_exact_and_consistent(
    lines: list[OrderItemRequest], percent: Decimal | None
) -> None:
    campaign = Campaign(code="C", discountPercent=percent) if percent is not None else None
    totals = price(lines, campaign)
    for line in totals.lines:
        assert line.lineTotal == line.unitPrice * line.quantity  # exact: no rounding needed
    assert totals.subtotal == sum((line.lineTotal for line in totals.lines), Decimal(0))
    assert Decimal(0) <= totals.discount <= totals.subtotal
    assert totals.total == totals.subtotal - totals.discount
    for amount in (totals.subtotal, totals.discount, totals.total):
        assert amount == amount.quantize(Decimal("0.01")), "two decimals, always"
    exact = totals.subtotal * (percent or Decimal(0)) / 100
    assert abs(totals.discount - exact) <= Decimal("0.005"), "rounded half-up to the cent"
