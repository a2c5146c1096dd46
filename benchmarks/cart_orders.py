"""Ordering a cart (issue 15): requests per customer POST, handler time, and a dead Cart service.

Runs the app in-process (Chalice's test client, stage `local` names) against a moto server in
its own process and the Cart service stub in this process. Three rows:

- requests per customer POST: AWS requests (botocore sends) plus Cart reads (the stub counts
  them), with and without `Idempotency-Key`. The minimum is 3 either way: the Cart read, the
  cart's claim (a conditional PutItem: one order per cart, and the key's record as well, ADR
  0014) and the SendMessage.
- handler time: the median in-process customer POST against the median of its floor, those
  three requests made bare in the same run: a Cart GET (urllib3, kept alive) and, on the app's
  own clients, the PutItem and the SendMessage the handler just sent, byte for byte (the claim
  under another key). What is left is the handler's own work. Target <= 1.2.
- the Cart stub stopped: once the breaker is open, the median POST answers 503 in <= 50 ms.

Writes benchmarks/results/cart_orders.json.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RUNS = int(os.environ.get("BENCH_RUNS", "200"))
TARGET_REQUESTS = {"customer POST": 3, "customer POST + Idempotency-Key": 3}
HANDLER_TARGET = 1.2
DOWN_TARGET_MS = 50.0


class Unverified:
    """The stub's token check, minus the signature: the bench's tokens are unsigned."""

    def verify(self, authorization: str | None) -> dict[str, Any]:
        from orderctl.api import claims

        return claims((authorization or "").split(" ")[-1])


class Sent:
    """The parameters of the last PutItem and SendMessage the app's clients sent."""

    def __init__(self, dynamodb: Any, sqs: Any) -> None:
        self.dynamodb, self.sqs = dynamodb, sqs
        self._last: dict[str, dict[str, Any]] = {}
        for client, operation in ((dynamodb, "PutItem"), (sqs, "SendMessage")):
            service = client.meta.service_model.service_name
            client.meta.events.register(
                f"provide-client-params.{service}.{operation}", self._keep(operation)
            )

    def _keep(self, operation: str) -> Any:
        def keep(params: dict[str, Any], **_: Any) -> None:
            self._last[operation] = dict(params)

        return keep

    def last(self, operation: str) -> dict[str, Any]:
        return self._last.pop(operation)


def main() -> int:  # noqa: PLR0915 - one linear scenario reads best top to bottom
    import warnings

    warnings.filterwarnings("ignore", message="CognitoUserPoolAuthorizer", category=UserWarning)
    from benchmarks.api_calls import RequestCounter, start_emulator, timing, token, use_local_stage
    from devstack.cart_stub import CartStore, serve

    emulator, endpoint = start_emulator()
    store = CartStore()
    stub = serve("127.0.0.1", 0, Unverified(), store)  # type: ignore[arg-type]
    cart_url = f"http://127.0.0.1:{stub.server_address[1]}"
    reads = {"count": 0}
    original_get = store.get

    def counted_get(tenant_id: str, cart_id: str) -> Any:
        reads["count"] += 1
        return original_get(tenant_id, cart_id)

    store.get = counted_get  # type: ignore[method-assign]
    try:
        use_local_stage(endpoint, CART_API_URL=cart_url)
        import boto3
        import urllib3
        from chalice.test import Client

        from chalicelib import aws
        from chalicelib.topology import CONSUMERS
        from devstack.provision import provision
        from tests.sample import cart_order_body

        def admin_client(service: str) -> Any:
            return boto3.client(service, endpoint_url=endpoint, region_name="eu-west-1")  # type: ignore[call-overload]

        made = provision(
            admin_client, dict(os.environ), "eu-west-1", {c.function: 30 for c in CONSUMERS}
        )
        os.environ["ORDER_EVENTS_TOPIC_ARN"] = made.topic_arn
        import app

        alice_token = token("tenant-a")
        alice = {"Authorization": alice_token, "Content-Type": "application/json"}

        def new_cart() -> str:
            status, cart = store.create(
                "tenant-a", {"items": [{"productId": "wp-pro", "quantity": 2}]}
            )
            assert status == 201, cart
            return str(cart["cartId"])

        def body(cart_id: str) -> str:
            return json.dumps(cart_order_body(cart_id))

        counter = RequestCounter()
        for service in ("dynamodb", "sqs", "secretsmanager"):
            counter.attach(aws.client(service))
        requests_per: dict[str, dict[str, int]] = {}
        with Client(app.app, stage_name="local") as api:

            def post(headers: dict[str, str]) -> Any:
                return api.http.post("/v1.0/orders", headers=headers, body=body(new_cart()))

            post(alice)  # once per container: the queue URL, the connection to the Cart service
            for name, headers in (
                ("customer POST", alice),
                ("customer POST + Idempotency-Key", {**alice, "Idempotency-Key": "bench-cart"}),
            ):
                reads["count"] = 0
                response, calls = counter.measure(lambda h=headers: post(h))
                assert response.status_code == 202, response.body
                requests_per[name] = {**calls, "Cart GET": reads["count"]}

            sent = Sent(aws.client("dynamodb"), aws.sqs())
            handler, bare = [], []
            pool = urllib3.PoolManager()
            carts = [new_cart() for _ in range(RUNS)]
            for n, cart_id in enumerate(carts):
                payload = body(cart_id)
                started = time.perf_counter()
                answer = api.http.post("/v1.0/orders", headers=alice, body=payload)
                handler.append(time.perf_counter() - started)
                assert answer.status_code == 202, answer.body
                claim, message = sent.last("PutItem"), sent.last("SendMessage")
                claim["Item"] = {**claim["Item"], "PK": {"S": f"BENCH#{n}"}}
                started = time.perf_counter()
                pool.request(
                    "GET",
                    f"{cart_url}/v1.0/carts/{cart_id}",
                    headers={"Authorization": alice_token},
                )
                sent.dynamodb.put_item(**claim)
                sent.sqs.send_message(**message)
                bare.append(time.perf_counter() - started)

            stub.shutdown()  # no new connections...
            stub.server_close()
            store.down = True  # ...and the kept-alive ones are closed unanswered
            down = []
            for _ in range(RUNS // 4 + 5):
                started = time.perf_counter()
                answer = post(alice)
                down.append(time.perf_counter() - started)
                assert answer.status_code == 503, answer.body
            down = down[5:]  # the breaker opens after five failed reads
    finally:
        emulator.terminate()
        emulator.wait()

    ratio = statistics.median(handler) / statistics.median(bare)
    down_ms = statistics.median(down) * 1000
    report = {
        "name": "cart_orders",
        "requests": {
            name: {"total": sum(calls.values()), "calls": calls, "target": TARGET_REQUESTS[name]}
            for name, calls in requests_per.items()
        },
        "handler_time": timing(handler, bare, HANDLER_TARGET),
        "cart_down": {
            "value": round(down_ms, 3),
            "unit": "ms",
            "target": DOWN_TARGET_MS,
            "runs": len(down),
        },
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "cart_orders.json").write_text(json.dumps(report, indent=2) + "\n")
    for name, found in report["requests"].items():
        print(
            f"  {name:<32} {found['total']} request(s) {found['calls']}  target {found['target']}"
        )
    met = ratio <= HANDLER_TARGET and down_ms <= DOWN_TARGET_MS
    print(
        f"cart_orders: customer POST {report['handler_time']['value']:.2f} ms vs bare Cart GET + "
        f"PutItem + SendMessage {report['handler_time']['baseline']:.2f} ms -> ratio {ratio:.3f} "
        f"(target <= {HANDLER_TARGET}); Cart stub down: 503 in {down_ms:.2f} ms median "
        f"(target <= {DOWN_TARGET_MS:.0f}) [{'OK' if met else 'MISS'}]"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
