"""The pipeline: orders through the whole local stack, POST to paid, with every document and email.

Starts its own local stack (emulator, API, a poller and its containers per function, the
stream consumer, as `make run` does) on free ports and warms it with a few orders. It then posts
`BENCH_PIPELINE_ORDERS` (300) copies of a 3-line order as fast as the API accepts them; as soon
as an order is recorded the payment system marks it PAID (`PUT`, as payments@bbws.example). Each
order is followed to completion in the functions' logs (confirmed in the table at the end): its
record, its pro forma, the internal and the received emails, then (from the table's stream) its
tax invoice and the payment email.

It reports the throughput, the end-to-end latency p50/p95, and the wall time per order against
the floor. The floor is the bare `pisa.CreatePDF` render of the same invoice, the one cost no
design can avoid: the median of 21 renders on the idle stack after each round, then the median
over rounds. Time per order is the plain one: the first POST to the last email, over the number
of orders (filling and draining included), the median of `BENCH_PIPELINE_ROUNDS` (3) rounds,
each on a fresh stack. Target: <= 2.6 (two renders per order: the pro forma and the tax
invoice). The CPU each process spent per order is recorded too: it
says where the time went. Writes benchmarks/results/pipeline.json.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.api_calls import free_port  # noqa: E402 - after the path is set

ORDERS = int(os.environ.get("BENCH_PIPELINE_ORDERS", "300"))
ROUNDS = int(os.environ.get("BENCH_PIPELINE_ROUNDS", "3"))  # the median round is reported
WARMUP = 12
CLIENTS = 8  # concurrent API callers
TARGET = 2.6  # two documents per order
DOCUMENTS = 2  # renders per order: the pro forma and the tax invoice
# The processes whose CPU is the service's (what Lambda bills as duration): not the emulator
# (AWS's own side), the Cart stub (another service) or the benchmark's client.
SERVICE = ("api", "record", "pdf", "internal", "customer", "stream")
# The budget (benchmarks/findings.md, issue 31): the two renders, plus ~24 AWS requests an order
# at ~0.8 ms of client CPU each (botocore, measured against the emulator), plus ~5 ms of own work
# for each of the 9 invocations an order makes (POST, PUT, record, two PDFs, three emails across
# two functions, the stream): (2 x 45 + 19 + 45) / (2 x 45) = 1.7.
CPU_TARGET = 1.7
SETTLE_S = 600
# Each order is a cart of these lines in the Cart stub (made before its POST's clock starts).
CART = {
    "items": [
        {"productId": "wp-pro", "quantity": 2},
        {"productId": "ssl-dv", "quantity": 1},
        {"productId": "backup-daily", "quantity": 3},
    ]
}
ADDRESS = {"fullName": "Jane Doe", "line1": "1 Long St", "city": "Cape Town",
           "postalCode": "8001", "country": "ZA"}  # fmt: skip


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """user + system CPU so far of each child's process group (a poller and its containers)."""
    tick = os.sysconf("SC_CLK_TCK")
    by_group = dict.fromkeys(pids.values(), 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        group = int(fields[2])
        if group in by_group:
            by_group[group] += (int(fields[11]) + int(fields[12])) / tick
    return {name: by_group[pid] for name, pid in pids.items()}


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


# What each function logs once an order's step is done (first delivery or a redelivery), and
# which document or email kind it must be about: stage → (log, messages, field, value).
DOCUMENT_DONE = {"Document rendered", "Document stored concurrently", "Document already stored"}
EMAIL_DONE = {"Email sent", "Email already sent"}
DONE: dict[str, tuple[str, set[str], str | None, str | None]] = {
    "record": (
        "record",
        {"Order recorded", "Order already recorded; announcing it again"},
        None,
        None,
    ),
    "pdf": ("pdf", DOCUMENT_DONE, "document", "proforma"),
    "internal": ("internal", EMAIL_DONE, None, None),
    "customer": ("customer", EMAIL_DONE, "kind", "customer"),
    "paid-pdf": ("pdf", DOCUMENT_DONE, "document", "tax-invoice"),
    "paid-email": ("customer", EMAIL_DONE, "kind", "customer-paid"),
}
LOG_FILES = sorted({log for log, *_ in DONE.values()})


class Logs:
    """Follows the functions' log files: when each order's step was done (log timestamps).

    Reading the logs costs the emulator nothing; polling the table for 300 orders twice a second
    was a fifth of its CPU, which the benchmark would then have measured as the pipeline's.
    """

    def __init__(self, logs_dir: Path) -> None:
        self.offsets = dict.fromkeys(LOG_FILES, 0)
        self.logs_dir = logs_dir
        self.done: dict[str, dict[str, float]] = {}
        self.unreadable = 0  # lines that are not one JSON object: would hide a completion

    def read(self) -> None:
        from datetime import datetime

        for log_name in LOG_FILES:
            path = self.logs_dir / f"{log_name}.log"
            if not path.exists():
                continue
            with path.open("rb") as log:
                log.seek(self.offsets[log_name])
                chunk = log.read()
            complete = chunk[: chunk.rfind(b"\n") + 1]
            self.offsets[log_name] += len(complete)
            for line in complete.splitlines():
                try:
                    entry = json.loads(line) if line.startswith(b"{") else {}
                except ValueError:
                    self.unreadable += 1
                    continue
                if "order_id" not in entry:
                    continue
                for stage, (log, messages, field, value) in DONE.items():
                    if log != log_name or entry.get("message") not in messages:
                        continue
                    if field is not None and entry.get(field) != value:
                        continue
                    when = datetime.fromisoformat(entry["timestamp"]).timestamp()
                    self.done.setdefault(entry["order_id"], {}).setdefault(stage, when)


class Run:
    """Posts orders and follows them to completion."""

    def __init__(self, stack: dict[str, Any], token: str, logs: Logs, payer: str) -> None:
        self.stack = stack
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.payer = {"Authorization": f"Bearer {payer}", "Content-Type": "application/json"}
        self.paid: set[str] = set()
        self.total: str | None = None
        self.logs = logs
        self.local = threading.local()
        self.lock = threading.Lock()
        self.accepted: dict[str, float] = {}  # order id -> when its POST was sent (epoch s)
        self.create_ms: list[float] = []
        self.failures: list[str] = []
        self.stage_done: dict[str, float] = {}
        self.posted = 0.0

    def post(self, n: int) -> None:
        import requests

        session = getattr(self.local, "session", None) or requests.Session()
        self.local.session = session
        cart = session.post(
            f"{self.stack['cartApiUrl']}/v1.0/carts", json=CART, headers=self.headers, timeout=60
        )
        if cart.status_code != 201:
            with self.lock:
                self.failures.append(f"cart {cart.status_code}")
            return
        body = {
            "cartId": cart.json()["cartId"],
            "customerEmail": f"bench+{n}@example.com",
            "billingAddress": ADDRESS,
        }
        started = time.time()
        response = session.post(
            f"{self.stack['apiUrl']}/v1.0/orders", json=body, headers=self.headers, timeout=60
        )
        with self.lock:
            if response.status_code != 202:
                self.failures.append(f"POST {response.status_code}")
                return
            self.create_ms.append((time.time() - started) * 1000)
            self.accepted[response.json()["orderId"]] = started
            self.posted = max(self.posted, time.time())

    def pay(self, order_id: str) -> None:
        """The payment system marks a recorded order PAID (the status change under test)."""
        import requests

        from chalicelib.clock import iso, utc_now

        session = getattr(self.local, "session", None) or requests.Session()
        self.local.session = session
        url = f"{self.stack['apiUrl']}/v1.0/orders/{order_id}"
        if self.total is None:  # every order is the same cart: its total, read once
            self.total = session.get(url, headers=self.headers, timeout=60).json()["total"]
        payment = {"paymentId": f"pf_{order_id[:18]}", "provider": "payfast", "method": "card",
                   "amount": self.total, "currency": "ZAR", "paidAt": iso(utc_now())}  # fmt: skip
        response = session.put(
            url,
            json={"status": "PAID", "paymentDetails": payment},
            headers=self.payer,
            timeout=60,
        )
        if response.status_code != 200:
            with self.lock:
                self.failures.append(f"PUT {response.status_code} {response.text[:200]}")

    def complete(self, pool: ThreadPoolExecutor | None = None) -> int:
        """Orders with every stage done; with `pool`, recorded orders get paid (once each)."""
        self.logs.read()
        with self.lock:
            ids = list(self.accepted)
        if pool is not None:
            for order_id in ids:
                if order_id not in self.paid and "record" in self.logs.done.get(order_id, {}):
                    self.paid.add(order_id)
                    pool.submit(self.pay, order_id)
        return sum(len(self.logs.done.get(order_id, {})) == len(DONE) for order_id in ids)

    def orders(self, first: int, count: int) -> list[float]:
        """Post `count` orders; returns when each completed (sorted), from the first POST."""
        begun = time.time()
        with ThreadPoolExecutor(CLIENTS) as pool, ThreadPoolExecutor(CLIENTS // 2) as payers:
            posting = [pool.submit(self.post, n) for n in range(first, first + count)]
            deadline = time.monotonic() + SETTLE_S
            while time.monotonic() < deadline:
                time.sleep(0.2)
                done = self.complete(payers)
                if all(f.done() for f in posting) and done == len(self.accepted):
                    break
            for future in posting:
                future.result()
        missing = len(self.accepted) - self.complete()
        if missing:
            raise SystemExit(f"pipeline: {missing} orders did not complete in {SETTLE_S}s")
        self.verify()
        done = {order_id: self.logs.done[order_id] for order_id in self.accepted}
        self.stage_done = {
            stage: round(max(d[stage] for d in done.values()) - begun, 2) for stage in DONE
        }
        self.posted = round(self.posted - begun, 2)
        return sorted(max(d.values()) - begun for d in done.values())

    def latencies(self) -> list[float]:
        return sorted(max(self.logs.done[o].values()) - at for o, at in self.accepted.items())

    def verify(self) -> None:
        """The table agrees: every order has its record, its PDF and both emails marked sent."""
        from orderctl.completion import Watcher
        from orderctl.target import Target

        watcher = Watcher(Target("local", self.stack["region"], self.stack["awsEndpointUrl"]))
        for order_id, at in self.accepted.items():
            watcher.watch(order_id, "tenant-a", at)
        for _ in range(20):
            if watcher.update() == len(self.accepted):
                return
            time.sleep(0.5)
        raise SystemExit("pipeline: the logs say done but the table disagrees")


def floor_seconds(
    stack: dict[str, Any], headers: dict[str, str], order_id: str
) -> tuple[float, float]:
    """Median bare pisa.CreatePDF of one stored order's invoice HTML (the renderer's input): its
    wall time and the CPU time of this process."""
    import logging

    import requests
    from xhtml2pdf import pisa

    from chalicelib.models.orders import Order
    from chalicelib.rendering.invoice import invoice_html
    from devstack.preview import local_supplier

    logging.getLogger("xhtml2pdf").setLevel(logging.ERROR)
    stored = requests.get(
        f"{stack['apiUrl']}/v1.0/orders/{order_id}", headers=headers, timeout=30
    ).json()
    html = invoice_html(Order.parse_obj(stored), None, local_supplier())  # its tax invoice
    pisa.CreatePDF(html, dest=io.BytesIO(), encoding="utf-8")  # warm: fonts, parser
    times, cpu = [], []
    for _ in range(21):
        started, cpu_started = time.perf_counter(), time.process_time()
        pisa.CreatePDF(html, dest=io.BytesIO(), encoding="utf-8")
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return statistics.median(times), statistics.median(cpu)


def measure_round(
    stack: dict[str, Any],
    token: str,
    payer: str,
    logs: Logs,
    *,
    pids: dict[str, int],
    first: int,
) -> dict[str, Any]:
    """One round of ORDERS orders: wall time, rates, latencies and CPU per order."""
    run = Run(stack, token, logs, payer)
    cpu_before = cpu_seconds(pids)
    own_before = time.process_time()
    completions = run.orders(first, ORDERS)
    cpu_after = cpu_seconds(pids)
    cpu_after["benchmark"] = time.process_time() - own_before
    cpu_before["benchmark"] = 0.0
    if run.failures:
        raise SystemExit(f"pipeline: {len(run.failures)} POSTs failed: {run.failures[:5]}")
    wall = completions[-1]
    # Sustained: completions per second between the 10th and 90th percentile completion, where
    # the pipeline is neither filling nor draining (reported; the target is on the plain figure).
    low, high = completions[ORDERS // 10], completions[ORDERS * 9 // 10]
    sustained = (ORDERS * 9 // 10 - ORDERS // 10) / (high - low)
    latencies = run.latencies()
    return {
        "wall_s": round(wall, 2),
        "per_order_s": round(wall / ORDERS, 4),
        "throughput_per_s": round(ORDERS / wall, 2),
        "sustained_per_s": round(sustained, 2),
        "latency_s": {
            "p50": round(percentile(latencies, 50), 2),
            "p95": round(percentile(latencies, 95), 2),
        },
        "create_ms": {
            "p50": round(percentile(run.create_ms, 50), 1),
            "p95": round(percentile(run.create_ms, 95), 1),
        },
        "cpu_ms_per_order": {
            n: round((cpu_after[n] - cpu_before[n]) / ORDERS * 1000, 1) for n in cpu_after
        },
        "last_post_s": run.posted,
        "last_done_s": run.stage_done,
        "some_order": next(iter(run.accepted)),
    }


def main() -> int:
    from devstack.stack import Ports, Supervisor
    from devstack.token import id_token

    for name in ("LOCAL_RETRY_DELAY_S", "LOCAL_VISIBILITY_TIMEOUT_S"):
        os.environ.pop(name, None)
    rounds: list[dict[str, Any]] = []
    floors: list[float] = []
    render_cpu: list[float] = []
    for n in range(ROUNDS):  # each round on a fresh stack: no round inherits another's data
        state = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
        quiet = open(os.devnull, "w")  # noqa: SIM115 - the supervisor echoes to it until stopped
        ports = Ports(free_port(), free_port(), free_port(), free_port())
        supervisor = Supervisor("local", ports, state, quiet)
        try:
            stack = supervisor.start()
            token = id_token(stack, "alice@tenant-a.example")
            logs = Logs(Path(stack["logs"]))
            payer = id_token(stack, "payments@bbws.example")
            Run(stack, token, logs, payer).orders(0, WARMUP)  # containers started, caches warm
            pids = {name: process.pid for name, process in supervisor.children.items()}
            found = measure_round(stack, token, payer, logs, pids=pids, first=WARMUP)
            rounds.append(found)
            print(
                f"  round {n + 1}/{ROUNDS}: {ORDERS} orders in {found['wall_s']} s "
                f"({found['throughput_per_s']}/s, sustained {found['sustained_per_s']}/s), "
                f"end to end p50 {found['latency_s']['p50']} s p95 {found['latency_s']['p95']} s",
                flush=True,
            )
            # The floor after every round, on the idle stack: it moves by ~10 % between runs here.
            auth = {"Authorization": f"Bearer {token}"}
            wall, cpu = floor_seconds(stack, auth, found["some_order"])
            floors.append(wall)
            render_cpu.append(cpu)
        finally:
            supervisor.stop()
            quiet.close()
            if not os.environ.get("BENCH_KEEP_STATE"):
                shutil.rmtree(state, ignore_errors=True)
    median = sorted(rounds, key=lambda r: r["wall_s"])[len(rounds) // 2]
    floor = statistics.median(floors)
    per_order = median["per_order_s"]
    service_cpu = sum(median["cpu_ms_per_order"][name] for name in SERVICE)
    cpu_floor = DOCUMENTS * statistics.median(render_cpu) * 1000
    report = {
        "name": "pipeline",
        "orders": ORDERS,
        "rounds": ROUNDS,
        "clients": CLIENTS,
        **{k: v for k, v in median.items() if k != "some_order"},
        "per_order": {"value": per_order, "baseline": round(floor, 4), "unit": "s"},
        "ratio": round(per_order / floor, 3),
        "target": TARGET,
        "all_rounds_wall_s": [r["wall_s"] for r in rounds],
        "all_floors_s": [round(f, 4) for f in floors],
        "cpu": {
            "value": round(service_cpu, 1),
            "baseline": round(cpu_floor, 1),
            "unit": "ms",
            "ratio": round(service_cpu / cpu_floor, 3),
            "target": CPU_TARGET,
            "render_cpu_ms": round(cpu_floor / DOCUMENTS, 1),
        },
        "cpus": os.cpu_count(),
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "pipeline.json").write_text(json.dumps(report, indent=2) + "\n")
    verdict = "OK" if report["cpu"]["ratio"] <= CPU_TARGET else "MISS"
    print(
        f"pipeline: median round {median['wall_s']} s = {per_order * 1000:.0f} ms per order, first "
        f"POST to the last payment email, vs the bare PDF render {floor * 1000:.0f} ms -> ratio "
        f"{report['ratio']} (target <= {TARGET}; the machine's load moves it)\n"
        f"  CPU ms per order: {median['cpu_ms_per_order']}\n"
        f"  the service's CPU per order {service_cpu:.1f} ms vs {DOCUMENTS} bare renders "
        f"{cpu_floor:.1f} ms -> ratio {report['cpu']['ratio']} (target <= {CPU_TARGET}) "
        f"[{verdict}]"
    )
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    raise SystemExit(main())
