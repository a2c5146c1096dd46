from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.errors import (
    Conflict,
    DependencyFailed,
    OrderNotFound,
    PayloadTooLarge,
    PermissionDenied,
    ValidationFailed,
)
from chalicelib.models import wire
from chalicelib.models.carts import Cart
from chalicelib.models.events import OrderCreated, OrderCreateRequested
from chalicelib.models.orders import CreateOrderRequest, ListQuery, OrderStatus
from chalicelib.models.principal import Principal
from chalicelib.services.checkout import Checkout
from chalicelib.services.cursor import CursorCodec
from chalicelib.services.orders import OrderService
from chalicelib.services.recorder import OrderRecorder
from tests.fakes import (
    CountingNumbers,
    InMemoryCartClaims,
    InMemoryCarts,
    InMemoryIdempotency,
    InMemoryOrderStore,
    RecordingPublisher,
)
from tests.sample import cart, cart_order_body, largest_order_body, order_body

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
CODEC = CursorCodec(lambda: b"test-secret")
ALICE = Principal(subject="alice", tenant_id="tenant-a")
BOB = Principal(subject="bob", tenant_id="tenant-b")
ADMIN = Principal(subject="ops", tenant_id="platform", groups=frozenset({"admin"}))


def ids() -> object:
    counter = iter(range(1, 1000))
    return lambda: f"00000000-0000-4000-8000-{next(counter):012d}"


@pytest.fixture
def store() -> InMemoryOrderStore:
    return InMemoryOrderStore()


@pytest.fixture
def queue() -> RecordingPublisher:
    return RecordingPublisher()


CARTS = InMemoryCarts()  # every test's carts: each has an id of its own


def checkout() -> Checkout:
    return Checkout(CARTS, InMemoryCartClaims())


def new_cart(principal: Principal) -> str:
    cart_id = f"c-{len(CARTS.carts) + 1}"
    CARTS.carts[cart_id] = Cart.parse_obj(cart(cart_id, principal.tenant_id))
    return cart_id


def make(
    store: InMemoryOrderStore,
    queue: RecordingPublisher,
    idempotency: InMemoryIdempotency | None = None,
    clock: list[datetime] | None = None,
) -> OrderService:
    now = clock or [NOW]
    return OrderService(
        store,
        queue,
        idempotency or InMemoryIdempotency(),
        CODEC,
        checkout=checkout(),
        clock=lambda: now[0],
        ids=ids(),  # type: ignore[arg-type]
    )


@pytest.fixture
def service(store: InMemoryOrderStore, queue: RecordingPublisher) -> OrderService:
    return make(store, queue)


def request_for(principal: Principal, **body: object) -> CreateOrderRequest:
    """A customer's cart order (a new cart each time); an administrator's priced lines."""
    if principal.is_admin:
        return CreateOrderRequest.parse_obj(order_body(**body))
    return CreateOrderRequest.parse_obj(cart_order_body(new_cart(principal), **body))


def accept(service: OrderService, principal: Principal = ALICE, **body: object) -> str:
    request = request_for(principal, **body)
    return service.accept(principal, request, correlation_id="corr-1").orderId


def test_accept_enqueues_a_priced_pending_order(
    service: OrderService, queue: RecordingPublisher
) -> None:
    order_id = accept(service)
    [event] = queue.events
    assert isinstance(event, OrderCreateRequested)
    assert event.correlationId == "corr-1"
    assert event.data.id == order_id
    assert event.data.tenantId == "tenant-a"
    assert str(event.data.total) == "448.50"
    assert event.data.status == "PENDING"
    assert event.data.dateCreated == NOW
    assert event.data.lastUpdatedBy == "alice"


def test_a_tenant_cannot_order_for_another(
    service: OrderService, queue: RecordingPublisher
) -> None:
    with pytest.raises(PermissionDenied):
        accept(service, ALICE, tenantId="tenant-b")
    assert queue.events == []


def test_an_admin_can_order_for_a_tenant(service: OrderService, queue: RecordingPublisher) -> None:
    accept(service, ADMIN, tenantId="tenant-b")
    assert queue.events[0].data.tenantId == "tenant-b"  # type: ignore[attr-defined]


def test_the_largest_order_the_contract_allows_is_accepted(
    service: OrderService, queue: RecordingPublisher
) -> None:
    request = CreateOrderRequest.parse_obj(largest_order_body(tenantId="tenant-a"))
    service.accept(ADMIN, request, correlation_id="corr-1")
    [event] = queue.events
    assert len(event.data.items) == 100  # type: ignore[attr-defined]


def test_an_order_that_could_not_travel_as_an_event_is_413_and_nothing_is_held(
    store: InMemoryOrderStore, queue: RecordingPublisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wire, "EVENT_BUDGET", 20_000)  # as if the contract allowed more
    idempotency = InMemoryIdempotency()
    service = make(store, queue, idempotency)
    request = CreateOrderRequest.parse_obj(largest_order_body(tenantId="tenant-a"))
    with pytest.raises(PayloadTooLarge, match=r"102,\d{3} bytes as an event, over the 20,000"):
        service.accept(ADMIN, request, correlation_id="corr-1", idempotency_key="k-1")
    assert queue.events == []
    monkeypatch.setattr(wire, "EVENT_BUDGET", 245_760)
    service.accept(ADMIN, request, correlation_id="corr-1", idempotency_key="k-1")  # not held
    assert len(queue.events) == 1


def test_a_queue_failure_is_reported(store: InMemoryOrderStore) -> None:
    service = make(store, RecordingPublisher(fail=True))
    with pytest.raises(DependencyFailed):
        accept(service)


def test_a_customer_sending_prices_is_400_naming_them(
    service: OrderService, queue: RecordingPublisher
) -> None:
    request = CreateOrderRequest.parse_obj(order_body())
    with pytest.raises(ValidationFailed) as refused:
        service.accept(ALICE, request, correlation_id="corr-1")
    assert [e.field for e in refused.value.errors] == ["items", "campaign", "currency", "cartId"]
    assert queue.events == []


def record_all(store: InMemoryOrderStore, queue: RecordingPublisher) -> RecordingPublisher:
    topic = RecordingPublisher()
    recorder = OrderRecorder(store, CountingNumbers(), topic, clock=lambda: NOW)
    assert recorder.record_batch(list(queue.events)) == set()  # type: ignore[arg-type]
    return topic


def test_get_returns_own_orders_and_hides_others(
    service: OrderService, store: InMemoryOrderStore, queue: RecordingPublisher
) -> None:
    order_id = accept(service)
    record_all(store, queue)
    assert service.get(ALICE, order_id).id == order_id
    assert service.get(ADMIN, order_id).id == order_id
    with pytest.raises(OrderNotFound):
        service.get(BOB, order_id)


@pytest.mark.parametrize("odd", ["nope", "ä" * 10, "a" * 1024, "x\x00y", ""])
def test_odd_ids_are_not_found(service: OrderService, odd: str) -> None:
    with pytest.raises(OrderNotFound):
        service.get(ALICE, odd)


def test_inactive_orders_are_not_found(
    service: OrderService, store: InMemoryOrderStore, queue: RecordingPublisher
) -> None:
    order_id = accept(service)
    record_all(store, queue)
    key = ("tenant-a", order_id)
    store.orders[key] = store.orders[key].copy(update={"active": False})
    with pytest.raises(OrderNotFound):
        service.get(ALICE, order_id)


def test_recording_twice_writes_once_and_publishes_each_time(
    service: OrderService, store: InMemoryOrderStore, queue: RecordingPublisher
) -> None:
    accept(service)
    queue.events.append(queue.events[0])  # a redelivery
    topic = record_all(store, queue)
    assert store.writes == 1
    assert len(topic.events) == 2
    assert all(isinstance(e, OrderCreated) for e in topic.events)
    assert {e.correlationId for e in topic.events} == {"corr-1"}  # type: ignore[attr-defined]


@pytest.fixture
def keyed(
    store: InMemoryOrderStore, queue: RecordingPublisher
) -> tuple[OrderService, InMemoryIdempotency, list[datetime]]:
    """Back-office orders (an administrator's priced lines): once per Idempotency-Key."""
    clock = [NOW]
    idempotency = InMemoryIdempotency()
    return make(store, queue, idempotency, clock), idempotency, clock


def priced(tenant: str = "tenant-a", **body: object) -> CreateOrderRequest:
    return CreateOrderRequest.parse_obj(order_body(tenantId=tenant, **body))


def test_a_retry_with_the_same_key_and_body_returns_the_first_answer(
    keyed: tuple[OrderService, InMemoryIdempotency, list[datetime]], queue: RecordingPublisher
) -> None:
    service, _, _ = keyed
    first = service.accept(ADMIN, priced(), "c-1", idempotency_key="k-1")
    again = service.accept(ADMIN, priced(), "c-2", idempotency_key="k-1")
    assert again == first
    assert len(queue.events) == 1


def test_the_same_key_with_another_body_is_409(
    keyed: tuple[OrderService, InMemoryIdempotency, list[datetime]],
) -> None:
    service, _, _ = keyed
    service.accept(ADMIN, priced(), "c", idempotency_key="k-1")
    with pytest.raises(Conflict):
        service.accept(ADMIN, priced(customerEmail="other@example.com"), "c", idempotency_key="k-1")


def test_keys_are_per_tenant(
    keyed: tuple[OrderService, InMemoryIdempotency, list[datetime]], queue: RecordingPublisher
) -> None:
    service, _, _ = keyed
    a = service.accept(ADMIN, priced("tenant-a"), "c", idempotency_key="k")
    b = service.accept(ADMIN, priced("tenant-b"), "c", idempotency_key="k")
    assert a.orderId != b.orderId
    assert len(queue.events) == 2


def test_a_failed_enqueue_releases_the_key(store: InMemoryOrderStore) -> None:
    idempotency = InMemoryIdempotency()
    failing = make(store, RecordingPublisher(fail=True), idempotency)
    with pytest.raises(DependencyFailed):
        failing.accept(ADMIN, priced(), "c", idempotency_key="k")
    assert idempotency.records == {}


def test_a_replay_long_after_a_lost_enqueue_sends_the_order_again(
    keyed: tuple[OrderService, InMemoryIdempotency, list[datetime]], queue: RecordingPublisher
) -> None:
    service, _, clock = keyed
    first = service.accept(ADMIN, priced(), "c", idempotency_key="k")
    queue.events.clear()  # as if the process died between claiming the key and enqueueing
    clock[0] = NOW + timedelta(minutes=5)
    again = service.accept(ADMIN, priced(), "c", idempotency_key="k")
    assert again.orderId == first.orderId
    [resent] = queue.events
    assert resent.data.id == first.orderId  # type: ignore[attr-defined]


def test_lists_are_newest_first_paged_and_tenant_bound(
    store: InMemoryOrderStore, queue: RecordingPublisher
) -> None:
    clock = [NOW]
    service = make(store, queue, clock=clock)
    created = []
    for minute in range(5):
        clock[0] = NOW + timedelta(minutes=minute)
        created.append(accept(service))
    record_all(store, queue)
    first = service.list(ALICE, "tenant-a", ListQuery(2))
    assert [o.id for o in first.items] == created[::-1][:2]
    assert first.pagination.hasMore
    second = service.list(ALICE, "tenant-a", ListQuery(2, first.pagination.nextStartAt))
    assert [o.id for o in second.items] == created[::-1][2:4]
    with pytest.raises(PermissionDenied):
        service.list(BOB, "tenant-a", ListQuery(2))
    with pytest.raises(ValidationFailed):
        service.list(
            ALICE, "tenant-a", ListQuery(2, first.pagination.nextStartAt, OrderStatus.PAID)
        )
    assert service.list(ADMIN, "tenant-a", ListQuery(10)).pagination.hasMore is False


def test_an_order_number_finds_the_one_order_of_the_callers_tenant_and_nothing_else(
    store: InMemoryOrderStore, queue: RecordingPublisher
) -> None:
    service = make(store, queue)
    created = [accept(service) for _ in range(3)]
    record_all(store, queue)
    wanted = store.get("tenant-a", created[1])
    assert wanted is not None
    number = wanted.orderNumber
    found = service.list(ALICE, "tenant-a", ListQuery(50, order_number=number))
    assert [o.id for o in found.items] == [created[1]]
    assert (found.pagination.hasMore, found.pagination.nextStartAt) == (False, None)
    in_status = ListQuery(50, status=OrderStatus.PAID, order_number=number)
    assert service.list(ALICE, "tenant-a", in_status).items == []  # it is PENDING
    absent = ListQuery(50, order_number="ORD-EU-9999999")
    assert service.list(ALICE, "tenant-a", absent).items == []
    with pytest.raises(PermissionDenied):  # another tenant's list, whatever the number
        service.list(BOB, "tenant-a", ListQuery(50, order_number=number))
