"""`orderctl documents backfill`: re-render the documents of a date range, resumably.

1. **Plan.** Each tenant's orders are listed newest first (the API's list) and those created in
   `[from, to]` that have a document are kept; listing stops at the first order older than
   `from`. Orders without a document yet are counted, not touched: the renderer issues theirs.
2. **Run.** One `POST /v1.0/orders/{id}/rerender-document` per order, at most `rate` a second.
   Each carries `Idempotency-Key: backfill-{run}-{orderId}`, so a request sent again after a
   crash is answered with the first one's id, never rendered twice. A 429 (the order was
   re-rendered in the last minute by someone else) waits its `Retry-After` and tries again.
3. **Resume.** After each order the state file (the run's id, and the orders done, skipped and
   failed) is written atomically. The same command finds it and goes on where it stopped; a run
   that finishes with no failure deletes it. `--restart` starts afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any, Literal, Protocol

from chalicelib.clock import iso
from chalicelib.models.support import SupportAction

PAGE_SIZE = 100
MAX_WAITS = 3  # 429s per order before it counts as failed
MAX_WAIT_S = SupportAction.RERENDER_DOCUMENT.window_s + 5.0  # the API's window, and a margin

Outcome = Literal["done", "skipped", "retry", "failed"]


@dataclass(frozen=True)
class Answer:
    """What the API said to one re-render."""

    outcome: Outcome
    detail: str = ""
    retry_after_s: float = 0.0


class Client(Protocol):
    """The two routes a backfill uses (orderctl.support_commands adapts `Api` to it)."""

    def page(
        self, tenant_id: str, page_size: int, start_at: str | None, status: str | None
    ) -> dict[str, Any]:
        """One page of a tenant's orders, newest first (the API's body)."""

    def rerender(self, order_id: str, idempotency_key: str) -> Answer:
        """`POST …/rerender-document` for one order."""


@dataclass(frozen=True)
class Scope:
    """Which orders: tenants, a creation-date range (UTC, both ends inclusive), a status."""

    tenants: tuple[str, ...]
    start: datetime
    end: datetime  # exclusive: the instant after `to`
    status: str | None = None

    def holds(self, created: str) -> bool:
        moment = parse_instant(created)
        return self.start <= moment < self.end

    def describe(self) -> str:
        status = f", status {self.status}" if self.status else ""
        return f"{', '.join(self.tenants)}: created {_span(self.start, self.end)}{status}"

    def digest(self, api_url: str) -> str:
        """Names the state file: the same command against the same API finds it."""
        text = json.dumps(
            [
                api_url,
                sorted(self.tenants),
                self.start.isoformat(),
                self.end.isoformat(),
                self.status,
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _span(start: datetime, end: datetime) -> str:
    """`2026-11-01 … 2026-11-30 (UTC days)`, or the instants when the range is not whole days."""
    midnight = clock_time(0)
    if start.timetz().replace(tzinfo=None) == midnight == end.timetz().replace(tzinfo=None):
        last = (end - timedelta(days=1)).date()
        return f"{start.date()} … {last} (UTC days)"
    return f"{iso(start)} … {iso(end - timedelta(milliseconds=1))}"


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def day_or_instant(text: str, *, end: bool) -> datetime:
    """`2026-11-01` (a whole UTC day: its start, or for `end` the start of the next day) or an
    ISO 8601 instant with a zone. ValueError otherwise."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError(f"{text!r} has no time zone: add Z or +02:00") from None
        return moment.astimezone(UTC)
    start = datetime.combine(day, clock_time(0), UTC)
    return start + timedelta(days=1) if end else start


@dataclass(frozen=True)
class Candidate:
    """An order the backfill re-renders."""

    order_id: str
    order_number: str
    tenant_id: str
    status: str
    document: str
    created: str


@dataclass
class Plan:
    """The orders in scope with a document, and how many in scope have none yet."""

    orders: list[Candidate] = field(default_factory=list)
    without_document: int = 0


def plan(client: Client, scope: Scope, listed: Callable[[int], None] = lambda _: None) -> Plan:
    """Every order in scope, newest first per tenant; `listed(n)` after each order read."""
    found = Plan()
    seen = 0
    for tenant in scope.tenants:
        for order in _orders_since(client, tenant, scope):
            seen += 1
            listed(seen)
            if not scope.holds(order["dateCreated"]):
                continue
            invoice = order.get("invoice") or {}
            if not invoice.get("available"):
                found.without_document += 1
                continue
            found.orders.append(
                Candidate(
                    order["id"],
                    order.get("orderNumber") or "",
                    order["tenantId"],
                    order["status"],
                    invoice.get("kind") or "proforma",
                    order["dateCreated"],
                )
            )
    return found


def _orders_since(client: Client, tenant: str, scope: Scope) -> Iterator[dict[str, Any]]:
    cursor = None
    while True:
        page = client.page(tenant, PAGE_SIZE, cursor, scope.status)
        for order in page["items"]:
            if parse_instant(order["dateCreated"]) < scope.start:
                return  # newest first: everything after this is older still
            yield order
        cursor = page["pagination"]["nextStartAt"]
        if not cursor:
            return


@dataclass
class State:
    """A run's progress, kept in its state file between attempts."""

    run: str
    scope: str
    done: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, scope: str) -> State | None:
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise ValueError(f"the state file {path} is unreadable ({error}): --restart") from None
        state = cls(**data)
        if state.scope != scope:  # a --state file of another backfill
            raise ValueError(f"the state file {path} is another backfill's: --restart or --state")
        state.failed = {}  # failures are tried again
        return state

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(asdict(self), indent=1))
        os.replace(partial, path)  # atomic: a crash leaves the old state or the new one

    def settled(self, order_id: str) -> bool:
        return order_id in self.done or order_id in self.skipped


def new_state(scope: str) -> State:
    return State(run=uuid.uuid4().hex[:12], scope=scope)


def default_state_file(digest: str) -> Path:
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "orderctl" / f"backfill-{digest}.json"


class Pace:
    """At most `rate` calls a second, evenly spaced."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next = clock()

    def wait(self) -> None:
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
        self._next = max(now, self._next) + self._interval


def run(
    client: Client,
    orders: list[Candidate],
    state: State,
    *,
    save: Callable[[State], None],
    pace: Pace,
    advance: Callable[[Candidate, Outcome], None] = lambda *_: None,
    waiting: Callable[[Candidate, float], None] = lambda *_: None,
    sleep: Callable[[float], None] = time.sleep,
) -> State:
    """Re-render every order not settled in `state`, saving it after each; `waiting(order, s)`
    before sleeping out a 429."""
    for order in orders:
        if state.settled(order.order_id):
            continue
        answer = Answer("retry")
        for _ in range(MAX_WAITS + 1):
            pace.wait()
            answer = client.rerender(order.order_id, f"backfill-{state.run}-{order.order_id}")
            if answer.outcome != "retry":
                break
            pause = min(MAX_WAIT_S, max(1.0, answer.retry_after_s))
            waiting(order, pause)
            sleep(pause)
        if answer.outcome == "done":
            state.done.append(order.order_id)
        elif answer.outcome == "skipped":
            state.skipped[order.order_id] = answer.detail
        else:
            state.failed[order.order_id] = answer.detail or "still 429 after waiting"
        save(state)
        advance(order, answer.outcome)
    return state
