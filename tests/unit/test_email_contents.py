"""Contract revision 3's emails: a named sender, a Reply-To, the portal link and the money rows.

Every customer email, in both parts, shows the document's money rows (subtotal, discount with
its campaign, total, VAT) and links to the order in the portal; the team's email says the same
facts in its text part as in its HTML part.
"""

from __future__ import annotations

import email
import html
import re
from email import policy
from email.utils import parseaddr

import pytest

from chalicelib.mailer import SesMailer, mime_message
from chalicelib.models.documents import document_for
from chalicelib.models.orders import OrderStatus
from chalicelib.models.status_effects import STATUS_EFFECTS, CustomerEmail
from chalicelib.ports import Email
from chalicelib.rendering.emails import (
    CUSTOMER_EMAILS,
    INTERNAL_NOTIFICATION,
    EmailRenderer,
    Sender,
    order_links,
)
from chalicelib.settings import Settings
from devstack.preview import local_supplier, sample_order

PORTAL = "https://portal.example"
SENDER = Sender("Big Beard Web Solutions (Pty) Ltd", "billing@bbws.io")
RENDERER = EmailRenderer(lambda _: None, links=order_links(PORTAL), sender=SENDER)


def visible(markup: str) -> str:
    """An HTML part's text as a reader sees it (tags dropped, entities decoded, spaces joined)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def status_of(customer_email: CustomerEmail) -> OrderStatus:
    return next(s for s, row in STATUS_EFFECTS.items() if row.customer_email is customer_email)


@pytest.mark.parametrize("customer_email", list(CustomerEmail))
def test_every_customer_email_shows_the_money_rows_the_link_and_who_writes(
    customer_email: CustomerEmail,
) -> None:
    status = status_of(customer_email)
    order = sample_order(2, status)
    rendered = RENDERER.render(CUSTOMER_EMAILS[customer_email], order, document_for(status))
    rows = [
        "Subtotal: R3 297,00",  # R299,00 + 2 x R1 499,00
        "Discount (SUMMER25, 25,00 %): -R824,25",
        "Total: R2 472,75",
        "VAT included at 15,00 %: R322,53",  # 2 472,75 x 15 / 115
    ]
    text = " ".join(rendered.text.split())
    page = visible(rendered.html)
    for row in rows:
        label, amount = row.rsplit(": ", 1)
        assert " ".join(row.split()) in text, row
        assert f"{' '.join(label.split())} {' '.join(amount.split())}" in page, row
    link = f"{PORTAL}/orders/{order.id}"
    assert link in rendered.text
    assert f'href="{link}"' in rendered.html
    for part in (text, page):
        assert "Big Beard Web Solutions (Pty) Ltd" in part
        assert "billing@bbws.io" in part
        assert "BBWS -" not in part


def test_the_payment_failed_email_says_how_to_pay_and_attaches_the_pro_forma() -> None:
    kind = CUSTOMER_EMAILS[CustomerEmail.PAYMENT_FAILED]
    assert kind.attaches_document
    order = sample_order(1, OrderStatus.PAYMENT_FAILED)
    rendered = RENDERER.render(kind, order, document_for(OrderStatus.PAYMENT_FAILED))
    assert rendered.subject == "Your payment for order ORD-AF-0000042 did not go through"
    for part in (rendered.text, visible(rendered.html)):
        assert "did not go through" in part
        assert "by EFT with reference ORD-AF-0000042" in " ".join(part.split())
        assert "attached pro forma invoice" in part


def test_the_team_email_says_the_same_facts_in_both_parts() -> None:
    order = sample_order(3)
    rendered = EmailRenderer(lambda _: None).render(INTERNAL_NOTIFICATION, order)
    facts = [
        order.tenantId,
        order.id,
        order.customerEmail,
        "Jane Doe",
        "SUMMER25",
        "Summer sale",
        "25,00 %",
        "PENDING",
        "orderctl orders get",
    ]
    facts += [item.productName for item in order.items] + [item.productId for item in order.items]
    text, page = " ".join(rendered.text.split()), visible(rendered.html)
    for fact in facts:
        assert fact in text, fact
        assert fact in page, fact


def test_a_named_sender_and_a_reply_to_on_both_kinds_of_message() -> None:
    settings = Settings.parse_obj(
        {
            "environment": "local",
            "orders_table_name": "t",
            "order_creation_queue_name": "q",
            "orders_bucket_name": "b",
            "templates_bucket_name": "tb",
            "cursor_secret_id": "s",
            "email_sender": "no-reply@bbws.io",
            "internal_recipients": "team@bbws.io",
            "supplier_particulars": local_supplier()
            .copy(update={"name": "Big Beard Web Solutions (Pty) Ltd [DEV]"})
            .json(),
        }
    )
    assert parseaddr(settings.email_from) == (
        "Big Beard Web Solutions (Pty) Ltd [DEV]",
        "no-reply@bbws.io",
    )
    raw = mime_message(
        settings.email_from, ["jane@example.com"], Email("s", "<p>h</p>", "t"), "billing@bbws.io"
    )
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Reply-To"] == "billing@bbws.io"
    assert parseaddr(str(message["From"]))[0] == "Big Beard Web Solutions (Pty) Ltd [DEV]"

    class Ses:
        def __init__(self) -> None:
            self.calls: list[dict[str, object]] = []

        def send_email(self, **call: object) -> dict[str, str]:
            self.calls.append(call)
            return {"MessageId": "m-1"}

    ses = Ses()
    SesMailer(ses, settings.email_from, "billing@bbws.io").send(  # type: ignore[arg-type]
        ["jane@example.com"], Email("s", "<p>h</p>", "t")
    )
    [call] = ses.calls
    assert call["ReplyToAddresses"] == ["billing@bbws.io"]
    assert call["Source"] == settings.email_from
