"""Record writer batches, invoices and emails, with in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.errors import DependencyFailed
from chalicelib.models.documents import Document
from chalicelib.models.events import OrderCreated, OrderCreateRequested
from chalicelib.models.orders import Order, OrderStatus
from chalicelib.models.status_effects import CustomerEmail
from chalicelib.ports import Claim, Email, EmailKind, EmailRefused
from chalicelib.rendering.emails import CUSTOMER_EMAILS, INTERNAL_NOTIFICATION
from chalicelib.services.notifications import EmailBeingSent, NotificationService
from chalicelib.services.recorder import OrderRecorder
from chalicelib.services.team_notifications import TeamNotifications
from devstack.preview import sample_order
from tests.fakes import CountingNumbers, InMemoryOrderStore, RecordingPublisher

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)

RECEIVED = CUSTOMER_EMAILS[CustomerEmail.RECEIVED]


def request_for(tenant: str, index: int) -> OrderCreateRequested:
    order = sample_order(2).copy(
        update={
            "id": f"00000000-0000-4000-8000-{index:012d}",
            "tenantId": tenant,
            "orderNumber": None,
        }
    )
    return OrderCreateRequested(
        id=f"e-{index}", occurredAt=NOW, correlationId=f"c-{index}", data=order
    )


def recorder(
    store: InMemoryOrderStore, numbers: CountingNumbers, topic: RecordingPublisher
) -> OrderRecorder:
    return OrderRecorder(store, numbers, topic, clock=lambda: NOW)


def test_a_batch_is_numbered_with_one_reservation_per_tenant() -> None:
    store, numbers, topic = InMemoryOrderStore(), CountingNumbers(), RecordingPublisher()
    batch = [request_for("tenant-a", i) for i in range(6)] + [
        request_for("tenant-b", i) for i in range(6, 10)
    ]
    assert recorder(store, numbers, topic).record_batch(batch) == set()
    assert numbers.calls == 2
    a_numbers = [store.get("tenant-a", r.data.id).orderNumber for r in batch[:6]]  # type: ignore[union-attr]
    assert a_numbers == [f"ORD-T-{n:07d}" for n in range(1, 7)]
    assert len(topic.events) == 10
    assert all(isinstance(e, OrderCreated) and e.data.orderNumber for e in topic.events)
    assert [e.correlationId for e in topic.events] == [f"c-{i}" for i in range(10)]  # type: ignore[attr-defined]


def test_a_redelivery_keeps_its_first_number_and_is_announced_again() -> None:
    store, numbers, topic = InMemoryOrderStore(), CountingNumbers(), RecordingPublisher()
    writer = recorder(store, numbers, topic)
    writer.record_batch([request_for("tenant-a", 1)])
    writer.record_batch([request_for("tenant-a", 1)])
    assert store.writes == 1
    assert [e.data.orderNumber for e in topic.events] == ["ORD-T-0000001"] * 2  # type: ignore[attr-defined]


def test_unpublished_events_fail_only_their_messages() -> None:
    store, numbers, topic = InMemoryOrderStore(), CountingNumbers(), RecordingPublisher()
    topic.refuse = {1}
    failed = recorder(store, numbers, topic).record_batch(
        [request_for("tenant-a", i) for i in range(3)]
    )
    assert failed == {1}
    assert store.writes == 3  # written; the retry finds it stored and publishes it


class FailingStore(InMemoryOrderStore):
    def create(self, order: Order) -> tuple[bool, Order]:
        if order.id.endswith("2"):
            raise DependencyFailed("throttled")
        return super().create(order)


def test_a_failed_write_fails_only_its_message() -> None:
    topic = RecordingPublisher()
    failed = recorder(FailingStore(), CountingNumbers(), topic).record_batch(
        [request_for("tenant-a", i) for i in range(4)]
    )
    assert failed == {2}
    assert len(topic.events) == 3


class FakeLedger:
    def __init__(self) -> None:
        self.state: dict[tuple[str, str, str], str] = {}

    def claim(self, tenant_id: str, order_id: str, kind: str, now: int) -> Claim:
        key = (tenant_id, order_id, kind)
        if key in self.state:
            return "sending" if self.state[key] == "SENDING" else "sent"
        self.state[key] = "SENDING"
        return "claimed"

    def complete(self, tenant_id: str, order_id: str, kind: str, message_id: str, now: int) -> None:
        self.state[(tenant_id, order_id, kind)] = f"SENT:{message_id}"

    def refuse(self, tenant_id: str, order_id: str, kind: str, reason: str, now: int) -> None:
        self.state[(tenant_id, order_id, kind)] = f"REFUSED:{reason}"

    def release(self, tenant_id: str, order_id: str, kind: str) -> None:
        self.state.pop((tenant_id, order_id, kind), None)


class FakeMailer:
    def __init__(self, failures: int = 0, refuse: str | None = None) -> None:
        self.sent: list[tuple[list[str], Email]] = []
        self.failures = failures
        self.refuse = refuse
        self.attempts = 0

    def send(self, to: list[str], email: Email) -> str:
        self.attempts += 1
        if self.refuse:
            raise EmailRefused(self.refuse, "Local address contains control or whitespace")
        if self.failures:
            self.failures -= 1
            raise DependencyFailed("Throttling")
        self.sent.append((to, email))
        return f"ses-{len(self.sent)}"


class StubRenderer:
    def render(self, kind: EmailKind, order: Order, document: Document | None = None) -> Email:
        about = document.name if document else "-"
        return Email(
            subject=f"{kind.name} {order.orderNumber} {about}", html="<p>hi</p>", text="hi"
        )


def test_each_email_is_sent_once_however_often_it_is_delivered() -> None:
    ledger, mailer = FakeLedger(), FakeMailer()
    service = NotificationService(ledger, StubRenderer(), mailer, clock=lambda: 0.0)
    order = sample_order(1)
    results = [service.send(RECEIVED, order, [order.customerEmail]) for _ in range(3)]
    assert results == [True, False, False]
    assert [to for to, _ in mailer.sent] == [["jane@example.com"]]
    assert ledger.state[("tenant-a", order.id, "customer")] == "SENT:ses-1"


def test_an_email_under_another_deliverys_lease_is_retried_not_dropped() -> None:
    ledger, mailer = FakeLedger(), FakeMailer()
    service = NotificationService(ledger, StubRenderer(), mailer, clock=lambda: 0.0)
    order = sample_order(1)
    key = ("tenant-a", order.id, "customer")
    ledger.state[key] = "SENDING"  # a delivery claimed it, then its container died
    with pytest.raises(EmailBeingSent):
        service.send(RECEIVED, order, [order.customerEmail])
    assert mailer.sent == []
    del ledger.state[key]  # the lease lapsed (the real ledger's condition lets it be re-claimed)
    assert service.send(RECEIVED, order, [order.customerEmail]) is True
    assert len(mailer.sent) == 1


def test_a_throttled_send_is_retried_and_then_sent_once() -> None:
    ledger, mailer = FakeLedger(), FakeMailer(failures=2)
    service = NotificationService(ledger, StubRenderer(), mailer, clock=lambda: 0.0)
    order = sample_order(1)
    for _ in range(2):
        with pytest.raises(DependencyFailed):
            service.send(RECEIVED, order, [order.customerEmail])
    assert service.send(RECEIVED, order, [order.customerEmail]) is True
    assert service.send(RECEIVED, order, [order.customerEmail]) is False
    assert len(mailer.sent) == 1


def test_an_email_ses_refuses_is_recorded_and_never_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ledger, mailer = FakeLedger(), FakeMailer(refuse="InvalidParameterValue")
    service = NotificationService(ledger, StubRenderer(), mailer, clock=lambda: 0.0)
    order = sample_order(1)
    with caplog.at_level("ERROR"):
        assert service.send(RECEIVED, order, [order.customerEmail]) is False
    assert ledger.state[("tenant-a", order.id, "customer")].startswith(
        "REFUSED:InvalidParameterValue"
    )
    assert "refused for good" in caplog.text
    # A redelivery of the same message finds it done: no second attempt, no DLQ.
    assert service.send(RECEIVED, order, [order.customerEmail]) is False
    assert mailer.attempts == 1


def test_the_team_is_told_about_a_new_order_once_and_about_nothing_else() -> None:
    """The status table decides (tells_team: PENDING only); the recipients are the setting's."""
    ledger, mailer = FakeLedger(), FakeMailer()
    service = NotificationService(ledger, StubRenderer(), mailer, clock=lambda: 0.0)
    team = TeamNotifications(service, INTERNAL_NOTIFICATION, ["orders@bbws.io", "ops@bbws.io"])
    order = sample_order(1)
    assert [team.send(order), team.send(order)] == [True, False]
    assert [to for to, _ in mailer.sent] == [["orders@bbws.io", "ops@bbws.io"]]
    for status in OrderStatus:
        if status is not OrderStatus.PENDING:
            assert not team.send(order.copy(update={"status": status, "id": f"o-{status}"}))
    assert len(mailer.sent) == 1
