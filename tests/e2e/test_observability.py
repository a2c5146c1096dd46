"""One correlation id finds an order's whole story in the local stack's logs, in all five functions.

The local stack writes each function's output to `.local/logs/<function>.log`, as CloudWatch
Logs keeps one log group per function. The lines are JSON (Powertools Logger), and the EMF
metric documents are written beside them.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.api_client import Caller
from tests.sample import cart_order_body

pytestmark = pytest.mark.e2e

FILES = {  # log file → the function name on its lines
    "api": "api",
    "record": "order_creator_record",
    "pdf": "order_pdf_creator",
    "internal": "order_internal_notification_sender",
    "customer": "customer_order_confirmation_sender",
}
STORY = {  # what each function says about the order
    "api": "Order accepted",
    "record": "Order recorded",
    "pdf": "Document rendered",
    "internal": "Email sent",
    "customer": "Email sent",
}
METRICS = {
    "api": {"OrdersAccepted"},
    "record": {"OrdersCreated"},
    "pdf": {"InvoicesRendered", "InvoiceRenderTime"},
    "internal": {"EmailsSent"},
    "customer": {"EmailsSent"},
}


def json_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for raw in path.read_text().splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue  # a supervisor or chalice line
        if isinstance(line, dict):
            lines.append(line)
    return lines


def story(logs: Path, correlation_id: str) -> dict[str, list[dict[str, Any]]]:
    return {
        name: [
            line
            for line in json_lines(logs / f"{name}.log")
            if line.get("correlation_id") == correlation_id
        ]
        for name in FILES
    }


def test_one_correlation_id_tells_the_whole_story(stack: dict[str, Any]) -> None:
    alice = Caller(stack, "alice")
    correlation_id = f"portal-{uuid.uuid4()}"
    accepted = alice.request(
        "POST",
        "/v1.0/orders",
        json=cart_order_body(alice.sample_cart()),
        headers={"X-Correlation-Id": correlation_id},
    )
    assert accepted.status_code == 202
    assert accepted.headers["X-Correlation-Id"] == correlation_id
    order_id = accepted.json()["orderId"]
    logs = Path(stack["logs"])

    deadline = time.monotonic() + 40
    while True:
        found = story(logs, correlation_id)
        told = {name: [line["message"] for line in lines] for name, lines in found.items()}
        if all(STORY[name] in messages for name, messages in told.items()):
            break
        assert time.monotonic() < deadline, f"the story is incomplete: {told}"
        time.sleep(0.5)

    for name, lines in found.items():
        line = next(line for line in lines if line["message"] == STORY[name])
        assert line["function"] == FILES[name]
        assert line["order_id"] == order_id
        assert line["tenant_id"] == "tenant-a"
        assert line["level"] == "INFO"
    # The emails name their kind; the order number is assigned by the record writer.
    assert {line.get("kind") for line in found["internal"] + found["customer"]} >= {
        "internal",
        "customer",
    }
    recorded = next(line for line in found["record"] if "order_number" in line)
    assert recorded["order_number"].startswith("ORD-EU-")


def test_each_function_writes_its_business_metrics(stack: dict[str, Any]) -> None:
    logs = Path(stack["logs"])
    already = {name: len(json_lines(logs / f"{name}.log")) for name in FILES}

    def emitted(name: str) -> set[str]:
        """Metric names in the documents written since this test began."""
        names: set[str] = set()
        for line in json_lines(logs / f"{name}.log")[already[name] :]:
            for directive in line.get("_aws", {}).get("CloudWatchMetrics", []):
                assert directive["Namespace"] == "BBWS/Orders"
                assert directive["Dimensions"] == [["function", "service"]]
                assert line["function"] == FILES[name]
                names.update(metric["Name"] for metric in directive["Metrics"])
        return names

    Caller(stack, "alice").create()
    deadline = time.monotonic() + 40
    while not all(METRICS[name] <= emitted(name) for name in FILES):
        assert time.monotonic() < deadline, {name: emitted(name) for name in FILES}
        time.sleep(0.5)
