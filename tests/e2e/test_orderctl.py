"""Every orderctl command against the running local stack, as an operator types it."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from devstack.stage import PROJECT_DIR
from tests.e2e.api_client import Caller, orderctl, orderctl_env
from tests.e2e.stack_process import RunningStack, queue_counts, stack_client

pytestmark = pytest.mark.e2e


@pytest.fixture
def env(running: tuple[RunningStack, dict[str, Any]], stack: dict[str, Any]) -> dict[str, str]:
    """What points orderctl at the test's stack (as `make run` does for .local/)."""
    return {"LOCAL_STATE_DIR": str(running[0].state_dir)}


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_token_prints_an_id_token_for_a_demo_user(env: dict[str, str]) -> None:
    token = orderctl("token", "bob@tenant-b.example", env=env).stdout.strip()
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert payload["custom:tenantId"] == "tenant-b"
    assert payload["token_use"] == "id"


def test_orders_create_get_and_list(env: dict[str, str], stack: dict[str, Any]) -> None:
    order = as_json(orderctl("orders", "create", "--wait", "--json", env=env))
    assert order["orderNumber"].startswith("ORD-EU-")
    assert order["tenantId"] == "tenant-a"
    settled = Caller(stack, "alice").settled(order["id"])  # the PDF changes the order once
    got = as_json(orderctl("orders", "get", order["id"], "--json", env=env))
    assert got == settled  # the API's body, as it came
    page = as_json(orderctl("orders", "list", "--limit", "5", "--json", env=env))
    assert set(page) == {"items", "pagination"}  # the API's page, not a reshaped list
    assert order["id"] in [o["id"] for o in page["items"]]
    piped = orderctl("orders", "list", "--limit", "5", env=env).stdout.splitlines()
    assert piped[0] == "orderNumber\tid\tstatus\ttotal\tcustomerEmail\tdateCreated"
    assert any(line.split("\t")[1] == order["id"] for line in piped[1:])
    table = orderctl("orders", "get", order["id"], env=env)
    assert order["orderNumber"] in table.stdout
    assert "total" in table.stdout
    # Another tenant's user cannot see it: the API's 404, said plainly.
    other = orderctl("orders", "get", order["id"], "--user", "bob@tenant-b.example", env=env)
    assert other.returncode == 4  # not found
    assert "answered 404" in other.stderr


def test_seed_spreads_realistic_orders_over_tenants_and_waits_for_them(
    env: dict[str, str],
) -> None:
    seeded = as_json(orderctl("seed", "--orders", "9", "--tenants", "3", "--json", env=env))
    assert seeded == [
        {"tenant": "tenant-a", "orders": 3},
        {"tenant": "tenant-b", "orders": 3},
        {"tenant": "tenant-c", "orders": 3},
    ]
    admin = ("--user", "ops@bbws.example")
    listed = as_json(orderctl("orders", "list", "--tenant", "tenant-c", *admin, "--json", env=env))[
        "items"
    ]
    assert len(listed) == 3
    assert all(order["invoice"]["available"] for order in listed)  # seed waited for the PDFs
    refused = orderctl(
        "seed", "--orders", "2", "--tenants", "2", "--user", "alice@tenant-a.example", env=env
    )
    assert refused.returncode == 2  # usage
    assert "needs an admin user" in refused.stderr


def test_load_reports_latencies_errors_and_completion(env: dict[str, str], tmp_path: Path) -> None:
    report = tmp_path / "load.json"
    result = as_json(
        orderctl(
            "load", "--rate", "4", "--duration", "5", "--report", str(report), "--json", env=env
        )
    )
    assert result["errors"] == {}
    assert result["latency_ms"]["create"]["count"] == 20
    assert result["latency_ms"]["list"]["count"] == 20
    completion = result["completion"]
    assert completion["accepted"] == completion["complete"] == 20
    assert completion["record"] == completion["pdf"] == completion["customer"] == 20
    assert 0 < completion["p50_s"] <= completion["p95_s"]
    assert json.loads(report.read_text()) == result
    tables = orderctl("load", "--rate", "2", "--duration", "2", env=env)
    assert tables.returncode == 0, tables.stderr
    for heading in ("Latency (ms)", "Errors by status", "End-to-end completion"):
        assert heading in tables.stderr  # piped: the titles to the person, the rows to the pipe
    assert "operation\tcount\tp50\tp95\tp99\tmax" in tables.stdout


def expired_token(expires: int = 1_700_000_000) -> str:
    """A JWT-shaped token (unsigned) expiring at `expires` (default: November 2023)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part({'exp': expires, 'custom:tenantId': 'x'})}.sig"


def test_errors_are_sentences_not_tracebacks(env: dict[str, str], tmp_path: Path) -> None:
    expired = orderctl("orders", "list", "--token", expired_token(), env=env)
    assert expired.returncode == 3  # authentication
    assert "the token expired at 2023-11-14T22:13:20+00:00" in expired.stderr
    forged = expired_token(expires=4_102_444_800)  # 2100, but not signed by the pool
    refused = orderctl("orders", "get", "some-id", "--token", forged, env=env)
    assert refused.returncode == 3
    assert "the API refused the token (401)" in refused.stderr
    unknown = orderctl("token", "mallory@example.com", env=env)
    assert unknown.returncode == 2
    assert "unknown user 'mallory@example.com'" in unknown.stderr
    nothing = {"LOCAL_STATE_DIR": str(tmp_path)}
    for command in (("orders", "list"), ("dlq", "list"), ("seed", "--orders", "1")):
        stopped = orderctl(*command, env=nothing)
        assert stopped.returncode == 4  # the local profile's stack is not found
        assert "make run" in stopped.stderr
    for result in (expired, refused, unknown):
        assert "Traceback" not in result.stderr


def drain_bodies(client: Any, url: str) -> list[str]:
    """Receive and delete everything visible; the poison ids of what was there."""
    found = []
    while messages := client.receive_message(  # no long poll: the queues wait 20 s for one
        QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60, WaitTimeSeconds=0
    ).get("Messages"):
        for message in messages:
            found.append(json.loads(message["Body"])["id"])
            client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def test_dlq_list_show_and_an_interrupted_redrive_lose_and_double_nothing(
    running: tuple[RunningStack, dict[str, Any]], stack: dict[str, Any], env: dict[str, str]
) -> None:
    client = stack_client(stack, "sqs")
    queue, dlq = (
        stack["queues"]["order_pdf_creator"]["url"],
        stack["queues"]["order_pdf_creator"]["dlqUrl"],
    )
    poison = [f"poison-{i:02d}" for i in range(25)]
    for event_id in poison:  # OrderCreated without an order: the PDF processor refuses it
        body = {
            "type": "OrderCreated",
            "id": event_id,
            "correlationId": event_id,
            "data": {"id": event_id},
        }
        client.send_message(QueueUrl=queue, MessageBody=json.dumps(body))
    deadline = time.monotonic() + 60
    while queue_counts(client, dlq)[0] < len(
        poison
    ):  # 3 failed receives each (LOCAL_RETRY_DELAY_S=1)
        assert time.monotonic() < deadline, queue_counts(client, dlq)
        time.sleep(0.5)

    rows = {row["queue"]: row for row in as_json(orderctl("dlq", "list", "--json", env=env))}
    assert rows["pdf"]["dead_letters"] == 25
    assert rows["record"]["dead_letters"] == 0
    shown = as_json(orderctl("dlq", "show", "pdf", "--limit", "5", "--json", env=env))
    assert len(shown) == 5
    for message in shown:
        assert message["event_type"] == "OrderCreated"
        assert (message["failed_attempts"], message["times_shown"]) == (3, 1)  # this look
        assert message["reason"].startswith("ValidationError: ")
    again = {
        m["message_id"]: m
        for m in as_json(orderctl("dlq", "show", "pdf", "--limit", "25", "--json", env=env))
    }
    for message in shown:  # looked at once more: shown counts it, the attempts stay 3
        seen = again[message["message_id"]]
        assert (seen["failed_attempts"], seen["times_shown"]) == (3, 2)
    assert queue_counts(client, dlq)[0] == 25  # showing moved nothing, and hides nothing

    # Hold the PDF processor so the redriven messages stay countable, then interrupt a redrive.
    pdf_poller = running[0].children()["pdf"]
    os.kill(pdf_poller, signal.SIGSTOP)
    try:
        time.sleep(3)  # its long poll in flight (2 s) returns empty
        redrive = subprocess.Popen(
            [sys.executable, "-m", "orderctl", "dlq", "redrive", "pdf", "--rate", "10", "--yes"],
            cwd=PROJECT_DIR,
            env=orderctl_env(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        while queue_counts(client, dlq)[0] > 15:  # the first batch of ten is across
            assert redrive.poll() is None, redrive.communicate()
            time.sleep(0.05)
        redrive.send_signal(signal.SIGINT)
        _, said = redrive.communicate(timeout=30)
        assert redrive.returncode == 130, said
        assert "interrupted after a whole batch: nothing is lost" in said
        waiting, in_flight = queue_counts(client, queue)
        left = queue_counts(client, dlq)
        assert in_flight == 0
        assert left[1] == 0
        assert waiting + left[0] == 25  # every message in exactly one of the two queues
        assert 0 < waiting < 25

        resumed = orderctl("dlq", "redrive", "pdf", "--yes", env=env)
        assert resumed.returncode == 0, resumed.stderr
        assert "0 left in the DLQ" in resumed.stderr
        assert sorted(drain_bodies(client, queue)) == poison  # all of them, once each
        assert queue_counts(client, dlq) == (0, 0)
    finally:
        drain_bodies(client, queue)
        os.kill(pdf_poller, signal.SIGCONT)


def test_repair_finds_and_fixes_an_order_the_old_version_broke(
    env: dict[str, str], stack: dict[str, Any]
) -> None:
    alice = Caller(stack, "alice")
    order_id = alice.create()
    alice.wait_for(order_id)
    dynamodb = stack_client(stack, "dynamodb")
    key = {"PK": {"S": "TENANT#tenant-a"}, "SK": {"S": f"ORDER#{order_id}"}}
    dynamodb.update_item(  # as issue 13's bug wrote a PUT with paidAt 0999-12-31 (strftime %Y)
        TableName=stack["tableName"], Key=key, UpdateExpression="SET dateLastUpdated = :broken",
        ExpressionAttributeValues={":broken": {"S": "999-12-31T00:00:00.000Z"}},
    )  # fmt: skip

    report = orderctl("repair", env=env)
    assert report.returncode == 0, report.stderr
    assert order_id in report.stdout
    assert "would rewrite" in report.stdout
    assert "1 damaged: run again with --apply" in report.stderr
    unattended = orderctl("repair", "--apply", env=env)
    assert unattended.returncode == 2  # destructive without a terminal needs --yes
    assert "--yes" in unattended.stderr
    [row] = as_json(orderctl("repair", "--apply", "--yes", "--json", env=env))
    assert row == {**row, "order": order_id, "verdict": "repairable", "action": "rewritten"}
    stored = dynamodb.get_item(TableName=stack["tableName"], Key=key)["Item"]
    assert stored["dateLastUpdated"]["S"] == "0999-12-31T00:00:00.000Z"
    assert alice.request("GET", f"/v1.0/orders/{order_id}").status_code == 200
    assert "0 damaged" in orderctl("repair", env=env).stderr


def test_orders_are_created_from_carts_and_paid_as_the_payment_system(
    stack: dict[str, Any], env: dict[str, str]
) -> None:
    """Contract revision 2 from the command line: a cart becomes an order; payments pays it."""
    order = as_json(orderctl("orders", "create", "--wait", "--json", env=env))
    assert order["cartId"].startswith("c-")  # the demo lines went through the Cart stub
    refused = orderctl("orders", "pay", order["id"], "--user", "alice@tenant-a.example", env=env)
    assert refused.returncode == 3  # the API's 403
    assert "answered 403" in refused.stderr
    paid = as_json(orderctl("orders", "pay", order["id"], "--json", env=env))
    assert (paid["status"], paid["paymentDetails"]["amount"]) == ("PAID", order["total"])
    assert paid["lastUpdatedBy"] != order["lastUpdatedBy"]


def test_support_finds_an_order_by_its_number_and_moves_it_along(
    env: dict[str, str], stack: dict[str, Any]
) -> None:
    order = as_json(orderctl("orders", "create", "--wait", "--json", env=env))
    number = order["orderNumber"]
    Caller(stack, "alice").settled(order["id"])
    by_number = as_json(orderctl("orders", "get", number, "--json", env=env))
    assert by_number == as_json(orderctl("orders", "get", order["id"], "--json", env=env))
    tenant = ("--tenant", order["tenantId"])  # the local support user is ops, an admin
    early = orderctl("orders", "process", number, *tenant, env=env)
    assert early.returncode == 5  # PENDING → PROCESSING is not a transition: a conflict
    assert "answered 409" in early.stderr
    as_json(orderctl("orders", "pay", order["id"], "--json", env=env))
    processing = as_json(orderctl("orders", "process", number, *tenant, "--json", env=env))
    assert processing["status"] == "PROCESSING"
    completed = as_json(orderctl("orders", "complete", number, *tenant, "--json", env=env))
    assert (completed["status"], completed["version"]) == ("COMPLETED", processing["version"] + 1)

    other = as_json(orderctl("orders", "create", "--wait", "--json", env=env))
    unattended = orderctl("orders", "cancel", other["orderNumber"], *tenant, env=env)
    assert unattended.returncode == 2  # destructive, no terminal, no --yes: nothing changed
    assert as_json(orderctl("orders", "get", other["id"], "--json", env=env))["status"] == "PENDING"
    cancelled = orderctl(
        "orders", "cancel", other["orderNumber"], *tenant, "--yes", "--json", env=env
    )
    assert as_json(cancelled)["status"] == "CANCELLED"
    missing = orderctl("orders", "get", "ORD-EU-9999999", env=env)
    assert missing.returncode == 4
    assert "no order ORD-EU-9999999 in tenant tenant-a" in missing.stderr


def test_refund_then_the_register_as_csv_and_the_months_vat_report(
    stack: dict[str, Any], env: dict[str, str]
) -> None:
    """Contract revision 3 from the command line: pay, refund with a reason, then finance's
    view: the register (CSV a spreadsheet opens) and the VAT report agree with the orders."""
    import csv
    import io

    from chalicelib.clock import business_date, utc_now

    order = as_json(orderctl("orders", "create", "--wait", "--json", env=env))
    as_json(orderctl("orders", "pay", order["id"], "--json", env=env))
    refunded = as_json(
        orderctl(
            "orders", "refund", order["id"], "--reason", "Ordered twice", "--yes", "--json", env=env
        )
    )
    assert refunded["refundDetails"]["reason"] == "Ordered twice"
    assert refunded["refundDetails"]["amount"] == order["total"]
    Caller(stack, "alice").settled(order["id"])
    today = business_date(utc_now())
    deadline = time.monotonic() + 30
    while True:  # the renderer registers the credit note once it has rendered it
        listed = orderctl("documents", "list", "--from", today, "--to", today, "--csv", env=env)
        assert listed.returncode == 0, listed.stderr
        rows = list(csv.DictReader(io.StringIO(listed.stdout)))
        mine = {r["kind"]: r for r in rows if r["orderId"] == order["id"]}
        if "credit-note" in mine or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert set(mine) == {"proforma", "tax-invoice", "credit-note"}
    assert mine["credit-note"]["number"] == f"CN-{order['orderNumber']}"
    assert mine["tax-invoice"]["total"] == order["total"]
    report = as_json(orderctl("reports", "vat", "--period", today[:7], "--json", env=env))
    month = as_json(
        orderctl("documents", "list", "--from", f"{today[:7]}-01", "--to", today, "--json", env=env)
    )
    invoices = sum(Decimal(r["vatAmount"]) for r in month if r["kind"] == "tax-invoice")
    notes = sum(Decimal(r["vatAmount"]) for r in month if r["kind"] == "credit-note")
    assert Decimal(report["outputTax"]) == invoices - notes
    refused = orderctl(
        "reports", "vat", "--period", today[:7], "--user", "alice@tenant-a.example", env=env
    )
    assert refused.returncode == 3  # the API's 403
    bad = orderctl("reports", "vat", "--period", "2026-13", env=env)
    assert bad.returncode == 2
    assert "--period must be a month" in bad.stderr
