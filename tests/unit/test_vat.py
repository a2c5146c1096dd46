"""VAT on the order (API.md "Order"): prices include VAT; the order carries its VAT figures.

`vatAmount = total * rate / (100 + rate)`, half-up to cents; `totalExclVat = total - vatAmount`.
The oracle here is exact rational arithmetic, not the service's Decimal code.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.models.carts import Cart
from chalicelib.models.events import OrderCreateRequested
from chalicelib.models.orders import CreateOrderRequest, Order
from chalicelib.models.principal import Principal
from chalicelib.services.checkout import Checkout
from chalicelib.services.cursor import CursorCodec
from chalicelib.services.orders import OrderService
from chalicelib.settings import Settings
from tests.fakes import (
    InMemoryCartClaims,
    InMemoryCarts,
    InMemoryIdempotency,
    InMemoryOrderStore,
    RecordingPublisher,
)
from tests.sample import cart_order_body, order_body, order_from

ALICE = Principal(subject="alice", tenant_id="tenant-a")


def half_up_cents(value: Fraction) -> Decimal:
    """Round a non-negative exact value to cents, halves up."""
    cents = value * 100
    whole = cents.numerator // cents.denominator
    if cents - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole) / 100


_prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
_lines = st.lists(st.tuples(_prices, st.integers(1, 1000)), min_size=1, max_size=12)
_percents = st.decimals(min_value=0, max_value=100, places=2)
_rates = st.one_of(
    st.just(Decimal("15.00")), st.just(Decimal("0.00")), st.decimals(0, 99, places=2)
)


@settings(max_examples=300, deadline=None)
@given(lines=_lines, discount=st.one_of(st.none(), _percents), rate=_rates)
# exact half cents, where half-up and half-even differ: 0.12 x 60/160 = 0.045 -> 0.05
@example(lines=[(Decimal("0.12"), 1)], discount=None, rate=Decimal("60.00"))
@example(lines=[(Decimal("0.36"), 1)], discount=None, rate=Decimal("60.00"))
def test_vat_on_random_carts_is_as_api_md_defines(
    lines: list[tuple[Decimal, int]], discount: Decimal | None, rate: Decimal
) -> None:
    cart: dict[str, Any] = {
        "cartId": "c-1",
        "tenantId": "tenant-a",
        "currency": "ZAR",
        "items": [
            {"productId": f"p-{n}", "productName": "Hosting", "quantity": q, "unitPrice": str(p)}
            for n, (p, q) in enumerate(lines)
        ],
        "campaign": None
        if discount is None
        else {"code": "C", "name": "C", "discountPercent": str(discount)},
        "status": "OPEN",
    }
    queue = RecordingPublisher()
    service = OrderService(
        InMemoryOrderStore(),
        queue,
        InMemoryIdempotency(),
        CursorCodec(lambda: b"k" * 32),
        checkout=Checkout(InMemoryCarts(Cart.parse_obj(cart)), InMemoryCartClaims()),
        vat_rate=rate,
    )
    service.accept(ALICE, CreateOrderRequest.parse_obj(cart_order_body("c-1")), "corr")
    [event] = queue.events
    assert isinstance(event, OrderCreateRequested)
    order = event.data
    total = Fraction(order.total)
    assert order.vatRate == rate
    assert order.vatAmount == half_up_cents(total * Fraction(rate) / (100 + Fraction(rate)))
    assert order.totalExclVat == order.total - order.vatAmount
    assert Decimal(0) <= order.vatAmount <= order.total
    assert Order.parse_raw(order.json()) == order  # and it survives the wire


def test_the_api_md_example() -> None:
    order = order_from(CreateOrderRequest.parse_obj(order_body()))
    assert (order.total, order.vatRate, order.vatAmount, order.totalExclVat) == (
        Decimal("448.50"),
        Decimal("15.00"),
        Decimal("58.50"),
        Decimal("390.00"),
    )


def test_an_order_from_before_vat_reads_with_the_statutory_rate() -> None:
    """Stored items and queued events without the fields: computed on read, at 15 %."""
    old = json_of(order_from(CreateOrderRequest.parse_obj(order_body())))
    for name in ("vatRate", "vatAmount", "totalExclVat"):
        del old[name]
    order = Order.parse_obj(old)
    assert (order.vatRate, order.vatAmount, order.totalExclVat) == (
        Decimal("15.00"),
        Decimal("58.50"),
        Decimal("390.00"),
    )
    event = {
        "id": "e-1",
        "occurredAt": "2026-11-28T10:00:00.000Z",
        "correlationId": "c",
        "data": old,
    }
    assert OrderCreateRequested.parse_obj(event).data.vatAmount == Decimal("58.50")


def test_stored_vat_figures_are_read_as_stored() -> None:
    """An order keeps the rate it was sold at, whatever the stage's rate is now."""
    zero_rated = json_of(order_from(CreateOrderRequest.parse_obj(order_body())))
    zero_rated.update(vatRate="0.00", vatAmount="0.00", totalExclVat="448.50")
    assert Order.parse_obj(zero_rated).vatAmount == Decimal("0.00")


@pytest.mark.parametrize("rate", ["15", "15.00", "0", "14.5"])
def test_the_stage_setting_is_a_percentage(rate: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAT_RATE", rate)
    assert str(settings_now(monkeypatch).vat_rate) == f"{Decimal(rate):.2f}"


@pytest.mark.parametrize("rate", ["-1", "100", "15.001", "fifteen"])
def test_a_bad_stage_setting_is_refused(rate: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAT_RATE", rate)
    with pytest.raises(ValidationError, match="vat_rate"):
        settings_now(monkeypatch)


def settings_now(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings a stage with these variables would read (VAT_RATE set by the test)."""
    env = {
        "APP_ENV": "test",
        "ORDERS_TABLE_NAME": "t",
        "ORDER_CREATION_QUEUE_NAME": "q",
        "ORDERS_BUCKET_NAME": "b",
        "TEMPLATES_BUCKET_NAME": "tb",
        "CURSOR_SECRET_ID": "s",
        "EMAIL_SENDER": "no-reply@example.com",
        "INTERNAL_NOTIFICATION_RECIPIENTS": "ops@example.com",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()  # type: ignore[call-arg]


def json_of(order: Order) -> dict[str, Any]:
    return json.loads(order.json())  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("vat_number", "accepted"),
    [("4123456789", True), ("GB123456789", True), ("4123 456 789", False), ("41", False),
     ("4123456789\u202e", False), (12345678, False)],
)  # fmt: skip
def test_a_recipient_vat_number_is_letters_and_digits(vat_number: Any, accepted: bool) -> None:
    from chalicelib.api.body import parse_json
    from chalicelib.errors import ValidationFailed

    body = order_body()
    body["billingAddress"] = {
        **body["billingAddress"],
        "companyName": "Acme",
        "vatNumber": vat_number,
    }
    raw = json.dumps(body).encode()
    if accepted:
        parsed = parse_json(raw, "application/json", CreateOrderRequest)
        assert parsed.billingAddress.vatNumber == vat_number
    else:
        with pytest.raises(ValidationFailed) as refused:
            parse_json(raw, "application/json", CreateOrderRequest)
        assert [e.field for e in refused.value.errors] == ["billingAddress.vatNumber"]
