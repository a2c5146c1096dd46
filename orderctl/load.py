"""`orderctl load`: open-loop traffic, live progress, then latencies and end-to-end completion.

Every 1/rate seconds a worker posts a demo order and reads the tenant's first page of orders,
whatever the earlier requests are doing (open loop: a slow service does not slow the arrivals).
After `duration` seconds the completion of every accepted order is watched in the table, up to
`settle` seconds: its record, its PDF, and both emails.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from orderctl.api import Api
from orderctl.carts import as_cart_order
from orderctl.completion import STAGES, Watcher
from orderctl.demo import order as demo_order
from orderctl.errors import OrderctlError


@dataclass
class Load:
    """Everything measured; thread-safe through `lock`."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"create": [], "list": []})
    errors: Counter[str] = field(default_factory=Counter)
    accepted: list[tuple[str, str, float]] = field(default_factory=list)  # order, tenant, when
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, operation: str, started: float, outcome: str | None) -> None:
        with self.lock:
            self.latencies.setdefault(operation, []).append((time.monotonic() - started) * 1000)
            if outcome:
                self.errors[f"{operation} {outcome}"] += 1

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def failure(error: OrderctlError) -> str:
    """A transport failure's name in the errors table."""
    return "unreachable" if "cannot reach" in str(error) else "timeout"


def one_order(
    api: Api,
    load: Load,
    tenant_id: str,
    rng: random.Random,
    *,
    simulator: bool,
    scheduled: float,
    cart_api: str | None = None,
) -> None:
    """Make a cart (a customer's order needs one), POST the order, then read the first page.

    The first request's latency counts from when it was due, not from when a worker got to it:
    time spent waiting for a free worker is time the user waited too (no coordinated omission).
    The POST counts from when its cart was ready: the Cart service is not this service.
    """
    started, step = scheduled, "create"
    body = demo_order(rng, simulator=simulator)
    try:
        if cart_api is not None:
            step = "cart"
            body = as_cart_order(api, cart_api, body)
            load.record("cart", started, None)
            started, step = time.monotonic(), "create"
        response = api.send("POST", "/v1.0/orders", json=body)
        outcome = None if response.status_code == 202 else str(response.status_code)
        load.record("create", started, outcome)
        if outcome is None:
            with load.lock:
                load.accepted.append((response.json()["orderId"], tenant_id, started))
    except OrderctlError as error:
        load.record(step, started, failure(error))
    started = time.monotonic()
    try:
        response = api.send("GET", f"/v1.0/tenants/{tenant_id}/orders", params={"pageSize": 10})
        load.record(
            "list", started, None if response.status_code == 200 else str(response.status_code)
        )
    except OrderctlError as error:
        load.record("list", started, failure(error))


def generate(
    api: Api,
    tenant_id: str,
    rate: float,
    duration: float,
    simulator: bool,
    *,
    tick: Callable[[Load, float], None] = lambda load, elapsed: None,
    cart_api: str | None = None,
) -> Load:
    """Open-loop arrivals at `rate` per second for `duration` seconds."""
    load, rng_lock, rng = Load(), threading.Lock(), random.Random(20261128)  # noqa: S311

    def task(scheduled: float) -> None:
        with rng_lock:
            seeded = random.Random(rng.random())  # noqa: S311 - demo data, not secrets
        one_order(
            api,
            load,
            tenant_id,
            seeded,
            simulator=simulator,
            scheduled=scheduled,
            cart_api=cart_api,
        )

    workers = max(4, min(64, int(rate * 4)))
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="load") as pool:
        sent, next_tick = 0, start
        while (elapsed := time.monotonic() - start) < duration:
            due = int(elapsed * rate) + 1
            while sent < min(due, int(duration * rate)):
                pool.submit(task, start + sent / rate)
                sent += 1
            if time.monotonic() >= next_tick:
                tick(load, elapsed)
                next_tick += 0.5
            time.sleep(min(0.05, 1 / rate))
    tick(load, duration)
    return load


def observe(watcher: Watcher, load: Load) -> int:
    """Follow every order accepted so far; returns how many are complete.

    Called while the load runs too, so an order's completion time is when it completed, not
    when the load ended and someone first looked.
    """
    with load.lock:
        accepted = list(load.accepted)
    for order_id, tenant_id, accepted_at in accepted:
        watcher.watch(order_id, tenant_id, accepted_at)
    return watcher.update()


def settle(watcher: Watcher, load: Load, limit_s: float, tick: Callable[[int, int], None]) -> int:
    """Watch every accepted order until all are complete or `limit_s` passes."""
    deadline = time.monotonic() + limit_s
    while True:
        complete = observe(watcher, load)
        tick(complete, len(load.accepted))
        if complete == len(load.accepted) or time.monotonic() >= deadline:
            return complete
        time.sleep(1)


def summary(load: Load, watcher: Watcher, rate: float, duration: float) -> dict[str, Any]:
    """The numbers behind the tables (and `--report`)."""
    progress = watcher.progress()
    done = {stage: sum(stage in p.done for p in progress.values()) for stage in STAGES}
    seconds = sorted(p.seconds for p in progress.values() if p.seconds is not None)
    return {
        "rate": rate,
        "duration": duration,
        "requests": load.requests,
        "latency_ms": {
            operation: {
                "count": len(values),
                "p50": round(percentile(values, 50), 1),
                "p95": round(percentile(values, 95), 1),
                "p99": round(percentile(values, 99), 1),
                "max": round(max(values, default=0.0), 1),
            }
            for operation, values in load.latencies.items()
        },
        "errors": dict(load.errors),
        "completion": {
            "accepted": len(load.accepted),
            **done,
            "complete": len(seconds),
            "p50_s": round(percentile(seconds, 50), 1),
            "p95_s": round(percentile(seconds, 95), 1),
        },
    }
