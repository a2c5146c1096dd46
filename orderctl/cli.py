"""The `orderctl` command line: `orderctl --help`, `orderctl <command> --help`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from orderctl import auth
from orderctl.errors import OrderctlError


def cmd_token(args: argparse.Namespace) -> int:
    """Print an ID token."""
    print(auth.id_token(auth.resolve_login(args.user, args.region)))
    return 0


def cmd_smoke(args: argparse.Namespace) -> int:
    """The post-deploy smoke test."""
    from orderctl.carts import cart_api_url
    from orderctl.smoke import Smoke, publish

    url = auth.base_url(args.base_url)

    def token() -> str:
        return auth.id_token(auth.resolve_login(args.user, args.region))

    try:
        cart_api: str | OrderctlError = cart_api_url(args.cart_api_url, url)
    except OrderctlError as none:  # the smoke's cart step reports it
        cart_api = none
    report = Smoke(url, token, timeout_s=args.timeout, cart_api=cart_api).run()
    publish(report, args.report, args.title or f"Smoke test of {url}")
    return 0 if report.passed else 1


def identity(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--user", help=f"who signs in (local stack default: {auth.DEFAULT_LOCAL_USER})"
    )
    command.add_argument("--region", help="the Cognito pool's region (deployed stages)")


def client(command: argparse.ArgumentParser, watches: bool = False) -> None:
    """Options of the commands that call the API."""
    command.add_argument("--base-url", help="the API (default: the local stack)")
    identity(command)
    command.add_argument(
        "--token", help="an ID token to use (default: sign in; or $ORDERCTL_TOKEN)"
    )
    command.add_argument("--json", action="store_true", help="JSON instead of tables")
    command.add_argument(
        "--cart-api-url",
        help="the Cart service customers' orders come from (default: the local stack's stub; "
        "or $ORDERCTL_CART_API_URL)",
    )
    if watches:  # completion is read from the orders table
        command.add_argument("--stage", help="the deployed stage behind --base-url")
        command.add_argument("--profile", help="AWS profile for that stage")
        command.add_argument("--aws-region", help="its region (default: the stage's primary)")


def aws(command: argparse.ArgumentParser) -> None:
    """Options of the commands that call AWS directly (the queues)."""
    command.add_argument("--stage", help="a deployed stage (dev, sit, prod); default: local")
    command.add_argument("--profile", help="AWS profile for a deployed stage")
    command.add_argument(
        "--region", help="a deployed stage's region (default: its primary; PROD's DR: eu-west-1)"
    )
    command.add_argument("--json", action="store_true", help="JSON instead of a table")


def add_token_and_smoke(commands: Any) -> None:
    token = commands.add_parser("token", help="print an ID token (Cognito InitiateAuth)")
    token.add_argument("user", nargs="?", help="username (default: alice, or ORDERCTL_USERNAME)")
    token.add_argument("--region", help="the Cognito pool's region (deployed stages)")
    token.set_defaults(handler=cmd_token)

    smoke = commands.add_parser(
        "smoke",
        help="post-deploy check: health, sign-in, a cart ordered through record and PDF, cancel",
    )
    smoke.add_argument("--base-url", help="the API, e.g. https://api-dev.bbws.io")
    smoke.add_argument(
        "--cart-api-url",
        help="the stage's Cart service, where the smoke user makes its cart "
        "(default: the local stack's stub; or $ORDERCTL_CART_API_URL)",
    )
    identity(smoke)
    smoke.add_argument(
        "--timeout", type=float, default=120, help="seconds to wait for the record and the PDF"
    )
    smoke.add_argument("--report", type=Path, help="write the result as JSON here")
    smoke.add_argument("--title", help="heading of the GitHub job summary")
    smoke.set_defaults(handler=cmd_smoke)


def add_orders(commands: Any) -> None:
    from orderctl import api_commands as api

    orders = commands.add_parser("orders", help="create, get and list orders")
    actions = orders.add_subparsers(dest="orders_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="place a demo order (202)")
    create.add_argument("--email", help="the customer's email (default: a demo customer)")
    create.add_argument("--tenant", help="admins only: a back-office order for this tenant")
    create.add_argument("--cart", help="order this cart (default: a new cart of demo lines)")
    create.add_argument("--wait", action="store_true", help="wait for the record and show it")
    client(create)
    create.set_defaults(handler=api.cmd_create)
    pay = actions.add_parser(
        "pay",
        help="mark an order paid as the payment system (locally payments@bbws.example)",
        description="Reads the order and PUTs PAID for its total with If-Match. Only the "
        "`payments` group may; on a deployed stage sign in as the payment system's identity.",
    )
    pay.add_argument("order_id")
    pay.add_argument("--method", default="eft", help="the payment method to record (default eft)")
    client(pay)
    pay.set_defaults(handler=api.cmd_pay)
    get = actions.add_parser("get", help="one order")
    get.add_argument("order_id")
    client(get)
    get.set_defaults(handler=api.cmd_get)
    listing = actions.add_parser("list", help="a tenant's orders, newest first")
    listing.add_argument("--tenant", help="default: the signed-in user's tenant")
    listing.add_argument("--status", help="only orders in this status (PENDING, PAID, …)")
    listing.add_argument("--limit", type=int, default=20, help="at most this many")
    client(listing)
    listing.set_defaults(handler=api.cmd_list)


def add_seed_and_load(commands: Any) -> None:
    from orderctl import api_commands as api

    seed = commands.add_parser("seed", help="realistic demo orders across tenants")
    seed.add_argument("--orders", type=int, required=True, help="how many orders")
    seed.add_argument("--tenants", type=int, default=1, help="spread over this many tenants")
    seed.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    seed.add_argument("--random-seed", type=int, default=7, help="the same data every time")
    seed.add_argument(
        "--no-wait", dest="wait", action="store_false", help="do not wait for PDFs and emails"
    )
    seed.add_argument("--settle", type=float, default=300, help="seconds to wait for completion")
    client(seed, watches=True)
    seed.set_defaults(handler=api.cmd_seed)

    load = commands.add_parser("load", help="traffic at a rate, then latencies and completion")
    load.add_argument(
        "--rate", type=float, required=True, help="orders per second (plus as many reads)"
    )
    load.add_argument("--duration", type=float, required=True, help="seconds of traffic")
    load.add_argument("--settle", type=float, default=300, help="seconds to wait for completion")
    load.add_argument("--report", type=Path, help="write the numbers as JSON here")
    client(load, watches=True)
    load.set_defaults(handler=api.cmd_load)


def add_dlq(commands: Any) -> None:
    from orderctl import dlq_commands as dlq

    parent = commands.add_parser("dlq", help="dead-letter queues: list, show, redrive")
    actions = parent.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="counts of every work queue and its DLQ")
    aws(listing)
    listing.set_defaults(handler=dlq.cmd_dlq_list)
    show = actions.add_parser("show", help="previews of a DLQ's messages and why they failed")
    show.add_argument("queue", help="record, pdf, internal or customer (or a queue name)")
    show.add_argument("--limit", type=int, default=10, help="at most this many (default 10)")
    aws(show)
    show.set_defaults(handler=dlq.cmd_dlq_show)
    redrive = actions.add_parser(
        "redrive", help="move a DLQ's messages back to its work queue (nothing lost if stopped)"
    )
    redrive.add_argument("queue", help="record, pdf, internal or customer (or a queue name)")
    redrive.add_argument(
        "--rate", type=float, help="at most this many messages per second (spare SES, say)"
    )
    redrive.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    aws(redrive)
    redrive.set_defaults(handler=dlq.cmd_dlq_redrive)


def add_repair(commands: Any) -> None:
    from orderctl.repair_commands import cmd_repair

    repair = commands.add_parser(
        "repair",
        help="find stored orders that no longer parse; --apply rewrites or quarantines them",
    )
    repair.add_argument(
        "--apply", action="store_true", help="change the table (default: only report)"
    )
    repair.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    aws(repair)
    repair.set_defaults(handler=cmd_repair)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="orderctl",
        description="Operate the BBWS Order service: the local stack by default, any stage "
        "with --base-url (API) or --stage and --profile (queues). Deployed stages sign in with "
        "ORDERCTL_CLIENT_ID, ORDERCTL_USERNAME, ORDERCTL_PASSWORD and ORDERCTL_COGNITO_REGION.",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_token_and_smoke(commands)
    add_orders(commands)
    add_seed_and_load(commands)
    add_dlq(commands)
    add_repair(commands)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except OrderctlError as error:
        print(f"orderctl: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("orderctl: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `orderctl … | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # a bug or an unforeseen failure: say so without a wall of text
        if os.environ.get("ORDERCTL_DEBUG"):
            raise
        print(
            f"orderctl: unexpected {type(error).__name__}: {error} "
            "(ORDERCTL_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1
