"""The `orderctl` command line (click): `orderctl --help`, `orderctl <command> --help`.

Each command is declared here with its flags; its handler (`cmd_*` in the `*_commands` modules)
is imported only when it runs, so `--help` and tab completion stay quick. The flags every
command shares are in orderctl/flags.py; exit codes in orderctl/errors.py (click's usage errors
are 2, like ours). Completion is click's own: `orderctl completion bash|zsh|fish`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from orderctl.context import Args
from orderctl.errors import INTERRUPTED
from orderctl.flags import (
    A_PATH,
    AT_LEAST_1,
    MORE_THAN_0,
    handles,
    idempotency_key,
    order_reference,
    production,
    queue_names,
    target,
    yes,
)

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_ORDERCTL_COMPLETE"
DOCUMENT_KINDS = ("proforma", "tax-invoice", "credit-note")


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("bbws-order-lambda")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help="Operate the BBWS Order service. A profile names the target: `local` (the running dev "
    "stack, the default) or one of ~/.config/orderctl/config.toml (`orderctl profiles`). Exit "
    "codes: 0 done, 1 a check failed, 2 usage, 3 authentication, 4 not found, 5 conflict, "
    "6 remote failure, 130 interrupted.",
)
@click.version_option(version(), "--version", prog_name="orderctl", message="%(prog)s %(version)s")
def orderctl() -> None:
    pass


# token, smoke, profiles ---------------------------------------------------------------------


@orderctl.command(short_help="print an ID token (Cognito InitiateAuth)")
@click.argument("username", required=False)
@target
@handles
def token(args: Args) -> int:
    """Print an ID token for USERNAME (the same as --user)."""
    from orderctl.profile_commands import cmd_token

    return cmd_token(args)


@orderctl.command(
    short_help="post-deploy check: health, sign-in, a cart ordered through record and PDF, cancel"
)
@click.option(
    "--timeout",
    type=MORE_THAN_0,
    default=120,
    show_default=True,
    help="seconds to wait for the record and the PDF",
)
@click.option("--report", type=A_PATH, help="write the result as JSON here")
@click.option("--title", help="heading of the GitHub job summary")
@target
@handles
def smoke(args: Args) -> int:
    """The post-deploy smoke test: health, sign-in, a cart ordered through record and PDF, then
    cancelled. Exit 1 when a check fails."""
    from orderctl.profile_commands import cmd_smoke

    return cmd_smoke(args)


@orderctl.command(short_help="the configured profiles and the one in use")
@target
@handles
def profiles(args: Args) -> int:
    """The profiles this machine knows, and which one is in use."""
    from orderctl.profile_commands import cmd_profiles

    return cmd_profiles(args)


# orders --------------------------------------------------------------------------------------


@orderctl.group(
    short_help="create, look up (id or number), list, pay, fail-payment, refund, cancel, "
    "process, complete, rerender, resend-email"
)
def orders() -> None:
    """Orders: create, look up (by id or number), list, pay, fail-payment, refund, cancel,
    process, complete, rerender, resend-email."""


@orders.command(short_help="place a demo order (202)")
@click.option("--email", help="the customer's email (default: a demo customer)")
@click.option("--tenant", help="admins only: a back-office order for this tenant")
@click.option("--cart", help="order this cart (default: a new cart of demo lines)")
@click.option("--wait", is_flag=True, help="wait for the record and show it")
@target
@handles
def create(args: Args) -> int:
    """Place a demo order (202): a cart of demo lines ordered as the signed-in customer."""
    from orderctl.api_commands import cmd_create

    return cmd_create(args)


@orders.command(
    short_help="mark an order paid as the payment system (locally payments@bbws.example)"
)
@order_reference
@click.option("--method", default="eft", show_default=True, help="the payment method to record")
@target
@handles
def pay(args: Args) -> int:
    """Reads the order and PUTs PAID for its total with If-Match. Only the `payments` group may;
    on a deployed stage sign in as the payment system's identity."""
    from orderctl.api_commands import cmd_pay

    return cmd_pay(args)


@orders.command(
    short_help="refund an order in full as the payment system (asks first; --yes off a terminal)"
)
@order_reference
@click.option("--reason", required=True, help="why it was refunded (on the credit note)")
@yes
@target
@handles
def refund(args: Args) -> int:
    """Reads the order and PUTs REFUNDED with refund details for its total, If-Match. The reason
    is printed on the credit note (1-200 characters)."""
    from orderctl.api_commands import cmd_refund

    return cmd_refund(args)


@orders.command(
    "fail-payment",
    short_help="record a failed payment as the payment system (the customer is emailed)",
)
@order_reference
@target
@handles
def fail_payment(args: Args) -> int:
    """Record a failed payment as the payment system: the customer is emailed how to pay."""
    from orderctl.api_commands import cmd_fail_payment

    return cmd_fail_payment(args)


@orders.command(short_help="one order, by id or number")
@order_reference
@target
@handles
def get(args: Args) -> int:
    """One order, by id or by its number ORD-…"""
    from orderctl.api_commands import cmd_get

    return cmd_get(args)


@orders.command(short_help="cancel an order (asks first; --yes off a terminal)")
@order_reference
@yes
@target
@handles
def cancel(args: Args) -> int:
    """Cancel an order (asks first; --yes off a terminal)."""
    from orderctl.api_commands import cmd_set_status

    return cmd_set_status(args)


@orders.command(short_help="mark an order PROCESSING (admins)")
@order_reference
@target
@handles
def process(args: Args) -> int:
    """Mark an order PROCESSING (admins)."""
    from orderctl.api_commands import cmd_set_status

    return cmd_set_status(args)


@orders.command(short_help="mark an order COMPLETED (admins)")
@order_reference
@target
@handles
def complete(args: Args) -> int:
    """Mark an order COMPLETED (admins)."""
    from orderctl.api_commands import cmd_set_status

    return cmd_set_status(args)


@orders.command(
    short_help="render the order's current document afresh, a new version (admins; no email)"
)
@order_reference
@idempotency_key
@target
@handles
def rerender(args: Args) -> int:
    """POST /v1.0/orders/{id}/rerender-document: queued for the document renderer (202). At most
    once a minute per order (exit 6 with the wait otherwise)."""
    from orderctl.support_commands import cmd_support

    return cmd_support(args)


@orders.command(
    "resend-email", short_help="email the customer the current document again (admins; asks first)"
)
@order_reference
@idempotency_key
@yes
@target
@handles
def resend_email(args: Args) -> int:
    """POST /v1.0/orders/{id}/resend-email: the current document's email, with the stored version
    attached. At most once in five minutes per order."""
    from orderctl.support_commands import cmd_support

    return cmd_support(args)


@orders.command("list", short_help="a tenant's orders, newest first")
@click.option("--tenant", help="default: the signed-in user's tenant")
@click.option("--status", help="only orders in this status (PENDING, PAID, …)")
@click.option("--limit", type=AT_LEAST_1, default=20, show_default=True, help="at most this many")
@target
@handles
def list_orders(args: Args) -> int:
    """A tenant's orders, newest first. With --json, each page the API returned, one JSON document
    per line (a single page is exactly the API's body)."""
    from orderctl.api_commands import cmd_list

    return cmd_list(args)


# documents, reports --------------------------------------------------------------------------


@orderctl.group(short_help="the documents register: list; backfill")
def documents() -> None:
    """The documents register (list) and re-rendering after a template change (backfill)."""


@documents.command(
    "list", short_help="the documents register: what was issued in a period (admins)"
)
@click.option("--from", "start", metavar="DAY", required=True, help="first day, 2026-11-01")
@click.option("--to", "end", metavar="DAY", required=True, help="last day, 2026-11-30")
@click.option("--kind", type=click.Choice(DOCUMENT_KINDS), help="only documents of this kind")
@click.option("--csv", is_flag=True, help="CSV with a header row")
@target
@handles
def list_documents(args: Args) -> int:
    """Pages through GET /v1.0/documents (dates of issue, Africa/Johannesburg, both included; at
    most 366 days). --csv writes CSV a spreadsheet opens."""
    from orderctl.register_commands import cmd_documents_list

    return cmd_documents_list(args)


@documents.command(
    short_help="re-render the documents of orders created in a date range (after a template change)"
)
@click.option("--tenant", multiple=True, required=True, help="a tenant (repeat for several)")
@click.option("--from", "start", metavar="DAY", required=True, help="first day, 2026-11-01")
@click.option("--to", "end", metavar="DAY", required=True, help="last day, 2026-11-30")
@click.option("--status", help="only orders in this status now (PAID, …)")
@click.option(
    "--rate", type=MORE_THAN_0, default=5, show_default=True, help="re-renders per second"
)
@click.option("--dry-run", is_flag=True, help="list what would be re-rendered")
@click.option("--restart", is_flag=True, help="ignore a saved run")
@click.option("--state", type=A_PATH, help="the progress file (default ~/.local/state/orderctl/…)")
@yes
@target
@handles
def backfill(args: Args) -> int:
    """Lists each tenant's orders created from --from to --to (UTC days, both included) that have
    a document, then re-renders each through the API at --rate, with a progress bar. Progress is
    saved after each order: the same command resumes an interrupted run (--restart starts again).
    --dry-run lists and sends nothing."""
    from orderctl.support_commands import cmd_backfill

    return cmd_backfill(args)


@orderctl.group(short_help="finance reports: vat")
def reports() -> None:
    """Finance reports."""


@reports.command(
    short_help="a period's output tax (tax invoices' VAT less credit notes'), for the VAT201"
)
@click.option("--period", metavar="YYYY-MM", help="a month, e.g. 2026-11")
@click.option("--from", "start", metavar="DAY", help="first day (instead of --period)")
@click.option("--to", "end", metavar="DAY", help="last day (instead of --period)")
@target
@handles
def vat(args: Args) -> int:
    """A period's output tax: tax invoices' VAT less credit notes', for the VAT201 (admins)."""
    from orderctl.register_commands import cmd_reports_vat

    return cmd_reports_vat(args)


# seed, load ----------------------------------------------------------------------------------


@orderctl.command(short_help="realistic demo orders across tenants")
@click.option("--orders", type=AT_LEAST_1, required=True, help="how many orders")
@click.option(
    "--tenants", type=AT_LEAST_1, default=1, show_default=True, help="spread over this many tenants"
)
@click.option(
    "--concurrency", type=AT_LEAST_1, default=8, show_default=True, help="requests in flight"
)
@click.option(
    "--random-seed", type=int, default=7, show_default=True, help="the same data every time"
)
@click.option(
    "--no-wait",
    "wait",
    is_flag=True,
    flag_value=False,
    default=True,
    help="do not wait for PDFs and emails",
)
@click.option(
    "--settle",
    type=MORE_THAN_0,
    default=300,
    show_default=True,
    help="seconds to wait for completion",
)
@target
@production
@handles
def seed(args: Args) -> int:
    """Realistic demo orders across tenants, then wait until each has its PDF and emails."""
    from orderctl.api_commands import cmd_seed

    return cmd_seed(args)


@orderctl.command(short_help="traffic at a rate, then latencies and completion")
@click.option(
    "--rate", type=MORE_THAN_0, required=True, help="orders per second (plus as many reads)"
)
@click.option("--duration", type=MORE_THAN_0, required=True, help="seconds of traffic")
@click.option(
    "--settle",
    type=MORE_THAN_0,
    default=300,
    show_default=True,
    help="seconds to wait for completion",
)
@click.option("--report", type=A_PATH, help="write the numbers as JSON here")
@target
@production
@handles
def load(args: Args) -> int:
    """Traffic at a rate (orders and as many reads) with live progress, then latencies, errors by
    status and end-to-end completion."""
    from orderctl.api_commands import cmd_load

    return cmd_load(args)


# dlq, repair, mail ---------------------------------------------------------------------------

QUEUE_HELP = "record, pdf, internal or customer (or a queue name)"


@orderctl.group(short_help="dead-letter queues: list, show, redrive")
def dlq() -> None:
    """Dead-letter queues: list, show, redrive."""


@dlq.command("list", short_help="counts of every work queue and its DLQ")
@target
@handles
def list_dlqs(args: Args) -> int:
    """Counts of every work queue and its DLQ."""
    from orderctl.dlq_commands import cmd_dlq_list

    return cmd_dlq_list(args)


@dlq.command(short_help="previews of a DLQ's messages and why they failed")
@click.argument("queue", shell_complete=queue_names)
@click.option("--limit", type=AT_LEAST_1, default=10, show_default=True, help="at most this many")
@target
@handles
def show(args: Args) -> int:
    """Previews of QUEUE's dead letters and why they failed. QUEUE: record, pdf, internal or
    customer (or a queue name)."""
    from orderctl.dlq_commands import cmd_dlq_show

    return cmd_dlq_show(args)


@dlq.command(short_help="move a DLQ's messages back to its work queue (nothing lost if stopped)")
@click.argument("queue", shell_complete=queue_names)
@click.option("--rate", type=MORE_THAN_0, help="at most this many messages per second (spare SES)")
@yes
@target
@handles
def redrive(args: Args) -> int:
    """Move QUEUE's dead letters back to its work queue; nothing is lost if stopped. QUEUE:
    record, pdf, internal or customer (or a queue name)."""
    from orderctl.dlq_commands import cmd_dlq_redrive

    return cmd_dlq_redrive(args)


@orderctl.command(
    short_help="find stored orders that no longer parse; --apply rewrites or quarantines them"
)
@click.option("--apply", is_flag=True, help="change the table (default: only report)")
@yes
@target
@handles
def repair(args: Args) -> int:
    """Find stored orders that no longer parse; --apply rewrites or quarantines them."""
    from orderctl.repair_commands import cmd_repair

    return cmd_repair(args)


@orderctl.group(short_help="the emails the local stack sent: list, show")
def mail() -> None:
    """The emails the local stack sent: list, show."""


@mail.command("list", short_help="newest first")
@click.option("--to", help="only emails to this address")
@click.option("--limit", type=AT_LEAST_1, default=20, show_default=True, help="at most this many")
@target
@handles
def list_mail(args: Args) -> int:
    """The emails the local stack sent, newest first."""
    from orderctl.mail_commands import cmd_mail_list

    return cmd_mail_list(args)


@mail.command("show", short_help="one email; --save DIR writes its HTML and attachments")
@click.argument("id")
@click.option("--save", type=A_PATH, help="a folder: DIR/<id>/message.html, attachments")
@target
@handles
def show_mail(args: Args) -> int:
    """One email by its ID (or the start of it), from mail list; --save DIR writes its HTML and
    attachments."""
    from orderctl.mail_commands import cmd_mail_show

    return cmd_mail_show(args)


# completion ----------------------------------------------------------------------------------


@orderctl.command(short_help='print a shell completion script: eval "$(orderctl completion bash)"')
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print click's completion script for SHELL: `eval "$(orderctl completion bash)"` in
    ~/.bashrc (zsh: ~/.zshrc; fish: `orderctl completion fish | source`)."""
    from click.shell_completion import get_completion_class

    complete = get_completion_class(shell)
    assert complete is not None  # every one of SHELLS is click's
    click.echo(complete(orderctl, {}, "orderctl", COMPLETE_VAR).source(), nl=False)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = orderctl.main(
            args=None if argv is None else list(argv),
            prog_name="orderctl",
            complete_var=COMPLETE_VAR,
            standalone_mode=False,
        )
    except click.ClickException as error:  # usage: exit 2, with the usage line and a hint
        error.show()
        return error.exit_code
    except click.Abort:  # Ctrl-C while click itself was reading
        print("orderctl: interrupted", file=sys.stderr)
        return INTERRUPTED
    return int(code or 0)
