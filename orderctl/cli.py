"""The `orderctl` command line (click): `orderctl --help`, `orderctl <command> --help`.

Each command is declared here, one `command(...)` each: its group, name, handler (`cmd_*` in
an `orderctl/*_commands.py` module, imported only when it runs, so `--help` and TAB completion
stay quick), help and flags. The flags every
command shares are in orderctl/flags.py; exit codes in orderctl/errors.py (click's usage errors
are 2, like ours). Completion is click's own: `orderctl completion bash|zsh|fish`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from orderctl.errors import INTERRUPTED
from orderctl.flags import (
    A_PATH,
    AT_LEAST_1,
    MORE_THAN_0,
    command,
    idempotency_key,
    order_reference,
    production,
    queue_names,
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

command(
    orderctl,
    "token",
    "profile_commands:cmd_token",
    "print an ID token (Cognito InitiateAuth)",
    "Print an ID token for USERNAME (the same as --user).",
    click.argument("username", required=False),
)
command(
    orderctl,
    "smoke",
    "profile_commands:cmd_smoke",
    "post-deploy check: health, sign-in, a cart ordered through record and PDF, cancel",
    "The post-deploy smoke test: health, sign-in, a cart ordered through record and PDF, then "
    "cancelled. Exit 1 when a check fails.",
    click.option(
        "--timeout",
        type=MORE_THAN_0,
        default=120,
        show_default=True,
        help="seconds to wait for the record and the PDF",
    ),
    click.option("--report", type=A_PATH, help="write the result as JSON here"),
    click.option("--title", help="heading of the GitHub job summary"),
)
command(
    orderctl,
    "profiles",
    "profile_commands:cmd_profiles",
    "the configured profiles and the one in use",
    "The profiles this machine knows, and which one is in use.",
)

# orders --------------------------------------------------------------------------------------


@orderctl.group(
    short_help="create, look up (id or number), list, pay, fail-payment, refund, cancel, "
    "process, complete, rerender, resend-email"
)
def orders() -> None:
    """Orders: create, look up (by id or number), list, pay, fail-payment, refund, cancel,
    process, complete, rerender, resend-email."""


command(
    orders,
    "create",
    "api_commands:cmd_create",
    "place a demo order (202)",
    "Place a demo order (202): a cart of demo lines ordered as the signed-in customer.",
    click.option("--email", help="the customer's email (default: a demo customer)"),
    click.option("--tenant", help="admins only: a back-office order for this tenant"),
    click.option("--cart", help="order this cart (default: a new cart of demo lines)"),
    click.option("--wait", is_flag=True, help="wait for the record and show it"),
)
command(
    orders,
    "pay",
    "api_commands:cmd_pay",
    "mark an order paid as the payment system (locally payments@bbws.example)",
    "Reads the order and PUTs PAID for its total with If-Match. Only the `payments` group may; "
    "on a deployed stage sign in as the payment system's identity.",
    order_reference,
    click.option("--method", default="eft", show_default=True, help="the payment method to record"),
)
command(
    orders,
    "refund",
    "api_commands:cmd_refund",
    "refund an order in full as the payment system (asks first; --yes off a terminal)",
    "Reads the order and PUTs REFUNDED with refund details for its total, If-Match. The reason "
    "is printed on the credit note (1-200 characters).",
    order_reference,
    click.option("--reason", required=True, help="why it was refunded (on the credit note)"),
    yes,
)
command(
    orders,
    "fail-payment",
    "api_commands:cmd_fail_payment",
    "record a failed payment as the payment system (the customer is emailed)",
    "Record a failed payment as the payment system: the customer is emailed how to pay.",
    order_reference,
)
command(
    orders,
    "get",
    "api_commands:cmd_get",
    "one order, by id or number",
    "One order, by id or by its number ORD-…",
    order_reference,
)
command(
    orders,
    "cancel",
    "api_commands:cmd_set_status",
    "cancel an order (asks first; --yes off a terminal)",
    "Cancel an order (asks first; --yes off a terminal).",
    order_reference,
    yes,
)
for action, status in (("process", "PROCESSING"), ("complete", "COMPLETED")):
    command(
        orders,
        action,
        "api_commands:cmd_set_status",
        f"mark an order {status} (admins)",
        f"Mark an order {status} (admins).",
        order_reference,
    )
command(
    orders,
    "rerender",
    "support_commands:cmd_support",
    "render the order's current document afresh, a new version (admins; no email)",
    "POST /v1.0/orders/{id}/rerender-document: queued for the document renderer (202). At most "
    "once a minute per order (exit 6 with the wait otherwise).",
    order_reference,
    idempotency_key,
)
command(
    orders,
    "resend-email",
    "support_commands:cmd_support",
    "email the customer the current document again (admins; asks first)",
    "POST /v1.0/orders/{id}/resend-email: the current document's email, with the stored version "
    "attached. At most once in five minutes per order.",
    order_reference,
    idempotency_key,
    yes,
)
command(
    orders,
    "list",
    "api_commands:cmd_list",
    "a tenant's orders, newest first",
    "A tenant's orders, newest first. With --json, each page the API returned, one JSON document "
    "per line (a single page is exactly the API's body).",
    click.option("--tenant", help="default: the signed-in user's tenant"),
    click.option("--status", help="only orders in this status (PENDING, PAID, …)"),
    click.option(
        "--limit", type=AT_LEAST_1, default=20, show_default=True, help="at most this many"
    ),
)

# documents, reports --------------------------------------------------------------------------


@orderctl.group(short_help="the documents register: list; backfill")
def documents() -> None:
    """The documents register (list) and re-rendering after a template change (backfill)."""


FIRST_DAY = click.option(
    "--from", "start", metavar="DAY", required=True, help="first day, 2026-11-01"
)
LAST_DAY = click.option("--to", "end", metavar="DAY", required=True, help="last day, 2026-11-30")
command(
    documents,
    "list",
    "register_commands:cmd_documents_list",
    "the documents register: what was issued in a period (admins)",
    "Pages through GET /v1.0/documents (dates of issue, Africa/Johannesburg, both included; at "
    "most 366 days). --csv writes CSV a spreadsheet opens.",
    FIRST_DAY,
    LAST_DAY,
    click.option("--kind", type=click.Choice(DOCUMENT_KINDS), help="only documents of this kind"),
    click.option("--csv", is_flag=True, help="CSV with a header row"),
)
command(
    documents,
    "backfill",
    "support_commands:cmd_backfill",
    "re-render the documents of orders created in a date range (after a template change)",
    "Lists each tenant's orders created from --from to --to (UTC days, both included) that have "
    "a document, then re-renders each through the API at --rate, with a progress bar. Progress "
    "is saved after each order: the same command resumes an interrupted run (--restart starts "
    "again). --dry-run lists and sends nothing.",
    click.option("--tenant", multiple=True, required=True, help="a tenant (repeat for several)"),
    FIRST_DAY,
    LAST_DAY,
    click.option("--status", help="only orders in this status now (PAID, …)"),
    click.option(
        "--rate", type=MORE_THAN_0, default=5, show_default=True, help="re-renders per second"
    ),
    click.option("--dry-run", is_flag=True, help="list what would be re-rendered"),
    click.option("--restart", is_flag=True, help="ignore a saved run"),
    click.option(
        "--state", type=A_PATH, help="the progress file (default ~/.local/state/orderctl/…)"
    ),
    yes,
)


@orderctl.group(short_help="finance reports: vat")
def reports() -> None:
    """Finance reports."""


command(
    reports,
    "vat",
    "register_commands:cmd_reports_vat",
    "a period's output tax (tax invoices' VAT less credit notes'), for the VAT201",
    "A period's output tax: tax invoices' VAT less credit notes', for the VAT201 (admins).",
    click.option("--period", metavar="YYYY-MM", help="a month, e.g. 2026-11"),
    click.option("--from", "start", metavar="DAY", help="first day (instead of --period)"),
    click.option("--to", "end", metavar="DAY", help="last day (instead of --period)"),
)

# seed, load ----------------------------------------------------------------------------------

SETTLE = click.option(
    "--settle",
    type=MORE_THAN_0,
    default=300,
    show_default=True,
    help="seconds to wait for completion",
)
command(
    orderctl,
    "seed",
    "api_commands:cmd_seed",
    "realistic demo orders across tenants",
    "Realistic demo orders across tenants, then wait until each has its PDF and emails.",
    click.option("--orders", type=AT_LEAST_1, required=True, help="how many orders"),
    click.option(
        "--tenants",
        type=AT_LEAST_1,
        default=1,
        show_default=True,
        help="spread over this many tenants",
    ),
    click.option(
        "--concurrency", type=AT_LEAST_1, default=8, show_default=True, help="requests in flight"
    ),
    click.option(
        "--random-seed", type=int, default=7, show_default=True, help="the same data every time"
    ),
    click.option(
        "--no-wait",
        "wait",
        is_flag=True,
        flag_value=False,
        default=True,
        help="do not wait for PDFs and emails",
    ),
    SETTLE,
    production,
)
command(
    orderctl,
    "load",
    "api_commands:cmd_load",
    "traffic at a rate, then latencies and completion",
    "Traffic at a rate (orders and as many reads) with live progress, then latencies, errors by "
    "status and end-to-end completion.",
    click.option(
        "--rate", type=MORE_THAN_0, required=True, help="orders per second (plus as many reads)"
    ),
    click.option("--duration", type=MORE_THAN_0, required=True, help="seconds of traffic"),
    SETTLE,
    click.option("--report", type=A_PATH, help="write the numbers as JSON here"),
    production,
)

# dlq, repair, mail ---------------------------------------------------------------------------


@orderctl.group(short_help="dead-letter queues: list, show, redrive")
def dlq() -> None:
    """Dead-letter queues: list, show, redrive."""


QUEUE = click.argument("queue", shell_complete=queue_names)
command(
    dlq,
    "list",
    "dlq_commands:cmd_dlq_list",
    "counts of every work queue and its DLQ",
    "Counts of every work queue and its DLQ.",
)
command(
    dlq,
    "show",
    "dlq_commands:cmd_dlq_show",
    "previews of a DLQ's messages and why they failed",
    "Previews of QUEUE's dead letters and why they failed. QUEUE: record, pdf, internal or "
    "customer (or a queue name).",
    QUEUE,
    click.option(
        "--limit", type=AT_LEAST_1, default=10, show_default=True, help="at most this many"
    ),
)
command(
    dlq,
    "redrive",
    "dlq_commands:cmd_dlq_redrive",
    "move a DLQ's messages back to its work queue (nothing lost if stopped)",
    "Move QUEUE's dead letters back to its work queue; nothing is lost if stopped. QUEUE: record, "
    "pdf, internal or customer (or a queue name).",
    QUEUE,
    click.option(
        "--rate", type=MORE_THAN_0, help="at most this many messages per second (spare SES)"
    ),
    yes,
)
command(
    orderctl,
    "repair",
    "repair_commands:cmd_repair",
    "find stored orders that no longer parse; --apply rewrites or quarantines them",
    "Find stored orders that no longer parse; --apply rewrites or quarantines them.",
    click.option("--apply", is_flag=True, help="change the table (default: only report)"),
    yes,
)


@orderctl.group(short_help="the emails the local stack sent: list, show")
def mail() -> None:
    """The emails the local stack sent: list, show."""


command(
    mail,
    "list",
    "mail_commands:cmd_mail_list",
    "newest first",
    "The emails the local stack sent, newest first.",
    click.option("--to", help="only emails to this address"),
    click.option(
        "--limit", type=AT_LEAST_1, default=20, show_default=True, help="at most this many"
    ),
)
command(
    mail,
    "show",
    "mail_commands:cmd_mail_show",
    "one email; --save DIR writes its HTML and attachments",
    "One email by its ID (or the start of it), from mail list; --save DIR writes its HTML and "
    "attachments.",
    click.argument("id"),
    click.option("--save", type=A_PATH, help="a folder: DIR/<id>/message.html, attachments"),
)


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
