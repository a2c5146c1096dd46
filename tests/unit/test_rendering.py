"""The invoice PDF and the emails, rendered for real (xhtml2pdf, Jinja2)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from chalicelib.models.orders import OrderStatus
from chalicelib.models.status_effects import CustomerEmail
from chalicelib.rendering.emails import (
    CUSTOMER_EMAILS,
    INTERNAL_NOTIFICATION,
    TEMPLATE_TTL_S,
    EmailRenderer,
)
from chalicelib.rendering.invoice import invoice_html, render_invoice
from devstack.preview import sample_order

RECEIVED = CUSTOMER_EMAILS[CustomerEmail.RECEIVED]


def pages(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def test_a_typical_invoice_is_one_page_with_everything_on_it() -> None:
    order = sample_order(5)
    reader = pages(render_invoice(order))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())  # a narrow cell wraps its label
    expected_texts = ["PRO FORMA INVOICE", "This is not a tax invoice.", "ORD-AF-0000042"]
    expected_texts += ["Jane Doe", "Cape Town", "Subtotal"]
    expected_texts += ["WordPress Pro Hosting", "Discount", "PENDING", "Page 1 of 1"]
    # en_ZA amounts (CLDR: "R", a no-break space per thousand, a decimal comma), one style.
    expected_texts += ["Total R2 889,52", "-R963,18", "South Africa"]
    # Prices include VAT: the document states it and the total without it.
    expected_texts += ["VAT included at 15,00 % R376,89", "Total excl. VAT R2 512,63"]
    for expected in expected_texts:
        assert expected in text, expected


def test_a_hundred_items_flow_over_numbered_pages() -> None:
    reader = pages(render_invoice(sample_order(100)))
    count = len(reader.pages)
    assert count > 1
    last = reader.pages[-1].extract_text()
    assert f"Page {count} of {count}" in last
    assert "Total" in last


def test_the_invoice_avoids_css_xhtml2pdf_ignores() -> None:
    assert "border-collapse" not in invoice_html(sample_order(1))


def test_user_input_cannot_inject_html_into_emails() -> None:
    order = sample_order(1)
    hostile = order.copy(
        update={
            "billingAddress": order.billingAddress.copy(
                update={"fullName": '<script>alert("x")</script>'}
            )
        }
    )
    email = EmailRenderer(lambda _: None).render(RECEIVED, hostile)
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html
    assert "Dear" in email.text
    assert email.subject == "We have received your order ORD-AF-0000042"  # it is PENDING


def test_bucket_templates_win_and_are_compiled_once_per_ttl() -> None:
    fetched: list[str] = []
    now = [0.0]

    def fetch(key: str) -> str | None:
        fetched.append(key)
        return "<p>Custom for {{ order.number }}</p>" if key.startswith("internal/") else None

    renderer = EmailRenderer(fetch, clock=lambda: now[0])
    for _ in range(5):
        email = renderer.render(INTERNAL_NOTIFICATION, sample_order(1))
    assert email.html == "<p>Custom for ORD-AF-0000042</p>"
    assert "New order ORD-AF-0000042" in email.text  # the text part stays packaged
    assert fetched == ["internal/order_notification.html"]
    now[0] = TEMPLATE_TTL_S + 1
    renderer.render(INTERNAL_NOTIFICATION, sample_order(1))
    assert len(fetched) == 2
    customer = renderer.render(RECEIVED, sample_order(1))
    assert "Thank you for your order" in customer.html  # packaged default when the bucket has none


def test_plain_text_parts_show_what_the_customer_typed() -> None:
    order = sample_order(1)
    named = order.copy(
        update={"billingAddress": order.billingAddress.copy(update={"fullName": "O'Brien & Sons"})}
    )
    for kind in (RECEIVED, INTERNAL_NOTIFICATION):
        email = EmailRenderer(lambda _: None).render(kind, named)
        assert "&amp;" not in email.text
        assert "&#39;" not in email.text
    customer = EmailRenderer(lambda _: None).render(RECEIVED, named)
    assert "O'Brien & Sons" in customer.text
    assert "O&#39;Brien &amp; Sons" in customer.html


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.system('id') }}",
        "{% set x = order.__class__ %}{{ x.__init__.__globals__ }}",
        "{{ order.billingAddress.update({'fullName': 'x'}) }}",
    ],
)
def test_templates_from_the_bucket_run_in_a_sandbox(template: str) -> None:
    from jinja2.exceptions import SecurityError

    renderer = EmailRenderer(lambda key: template if key.startswith("customer/") else None)
    with pytest.raises(SecurityError):
        renderer.render(RECEIVED, sample_order(1))


def test_a_company_and_its_vat_number_are_on_the_invoice_when_given() -> None:
    order = sample_order(1)
    address = order.billingAddress.copy(
        update={"companyName": "Acme (Pty) Ltd", "vatNumber": "4123456789"}
    )
    text = " ".join(
        pages(render_invoice(order.copy(update={"billingAddress": address})))
        .pages[0]
        .extract_text()
        .split()
    )
    for expected in ("Acme (Pty) Ltd", "Attn: Jane Doe", "VAT number: 4123456789"):
        assert expected in text, expected
    plain = " ".join(pages(render_invoice(order)).pages[0].extract_text().split())
    assert "Attn:" not in plain
    assert "VAT number:" not in plain


@pytest.mark.parametrize(
    ("status", "title", "not_a_tax_invoice"),
    [
        (OrderStatus.PENDING, "PRO FORMA INVOICE", True),
        (OrderStatus.PAYMENT_FAILED, "PRO FORMA INVOICE", True),
        (OrderStatus.PAID, "TAX INVOICE", False),
        (OrderStatus.PROCESSING, "TAX INVOICE", False),
        (OrderStatus.COMPLETED, "TAX INVOICE", False),
        (OrderStatus.CANCELLED, "PRO FORMA INVOICE (CANCELLED)", True),
        (OrderStatus.REFUNDED, "CREDIT NOTE", False),
    ],
)
def test_the_document_is_titled_by_the_orders_status(
    status: OrderStatus, title: str, not_a_tax_invoice: bool
) -> None:
    """An unpaid order's document never calls itself a tax invoice (VAT Act s20)."""
    text = " ".join(pages(render_invoice(sample_order(1, status))).pages[0].extract_text().split())
    assert title in text
    assert ("This is not a tax invoice." in text) is not_a_tax_invoice
    if title not in ("TAX INVOICE", "CREDIT NOTE"):  # a credit note refers to its tax invoice
        assert "TAX INVOICE" not in text


def test_dates_are_south_african_days_not_utc_days() -> None:
    """23:30 UTC on 30 November is 01:30 SAST on 1 December: VAT month-end falls on SAST days."""
    from datetime import UTC, datetime

    moment = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    order = sample_order(1).copy(update={"dateCreated": moment, "dateLastUpdated": moment})
    invoice = " ".join(pages(render_invoice(order)).pages[0].extract_text().split())
    assert "1 December 2026" in invoice
    assert "30 November 2026" not in invoice
    customer = EmailRenderer(lambda _: None).render(RECEIVED, order)
    assert "of 1 December 2026." in customer.text
    internal = EmailRenderer(lambda _: None).render(INTERNAL_NOTIFICATION, order)
    assert "1 December 2026, 01:30 SAST" in internal.text
    assert "1 December 2026, 01:30 SAST" in internal.html


@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.CANCELLED])
def test_the_smoke_tests_orders_are_marked_and_never_tax_invoices(status: OrderStatus) -> None:
    order = sample_order(1, status).copy(update={"tenantId": "tenant-smoke"})
    text = " ".join(pages(render_invoice(order)).pages[0].extract_text().split())
    assert "TEST DOCUMENT" in text
    assert "TEST — not a tax invoice" in text
    assert "TAX INVOICE" not in text


def test_any_accepted_name_prints_and_bidi_controls_cannot_reorder_it() -> None:
    order = sample_order(1)
    address = order.billingAddress.copy(
        update={
            "fullName": "王小明 Ζωή Łukasz",
            "companyName": "株式会社テスト",
            "line1": "\u202eevil \u2066street\u2069",  # stored before the API refused these
        }
    )
    pdf = render_invoice(order.copy(update={"billingAddress": address}))
    text = " ".join(pages(pdf).pages[0].extract_text().split())
    for expected in ("株式会社テスト", "Attn: 王小明 Ζωή Łukasz", "evil street"):
        assert expected in text, expected
    assert "\u202e" not in text
    assert b"/FontFile2" in pdf  # DejaVu Sans and Droid Sans Fallback, embedded as subsets


def test_a_latin_document_embeds_no_font_and_stays_small() -> None:
    pdf = render_invoice(sample_order(5))
    assert b"/FontFile2" not in pdf  # Helvetica, a base font: the fast path
    assert len(pdf) < 20_000


def test_the_internal_email_links_the_order_and_its_documents_for_operators() -> None:
    from chalicelib.rendering.emails import console_links

    order = sample_order(1)
    links = console_links("af-south-1", "bbws-customer-portal-orders-prod", "bbws-orders-prod")
    email = EmailRenderer(lambda _: None, links=links).render(INTERNAL_NOTIFICATION, order)
    item = links(order)["item"]
    assert item.startswith("https://af-south-1.console.aws.amazon.com/dynamodbv2/")
    assert f"pk=TENANT%23tenant-a&sk=ORDER%23{order.id}" in item
    assert item in email.text
    assert item.replace("&", "&amp;") in email.html  # an attribute value, escaped
    documents = links(order)["documents"]
    assert "bbws-orders-prod?region=af-south-1&prefix=tenant-a%2Forders%2F" in documents
    assert documents in email.text
    assert f"orderctl orders get {order.id}" in email.text
    plain = EmailRenderer(lambda _: None).render(INTERNAL_NOTIFICATION, order)  # no links known
    assert "console" not in plain.text
