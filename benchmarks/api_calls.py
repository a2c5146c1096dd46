"""AWS requests per API operation, and the handler's time against a bare GetItem.

Runs the app in-process (Chalice's test client, stage `local` names, claims
unverified) against a moto server in its own process, counting every request botocore sends (the
`before-send` event, so retries count too). Targets: GET = 1, list page = 1, a customer's PUT = 1,
the payment system's PUT = 2 (it knows the order, not the tenant), a back-office POST (an
administrator's priced lines) = 1 SendMessage, +1 with an `Idempotency-Key` (steady state:
once-per-container lookups are reported apart). A customer's POST orders a cart:
benchmarks/cart_orders.py counts it. Handler time: median in-process
`GET /v1.0/orders/{id}` vs median bare GetItem of the same item on the same emulator, <= 1.5;
and a register page (`GET /v1.0/documents`) vs a bare Query of the same page, <= 1.5.
Writes benchmarks/results/api_calls.json.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RUNS = int(os.environ.get("BENCH_RUNS", "200"))
TARGETS = {
    "POST (back office)": 1,
    "POST (back office) + Idempotency-Key": 2,
    "GET": 1,
    "GET (admin)": 1,
    "list page": 1,
    "PUT (customer cancels)": 1,
    # The payment system and operators name an order by id alone: its tenant is found first
    # (GSI2), then the conditional UpdateItem (docs/adr/0013).
    "PUT (payments)": 2,
    "PUT rejected (412)": 2,
    # Contract revision 3 (ADR 0030): a register page is one Query; a day's report fits one.
    "register page": 1,
    "VAT report (a day)": 1,
}
HANDLER_TARGET = 1.5
PIPELINE_ORDERS = 5  # one batch of one tenant's orders through every function
# The fewest requests a function can make per order, for a batch of PIPELINE_ORDERS orders:
# record writer: a conditional PutItem each, one counter UpdateItem per tenant and batch, one
# SNS PublishBatch per 10 events; PDF: UpdateItem (its date of issue recorded before it is
# rendered, ADR 0029) + UpdateItem (its register line, ADR 0030) + PutObject (conditional) +
# UpdateItem (invoice available) + SendMessage (the document announced to the customer emailer,
# ADR 0016); each email: ledger
# claim (PutItem) + SES SendEmail + ledger UpdateItem (sent); the customer's also reads the
# document it attaches (GetObject).
PIPELINE_MINIMUM = {
    "order_creator_record": 1 + 2 / PIPELINE_ORDERS,
    "order_pdf_creator": 5,
    "order_internal_notification_sender": 3,
    "customer_order_confirmation_sender": 4,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_emulator() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.emulator", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, endpoint
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the emulator did not start")


def use_local_stage(endpoint: str, **extra: str) -> None:
    """This process as the API function of stage `local`, on the emulator at `endpoint`."""
    from devstack.stage import API_HANDLER, function_config

    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(function_config("local", API_HANDLER).environment)
    os.environ.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_REGION="eu-west-1",
        POWERTOOLS_LOG_LEVEL="ERROR",
        **extra,
    )


def token(tenant: str, groups: list[str] | None = None) -> str:
    import jwt

    claims: dict[str, Any] = {
        "sub": f"user-{tenant}",
        "cognito:username": tenant,
        "custom:tenantId": tenant,
    }
    if groups:
        claims["cognito:groups"] = groups
    # Chalice's local gateway only decodes the claims; the signature is never checked here.
    return jwt.encode(claims, "k" * 32, algorithm="HS256")


def timing(measured: list[float], bare: list[float], target: float) -> dict[str, Any]:
    """Medians in ms of a measured operation and its bare baseline, their ratio and target."""
    value, baseline = statistics.median(measured), statistics.median(bare)
    return {
        "value": round(value * 1000, 3),
        "baseline": round(baseline * 1000, 3),
        "unit": "ms",
        "ratio": round(value / baseline, 3),
        "target": target,
        "runs": len(measured),
    }


class RequestCounter:
    """Counts botocore sends on the app's clients, by operation."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-send", self._sent)
        client.meta.events.register("before-call", self._named)
        self._operation = ""

    def _named(self, model: Any, **_: Any) -> None:
        self._operation = model.name

    def _sent(self, **_: Any) -> None:
        self.calls[self._operation] += 1

    def measure(self, action: Callable[[], Any]) -> tuple[Any, dict[str, int]]:
        self.calls.clear()
        result = action()
        return result, dict(self.calls)


def main() -> int:  # noqa: PLR0915 - one linear scenario reads best top to bottom
    import warnings

    warnings.filterwarnings("ignore", message="CognitoUserPoolAuthorizer", category=UserWarning)
    emulator, endpoint = start_emulator()
    try:
        use_local_stage(endpoint)
        import boto3
        from chalice.test import Client

        from chalicelib import aws
        from chalicelib.topology import CONSUMERS
        from devstack.provision import provision

        def admin_client(service: str) -> Any:
            return boto3.client(service, endpoint_url=endpoint, region_name="eu-west-1")  # type: ignore[call-overload]

        made = provision(
            admin_client, dict(os.environ), "eu-west-1", {c.function: 30 for c in CONSUMERS}
        )
        os.environ["ORDER_EVENTS_TOPIC_ARN"] = made.topic_arn
        import app

        counter = RequestCounter()
        for service in ("dynamodb", "sqs", "sns", "secretsmanager", "s3", "ses"):
            counter.attach(aws.client(service))
        alice = {"Authorization": token("tenant-a"), "Content-Type": "application/json"}
        admin = {"Authorization": token("platform", ["admin"]), "Content-Type": "application/json"}
        payments = {
            "Authorization": token("platform", ["payments"]),
            "Content-Type": "application/json",
        }
        from tests.sample import order_body, paid_now

        # Back-office orders for tenant-a: customers order carts (benchmarks/cart_orders.py).
        body = json.dumps(order_body(tenantId="tenant-a"))
        results: dict[str, dict[str, int]] = {}
        with Client(app.app, stage_name="local") as api:
            # Once per container: the queue URL is looked up, then cached.
            _, cold_post = counter.measure(
                lambda: api.http.post("/v1.0/orders", headers=admin, body=body)
            )
            response, results["POST (back office)"] = counter.measure(
                lambda: api.http.post("/v1.0/orders", headers=admin, body=body)
            )
            keyed = {**admin, "Idempotency-Key": "bench-1"}
            keyed_response, results["POST (back office) + Idempotency-Key"] = counter.measure(
                lambda: api.http.post("/v1.0/orders", headers=keyed, body=body)
            )
            sqs = admin_client("sqs")

            def process(function: str) -> tuple[int, dict[str, int]]:
                """One batch of what waits on the function's queue: (orders, requests)."""
                messages = sqs.receive_message(
                    QueueUrl=made.queues[function]["url"], MaxNumberOfMessages=10
                )["Messages"]
                records = [
                    {
                        "messageId": m["MessageId"],
                        "receiptHandle": m["ReceiptHandle"],
                        "body": m["Body"],
                        "attributes": {"ApproximateReceiveCount": "1"},
                    }
                    for m in messages
                ]
                sqs.delete_message_batch(
                    QueueUrl=made.queues[function]["url"],
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(messages)
                    ],
                )
                handler = getattr(app, function)
                result, calls = counter.measure(lambda: handler({"Records": records}, None))
                assert result == {"batchItemFailures": []}, result
                return len(records), calls

            for consumer in CONSUMERS:  # warm: templates fetched, the counter item made, …
                process(consumer.function)
            # Once per container: the cursor signing key is read, then cached.
            first = "/v1.0/tenants/tenant-a/orders?pageSize=1"
            page, cold_list = counter.measure(lambda: api.http.get(first, headers=alice))
            cursor = page.json_body["pagination"]["nextStartAt"]
            order_id = response.json_body["orderId"]
            path = f"/v1.0/orders/{order_id}"
            _, results["GET"] = counter.measure(lambda: api.http.get(path, headers=alice))
            _, results["GET (admin)"] = counter.measure(lambda: api.http.get(path, headers=admin))
            _, results["list page"] = counter.measure(
                lambda: api.http.get(f"{first}&startAt={cursor}", headers=alice)
            )
            cancelled = f"/v1.0/orders/{keyed_response.json_body['orderId']}"
            cancel, results["PUT (customer cancels)"] = counter.measure(
                lambda: api.http.put(
                    cancelled, headers=alice, body=json.dumps({"status": "CANCELLED"})
                )
            )
            assert cancel.status_code == 200, cancel.body
            paid = json.dumps({"status": "PAID", "paymentDetails": paid_now()})
            put, results["PUT (payments)"] = counter.measure(
                lambda: api.http.put(path, headers={**payments, "If-Match": '"1"'}, body=paid)
            )
            assert put.status_code == 200, put.body
            stale, results["PUT rejected (412)"] = counter.measure(
                lambda: api.http.put(
                    path,
                    headers={**admin, "If-Match": '"1"'},
                    body=json.dumps({"status": "PROCESSING"}),
                )
            )
            assert stale.status_code == 412, stale.body
            _, results["PUT (admin)"] = counter.measure(
                lambda: api.http.put(path, headers=admin, body=json.dumps({"active": True}))
            )

            for _ in range(PIPELINE_ORDERS):
                api.http.post("/v1.0/orders", headers=admin, body=body)
            pipeline: dict[str, dict[str, Any]] = {}
            for consumer in CONSUMERS:
                orders, calls = process(consumer.function)
                assert orders == PIPELINE_ORDERS, (consumer.function, orders)
                pipeline[consumer.function] = {
                    "per_order": round(sum(calls.values()) / orders, 2),
                    "calls": calls,
                    "minimum": round(PIPELINE_MINIMUM[consumer.function], 2),
                }

            dynamodb = aws.dynamodb()
            key = {"PK": {"S": "TENANT#tenant-a"}, "SK": {"S": f"ORDER#{order_id}"}}
            handler, bare = [], []
            for _ in range(RUNS):
                started = time.perf_counter()
                api.http.get(path, headers=alice)
                handler.append(time.perf_counter() - started)
                started = time.perf_counter()
                dynamodb.get_item(TableName=made.table_name, Key=key, ConsistentRead=True)
                bare.append(time.perf_counter() - started)

            # The register and the report (admins) over today's documents: the pipeline's.
            from chalicelib.clock import business_date, utc_now

            today = business_date(utc_now())
            register = f"/v1.0/documents?from={today}&to={today}&pageSize=5"
            listed, results["register page"] = counter.measure(
                lambda: api.http.get(register, headers=admin)
            )
            assert listed.status_code == 200, listed.body
            assert listed.json_body["items"], "the pipeline's documents are registered"
            report_path = f"/v1.0/reports/vat?from={today}&to={today}"
            _, results["VAT report (a day)"] = counter.measure(
                lambda: api.http.get(report_path, headers=admin)
            )
            page_query = {
                "TableName": made.table_name,
                "IndexName": "OrdersByDateIndex",
                "KeyConditionExpression": "GSI1_PK = :p AND GSI1_SK BETWEEN :a AND :b",
                "ExpressionAttributeValues": {
                    ":p": {"S": "DOCUMENTS"},
                    ":a": {"S": today},
                    ":b": {"S": today + "~"},
                },
                "Limit": 6,
            }
            register_handler, register_bare = [], []
            for _ in range(RUNS // 4):
                started = time.perf_counter()
                api.http.get(register, headers=admin)
                register_handler.append(time.perf_counter() - started)
                started = time.perf_counter()
                dynamodb.query(**page_query)
                register_bare.append(time.perf_counter() - started)
    finally:
        emulator.terminate()
        emulator.wait()

    ratio = statistics.median(handler) / statistics.median(bare)
    misses = [op for op, limit in TARGETS.items() if sum(results[op].values()) > limit]
    misses += [fn for fn, found in pipeline.items() if found["per_order"] > found["minimum"]]
    report = {
        "name": "api_calls",
        "requests": {
            op: {"total": sum(calls.values()), "calls": calls, "target": TARGETS.get(op)}
            for op, calls in results.items()
        },
        "once_per_container": {"first POST": cold_post, "first list": cold_list},
        "per_processed_order": {"orders": PIPELINE_ORDERS, "functions": pipeline},
        "handler_time": timing(handler, bare, HANDLER_TARGET),
        "register_handler_time": timing(register_handler, register_bare, HANDLER_TARGET),
    }
    register_ratio = report["register_handler_time"]["ratio"]
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "api_calls.json").write_text(json.dumps(report, indent=2) + "\n")
    for op, calls in results.items():
        target = TARGETS.get(op)
        print(
            f"  {op:<24} {sum(calls.values())} request(s) {calls}"
            + (f"  target <= {target}" if target else "")
        )
    print(f"  once per container: first POST {cold_post}, first list {cold_list}")
    for function, found in pipeline.items():
        print(
            f"  {function:<36} {found['per_order']} request(s) per order {found['calls']}"
            f"  minimum {found['minimum']}"
        )
    verdict = "OK" if not misses and max(ratio, register_ratio) <= HANDLER_TARGET else "MISS"
    print(
        f"  register page handler {report['register_handler_time']['value']:.2f} ms vs bare "
        f"Query {report['register_handler_time']['baseline']:.2f} ms -> ratio {register_ratio:.3f}"
    )
    print(
        f"api_calls: handler GET {report['handler_time']['value']:.2f} ms vs bare GetItem "
        f"{report['handler_time']['baseline']:.2f} ms -> ratio {ratio:.3f} "
        f"(target <= {HANDLER_TARGET}); "
        f"request targets missed: {misses or 'none'} [{verdict}]"
    )
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    raise SystemExit(main())
