"""Order → email (subject, HTML, text). HTML templates come from S3 with packaged defaults.

HTML is autoescaped: order fields are user input, so a customer name such as `<script>` arrives
as text, never as markup. Plain-text parts are not escaped (`O'Brien & Sons` stays as typed).
Templates from the bucket are compiled in Jinja2's immutable sandbox: whoever can write the
templates bucket can change what an email says, but cannot run code in the sender (whose role
can write the table) or reach Python internals through the template.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from chalicelib.models.documents import Document
from chalicelib.models.orders import Order
from chalicelib.models.status_effects import CustomerEmail, attaches
from chalicelib.ports import Email, EmailKind
from chalicelib.rendering.context import order_context

EMAIL_TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "email"
TEMPLATE_TTL_S = 300  # edits in the templates bucket apply within five minutes, no deploy


# How each customer email reads (which email a status sends, and whether it carries the
# document, is models/status_effects.py's): its template and subject.
_CUSTOMER_PRESENTATION: dict[CustomerEmail, tuple[str, str]] = {
    CustomerEmail.RECEIVED: (
        "customer/order_confirmation.html",
        "We have received your order {number}",
    ),
    CustomerEmail.PAYMENT_FAILED: (
        "customer/order_update.html",
        "Your payment for order {number} did not go through",
    ),
    CustomerEmail.PAYMENT_RECEIVED: (
        "customer/order_update.html",
        "Payment received for order {number}: your tax invoice",
    ),
    CustomerEmail.CANCELLED: ("customer/order_update.html", "Your order {number} is cancelled"),
    CustomerEmail.REFUNDED: (
        "customer/order_update.html",
        "Your order {number} is refunded: your credit note",
    ),
}
CUSTOMER_EMAILS: Mapping[CustomerEmail, EmailKind] = MappingProxyType(
    {
        email: EmailKind(
            email.value, *_CUSTOMER_PRESENTATION[email], attaches_document=attaches(email)
        )
        for email in CustomerEmail  # a member without its presentation fails on import
    }
)
INTERNAL_NOTIFICATION = EmailKind(
    "internal",
    "internal/order_notification.html",
    "New order {number} from {tenantId}: {money[total]}",
)


def _environment(*, autoescape: bool) -> Any:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(
        autoescape=autoescape, trim_blocks=True, lstrip_blocks=True
    )


class EmailRenderer:
    """Compiles each template once per container (and again after TEMPLATE_TTL_S)."""

    def __init__(
        self,
        fetch: Callable[[str], str | None],
        clock: Callable[[], float] = time.monotonic,
        links: Callable[[Order], dict[str, str]] | None = None,
        sender: Sender | None = None,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._links = links
        self._sender = sender or Sender()
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._environment = _environment(autoescape=True)
        self._text_environment = _environment(autoescape=False)

    def _template(self, key: str) -> Any:
        with self._lock:
            cached = self._cache.get(key)
            if cached and self._clock() - cached[0] < TEMPLATE_TTL_S:  # fresh enough
                return cached[1]
            source = self._fetch(key)
            if source is None:  # nothing in the bucket: the packaged default
                source = (EMAIL_TEMPLATES / key).read_text(encoding="utf-8")
            template = self._environment.from_string(source)
            self._cache[key] = (self._clock(), template)
            return template

    def render(self, kind: EmailKind, order: Order, document: Document | None = None) -> Email:
        """Subject, HTML (template from the bucket) and plain text (packaged)."""
        context = order_context(order, document)
        context["links"] = self._links(order) if self._links else {}
        values = {"order": context, "email": kind.name, "sender": self._sender.dict()}
        return Email(
            subject=kind.subject.format(**context),
            html=str(self._template(kind.template_key).render(**values)),
            text=str(self._text_template(kind.template_key).render(**values)),
        )

    def _text_template(self, html_key: str) -> Any:
        key = html_key.replace(".html", ".txt")
        with self._lock:
            if key not in self._cache:  # packaged with the code: compiled once, kept
                source = (EMAIL_TEMPLATES / key).read_text(encoding="utf-8")
                self._cache[key] = (float("inf"), self._text_environment.from_string(source))
            return self._cache[key][1]


@dataclass(frozen=True)
class Sender:
    """Who the emails say they are from: the supplier's name, and where replies go."""

    name: str = "BBWS"
    reply_to: str | None = None

    def dict(self) -> dict[str, str]:
        """What templates see: `sender.name`, `sender.replyTo`."""
        return {"name": self.name, "replyTo": self.reply_to or ""}


def order_links(
    portal_url: str | None, console: Callable[[Order], dict[str, str]] | None = None
) -> Callable[[Order], dict[str, str]]:
    """Each email's links: the order in the customer portal (`{portalUrl}/orders/{orderId}`,
    API.md revision 3), and for the team's email the console's (`console_links`)."""
    from urllib.parse import quote

    def links(order: Order) -> dict[str, str]:
        found = console(order) if console else {}
        if portal_url:
            found["order"] = f"{portal_url.rstrip('/')}/orders/{quote(order.id, safe='')}"
        return found

    return links


def console_links(region: str, table: str, bucket: str) -> Callable[[Order], dict[str, str]]:
    """Links an operator can open from the internal email: the item and the documents' folder.

    AWS console URLs (the operator signs in with the stage's account); the documents' folder
    shows every version. Nothing in them grants access by itself.
    """
    from urllib.parse import quote

    def links(order: Order) -> dict[str, str]:
        console = f"https://{region}.console.aws.amazon.com"
        item = (
            f"{console}/dynamodbv2/home?region={region}#edit-item?table={quote(table)}"
            f"&itemMode=2&pk={quote('TENANT#' + order.tenantId, safe='')}"
            f"&sk={quote('ORDER#' + order.id, safe='')}&route=ROUTE_ITEM_EXPLORER"
        )
        prefix = quote(f"{order.tenantId}/orders/", safe="")
        documents = (
            f"https://s3.console.aws.amazon.com/s3/buckets/{bucket}?region={region}"
            f"&prefix={prefix}&showversions=true"
        )
        return {"item": item, "documents": documents}

    return links
