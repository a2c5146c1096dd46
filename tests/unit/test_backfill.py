"""`orderctl documents backfill`'s engine on a fake API: the plan, the pace, the resume."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from orderctl import backfill, signals
from orderctl.backfill import Answer, Pace, Scope, State


def order(
    n: int, created: str, tenant: str = "tenant-a", kind: str | None = "tax-invoice"
) -> dict[str, Any]:
    return {
        "id": f"o-{tenant}-{n}",
        "orderNumber": f"ORD-EU-{n:07d}",
        "tenantId": tenant,
        "status": "PAID",
        "dateCreated": created,
        "invoice": {"available": kind is not None, "kind": kind},
    }


class FakeApi:
    """Pages of two orders, newest first; re-renders answered from a script."""

    def __init__(self, orders: dict[str, list[dict[str, Any]]]) -> None:
        self.orders = orders
        self.pages: list[tuple[str, str | None]] = []
        self.posts: list[tuple[str, str]] = []
        self.script: dict[str, list[Answer]] = {}

    def page(
        self, tenant_id: str, page_size: int, start_at: str | None, status: str | None
    ) -> dict[str, Any]:
        self.pages.append((tenant_id, start_at))
        start = int(start_at or 0)
        items = self.orders.get(tenant_id, [])[start : start + 2]
        more = start + 2 < len(self.orders.get(tenant_id, []))
        return {"items": items, "pagination": {"nextStartAt": str(start + 2) if more else None}}

    def rerender(self, order_id: str, idempotency_key: str) -> Answer:
        self.posts.append((order_id, idempotency_key))
        answers = self.script.get(order_id)
        return answers.pop(0) if answers else Answer("done")


NOVEMBER = Scope(
    ("tenant-a", "tenant-b"),
    datetime(2026, 11, 1, tzinfo=UTC),
    datetime(2026, 12, 1, tzinfo=UTC),
)


def november_api() -> FakeApi:
    return FakeApi(
        {
            "tenant-a": [
                order(5, "2026-12-01T00:00:00.000Z"),  # after the range
                order(4, "2026-11-30T23:59:59.999Z"),
                order(3, "2026-11-15T10:00:00.000Z", kind=None),  # no document yet
                order(2, "2026-11-01T00:00:00.000Z"),
                order(1, "2026-10-31T23:59:59.999Z"),  # before: listing stops here
                order(0, "2026-10-01T00:00:00.000Z"),
            ],
            "tenant-b": [order(7, "2026-11-02T08:00:00.000Z", tenant="tenant-b")],
        }
    )


def test_the_plan_is_the_range_both_days_included_and_stops_at_the_first_older_order() -> None:
    api = november_api()
    read: list[int] = []
    found = backfill.plan(api, NOVEMBER, read.append)
    assert [o.order_number for o in found.orders] == [
        "ORD-EU-0000004",
        "ORD-EU-0000002",
        "ORD-EU-0000007",
    ]
    assert found.without_document == 1
    assert api.pages == [
        ("tenant-a", None),
        ("tenant-a", "2"),
        ("tenant-a", "4"),
        ("tenant-b", None),
    ]
    assert read[-1] == 5  # progress reported per order read
    assert api.posts == []  # planning sends nothing


def test_days_and_instants() -> None:
    assert NOVEMBER.describe() == "tenant-a, tenant-b: created 2026-11-01 … 2026-11-30 (UTC days)"
    noon = Scope(("t",), datetime(2026, 11, 1, 12, tzinfo=UTC), NOVEMBER.end, "PAID")
    assert noon.describe() == (
        "t: created 2026-11-01T12:00:00.000Z … 2026-11-30T23:59:59.999Z, status PAID"
    )
    assert backfill.day_or_instant("2026-11-30", end=True) == datetime(2026, 12, 1, tzinfo=UTC)
    assert backfill.day_or_instant("2026-11-30T12:00:00+02:00", end=True) == datetime(
        2026, 11, 30, 10, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="no time zone"):
        backfill.day_or_instant("2026-11-30T12:00:00", end=False)
    with pytest.raises(ValueError, match="Invalid isoformat"):
        backfill.day_or_instant("last tuesday", end=False)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_the_pace_spaces_calls_evenly() -> None:
    clock = Clock()
    pace = Pace(4, clock, clock.sleep)
    for _ in range(5):
        pace.wait()
    assert clock.slept == [0.25, 0.25, 0.25, 0.25]
    clock.now += 10  # idle: no burst owed, no sleep
    pace.wait()
    assert len(clock.slept) == 4


def test_a_run_is_resumable_and_each_order_keeps_its_key(tmp_path: Path) -> None:
    api = november_api()
    found = backfill.plan(api, NOVEMBER)
    path = tmp_path / "state.json"
    state = backfill.new_state("digest")
    clock = Clock()
    seen: list[str] = []

    def stop_after_first(order: backfill.Candidate, outcome: str) -> None:
        seen.append(order.order_id)
        if len(seen) == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backfill.run(
            api,
            found.orders,
            state,
            save=lambda s: s.save(path),
            pace=Pace(100, clock, clock.sleep),
            advance=stop_after_first,
        )
    resumed = State.load(path, "digest")
    assert resumed is not None
    assert resumed.done == ["o-tenant-a-4"]
    backfill.run(
        api, found.orders, resumed, save=lambda s: s.save(path), pace=Pace(100, clock, clock.sleep)
    )
    assert [p[0] for p in api.posts] == ["o-tenant-a-4", "o-tenant-a-2", "o-tenant-b-7"]
    assert {key for _, key in api.posts} == {f"backfill-{state.run}-{o}" for o, _ in api.posts}
    assert State.load(path, "digest").done == ["o-tenant-a-4", "o-tenant-a-2", "o-tenant-b-7"]  # type: ignore[union-attr]


def test_429_waits_and_retries_the_same_key_other_answers_are_kept_apart(tmp_path: Path) -> None:
    api = november_api()
    found = backfill.plan(api, NOVEMBER)
    api.script = {
        "o-tenant-a-4": [Answer("retry", retry_after_s=12), Answer("done")],
        "o-tenant-a-2": [Answer("skipped", "answered 409: no tax invoice yet")],
        "o-tenant-b-7": [Answer("retry", retry_after_s=500)] * 4,
    }
    clock = Clock()
    waits: list[tuple[str, float]] = []
    state = backfill.run(
        api,
        found.orders,
        backfill.new_state("d"),
        save=lambda s: s.save(tmp_path / "s.json"),
        pace=Pace(100, clock, clock.sleep),
        waiting=lambda order, seconds: waits.append((order.order_number, seconds)),
        sleep=clock.sleep,
    )
    assert waits[:2] == [("ORD-EU-0000004", 12), ("ORD-EU-0000007", backfill.MAX_WAIT_S)]
    assert state.done == ["o-tenant-a-4"]
    assert state.skipped == {"o-tenant-a-2": "answered 409: no tax invoice yet"}
    assert state.failed == {"o-tenant-b-7": "still 429 after waiting"}
    assert 12 in clock.slept
    assert clock.slept.count(backfill.MAX_WAIT_S) == 4  # a long Retry-After is capped
    keys = [key for order_id, key in api.posts if order_id == "o-tenant-a-4"]
    assert len(keys) == 2
    assert len(set(keys)) == 1  # the retry is the same request
    # failures are tried again when resumed; done and skipped are not
    again = State.load(tmp_path / "s.json", "d")
    assert again is not None
    assert again.failed == {}
    assert again.settled("o-tenant-a-2")
    assert not again.settled("o-tenant-b-7")


def test_an_unreadable_state_file_says_how_to_go_on(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text("{half")
    with pytest.raises(ValueError, match="--restart"):
        State.load(path, "d")
    assert State.load(tmp_path / "absent.json", "d") is None
    backfill.new_state("another scope").save(path)
    with pytest.raises(ValueError, match="another backfill's"):
        State.load(path, "d")


def test_the_state_file_is_named_by_the_scope_and_the_api(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    one = NOVEMBER.digest("http://127.0.0.1:8000")
    assert one == Scope(("tenant-b", "tenant-a"), NOVEMBER.start, NOVEMBER.end).digest(
        "http://127.0.0.1:8000"
    )
    assert one != NOVEMBER.digest("https://api.bbws.io")
    assert one != Scope(NOVEMBER.tenants, NOVEMBER.start, NOVEMBER.end - timedelta(days=1)).digest(
        "http://127.0.0.1:8000"
    )
    assert backfill.default_state_file(one) == tmp_path / "orderctl" / f"backfill-{one}.json"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_run_stops_on_ctrl_c_or_sigterm_even_with_sigint_ignored(signum: int) -> None:
    def signalled_while_waiting() -> None:
        with signals.interrupting():
            os.kill(os.getpid(), signum)
            time.sleep(30)  # a pace or a 429's wait: the signal ends it

    before = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:  # a shell's background job starts with SIGINT ignored
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            signalled_while_waiting()
        assert time.monotonic() - started < 5
        assert signal.getsignal(signum) == signal.SIG_IGN  # put back as it was
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
