"""Support's document actions through orderctl against the running stack: resend an email,
re-render a document, and backfill a date range (dry run, interrupted, resumed)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.api_client import Caller, orderctl, orderctl_env
from tests.e2e.stack_process import RunningStack, emails_to, stack_client

pytestmark = pytest.mark.e2e
ADMIN = ("--user", "ops@bbws.example")


@pytest.fixture
def env(running: tuple[RunningStack, dict[str, Any]], tmp_path: Path) -> dict[str, str]:
    return {"LOCAL_STATE_DIR": str(running[0].state_dir), "XDG_STATE_HOME": str(tmp_path)}


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def eventually(check: Callable[[], Any], what: str, limit_s: float = 60) -> Any:
    deadline = time.monotonic() + limit_s
    while not (result := check()):
        assert time.monotonic() < deadline, what
        time.sleep(0.5)
    return result


def versions(stack: dict[str, Any], key: str) -> list[dict[str, Any]]:
    s3 = stack_client(stack, "s3")
    listed = s3.list_object_versions(Bucket=stack["ordersBucket"], Prefix=key).get("Versions", [])
    return sorted(listed, key=lambda v: v["LastModified"])


def test_resend_and_rerender_one_order(stack: dict[str, Any], env: dict[str, str]) -> None:
    customer = f"support+{uuid.uuid4().hex[:8]}@example.com"
    alice = Caller(stack, "alice")
    order = alice.settled(alice.create(customerEmail=customer))
    number, tenant = order["orderNumber"], ("--tenant", order["tenantId"])
    [received] = eventually(lambda: emails_to(stack, customer), "no first email")

    unattended = orderctl("orders", "resend-email", number, *tenant, env=env)
    assert unattended.returncode == 2  # it emails a customer: asks, and --yes off a terminal
    resend_key = ("--idempotency-key", f"r-{uuid.uuid4().hex[:8]}")
    resent = as_json(
        orderctl("orders", "resend-email", number, *tenant, *resend_key, "--yes", "--json", env=env)
    )
    from_api = Caller(stack, "admin").request(
        "POST",
        f"/v1.0/orders/{order['id']}/resend-email",
        headers={"Idempotency-Key": resend_key[1]},
    )
    assert (from_api.status_code, from_api.json()) == (202, resent)  # --json: the API's body
    assert {k: resent[k] for k in ("action", "orderId", "tenantId", "document")} == {
        "action": "resend-email",
        "orderId": order["id"],
        "tenantId": "tenant-a",
        "document": "proforma",
    }
    first, again = eventually(
        lambda: (m := emails_to(stack, customer)) and len(m) == 2 and m, "no resent email"
    )
    assert again.subject == first.subject == received.subject
    assert [a.data for a in again.attachments] == [a.data for a in first.attachments]
    too_soon = orderctl("orders", "resend-email", number, *tenant, "--yes", env=env)
    assert too_soon.returncode == 6  # 429: remote said "not now"
    assert "answered 429" in too_soon.stderr
    assert "retry in" in too_soon.stderr

    key = f"tenant-a/orders/order_{order['id']}.pdf"
    assert len(versions(stack, key)) == 1
    idempotency_key = f"k-{uuid.uuid4().hex[:8]}"
    flags = ("--idempotency-key", idempotency_key, "--json")
    rendered = as_json(orderctl("orders", "rerender", number, *tenant, *flags, env=env))
    replayed = as_json(orderctl("orders", "rerender", number, *tenant, *flags, env=env))
    assert replayed == rendered  # the same key: the first answer, nothing queued again
    from_api = Caller(stack, "admin").request(
        "POST",
        f"/v1.0/orders/{order['id']}/rerender-document",
        headers={"Idempotency-Key": idempotency_key},
    )
    assert from_api.status_code == 202
    assert from_api.json() == rendered  # --json is the API's body
    eventually(lambda: len(versions(stack, key)) == 2, "no re-rendered version")
    s3 = stack_client(stack, "s3")
    head = s3.head_object(Bucket=stack["ordersBucket"], Key=key)
    assert head["Metadata"]["support-request"] == rendered["requestId"]
    time.sleep(3)  # the renderer had time for a second version: there is none, and no email
    assert len(versions(stack, key)) == 2
    assert len(emails_to(stack, customer)) == 2

    no_tenant = orderctl("orders", "rerender", number, env=env)  # the admin's own tenant
    assert no_tenant.returncode == 4
    assert "name the order's tenant with --tenant" in no_tenant.stderr
    customer_tries = orderctl(
        "orders", "rerender", order["id"], "--user", "alice@tenant-a.example", env=env
    )
    assert customer_tries.returncode == 3  # 403: admins only
    assert "Only the admin group" in customer_tries.stderr


def test_backfill_dry_run_then_interrupted_then_resumed(
    stack: dict[str, Any], env: dict[str, str], tmp_path: Path
) -> None:
    tenant = f"tenant-bf{uuid.uuid4().hex[:6]}"
    admin = Caller(stack, "admin")
    ids = []
    for _ in range(3):  # back-office orders in a tenant of their own
        created = as_json(
            orderctl("orders", "create", "--tenant", tenant, *ADMIN, "--json", env=env)
        )
        ids.append(created["orderId"])
    for order_id in ids:
        admin.settled(order_id)
    keys = [f"{tenant}/orders/order_{order_id}.pdf" for order_id in ids]
    today = datetime.now(UTC).date().isoformat()
    scope = ("--tenant", tenant, "--from", today, "--to", today)

    dry = as_json(orderctl("documents", "backfill", *scope, "--dry-run", "--json", *ADMIN, env=env))
    assert dry["dryRun"] is True
    assert sorted(o["order_id"] for o in dry["orders"]) == sorted(ids)
    assert {o["document"] for o in dry["orders"]} == {"proforma"}
    assert [len(versions(stack, k)) for k in keys] == [1, 1, 1]  # a dry run sends nothing
    empty = as_json(
        orderctl("documents", "backfill", "--tenant", tenant, "--from", "2020-01-01", "--to",
                 "2020-01-31", "--dry-run", "--json", *ADMIN, env=env)
    )  # fmt: skip
    assert empty["orders"] == []
    backwards = orderctl(
        "documents", "backfill", *scope[:2], "--from", today, "--to", "2020-01-01", env=env
    )
    assert backwards.returncode == 2

    # One re-render every 4 s; interrupted after the first, as Ctrl-C would.
    command = [
        sys.executable,
        "-m",
        "orderctl",
        "documents",
        "backfill",
        *scope,
        "--rate",
        "0.25",
        "--yes",
        *ADMIN,
    ]
    interrupted = subprocess.Popen(
        command, cwd=Path(__file__).resolve().parents[2], env=orderctl_env(env), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    state_dir = tmp_path / "orderctl"
    eventually(lambda: _done(state_dir) >= 1, "the first order was never checkpointed", 30)
    interrupted.send_signal(signal.SIGINT)
    _, stderr = interrupted.communicate(timeout=30)
    assert interrupted.returncode == 130, stderr
    assert "the same command resumes" in stderr
    [state] = state_dir.glob("backfill-*.json")
    assert 1 <= _done(state_dir) < 3  # stopped part-way

    resumed = orderctl("documents", "backfill", *scope, "--yes", "--json", *ADMIN, env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "already done" in resumed.stderr
    summary = json.loads(resumed.stdout)
    assert (summary["rerendered"], summary["skipped"], summary["failed"]) == (3, 0, 0)
    assert not state.exists()  # finished: nothing left to resume
    # each order re-rendered once: the interrupted run's first is not rendered again
    eventually(lambda: [len(versions(stack, k)) for k in keys] == [2, 2, 2], "versions", 60)
    time.sleep(3)
    assert [len(versions(stack, k)) for k in keys] == [2, 2, 2]


def _done(state_dir: Path) -> int:
    files = list(state_dir.glob("backfill-*.json"))
    if not files:
        return 0
    try:
        return len(json.loads(files[0].read_text())["done"])
    except ValueError:
        return 0
