"""The `orderctl` command line: `orderctl --help`, `orderctl <command> --help`.

Every command takes the same target and output flags (`common`): a profile (`--profile`, see
orderctl/profiles.py) and what may override it. Exit codes: orderctl/errors.py.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from orderctl.context import PRODUCTION_FLAG, api_url_of, profile_of
from orderctl.errors import INTERRUPTED, REMOTE, USAGE, OrderctlError
from orderctl.profiles import hint


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("bbws-order-lambda")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


class Parser(argparse.ArgumentParser):
    """argparse that suggests the closest command ("did you mean") and exits 2 (usage)."""

    options: tuple[str, ...] = ()  # every flag of every command (set on the top parser)

    def error(self, message: str) -> NoReturn:
        match = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if match:
            choices = re.findall(r"'([^']*)'", match.group(2))
            message += hint(match.group(1), choices)
        unknown = re.search(r"unrecognized arguments: (--[^\s=]+)", message)
        if unknown:
            message += hint(unknown.group(1), self.options)
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog}: error: {message}\n")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not more than 0")
    return value


def common() -> argparse.ArgumentParser:
    """The flags every command takes, with the same names and meanings everywhere."""
    flags = argparse.ArgumentParser(add_help=False)
    target = flags.add_argument_group("target (override the profile)")
    target.add_argument(
        "--profile",
        help="a profile of ~/.config/orderctl/config.toml, or local (the dev stack; the "
        "default); $ORDERCTL_PROFILE",
    )
    target.add_argument("--base-url", help="the API; $ORDERCTL_BASE_URL")
    target.add_argument("--cart-api-url", help="the Cart service; $ORDERCTL_CART_API_URL")
    target.add_argument(
        "--user", help="who signs in (local: a demo user, alice by default); $ORDERCTL_USERNAME"
    )
    target.add_argument("--cognito-region", help="the user pool's region")
    target.add_argument("--token", help="an ID token to use instead of signing in; $ORDERCTL_TOKEN")
    target.add_argument("--stage", help="whose resource names: dev, sit, prod, sbx-…")
    target.add_argument("--aws-profile", help="the AWS profile of the queue and table commands")
    target.add_argument("--aws-region", help="their region (default: the stage's primary)")
    out = flags.add_argument_group("output")
    out.add_argument(
        "--json",
        action="store_true",
        help="the API's body (one object for one object); the default is a table on a "
        "terminal, tab-separated values when piped",
    )
    return flags


def cmd_token(args: argparse.Namespace) -> int:
    """Print an ID token."""
    from orderctl import auth

    print(auth.id_token(auth.login_for(profile_of(args), args.username or args.user)))
    return 0


def cmd_smoke(args: argparse.Namespace) -> int:
    """The post-deploy smoke test."""
    from orderctl import auth
    from orderctl.carts import cart_api_url
    from orderctl.smoke import Smoke, publish

    profile = profile_of(args)
    api_url = api_url_of(profile)

    def token() -> str:
        return auth.id_token(auth.login_for(profile, args.user))

    try:
        cart_api: str | OrderctlError = cart_api_url(profile)
    except OrderctlError as none:  # the smoke's cart step reports it
        cart_api = none
    report = Smoke(api_url, token, timeout_s=args.timeout, cart_api=cart_api).run()
    publish(report, args.report, args.title or f"Smoke test of {api_url}")
    return 0 if report.passed else 1


def cmd_profiles(args: argparse.Namespace) -> int:
    """The profiles this machine knows, and which one is in use."""
    from orderctl import profiles
    from orderctl.output import emit

    path = profiles.config_file()
    document = profiles.read_config(path)
    configured = document.get("profiles", {})
    current = profiles.chosen_name(args.profile, document)
    rows = [
        {
            "profile": profiles.LOCAL,
            "stage": "local",
            "api_url": "(the running dev stack's)",
            "in_use": "yes" if current in (None, profiles.LOCAL) else "",
        }
    ]
    rows += [
        {
            "profile": name,
            "stage": settings.get("stage", ""),
            "api_url": settings.get("api_url", ""),
            "in_use": "yes" if name == current else "",
        }
        for name, settings in configured.items()
    ]
    emit(rows, ["profile", "stage", "api_url", "in_use"], args.json, f"Profiles ({path})")
    return 0


def add_token_smoke_profiles(commands: Any, flags: argparse.ArgumentParser) -> None:
    token = commands.add_parser(
        "token", parents=[flags], help="print an ID token (Cognito InitiateAuth)"
    )
    token.add_argument("username", nargs="?", help="who (the same as --user)")
    token.set_defaults(handler=cmd_token)

    smoke = commands.add_parser(
        "smoke",
        parents=[flags],
        help="post-deploy check: health, sign-in, a cart ordered through record and PDF, cancel",
    )
    smoke.add_argument(
        "--timeout",
        type=positive_float,
        default=120,
        help="seconds to wait for the record and the PDF",
    )
    smoke.add_argument("--report", type=Path, help="write the result as JSON here")
    smoke.add_argument("--title", help="heading of the GitHub job summary")
    smoke.set_defaults(handler=cmd_smoke)

    listing = commands.add_parser(
        "profiles", parents=[flags], help="the configured profiles and the one in use"
    )
    listing.set_defaults(handler=cmd_profiles)


def add_orders(commands: Any, flags: argparse.ArgumentParser) -> None:
    from orderctl import api_commands as api

    orders = commands.add_parser(
        "orders",
        help="create, look up (id or number), list, pay, fail-payment, refund, cancel, process, "
        "complete, rerender, resend-email",
    )
    actions = orders.add_subparsers(dest="orders_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", parents=[flags], help="place a demo order (202)")
    create.add_argument("--email", help="the customer's email (default: a demo customer)")
    create.add_argument("--tenant", help="admins only: a back-office order for this tenant")
    create.add_argument("--cart", help="order this cart (default: a new cart of demo lines)")
    create.add_argument("--wait", action="store_true", help="wait for the record and show it")
    create.set_defaults(handler=api.cmd_create)
    reference = argparse.ArgumentParser(add_help=False)
    reference.add_argument("order_id", metavar="ORDER", help="an order id, or its number ORD-…")
    reference.add_argument(
        "--tenant", help="the tenant of an order number (admins; default: the caller's own)"
    )
    pay = actions.add_parser(
        "pay",
        parents=[reference, flags],
        help="mark an order paid as the payment system (locally payments@bbws.example)",
        description="Reads the order and PUTs PAID for its total with If-Match. Only the "
        "`payments` group may; on a deployed stage sign in as the payment system's identity.",
    )
    pay.add_argument("--method", default="eft", help="the payment method to record (default eft)")
    pay.set_defaults(handler=api.cmd_pay)
    refund = actions.add_parser(
        "refund",
        parents=[reference, flags],
        help="refund an order in full as the payment system (asks first; --yes off a terminal)",
        description="Reads the order and PUTs REFUNDED with refund details for its total, "
        "If-Match. The reason is printed on the credit note (1-200 characters).",
    )
    refund.add_argument("--reason", required=True, help="why it was refunded (on the credit note)")
    refund.add_argument("--yes", action="store_true", help="do not ask")
    refund.set_defaults(handler=api.cmd_refund)
    failed = actions.add_parser(
        "fail-payment",
        parents=[reference, flags],
        help="record a failed payment as the payment system (the customer is emailed)",
    )
    failed.set_defaults(handler=api.cmd_fail_payment)
    get = actions.add_parser("get", parents=[reference, flags], help="one order, by id or number")
    get.set_defaults(handler=api.cmd_get)
    for action, what in (
        ("cancel", "cancel an order (asks first; --yes off a terminal)"),
        ("process", "mark an order PROCESSING (admins)"),
        ("complete", "mark an order COMPLETED (admins)"),
    ):
        change = actions.add_parser(action, parents=[reference, flags], help=what)
        if action == "cancel":
            change.add_argument("--yes", action="store_true", help="do not ask")
        change.set_defaults(handler=api.cmd_set_status)
    add_support_actions(actions, reference, flags)
    listing = actions.add_parser(
        "list",
        parents=[flags],
        help="a tenant's orders, newest first",
        description="With --json, each page the API returned, one JSON document per line "
        "(a single page is exactly the API's body).",
    )
    listing.add_argument("--tenant", help="default: the signed-in user's tenant")
    listing.add_argument("--status", help="only orders in this status (PENDING, PAID, …)")
    listing.add_argument(
        "--limit", type=positive_int, default=20, help="at most this many (default 20)"
    )
    listing.set_defaults(handler=api.cmd_list)


def add_support_actions(
    actions: Any, reference: argparse.ArgumentParser, flags: argparse.ArgumentParser
) -> None:
    from orderctl import support_commands as support

    key = argparse.ArgumentParser(add_help=False)
    key.add_argument(
        "--idempotency-key", help="a retry with the same key is answered, not run, again"
    )
    rerender = actions.add_parser(
        "rerender",
        parents=[reference, key, flags],
        help="render the order's current document afresh, a new version (admins; no email)",
        description="POST /v1.0/orders/{id}/rerender-document: queued for the document "
        "renderer (202). At most once a minute per order (exit 6 with the wait otherwise).",
    )
    rerender.set_defaults(handler=support.cmd_support)
    resend = actions.add_parser(
        "resend-email",
        parents=[reference, key, flags],
        help="email the customer the current document again (admins; asks first)",
        description="POST /v1.0/orders/{id}/resend-email: the current document's email, with "
        "the stored version attached. At most once in five minutes per order.",
    )
    resend.add_argument("--yes", action="store_true", help="do not ask (required off a terminal)")
    resend.set_defaults(handler=support.cmd_support)


def add_documents(commands: Any, flags: argparse.ArgumentParser) -> None:
    from orderctl import support_commands as support
    from orderctl.register_commands import add_register

    parent = commands.add_parser("documents", help="the documents register: list; backfill")
    actions = parent.add_subparsers(dest="documents_command", required=True, metavar="ACTION")
    add_register(actions, commands, flags)
    backfill = actions.add_parser(
        "backfill",
        parents=[flags],
        help="re-render the documents of orders created in a date range (after a template change)",
        description="Lists each tenant's orders created from --from to --to (UTC days, both "
        "included) that have a document, then re-renders each through the API at --rate, with "
        "a progress bar. Progress is saved after each order: the same command resumes an "
        "interrupted run (--restart starts again). --dry-run lists and sends nothing.",
    )
    backfill.add_argument(
        "--tenant", action="append", required=True, help="a tenant (repeat for several)"
    )
    backfill.add_argument(
        "--from", dest="start", metavar="DAY", required=True, help="first day, 2026-11-01"
    )
    backfill.add_argument(
        "--to", dest="end", metavar="DAY", required=True, help="last day, 2026-11-30"
    )
    backfill.add_argument("--status", help="only orders in this status now (PAID, …)")
    backfill.add_argument(
        "--rate", type=positive_float, default=5, help="re-renders per second (default 5)"
    )
    backfill.add_argument("--dry-run", action="store_true", help="list what would be re-rendered")
    backfill.add_argument("--restart", action="store_true", help="ignore a saved run")
    backfill.add_argument(
        "--state", type=Path, help="the progress file (default ~/.local/state/orderctl/…)"
    )
    backfill.add_argument("--yes", action="store_true", help="do not ask (required off a terminal)")
    backfill.set_defaults(handler=support.cmd_backfill)


def add_seed_and_load(commands: Any, flags: argparse.ArgumentParser) -> None:
    from orderctl import api_commands as api

    production = argparse.ArgumentParser(add_help=False)
    production.add_argument(PRODUCTION_FLAG, action="store_true", help="allow a production profile")
    seed = commands.add_parser(
        "seed", parents=[flags, production], help="realistic demo orders across tenants"
    )
    seed.add_argument("--orders", type=positive_int, required=True, help="how many orders")
    seed.add_argument(
        "--tenants", type=positive_int, default=1, help="spread over this many tenants"
    )
    seed.add_argument("--concurrency", type=positive_int, default=8, help="requests in flight")
    seed.add_argument("--random-seed", type=int, default=7, help="the same data every time")
    seed.add_argument(
        "--no-wait", dest="wait", action="store_false", help="do not wait for PDFs and emails"
    )
    seed.add_argument(
        "--settle", type=positive_float, default=300, help="seconds to wait for completion"
    )
    seed.set_defaults(handler=api.cmd_seed)

    load = commands.add_parser(
        "load",
        parents=[flags, production],
        help="traffic at a rate, then latencies and completion",
    )
    load.add_argument(
        "--rate", type=positive_float, required=True, help="orders per second (plus as many reads)"
    )
    load.add_argument("--duration", type=positive_float, required=True, help="seconds of traffic")
    load.add_argument(
        "--settle", type=positive_float, default=300, help="seconds to wait for completion"
    )
    load.add_argument("--report", type=Path, help="write the numbers as JSON here")
    load.set_defaults(handler=api.cmd_load)


def add_dlq(commands: Any, flags: argparse.ArgumentParser) -> None:
    from orderctl import dlq_commands as dlq

    parent = commands.add_parser("dlq", help="dead-letter queues: list, show, redrive")
    actions = parent.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    listing = actions.add_parser(
        "list", parents=[flags], help="counts of every work queue and its DLQ"
    )
    listing.set_defaults(handler=dlq.cmd_dlq_list)
    show = actions.add_parser(
        "show", parents=[flags], help="previews of a DLQ's messages and why they failed"
    )
    show.add_argument("queue", help="record, pdf, internal or customer (or a queue name)")
    show.add_argument(
        "--limit", type=positive_int, default=10, help="at most this many (default 10)"
    )
    show.set_defaults(handler=dlq.cmd_dlq_show)
    redrive = actions.add_parser(
        "redrive",
        parents=[flags],
        help="move a DLQ's messages back to its work queue (nothing lost if stopped)",
    )
    redrive.add_argument("queue", help="record, pdf, internal or customer (or a queue name)")
    redrive.add_argument(
        "--rate", type=positive_float, help="at most this many messages per second (spare SES)"
    )
    redrive.add_argument("--yes", action="store_true", help="do not ask (required off a terminal)")
    redrive.set_defaults(handler=dlq.cmd_dlq_redrive)


def add_repair(commands: Any, flags: argparse.ArgumentParser) -> None:
    from orderctl.repair_commands import cmd_repair

    repair = commands.add_parser(
        "repair",
        parents=[flags],
        help="find stored orders that no longer parse; --apply rewrites or quarantines them",
    )
    repair.add_argument(
        "--apply", action="store_true", help="change the table (default: only report)"
    )
    repair.add_argument("--yes", action="store_true", help="do not ask (required off a terminal)")
    repair.set_defaults(handler=cmd_repair)


def add_mail(commands: Any, flags: argparse.ArgumentParser) -> None:
    from orderctl import mail_commands as mail

    parent = commands.add_parser("mail", help="the emails the local stack sent: list, show")
    actions = parent.add_subparsers(dest="mail_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", parents=[flags], help="newest first")
    listing.add_argument("--to", help="only emails to this address")
    listing.add_argument(
        "--limit", type=positive_int, default=20, help="at most this many (default 20)"
    )
    listing.set_defaults(handler=mail.cmd_mail_list)
    show = actions.add_parser(
        "show", parents=[flags], help="one email; --save DIR writes its HTML and attachments"
    )
    show.add_argument("id", help="the email's id (or the start of it), from mail list")
    show.add_argument("--save", type=Path, help="a folder: DIR/<id>/message.html, attachments")
    show.set_defaults(handler=mail.cmd_mail_show)


def cmd_completion(args: argparse.Namespace) -> int:
    from orderctl.shell_completion import script

    print(script(parser(), args.shell), end="")
    return 0


def add_completion(commands: Any) -> None:
    from orderctl.shell_completion import SHELLS

    completion = commands.add_parser(
        "completion",
        help='print a shell completion script: eval "$(orderctl completion bash)"',
    )
    completion.add_argument("shell", choices=SHELLS)
    completion.set_defaults(handler=cmd_completion)


def parser() -> argparse.ArgumentParser:
    top = Parser(
        prog="orderctl",
        description="Operate the BBWS Order service. A profile names the target: `local` (the "
        "running dev stack, the default) or one of ~/.config/orderctl/config.toml "
        "(`orderctl profiles`). Exit codes: 0 done, 1 a check failed, 2 usage, 3 authentication, "
        "4 not found, 5 conflict, 6 remote failure, 130 interrupted.",
    )
    top.add_argument("--version", action="version", version=f"orderctl {version()}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    flags = common()
    add_token_smoke_profiles(commands, flags)
    add_orders(commands, flags)
    add_documents(commands, flags)
    add_seed_and_load(commands, flags)
    add_dlq(commands, flags)
    add_repair(commands, flags)
    add_mail(commands, flags)
    add_completion(commands)
    from orderctl.shell_completion import words

    top.options = tuple(sorted({w for ws in words(top).values() for w in ws if w.startswith("--")}))
    return top  # subparsers are of the parent's class: Parser on every level


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except OrderctlError as error:
        print(f"orderctl: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("orderctl: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # `orderctl … | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # a bug or an unforeseen failure: say so without a wall of text
        if os.environ.get("ORDERCTL_DEBUG"):
            raise
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(error, BotoCoreError | ClientError):
            print(f"orderctl: AWS: {error}", file=sys.stderr)
            return REMOTE
        print(
            f"orderctl: unexpected {type(error).__name__}: {error} "
            "(ORDERCTL_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1
