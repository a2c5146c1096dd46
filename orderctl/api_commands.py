"""The API-facing commands: orders create|get|list, seed, load."""

from __future__ import annotations

import json
import random
import re
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from chalicelib.api.params import ORDER_NUMBER_PATTERN
from chalicelib.clock import iso, utc_now
from orderctl import carts
from orderctl.api import Api, claims, token_source
from orderctl.context import Args, api_url_of, profile_of, refuse_production, target_of
from orderctl.demo import order as demo_order
from orderctl.demo import tenant_ids
from orderctl.errors import NotFound, OrderctlError, UsageError
from orderctl.output import body, confirm, console, emit, say

ADMIN_GROUP = "admin"
LOCAL_ADMIN = "ops@bbws.example"
LOCAL_PAYMENTS = "payments@bbws.example"  # the payment system's identity on the local stack


def api_of(args: Args, user: str | None = None, timeout_s: float = 30) -> Api:
    """The profile's API, signed in as `user` (else --user, else the profile's)."""
    profile = profile_of(args)
    return Api(
        api_url_of(profile),
        token_source(args.token, profile, user or args.user),
        timeout_s=timeout_s,
        local=profile.local,
    )


# -- orders -----------------------------------------------------------------------------------


def cmd_create(args: Args) -> int:
    api = api_of(args)
    rng = random.Random()  # noqa: S311 - demo data
    request = demo_order(rng, tenant_id=args.tenant, simulator=not profile_of(args).local)
    if args.email:
        request["customerEmail"] = args.email
    if args.cart:  # a cart made elsewhere (the portal)
        if args.tenant:
            raise UsageError("--cart and --tenant exclude each other: a cart is its tenant's")
        request = carts.cart_body(args.cart, request)
    elif not args.tenant:  # a customer: the demo lines become a cart first
        request = carts.as_cart_order(api, carts.cart_api_url(profile_of(args)), request)
    accepted = api.create(request)
    if args.wait:
        deadline = time.monotonic() + 30
        while api.send("GET", f"/v1.0/orders/{accepted['orderId']}").status_code == 404:
            if time.monotonic() > deadline:
                raise OrderctlError(f"order {accepted['orderId']} was not recorded within 30 s")
            time.sleep(0.25)
        return show_order(api.call("GET", f"/v1.0/orders/{accepted['orderId']}"), args.json)
    if args.json:
        body(accepted)
        return 0
    emit(
        [accepted | {"links": accepted["links"]["self"]}],
        ["orderId", "tenantId", "status", "links"],
        False,
    )
    return 0


def show_order(order: dict[str, Any], as_json: bool) -> int:
    if as_json:
        body(order)
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


ORDER_NUMBER = re.compile(ORDER_NUMBER_PATTERN)  # the API's own rule for `orderNumber`


def find(api: Api, reference: str, tenant: str | None) -> dict[str, Any]:
    """An order by id, or by the number a customer quotes (`ORD-EU-0000022`): the GET's body.

    A number is unique within a tenant: the caller's own, or `--tenant` for an admin.
    """
    if not ORDER_NUMBER.fullmatch(reference):
        return api.get(reference)
    caller = claims(api.token())
    within = tenant or caller.get("custom:tenantId")
    if not within:
        raise UsageError(f"order numbers are per tenant: name the tenant of {reference} (--tenant)")
    page = api.page(str(within), 1, None, None, order_number=reference)
    if not page["items"]:
        admin = ADMIN_GROUP in (caller.get("cognito:groups") or [])
        hint = " (your own; name the order's tenant with --tenant)" if admin and not tenant else ""
        raise NotFound(f"no order {reference} in tenant {within}{hint}")
    return api.get(page["items"][0]["id"])


def as_payment_system(args: Args) -> tuple[Api, dict[str, Any]]:
    """The API as the payment system (locally payments@bbws.example) and the order named."""
    api = api_of(args, args.user or (LOCAL_PAYMENTS if profile_of(args).local else None))
    return api, find(api, args.order_id, args.tenant)


def put_if_unchanged(api: Api, order: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """PUT the change with If-Match on the version read: a change made meanwhile is a conflict
    (exit 5), never overwritten."""
    return api.call(
        "PUT",
        f"/v1.0/orders/{order['id']}",
        json=body,
        headers={"If-Match": f'"{order["version"]}"'},
    )


def whole_order(order: dict[str, Any]) -> dict[str, str]:
    """A payment's or refund's amount: the order's total in its currency, and a reference."""
    reference = f"orderctl-{uuid.uuid4().hex[:12]}"
    return {"amount": order["total"], "currency": order["currency"], "reference": reference}


def cmd_pay(args: Args) -> int:
    """Mark an order paid as the payment system would: read it, then PUT PAID with If-Match."""
    api, order = as_payment_system(args)
    money = whole_order(order)
    payment = {
        "paymentId": money.pop("reference"),
        "provider": "orderctl",
        "method": args.method,
        **money,
        "paidAt": iso(utc_now()),
    }
    paid = put_if_unchanged(api, order, {"status": "PAID", "paymentDetails": payment})
    return show_order(paid, args.json)


def cmd_refund(args: Args) -> int:
    """Refund an order in full as the payment system would: read it, ask, PUT REFUNDED."""
    api, order = as_payment_system(args)
    label = f"{order['orderNumber']} ({order['total']} {order['currency']}, {order['status']})"
    if not confirm(f"Refund order {label} in full?", args.yes):
        say("nothing changed")
        return 1
    money = whole_order(order)
    refund = {
        "refundId": money.pop("reference"),
        **money,
        "refundedAt": iso(utc_now()),
        "reason": args.reason,
    }
    refunded = put_if_unchanged(api, order, {"status": "REFUNDED", "refundDetails": refund})
    return show_order(refunded, args.json)


def cmd_fail_payment(args: Args) -> int:
    """Record a failed payment as the payment system would (PAYMENT_FAILED, If-Match)."""
    api, order = as_payment_system(args)
    return show_order(put_if_unchanged(api, order, {"status": "PAYMENT_FAILED"}), args.json)


def cmd_get(args: Args) -> int:
    return show_order(find(api_of(args), args.order_id, args.tenant), args.json)


# Support's status changes (API.md: admins move orders to PROCESSING, COMPLETED, CANCELLED;
# a customer may cancel their own unpaid order).
STATUS_OF_ACTION = {"cancel": "CANCELLED", "process": "PROCESSING", "complete": "COMPLETED"}


def cmd_set_status(args: Args) -> int:
    """Read the order, ask (cancel), then PUT the status with If-Match: a change made meanwhile
    is a conflict (exit 5), never overwritten."""
    api = api_of(args, args.user or (LOCAL_ADMIN if profile_of(args).local else None))
    order = find(api, args.order_id, args.tenant)
    status = STATUS_OF_ACTION[args.orders_command]
    label = f"{order['orderNumber']} ({order['id']}, tenant {order['tenantId']}, {order['status']})"
    if args.orders_command == "cancel" and not confirm(f"Cancel order {label}?", args.yes):
        say("nothing changed")
        return 1
    changed = put_if_unchanged(api, order, {"status": status})
    if not args.json:
        say(f"{order['orderNumber']}: {order['status']} → {changed['status']}")
    return show_order(changed, args.json)


def cmd_list(args: Args) -> int:
    api = api_of(args)
    tenant = args.tenant or claims(api.token()).get("custom:tenantId")
    if not tenant:
        raise UsageError("this user has no tenant: name one with --tenant")
    rows: list[dict[str, Any]] = []
    cursor = None
    while len(rows) < args.limit:
        page = api.page(str(tenant), min(100, args.limit - len(rows)), cursor, args.status)
        if args.json:  # each page as the API sent it, one JSON document per line
            sys.stdout.write(json.dumps(page) + "\n")
        rows.extend(page["items"])
        cursor = page["pagination"]["nextStartAt"]
        if not cursor:
            break
    if args.json:
        return 0
    columns = ["orderNumber", "id", "status", "total", "customerEmail", "dateCreated"]
    emit(rows, columns, False, f"{tenant}: {len(rows)} order(s), newest first")
    return 0


# -- seed -------------------------------------------------------------------------------------


def cmd_seed(args: Args) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from orderctl.completion import Watcher

    refuse_production(args, "seeding demo orders")
    user = args.user or (LOCAL_ADMIN if args.tenants > 1 and profile_of(args).local else None)
    api = api_of(args, user)
    groups = claims(api.token()).get("cognito:groups") or []
    own_tenant = claims(api.token()).get("custom:tenantId")
    if args.tenants > 1 and ADMIN_GROUP not in groups:
        raise UsageError(
            f"seeding {args.tenants} tenants needs an admin user (group {ADMIN_GROUP}); "
            f"locally: --user {LOCAL_ADMIN}"
        )
    tenants = tenant_ids(args.tenants) if args.tenants > 1 else [str(own_tenant)]
    if ADMIN_GROUP in groups:  # back-office orders: an administrator sends the priced lines

        def place(body: dict[str, Any]) -> dict[str, Any]:
            return api.create(body)

    else:  # a customer orders carts: each demo order's lines become a cart first
        cart_api = carts.cart_api_url(profile_of(args))

        def place(body: dict[str, Any]) -> dict[str, Any]:
            return api.create(carts.as_cart_order(api, cart_api, body))

    rng = random.Random(args.random_seed)  # noqa: S311 - demo data
    plan = [
        (
            tenants[i % len(tenants)],
            demo_order(
                rng,
                tenants[i % len(tenants)] if args.tenants > 1 else None,
                simulator=not profile_of(args).local,
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
            watcher = Watcher(target_of(args))
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


def cmd_load(args: Args) -> int:
    from rich.live import Live
    from rich.table import Table

    from orderctl import load as loader
    from orderctl.completion import Watcher

    refuse_production(args, "generating load")
    watch_target = target_of(args)
    api = api_of(args)
    url = api.base_url
    tenant = str(claims(api.token()).get("custom:tenantId"))
    admin = ADMIN_GROUP in (claims(api.token()).get("cognito:groups") or [])
    cart_api = None if admin else carts.cart_api_url(profile_of(args))
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
            simulator=not profile_of(args).local,
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
