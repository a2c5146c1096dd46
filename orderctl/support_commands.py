"""Support's document commands: `orders rerender|resend-email ORDER`, `documents backfill`.

All go through the API's admin-only routes with the operator's token (locally the demo admin,
ops@bbws.example); nothing writes the table or the bucket directly.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from chalicelib.models.support import SupportAction
from orderctl import backfill, signals
from orderctl.api import Api
from orderctl.api_commands import LOCAL_ADMIN, api_of, find
from orderctl.context import Args, profile_of
from orderctl.errors import RemoteFailure, UsageError
from orderctl.output import body, confirm, console, emit, say

ACTION_OF_COMMAND = {
    "rerender": SupportAction.RERENDER_DOCUMENT,
    "resend-email": SupportAction.RESEND_EMAIL,
}


def action_path(order_id: str, action: SupportAction) -> str:
    """The API's route of a support action on one order."""
    return f"/v1.0/orders/{order_id}/{action.value}"


def admin_api(args: Args) -> Api:
    return api_of(args, args.user or (LOCAL_ADMIN if profile_of(args).local else None))


def cmd_support(args: Args) -> int:
    """`orders rerender ORDER` / `orders resend-email ORDER`: queue it, print the 202's body."""
    api = admin_api(args)
    order = find(api, args.order_id, args.tenant)
    label = f"{order['orderNumber']} ({order['id']}, tenant {order['tenantId']})"
    if args.orders_command == "resend-email" and not confirm(
        f"Email {order['customerEmail']} again about order {label}?", args.yes
    ):
        say("nothing sent")
        return 1
    headers = {"Idempotency-Key": args.idempotency_key} if args.idempotency_key else {}
    accepted = api.call(
        "POST",
        action_path(order["id"], ACTION_OF_COMMAND[args.orders_command]),
        202,
        headers=headers,
    )
    if args.json:
        body(accepted)
        return 0
    emit(
        [
            {"field": k, "value": accepted[k]}
            for k in ("action", "orderId", "tenantId", "document", "requestId")
        ],
        ["field", "value"],
        False,
        f"{order['orderNumber']}: {accepted['action']} queued for the document renderer",
    )
    return 0


class ApiClient:
    """`backfill.Client` over the API."""

    def __init__(self, api: Api) -> None:
        self._api = api

    def page(
        self, tenant_id: str, page_size: int, start_at: str | None, status: str | None
    ) -> dict[str, Any]:
        return self._api.page(tenant_id, page_size, start_at, status)

    def rerender(self, order_id: str, idempotency_key: str) -> backfill.Answer:
        response = self._api.send(
            "POST",
            action_path(order_id, SupportAction.RERENDER_DOCUMENT),
            headers={"Idempotency-Key": idempotency_key},
        )
        status = response.status_code
        if status == 202:
            return backfill.Answer("done")
        if status == 429:
            return backfill.Answer(
                "retry", retry_after_s=float(response.headers.get("Retry-After") or 60)
            )
        if status in (404, 409):  # gone, or no document any more: nothing to re-render
            return backfill.Answer("skipped", self._api.explain(response))
        if status in (401, 403):  # the whole run would fail the same way
            raise self._api.error(response)
        return backfill.Answer("failed", self._api.explain(response))


def scope_of(args: Args) -> backfill.Scope:
    try:
        start = backfill.day_or_instant(args.start, end=False)
        end = backfill.day_or_instant(args.end, end=True)
    except ValueError as error:
        raise UsageError(
            f"--from/--to: {error} (a day 2026-11-01, or an instant with a zone)"
        ) from None
    if end <= start:
        raise UsageError(f"--to ({args.end}) is before --from ({args.start})")
    return backfill.Scope(tuple(dict.fromkeys(args.tenant)), start, end, args.status)


def cmd_backfill(args: Args) -> int:
    """Plan (or show the plan: --dry-run), ask, then re-render with a progress bar."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    scope = scope_of(args)
    api = admin_api(args)
    client = ApiClient(api)
    digest = scope.digest(api.base_url)
    path = args.state or backfill.default_state_file(digest)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        console=console(stderr=True),
        transient=True,
    ) as bar:
        listing = bar.add_task(f"listing orders of {scope.describe()}", total=None)
        found = backfill.plan(
            client,
            scope,
            lambda n: bar.update(listing, description=f"listing orders: {n} read"),
        )
    state = None if args.restart or args.dry_run else _load(path, digest)
    pending = [o for o in found.orders if state is None or not state.settled(o.order_id)]
    if args.dry_run:
        return _show_plan(found, scope, args.json)
    if state is not None and len(pending) < len(found.orders):
        say(f"resuming run {state.run}: {len(found.orders) - len(pending)} already done ({path})")
    if not pending:
        say(f"nothing to re-render in {scope.describe()}")
        _finish(path, state or backfill.new_state(digest), found, args.json)
        return 0
    if not confirm(
        f"Re-render {len(pending)} document(s) of {scope.describe()} at {args.rate:g}/s "
        f"(about {len(pending) / args.rate:.0f} s)?",
        args.yes,
    ):
        say("nothing re-rendered")
        return 1
    state = state or backfill.new_state(digest)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    try:
        with signals.interrupting(), Progress(*columns, console=console(stderr=True)) as bar:
            task = bar.add_task("re-rendering", total=len(pending))
            backfill.run(
                client,
                pending,
                state,
                save=lambda s: s.save(path),
                pace=backfill.Pace(args.rate),
                advance=lambda order, outcome: bar.update(
                    task, advance=1, description="re-rendering"
                ),
                waiting=lambda order, seconds: bar.update(
                    task,
                    # a 429: someone re-rendered it moments ago
                    description=f"{order.order_number or order.order_id}: 429, waiting "
                    f"{seconds:.0f} s",
                ),
            )
    except KeyboardInterrupt:
        say(
            f"interrupted: {len(state.done)} done, the rest left; the same command resumes "
            f"(state: {path})"
        )
        raise
    return _finish(path, state, found, args.json)


def _load(path: Path, digest: str) -> backfill.State | None:
    try:
        return backfill.State.load(path, digest)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _show_plan(found: backfill.Plan, scope: backfill.Scope, as_json: bool) -> int:
    rows = [asdict(o) for o in found.orders]
    if as_json:
        body({"orders": rows, "withoutDocument": found.without_document, "dryRun": True})
        return 0
    columns = ["order_number", "order_id", "tenant_id", "status", "document", "created"]
    emit(rows, columns, False, f"dry run: would re-render {len(rows)} document(s)")
    say(
        f"{len(rows)} to re-render in {scope.describe()}; {found.without_document} without a "
        "document yet (left to the renderer). Nothing was sent."
    )
    return 0


def _finish(path: Path, state: backfill.State, found: backfill.Plan, as_json: bool) -> int:
    summary = {
        "run": state.run,
        "rerendered": len(state.done),
        "skipped": len(state.skipped),
        "failed": len(state.failed),
        "withoutDocument": found.without_document,
    }
    if as_json:
        sys.stdout.write(json.dumps(summary | {"failures": state.failed}) + "\n")
    else:
        emit([summary], list(summary), False, "backfill")
        for order_id, why in list(state.failed.items())[:5]:
            say(f"[red]failed[/red] {order_id}: {why}")
        for order_id, why in list(state.skipped.items())[:5]:
            say(f"skipped {order_id}: {why}")
    if state.failed:
        say(f"{len(state.failed)} failed: run the same command again to retry them ({path})")
        return RemoteFailure.exit_code
    path.unlink(missing_ok=True)
    return 0
