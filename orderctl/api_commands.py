"""The API-facing commands: orders create|get|list, seed, load."""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from chalicelib.clock import iso, utc_now
from orderctl import auth, carts, target
from orderctl.api import Api, claims, token_source
from orderctl.demo import order as demo_order
from orderctl.demo import tenant_ids
from orderctl.errors import OrderctlError
from orderctl.output import console, emit, say

ADMIN_GROUP = "admin"
LOCAL_ADMIN = "ops@bbws.example"
LOCAL_PAYMENTS = "payments@bbws.example"  # the payment system's identity on the local stack


def api_of(args: argparse.Namespace, user: str | None = None) -> Api:
    return Api(
        auth.base_url(args.base_url), token_source(args.token, user or args.user, args.region)
    )


def target_for(args: argparse.Namespace, url: str) -> target.Target:
    """Where to watch completion: the local stack, or --stage for a deployed API."""
    if auth.is_local(url) or not (args.base_url or args.stage):
        return target.resolve(None, None, None)
    if not args.stage:
        raise OrderctlError("watching a deployed stage's orders needs --stage (and --profile)")
    return target.resolve(args.stage, args.profile, args.aws_region)


# -- orders -----------------------------------------------------------------------------------


def cmd_create(args: argparse.Namespace) -> int:
    api = api_of(args)
    rng = random.Random()  # noqa: S311 - demo data
    local = auth.is_local(api.base_url)
    body = demo_order(rng, tenant_id=args.tenant, simulator=not local)
    if args.email:
        body["customerEmail"] = args.email
    if args.cart:  # a cart made elsewhere (the portal)
        if args.tenant:
            raise OrderctlError("--cart and --tenant exclude each other: a cart is its tenant's")
        body = carts.cart_body(args.cart, body)
    elif not args.tenant:  # a customer: the demo lines become a cart first
        body = carts.as_cart_order(api, carts.cart_api_url(args.cart_api_url, api.base_url), body)
    accepted = api.create(body)
    if args.wait:
        deadline = time.monotonic() + 30
        while api.send("GET", f"/v1.0/orders/{accepted['orderId']}").status_code == 404:
            if time.monotonic() > deadline:
                raise OrderctlError(f"order {accepted['orderId']} was not recorded within 30 s")
            time.sleep(0.25)
        return show_order(api.call("GET", f"/v1.0/orders/{accepted['orderId']}"), args.json)
    emit(
        [accepted | {"links": accepted["links"]["self"]}],
        ["orderId", "tenantId", "status", "links"],
        args.json,
    )
    return 0


def show_order(order: dict[str, Any], as_json: bool) -> int:
    if as_json:
        emit([order], [], True)
        return 0
    fields = {
        "order": order["orderNumber"],
        "id": order["id"],
        "tenant": order["tenantId"],
        "status": order["status"],
        "customer": order["customerEmail"],
        "subtotal": order["subtotal"],
        "discount": order["discount"],
        "total": f"{order['total']} {order['currency']}",
        "vat": f"{order.get('vatAmount', '?')} included at {order.get('vatRate', '?')} %",
        "invoice": order["invoice"].get("kind") or "ready"
        if order["invoice"]["available"]
        else "not yet",
        "created": order["dateCreated"],
        "updated": f"{order['dateLastUpdated']} by {order['lastUpdatedBy']}",
    }
    emit([{"field": k, "value": v} for k, v in fields.items()], ["field", "value"], False)
    emit(order["items"], ["productId", "productName", "quantity", "unitPrice", "lineTotal"], False)
    return 0


def cmd_pay(args: argparse.Namespace) -> int:
    """Mark an order paid as the payment system would: read it, then PUT PAID with If-Match."""
    api = api_of(args, args.user or (LOCAL_PAYMENTS if not args.base_url else None))
    order = api.get(args.order_id)
    payment = {
        "paymentId": f"orderctl-{uuid.uuid4().hex[:12]}",
        "provider": "orderctl",
        "method": args.method,
        "amount": order["total"],
        "currency": order["currency"],
        "paidAt": iso(utc_now()),
    }
    paid = api.call(
        "PUT",
        f"/v1.0/orders/{order['id']}",
        json={"status": "PAID", "paymentDetails": payment},
        headers={"If-Match": f'"{order["version"]}"'},
    )
    return show_order(paid, args.json)


def cmd_get(args: argparse.Namespace) -> int:
    return show_order(api_of(args).get(args.order_id), args.json)


def cmd_list(args: argparse.Namespace) -> int:
    api = api_of(args)
    tenant = args.tenant or claims(api.token()).get("custom:tenantId")
    if not tenant:
        raise OrderctlError("this user has no tenant: name one with --tenant")
    rows: list[dict[str, Any]] = []
    cursor = None
    while len(rows) < args.limit:
        page = api.page(str(tenant), min(100, args.limit - len(rows)), cursor, args.status)
        rows.extend(page["items"])
        cursor = page["pagination"]["nextStartAt"]
        if not cursor:
            break
    columns = ["orderNumber", "id", "status", "total", "customerEmail", "dateCreated"]
    emit(rows, columns, args.json, f"{tenant}: {len(rows)} order(s), newest first")
    return 0


# -- seed -------------------------------------------------------------------------------------


def cmd_seed(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from orderctl.completion import Watcher

    if args.orders < 1 or args.tenants < 1:
        raise OrderctlError("--orders and --tenants must be at least 1")
    url = auth.base_url(args.base_url)
    user = args.user or (LOCAL_ADMIN if args.tenants > 1 and auth.is_local(url) else None)
    api = Api(url, token_source(args.token, user, args.region))
    groups = claims(api.token()).get("cognito:groups") or []
    own_tenant = claims(api.token()).get("custom:tenantId")
    if args.tenants > 1 and ADMIN_GROUP not in groups:
        raise OrderctlError(
            f"seeding {args.tenants} tenants needs an admin user (group {ADMIN_GROUP}); "
            f"locally: --user {LOCAL_ADMIN}"
        )
    tenants = tenant_ids(args.tenants) if args.tenants > 1 else [str(own_tenant)]
    if ADMIN_GROUP in groups:  # back-office orders: an administrator sends the priced lines

        def place(body: dict[str, Any]) -> dict[str, Any]:
            return api.create(body)

    else:  # a customer orders carts: each demo order's lines become a cart first
        cart_api = carts.cart_api_url(args.cart_api_url, url)

        def place(body: dict[str, Any]) -> dict[str, Any]:
            return api.create(carts.as_cart_order(api, cart_api, body))

    rng = random.Random(args.random_seed)  # noqa: S311 - demo data
    plan = [
        (
            tenants[i % len(tenants)],
            demo_order(
                rng,
                tenants[i % len(tenants)] if args.tenants > 1 else None,
                simulator=not auth.is_local(url),
            ),
        )
        for i in range(args.orders)
    ]
    created: list[tuple[str, str, float]] = []
    failures: list[str] = []
    columns = (
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console(stderr=True)) as bar:
        creating = bar.add_task("creating", total=len(plan))
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            futures = {pool.submit(place, body): tenant for tenant, body in plan}
            for future in as_completed(futures):
                try:
                    created.append((future.result()["orderId"], futures[future], time.monotonic()))
                except OrderctlError as error:
                    failures.append(str(error))
                bar.advance(creating)
        if args.wait and created:
            watcher = Watcher(target_for(args, url))
            for order_id, tenant, when in created:
                watcher.watch(order_id, tenant, when)
            completing = bar.add_task("completing", total=len(created))
            deadline = time.monotonic() + args.settle
            while (done := watcher.update()) < len(created) and time.monotonic() < deadline:
                bar.update(completing, completed=done)
                time.sleep(1)
            bar.update(completing, completed=done)
    per_tenant = {t: sum(1 for _, tenant, _ in created if tenant == t) for t in tenants}
    emit(
        [{"tenant": t, "orders": n} for t, n in per_tenant.items()], ["tenant", "orders"], args.json
    )
    for failure in failures[:5]:
        say(f"[red]failed[/red] {failure}")
    if failures:
        say(f"{len(failures)} of {len(plan)} orders failed")
        return 1
    return 0


# -- load -------------------------------------------------------------------------------------


def cmd_load(args: argparse.Namespace) -> int:
    from rich.live import Live
    from rich.table import Table

    from orderctl import load as loader
    from orderctl.completion import Watcher

    if args.rate <= 0 or args.duration <= 0:
        raise OrderctlError("--rate and --duration must be positive")
    url = auth.base_url(args.base_url)
    watch_target = target_for(args, url)
    api = Api(url, token_source(args.token, args.user, args.region), timeout_s=30)
    tenant = str(claims(api.token()).get("custom:tenantId"))
    admin = ADMIN_GROUP in (claims(api.token()).get("cognito:groups") or [])
    cart_api = None if admin else carts.cart_api_url(args.cart_api_url, url)
    watcher = Watcher(watch_target)

    def live_table(load: loader.Load, elapsed: float) -> Table:
        creates = list(load.latencies["create"])
        table = Table(
            title=f"load {args.rate:g}/s for {args.duration:g} s against {url}",
            title_justify="left",
        )
        for column in ("elapsed", "requests", "accepted", "errors", "create p95 ms"):
            table.add_column(column, justify="right")
        table.add_row(
            f"{elapsed:5.1f} s",
            str(load.requests),
            str(len(load.accepted)),
            str(sum(load.errors.values())),
            f"{loader.percentile(creates, 95):.0f}",
        )
        return table

    looked = [0.0]

    def tick(load: loader.Load, elapsed: float, live: Live) -> None:
        live.update(live_table(load, elapsed))
        if elapsed - looked[0] >= 2:  # completion is watched while the load runs
            looked[0] = elapsed
            loader.observe(watcher, load)

    with Live(console=console(stderr=True), refresh_per_second=4) as live:
        load = loader.generate(
            api,
            tenant,
            args.rate,
            args.duration,
            simulator=not auth.is_local(url),
            tick=lambda load, elapsed: tick(load, elapsed, live),
            cart_api=cart_api,
        )
    say(f"\nwaiting up to {args.settle:.0f} s for every order's record, PDF and both emails …")
    with Live(console=console(stderr=True), refresh_per_second=2) as live:
        loader.settle(
            watcher,
            load,
            args.settle,
            tick=lambda done, total: live.update(f"complete: {done}/{total}"),
        )
    say("")
    result = loader.summary(load, watcher, args.rate, args.duration)
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(json.dumps(result, indent=2) + "\n")
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        latency = [{"operation": op, **numbers} for op, numbers in result["latency_ms"].items()]
        emit(latency, ["operation", "count", "p50", "p95", "p99", "max"], False, "Latency (ms)")
        errors = [{"request": k, "count": v} for k, v in sorted(result["errors"].items())]
        emit(
            errors or [{"request": "none", "count": 0}],
            ["request", "count"],
            False,
            "Errors by status",
        )
        completion = result["completion"]
        emit(
            [completion],
            list(completion),
            False,
            "End-to-end completion (orders; seconds from POST)",
        )
    complete = result["completion"]["complete"] == result["completion"]["accepted"]
    return 0 if complete and not result["errors"] else 1
