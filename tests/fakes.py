"""In-memory stand-ins for the service ports (unit tests never touch AWS)."""

from __future__ import annotations

from typing import Any

from chalicelib.clock import iso
from chalicelib.errors import DependencyFailed
from chalicelib.models import wire
from chalicelib.models.base import ApiModel
from chalicelib.models.documents import KIND_RANK
from chalicelib.models.money import format_money
from chalicelib.models.orders import DocumentKind, InvoiceState, IssuedDocument, Order, OrderStatus
from chalicelib.models.register import Period, RegisterEntry
from chalicelib.ports import (
    ActionRecord,
    IdempotencyRecord,
    OrderChange,
    Page,
    Position,
    RegisterPage,
    StoredDocument,
    UpdateRejected,
)
from chalicelib.repositories.register import index_key


class InMemoryOrderStore:
    """OrderStore kept in a dict, keyed like the table: (tenant, id); same conditions."""

    def __init__(self) -> None:
        self.orders: dict[tuple[str, str], Order] = {}
        self.writes = 0

    def create(self, order: Order) -> tuple[bool, Order]:
        key = (order.tenantId, order.id)
        if key in self.orders:
            return False, self.orders[key]
        self.writes += 1
        self.orders[key] = order
        return True, order

    def mark_invoice(self, tenant_id: str, order_id: str, kind: DocumentKind) -> None:
        order = self.orders.get((tenant_id, order_id))
        if order is None:
            return
        shown = order.invoice.kind
        if shown is None or KIND_RANK[shown] <= KIND_RANK[kind]:
            self.orders[(tenant_id, order_id)] = order.copy(
                update={"invoice": InvoiceState(available=True, kind=kind)}
            )

    def record_document(self, tenant_id: str, order_id: str, entry: IssuedDocument) -> Order | None:
        order = self.orders.get((tenant_id, order_id))
        if order is None or order.issued(entry.kind) is not None:
            return order
        self.writes += 1
        recorded = order.copy(update={"documents": [*order.documents, entry]})
        self.orders[(tenant_id, order_id)] = recorded
        return recorded

    def get(self, tenant_id: str, order_id: str) -> Order | None:
        return self.orders.get((tenant_id, order_id))

    def find_by_id(self, order_id: str) -> Order | None:
        return next((o for (_, oid), o in self.orders.items() if oid == order_id), None)

    def list_page(
        self,
        tenant_id: str,
        page_size: int,
        after: Position | None,
        status: OrderStatus | None,
        active_only: bool,
    ) -> Page:
        ordered = sorted(
            (o for (t, _), o in self.orders.items() if t == tenant_id),
            key=lambda o: (iso(o.dateCreated), o.id),
            reverse=True,
        )
        if after:
            ordered = [o for o in ordered if (iso(o.dateCreated), o.id) < after]
        matching = [
            o
            for o in ordered
            if (status is None or o.status == status) and (o.active or not active_only)
        ]
        page = matching[:page_size]
        more = len(matching) > page_size
        return Page(page, Position(iso(page[-1].dateCreated), page[-1].id) if more else None)

    def find_by_number(self, tenant_id: str, order_number: str, active_only: bool) -> Order | None:
        return next(
            (
                o
                for (t, _), o in self.orders.items()
                if t == tenant_id
                and o.orderNumber == order_number
                and (o.active or not active_only)
            ),
            None,
        )

    def update(self, tenant_id: str, order_id: str, change: OrderChange) -> Order:
        current = self.orders.get((tenant_id, order_id))
        ok = current is not None
        if current is not None:
            ok = (
                (change.allowed_from is None or current.status in change.allowed_from)
                and (change.expected_version is None or current.version == change.expected_version)
                and (not change.require_active or current.active)
                and (
                    change.require_amount is None
                    or change.require_amount == (format_money(current.total), current.currency)
                )
                and (
                    change.created_not_after is None
                    or iso(current.dateCreated) <= change.created_not_after
                )
                and (
                    change.paid_not_after is None
                    or current.paymentDetails is None
                    or iso(current.paymentDetails.paidAt) <= change.paid_not_after
                )
            )
        if not ok or current is None:
            raise UpdateRejected(current)
        updates: dict[str, Any] = {
            "dateLastUpdated": change.now,
            "lastUpdatedBy": change.actor,
            "version": current.version + 1,
        }
        if change.status is not None:
            updates["status"] = change.status
        if change.payment is not None:
            updates["paymentDetails"] = change.payment
        if change.refund is not None:
            updates["refundDetails"] = change.refund
        if change.active is not None:
            updates["active"] = change.active
        self.orders[(tenant_id, order_id)] = updated = current.copy(update=updates)
        self.writes += 1
        return updated


class InMemoryIdempotency:
    """IdempotencyKeys in a dict."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], IdempotencyRecord] = {}

    def claim(
        self, tenant_id: str, key: str, record: IdempotencyRecord
    ) -> IdempotencyRecord | None:
        existing = self.records.get((tenant_id, key))
        if existing is None:
            self.records[(tenant_id, key)] = record
        return existing

    def release(self, tenant_id: str, key: str) -> None:
        self.records.pop((tenant_id, key), None)


class RecordingPublisher:
    """EventPublisher / BatchPublisher that keeps what it was given; can be told to fail."""

    def __init__(self, fail: bool = False) -> None:
        self.events: list[ApiModel] = []
        self.fail = fail
        self.refuse: set[int] = set()  # batch positions to report as not accepted

    def publish(self, event: ApiModel, body: str | None = None) -> None:
        if body is not None:  # what the caller says it is
            assert body == wire.encode(event)
        if self.fail:
            raise DependencyFailed("queue unavailable")
        self.events.append(event)

    def publish_batch(self, events: list[ApiModel]) -> set[int]:
        refused = {i for i in self.refuse if i < len(events)}
        self.events.extend(e for i, e in enumerate(events) if i not in refused)
        return refused


class CountingNumbers:
    """NumberSource with one sequence per tenant."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}
        self.calls = 0

    def reserve(self, tenant_id: str, count: int) -> list[str]:
        self.calls += 1
        start = self.last.get(tenant_id, 0)
        self.last[tenant_id] = start + count
        return [f"ORD-T-{n:07d}" for n in range(start + 1, start + count + 1)]


class InMemoryCarts:
    """The Cart service as a dict of carts by id; `down` makes every read a 503."""

    def __init__(self, *carts: Any) -> None:
        self.carts = {cart.cartId: cart for cart in carts}
        self.reads: list[tuple[str, str]] = []
        self.down = False

    def get(self, cart_id: str, authorization: str) -> Any:
        from chalicelib.errors import CartServiceUnavailable

        self.reads.append((cart_id, authorization))
        if self.down:
            raise CartServiceUnavailable("The Cart service is unavailable", retry_after_s=30)
        return self.carts.get(cart_id)


class InMemoryCartClaims:
    """One order per cart, as the conditional write keeps it (with the winner's record)."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], Any] = {}

    @property
    def claims(self) -> dict[tuple[str, str], str]:
        """Which order holds each cart."""
        return {key: record.order_id for key, record in self.records.items()}

    def claim(self, tenant_id: str, cart_id: str, record: Any) -> Any:
        holder = self.records.setdefault((tenant_id, cart_id), record)
        return None if holder is record else holder

    def release(self, tenant_id: str, cart_id: str, order_id: str) -> None:
        if self.claims.get((tenant_id, cart_id)) == order_id:
            del self.records[(tenant_id, cart_id)]


class InMemoryDocuments:
    """Documents kept as versions per key, with S3's conditional-write semantics."""

    def __init__(self) -> None:
        self.versions: dict[str, list[tuple[StoredDocument, bytes]]] = {}
        self.puts = 0
        self.heads = 0

    def current(self, key: str) -> StoredDocument | None:
        self.heads += 1
        versions = self.versions.get(key)
        return versions[-1][0] if versions else None

    def put(
        self,
        key: str,
        pdf: bytes,
        order: Order,
        name: str,
        replacing: StoredDocument | None,
        *,
        request: str | None = None,
    ) -> StoredDocument | None:
        self.puts += 1
        versions = self.versions.setdefault(key, [])
        latest = versions[-1][0] if versions else None
        if latest != replacing:
            return None  # If-Match / If-None-Match refused
        stored = StoredDocument(name, f'"etag-{self.puts}"', f"v{len(versions) + 1}", request)
        versions.append((stored, pdf))
        return stored

    def read(self, key: str, version_id: str | None) -> bytes:
        for stored, pdf in reversed(self.versions[key]):
            if version_id in (None, stored.version_id):
                return pdf
        raise KeyError(version_id)

    def link(self, key: str, expires_in: int) -> str:
        return f"https://signed.example/{key}?expires={expires_in}"

    def names(self, key: str) -> list[str]:
        return [stored.name for stored, _ in self.versions.get(key, [])]


class InMemorySupportActions:
    """`ports.SupportActionLog`: the same rule as the table's conditional put."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str, str], ActionRecord] = {}
        self.released: list[str] = []

    def claim(
        self, tenant_id: str, order_id: str, action: str, record: ActionRecord, window_s: int
    ) -> ActionRecord | None:
        old = self.records.get((tenant_id, order_id, action))
        if old is not None:
            same_key = record.key_digest is not None and old.key_digest == record.key_digest
            if same_key or old.at > record.at - window_s:
                return old
        self.records[(tenant_id, order_id, action)] = record
        return None

    def release(self, tenant_id: str, order_id: str, action: str, request_id: str) -> None:
        held = self.records.get((tenant_id, order_id, action))
        if held is not None and held.request_id == request_id:
            del self.records[(tenant_id, order_id, action)]
            self.released.append(request_id)


class InMemoryRegister:
    """`ports.Register`: the documents register's lines, by the same key the index sorts by."""

    def __init__(self) -> None:
        self.lines: dict[tuple[str, str], RegisterEntry] = {}
        self.queries = 0

    def add(self, entry: RegisterEntry) -> None:
        self.lines[(entry.orderId, entry.kind.value)] = entry

    def page(
        self,
        period: Period,
        kinds: tuple[DocumentKind, ...] | None,
        limit: int | None,
        after: str | None,
    ) -> RegisterPage:
        self.queries += 1
        start, end = period.start.isoformat(), period.end.isoformat()
        keyed = sorted((index_key(e), e) for e in self.lines.values())
        found = [
            (key, entry)
            for key, entry in keyed
            if start <= entry.issueDate <= end
            and (after is None or key > after)
            and (kinds is None or entry.kind in kinds)
        ]
        if limit is not None and len(found) > limit:
            found = found[:limit]
            return RegisterPage([e for _, e in found], found[-1][0])
        return RegisterPage([e for _, e in found], None)
