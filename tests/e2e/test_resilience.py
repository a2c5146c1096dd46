"""Resilience under load, on the real local stack (`make resilience` runs both; `make test` runs
the first: the second is marked `soak` and takes two minutes).

1. Every poller is killed (SIGKILL) while a batch is in flight and started again by the
   supervisor: every order still ends with exactly one record, one PDF and one of each email.
2. Two minutes of mixed traffic: no 5xx, and no process grows in memory by more than 10 %
   after warm-up (`RESILIENCE_SECONDS`, `RESILIENCE_RATE` override the duration and the rate;
   `RESILIENCE_REPORT=path` writes the figures as JSON for `make bench`).
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from devstack.container import HOLD_MARKER
from devstack.stack import POLLERS
from orderctl.completion import Watcher
from orderctl.target import Target
from tests.e2e.api_client import Caller
from tests.e2e.stack_process import RunningStack, queue_counts, sent_emails, stack_client

pytestmark = [pytest.mark.e2e, pytest.mark.resilience]
VISIBILITY_S = 8  # how soon a killed poller's messages come back (6 minutes for PDFs in AWS)
HOLD_S = 4
STAGES = ("record", "pdf", "internal", "customer")


def _own_stack(tmp_path: Path, **env: str) -> Iterator[tuple[RunningStack, dict[str, Any]]]:
    process = RunningStack(tmp_path / "stack")
    process.env["LOCAL_VISIBILITY_TIMEOUT_S"] = str(VISIBILITY_S)
    del process.env["LOCAL_RETRY_DELAY_S"]
    process.env.update(env)
    stack = process.start()
    yield process, stack
    assert process.stop(signal.SIGTERM) == 0


@pytest.fixture
def fresh_stack(tmp_path: Path) -> Iterator[tuple[RunningStack, dict[str, Any]]]:
    """A stack of its own: short visibility timeouts, failures retried as Lambda would."""
    yield from _own_stack(tmp_path)


@pytest.fixture
def held_stack(tmp_path: Path) -> Iterator[tuple[RunningStack, dict[str, Any]]]:
    """As fresh_stack, and the reply to each PDF container's first batch is held 4 s after its
    effects are done: a poller killed then surely loses a finished batch (the kill test needs
    one, every time)."""
    yield from _own_stack(tmp_path, LOCAL_HOLD_REPLY_S=f"order_pdf_creator:{HOLD_S}")


def queues_empty(sqs: Any, stack: dict[str, Any]) -> bool:
    return not any(any(queue_counts(sqs, q["url"])) for q in stack["queues"].values())


def eventually(check: Callable[[], bool], limit_s: float, what: str, every_s: float = 0.2) -> None:
    deadline = time.monotonic() + limit_s
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen within {limit_s}s"
        time.sleep(every_s)


def test_killing_every_poller_mid_batch_loses_and_repeats_nothing(
    held_stack: tuple[RunningStack, dict[str, Any]],
) -> None:
    process, stack = held_stack
    alice, sqs = Caller(stack, "alice"), stack_client(stack, "sqs")
    customers = {f"kill+{n}@example.com" for n in range(60)}
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda email: alice.create(customerEmail=email), sorted(customers)))
    pdf_log = Path(stack["logs"]) / "pdf.log"
    # Deterministic: a PDF batch has stored its invoices and holds its reply (HOLD_S) right now.
    eventually(lambda: pdf_log.exists() and HOLD_MARKER in pdf_log.read_text(), 60,
               "a PDF batch done and holding its reply")  # fmt: skip
    pollers = {name: pid for name, pid in process.children().items() if name in STAGES}
    for pid in pollers.values():
        os.kill(pid, signal.SIGKILL)  # the poller only: its containers finish their batch
    # The held batch's messages were not deleted: in flight, or visible again if rendering took
    # longer than the (short) visibility timeout on a busy machine.
    busy = {
        POLLERS[function]: sum(queue_counts(sqs, q["url"]))
        for function, q in stack["queues"].items()
    }
    assert busy["pdf"] > 0, busy

    def restarted() -> bool:
        now = process.children()
        return all(now.get(name) not in (None, pid) for name, pid in pollers.items())

    eventually(restarted, 20, "the supervisor starting every poller again")
    assert process.process is not None
    assert process.process.poll() is None
    assert process.log.read_text().count("starting it again") == len(STAGES)

    table = stack_client(stack, "dynamodb")

    # What `orderctl load` watches: each order's record, PDF and both emails, by exact key in
    # BatchGetItem calls, asking only for what is still outstanding (orderctl/completion.py).
    watcher = Watcher(Target("local", stack["region"], endpoint_url=stack["awsEndpointUrl"]))
    for order_id in ids:
        watcher.watch(order_id, "tenant-a", time.monotonic())

    def every_order_done() -> bool:
        return watcher.update() == len(ids)

    eventually(every_order_done, 120, "every order's record, PDF and emails", every_s=0.5)
    eventually(lambda: queues_empty(sqs, stack), 60, "the redelivered messages to be consumed")

    items = table.query(
        TableName=stack["tableName"],
        KeyConditionExpression="PK = :pk AND begins_with(SK, :order)",
        ExpressionAttributeValues={":pk": {"S": "TENANT#tenant-a"}, ":order": {"S": "ORDER#"}},
    )["Items"]
    assert sorted(i["id"]["S"] for i in items) == sorted(ids)  # one record each
    numbers = [i["orderNumber"]["S"] for i in items]
    assert len(set(numbers)) == len(ids)
    s3 = stack_client(stack, "s3")
    for order_id in ids:
        versions = s3.list_object_versions(
            Bucket=stack["ordersBucket"], Prefix=f"tenant-a/orders/order_{order_id}.pdf"
        ).get("Versions", [])
        assert len(versions) == 1, order_id
    emails = sent_emails(stack)
    to_customers = Counter(m["to"] for m in emails if m["to"] in customers)
    assert to_customers == dict.fromkeys(customers, 1)
    internal = Counter(order_id for m in emails for order_id in ids if order_id in m["body"]
                       and m["to"] not in customers)  # fmt: skip
    assert internal == dict.fromkeys(ids, 1)
    for queue in stack["queues"].values():
        assert "Messages" not in sqs.receive_message(QueueUrl=queue["dlqUrl"], WaitTimeSeconds=0)
    # The killed batches really came back, and were recognised as done.
    logs = Path(stack["logs"])
    assert "Document already stored" in (logs / "pdf.log").read_text()
    print(f"pending when killed: {busy}")


def rss_mb(group: int) -> dict[int, float]:
    """Resident memory of each process of a group (a poller and its containers), in MB."""
    found = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(status.read_text().rsplit(")", 1)[1].split()[2]) != group:
                continue
            for line in (status.parent / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    found[int(status.parent.name)] = int(line.split()[1]) / 1024
        except (OSError, ValueError, IndexError):
            continue
    return found


class Traffic:
    """Open-loop mixed traffic: creates, reads, lists, updates, invoice links, health."""

    MIX = (("create", 3), ("get", 4), ("list", 3), ("update", 1), ("invoice", 1), ("health", 1))

    def __init__(self, stack: dict[str, Any]) -> None:
        self.stack = stack
        self.callers = [Caller(stack, "alice"), Caller(stack, "bob")]
        self.orders: dict[int, list[str]] = {0: [], 1: []}
        self.statuses: Counter[int] = Counter()
        self.by_kind: Counter[str] = Counter()
        self.errors: list[str] = []
        self.latencies_ms: list[float] = []
        self.lock = threading.Lock()
        self.rng = random.Random(20261128)

    def one(self, kind: str, who: int, due: float) -> None:
        caller, mine = self.callers[who], self.orders[who]
        order_id = self.rng.choice(mine) if mine else None
        try:
            if kind == "create" or order_id is None:
                response = caller.order_cart(caller.sample_cart())
                if response.status_code == 202:
                    with self.lock:
                        mine.append(response.json()["orderId"])
            elif kind == "get":
                response = caller.request("GET", f"/v1.0/orders/{order_id}")
            elif kind == "list":
                tenant = "tenant-a" if who == 0 else "tenant-b"
                response = caller.request("GET", f"/v1.0/tenants/{tenant}/orders?pageSize=10")
            elif kind == "update":
                response = caller.request(
                    "PUT", f"/v1.0/orders/{order_id}", json={"status": "CANCELLED"}
                )
            elif kind == "invoice":
                response = caller.request("GET", f"/v1.0/orders/{order_id}/invoice")
            else:
                response = requests.get(f"{self.stack['apiUrl']}/health", timeout=30)
        except requests.RequestException as error:
            with self.lock:
                self.errors.append(f"{kind}: {type(error).__name__}")
            return
        with self.lock:
            self.statuses[response.status_code] += 1
            self.by_kind[kind] += 1
            self.latencies_ms.append((time.monotonic() - due) * 1000)  # from when it was due

    def run(self, rate: float, seconds: float, sample: Callable[[float], None]) -> None:
        kinds = [kind for kind, weight in self.MIX for _ in range(weight)]
        start = time.monotonic()
        next_sample = start
        with ThreadPoolExecutor(32) as pool:
            sent = 0
            while (elapsed := time.monotonic() - start) < seconds:
                while sent < int(elapsed * rate) + 1:
                    pool.submit(self.one, self.rng.choice(kinds), sent % 2, start + sent / rate)
                    sent += 1
                if time.monotonic() >= next_sample:
                    sample(elapsed)
                    next_sample += 5
                time.sleep(0.01)
        sample(seconds)


@pytest.mark.soak
def test_mixed_traffic_gives_no_5xx_and_memory_levels_off(
    fresh_stack: tuple[RunningStack, dict[str, Any]],
) -> None:
    process, stack = fresh_stack
    seconds = float(os.environ.get("RESILIENCE_SECONDS", "120"))
    rate = float(os.environ.get("RESILIENCE_RATE", "30"))
    warm_up = seconds / 4
    groups = {name: pid for name, pid in process.children().items() if name != "emulator"}
    samples: dict[str, list[tuple[float, dict[int, float]]]] = {name: [] for name in groups}

    def sample(elapsed: float) -> None:
        for name, pid in groups.items():
            samples[name].append((elapsed, rss_mb(pid)))

    traffic = Traffic(stack)
    traffic.run(rate, seconds, sample)
    latencies = sorted(traffic.latencies_ms)
    p50, p95 = (latencies[int(len(latencies) * q)] for q in (0.5, 0.95))
    server_errors = {code: n for code, n in traffic.statuses.items() if code >= 500}
    # Growth of the processes alive from warm-up to the end: a container started later (a second
    # concurrent batch) is a new process, not memory an old one failed to give back.
    growth, levels = {}, {}
    for name, points in samples.items():
        warm, end = next(rss for at, rss in points if at >= warm_up), points[-1][1]
        both = set(warm) & set(end)
        before, after = sum(warm[p] for p in both), sum(end[p] for p in both)
        levels[name] = {"warm": round(before, 1), "end": round(after, 1), "processes": len(end)}
        growth[name] = round((after - before) / before, 3)
    report = {
        "name": "resilience",
        "seconds": seconds,
        "rate_per_s": rate,
        "requests": sum(traffic.statuses.values()),
        "statuses": dict(traffic.statuses),
        "by_kind": dict(traffic.by_kind),
        "transport_errors": len(traffic.errors),
        "latency_ms": {"p50": round(p50, 1), "p95": round(p95, 1)},
        "memory_mb": levels,
        "memory_samples_mb": {
            n: [round(sum(rss.values()), 1) for _, rss in p] for n, p in samples.items()
        },
        "growth_after_warm_up": growth,
    }
    if target := os.environ.get("RESILIENCE_REPORT"):
        Path(target).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "memory_samples_mb"}))
    assert not server_errors, report
    assert not traffic.errors, traffic.errors[:5]
    assert sum(traffic.statuses.values()) >= rate * seconds * 0.95
    assert p95 < 2000, f"the API did not keep up at {rate}/s: p95 {p95:.0f} ms"
    assert all(g <= 0.10 for g in growth.values()), growth
