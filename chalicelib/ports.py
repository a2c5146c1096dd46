"""The ports: what the services need from the outside world, and the data that crosses them.

Services depend on these protocols only; repositories, the renderers, the mailer and the
publishers implement them (structurally) and are chosen in `chalicelib.wiring`. Anything an
adapter hands a service, or a service hands an adapter, is defined here, so neither side
imports the other (docs/architecture.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple, Protocol

from chalicelib.models.base import ApiModel
from chalicelib.models.carts import Cart
from chalicelib.models.documents import Document
from chalicelib.models.orders import (
    DocumentKind,
    IssuedDocument,
    Order,
    OrderStatus,
    PaymentDetails,
    RefundDetails,
)
from chalicelib.models.register import Period, RegisterEntry

# ---- Orders -------------------------------------------------------------------------------


class Position(NamedTuple):
    """Where a page ends: the last order's creation time (as stored) and id."""

    created: str
    order_id: str


@dataclass(frozen=True)
class Page:
    """Orders of one page and the key to continue from (None: no more)."""

    orders: list[Order]
    next_position: Position | None


@dataclass(frozen=True)
class OrderChange:
    """One conditional update: what to set, and what must hold for it to apply."""

    actor: str
    now: datetime
    status: OrderStatus | None = None
    allowed_from: frozenset[OrderStatus] | None = None
    payment: PaymentDetails | None = None
    refund: RefundDetails | None = None
    require_amount: tuple[str, str] | None = None  # (total, currency) the order must have
    created_not_after: str | None = None  # the order must exist by this instant (a payment's)
    paid_not_after: str | None = None  # the payment must precede this instant (a refund's)
    active: bool | None = None
    expected_version: int | None = None
    require_active: bool = True

    @property
    def amount_of(self) -> str:
        """The field whose amount must be the order's: the refund's, else the payment's."""
        return "refundDetails" if self.refund is not None else "paymentDetails"


class UpdateRejected(Exception):
    """The condition failed; `current` is the item as it was (None: no such order)."""

    def __init__(self, current: Order | None) -> None:
        super().__init__("conditional update rejected")
        self.current = current


class InvalidStartKey(Exception):
    """The table refused the position a page was asked to start after."""


class OrderStore(Protocol):
    """Order persistence."""

    def create(self, order: Order) -> tuple[bool, Order]:
        """Store a new order: (True, order), or (False, the order already stored under its id)."""

    def get(self, tenant_id: str, order_id: str) -> Order | None:
        """One tenant's order by id (AP1)."""

    def find_by_id(self, order_id: str) -> Order | None:
        """Any tenant's order by id (AP4, admins)."""

    def list_page(
        self,
        tenant_id: str,
        page_size: int,
        after: Position | None,
        status: OrderStatus | None,
        active_only: bool,
    ) -> Page:
        """A tenant's orders, newest first, optionally of one status (AP3, AP5)."""

    def find_by_number(self, tenant_id: str, order_number: str, active_only: bool) -> Order | None:
        """A tenant's order by its number (unique per tenant), or None."""

    def update(self, tenant_id: str, order_id: str, change: OrderChange) -> Order:
        """Apply a conditional change; raise `UpdateRejected` with the current item if refused."""

    def record_document(self, tenant_id: str, order_id: str, entry: IssuedDocument) -> Order | None:
        """Record a document as issued unless its kind is recorded; the order after (None: gone)."""

    def mark_invoice(self, tenant_id: str, order_id: str, kind: DocumentKind) -> None:
        """Record that the order's document of `kind` exists (never going back to a lower kind)."""


class NumberSource(Protocol):
    """Hands out order numbers."""

    def reserve(self, tenant_id: str, count: int) -> list[str]:
        """`count` fresh numbers for the tenant."""


class Cursors(Protocol):
    """Signs and verifies list cursors."""

    def encode(self, position: Position, tenant_id: str, status: str | None) -> str:
        """The opaque cursor for continuing after `position`."""

    def decode(self, cursor: str, tenant_id: str, status: str | None) -> Position:
        """The position in a live cursor issued for this list; raise ValidationFailed otherwise."""


# ---- Requests and events ------------------------------------------------------------------


@dataclass(frozen=True)
class IdempotencyRecord:
    """What the first request with a key (or of a cart) produced."""

    request_hash: str
    order_id: str
    event: str  # the OrderCreateRequested enqueued, to send again if it was lost
    created_at: datetime
    key_digest: str | None = None  # sha256 of the Idempotency-Key a cart's claim was made with


def key_digest(idempotency_key: str) -> str:
    """How an `Idempotency-Key` is kept: its SHA-256 (in item keys and in a cart's claim)."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()


class IdempotencyKeys(Protocol):
    """Remembers what the first request with an `Idempotency-Key` produced."""

    def claim(
        self, tenant_id: str, idempotency_key: str, record: IdempotencyRecord
    ) -> IdempotencyRecord | None:
        """Store `record` unless a live one exists; return the existing one."""

    def release(self, tenant_id: str, idempotency_key: str) -> None:
        """Forget a claim whose request failed."""


@dataclass(frozen=True)
class ActionRecord:
    """The latest support action of one kind on one order (the rate limit and the replay)."""

    request_id: str
    at: int  # epoch seconds
    key_digest: str | None = None  # sha256 of its Idempotency-Key, when it had one


class SupportActionLog(Protocol):
    """When each support action last ran on each order."""

    def claim(
        self, tenant_id: str, order_id: str, action: str, record: ActionRecord, window_s: int
    ) -> ActionRecord | None:
        """Store `record` unless one of the last `window_s` seconds, or one with the same
        `key_digest`, is there; return that one instead (None: claimed)."""

    def release(self, tenant_id: str, order_id: str, action: str, request_id: str) -> None:
        """Forget a claim whose request could not be queued."""


class EventPublisher(Protocol):
    """Somewhere events go (an SQS queue or the SNS fan-out topic)."""

    def publish(self, event: ApiModel, body: str | None = None) -> None:
        """Send one event (`body`: its `wire.encode`, when the caller has it already); raise
        `DependencyFailed` if it could not be sent."""


class BatchPublisher(Protocol):
    """The fan-out topic, which takes up to ten events per request."""

    def publish_batch(self, events: list[ApiModel]) -> set[int]:
        """Publish; return the indexes of the events that were not accepted."""


# ---- Carts --------------------------------------------------------------------------------


class Carts(Protocol):
    """The Cart service (another team's API): where a customer's order comes from."""

    def get(self, cart_id: str, authorization: str) -> Cart | None:
        """The cart, read with the caller's token; None when absent or another tenant's.

        Raises `CartServiceUnavailable` when the Cart service is down, slow or failing.
        """


class CartClaims(Protocol):
    """One order per cart: the first request to claim a cart wins.

    The claim is also the cart order's idempotency record (ADR 0014): it keeps what the winner
    enqueued, so a retry replays it and a lost enqueue can be sent again.
    """

    def claim(
        self, tenant_id: str, cart_id: str, record: IdempotencyRecord
    ) -> IdempotencyRecord | None:
        """Claim the cart for `record`'s order; the record that holds it already, or None."""

    def release(self, tenant_id: str, cart_id: str, order_id: str) -> None:
        """Give the cart back (its order could not be enqueued)."""


# ---- Documents ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredDocument:
    """The current version of a document object: which document it is, and how to name it."""

    name: str  # models.documents.Document.name ("proforma" for objects stored before it was kept)
    etag: str
    version_id: str | None
    request: str | None = None  # the support request that rendered this version, if one did
    stored_at: datetime | None = None  # when this version was stored (S3's LastModified)


class Documents(Protocol):
    """Where the customer's PDFs are kept (versioned objects)."""

    def current(self, key: str) -> StoredDocument | None:
        """The current version at `key`, or None."""

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
        """Store a new version if `key` still holds `replacing` (None: nothing); else None.

        `request` (a support request's id) is kept with the version, so a redelivered re-render
        finds its own work done."""

    def read(self, key: str, version_id: str | None) -> bytes:
        """One version's bytes (the current one when `version_id` is None)."""

    def link(self, key: str, expires_in: int) -> str:
        """A short-lived download URL of the current version."""


# ---- The documents register ----------------------------------------------------------------


@dataclass(frozen=True)
class RegisterPage:
    """Register lines of one Query and where the next starts (None: the period is done)."""

    entries: list[RegisterEntry]
    next_after: str | None


class Register(Protocol):
    """The documents register (repositories/register.py)."""

    def add(self, entry: RegisterEntry) -> None:
        """Write a document's line (idempotent)."""

    def page(
        self,
        period: Period,
        kinds: tuple[DocumentKind, ...] | None,
        limit: int | None,
        after: str | None,
    ) -> RegisterPage:
        """One Query's lines of the period, oldest first, after the position `after`."""


# ---- Emails -------------------------------------------------------------------------------

Claim = Literal["claimed", "sent", "sending"]


@dataclass(frozen=True)
class EmailKind:
    """One kind of email: where its HTML template lives and how its subject reads."""

    name: str  # what templates are told; with `resend`, the ledger's key (once per order)
    template_key: str
    subject: str
    attaches_document: bool = False
    resend: str | None = None  # an operator's resend (its request id): a ledger entry of its own

    @property
    def ledger_name(self) -> str:
        """The email ledger's key: sent once per order (a resend once more)."""
        return f"{self.name}#resend#{self.resend}" if self.resend else self.name


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email."""

    filename: str
    content: bytes
    content_type: str = "application/pdf"


@dataclass(frozen=True)
class Email:
    """A rendered email."""

    subject: str
    html: str
    text: str
    attachments: tuple[Attachment, ...] = ()


class EmailRefused(Exception):
    """The provider refused this email for good (`code`): retrying would only dead-letter it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class Ledger(Protocol):
    """Remembers which emails were sent."""

    def claim(self, tenant_id: str, order_id: str, kind: str, now: int) -> Claim:
        """`claimed` when this delivery may send; `sent`; or `sending` under another's lease."""

    def complete(self, tenant_id: str, order_id: str, kind: str, message_id: str, now: int) -> None:
        """Mark sent."""

    def refuse(self, tenant_id: str, order_id: str, kind: str, reason: str, now: int) -> None:
        """Mark refused for good by the provider (never tried again)."""

    def release(self, tenant_id: str, order_id: str, kind: str) -> None:
        """Give a failed claim back."""


class Mailer(Protocol):
    """Sends an email."""

    def send(self, to: list[str], email: Email) -> str:
        """Send; return the provider's message id; `EmailRefused` when it never will be sent."""


class Renderer(Protocol):
    """Turns an order into an email of a kind."""

    def render(self, kind: EmailKind, order: Order, document: Document | None = None) -> Email:
        """Subject, HTML and text (about `document`: by default the one the status calls for)."""
