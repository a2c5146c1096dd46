from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.errors import (
    Conflict,
    DependencyFailed,
    OrderNotFound,
    PermissionDenied,
    ValidationFailed,
)
from chalicelib.models.events import OrderCreated, OrderCreateRequested
from chalicelib.models.orders import CreateOrderRequest, OrderStatus
from chalicelib.models.principal import Principal
from chalicelib.services.cursor import CursorCodec
from chalicelib.services.orders import OrderService
from chalicelib.services.recorder import OrderRecorder
from tests.fakes import CountingNumbers, InMemoryIdempotency, InMemoryOrderStore, RecordingPublisher
from tests.sample import order_body

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


@pytest.fixture
def service(store: InMemoryOrderStore, queue: RecordingPublisher) -> OrderService:
    return OrderService(
        store,
        queue,
        InMemoryIdempotency(),
        CODEC,
        clock=lambda: NOW,
        ids=ids(),  # type: ignore[arg-type]
    )


def accept(service: OrderService, principal: Principal = ALICE, **body: object) -> str:
    request = CreateOrderRequest.parse_obj(order_body(**body))
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


def test_a_queue_failure_is_reported(store: InMemoryOrderStore) -> None:
    service = OrderService(store, RecordingPublisher(fail=True), InMemoryIdempotency(), CODEC)
    with pytest.raises(DependencyFailed):
        accept(service)


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
    clock = [NOW]
    idempotency = InMemoryIdempotency()
    service = OrderService(store, queue, idempotency, CODEC, clock=lambda: clock[0], ids=ids())  # type: ignore[arg-type]
    return service, idempotency, clock


def test_a_retry_with_the_same_key_and_body_returns_the_first_answer(
    keyed: tuple[OrderService, InMemoryIdempotency, list[datetime]], queue: RecordingPublisher
) -> None:
    service, _, _ = keyed
    request = CreateOrderRequest.parse_obj(order_body())
    first = service.accept(ALICE, request, "c-1", idempotency_key="k-1")
    again = service.accept(
        ALICE, CreateOrderRequest.parse_obj(order_body()), "c-2", idempotency_key="k-1"
    )
    assert again == first
    assert len(queue.events) == 1


def test_the_same_key_with_another_body_is_409(
    keyed: tuple[OrderService, InMemoryIdempotency, list[datetime]],
) -> None:
    service, _, _ = keyed
    service.accept(ALICE, CreateOrderRequest.parse_obj(order_body()), "c", idempotency_key="k-1")
    with pytest.raises(Conflict):
        service.accept(
            ALICE,
            CreateOrderRequest.parse_obj(order_body(customerEmail="other@example.com")),
            "c",
            idempotency_key="k-1",
        )


def test_keys_are_per_tenant(
    keyed: tuple[OrderService, InMemoryIdempotency, list[datetime]], queue: RecordingPublisher
) -> None:
    service, _, _ = keyed
    a = service.accept(ALICE, CreateOrderRequest.parse_obj(order_body()), "c", idempotency_key="k")
    b = service.accept(BOB, CreateOrderRequest.parse_obj(order_body()), "c", idempotency_key="k")
    assert a.orderId != b.orderId
    assert len(queue.events) == 2


def test_a_failed_enqueue_releases_the_key(store: InMemoryOrderStore) -> None:
    idempotency = InMemoryIdempotency()
    failing = OrderService(store, RecordingPublisher(fail=True), idempotency, CODEC)
    with pytest.raises(DependencyFailed):
        failing.accept(ALICE, CreateOrderRequest.parse_obj(order_body()), "c", idempotency_key="k")
    assert idempotency.records == {}


def test_a_replay_long_after_a_lost_enqueue_sends_the_order_again(
    keyed: tuple[OrderService, InMemoryIdempotency, list[datetime]], queue: RecordingPublisher
) -> None:
    service, _, clock = keyed
    first = service.accept(
        ALICE, CreateOrderRequest.parse_obj(order_body()), "c", idempotency_key="k"
    )
    queue.events.clear()  # as if the process died between claiming the key and enqueueing
    clock[0] = NOW + timedelta(minutes=5)
    again = service.accept(
        ALICE, CreateOrderRequest.parse_obj(order_body()), "c", idempotency_key="k"
    )
    assert again.orderId == first.orderId
    [resent] = queue.events
    assert resent.data.id == first.orderId  # type: ignore[attr-defined]


def test_lists_are_newest_first_paged_and_tenant_bound(
    store: InMemoryOrderStore, queue: RecordingPublisher
) -> None:
    clock = [NOW]
    service = OrderService(
        store, queue, InMemoryIdempotency(), CODEC, clock=lambda: clock[0], ids=ids()
    )  # type: ignore[arg-type]
    created = []
    for minute in range(5):
        clock[0] = NOW + timedelta(minutes=minute)
        created.append(accept(service))
    record_all(store, queue)
    first = service.list(ALICE, "tenant-a", 2, None, None)
    assert [o.id for o in first.items] == created[::-1][:2]
    assert first.pagination.hasMore
    second = service.list(ALICE, "tenant-a", 2, first.pagination.nextStartAt, None)
    assert [o.id for o in second.items] == created[::-1][2:4]
    with pytest.raises(PermissionDenied):
        service.list(BOB, "tenant-a", 2, None, None)
    with pytest.raises(ValidationFailed):
        service.list(ALICE, "tenant-a", 2, first.pagination.nextStartAt, OrderStatus.PAID)
    assert service.list(ADMIN, "tenant-a", 10, None, None).pagination.hasMore is False
