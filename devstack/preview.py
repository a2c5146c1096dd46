"""`make preview`: every kind of document (PDF and PNG pages) and every email, in build/preview/.

The documents carry stage local's supplier particulars; a reviewer can look at the PNGs without
a PDF viewer.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from chalicelib.models.orders import (
    BillingAddress,
    Campaign,
    Order,
    OrderItemRequest,
    OrderStatus,
)
from chalicelib.models.supplier import Supplier
from chalicelib.services.pricing import price

PORTAL_URL = "http://127.0.0.1:3000"  # stage local's portal: where the emails' links go
PRODUCTS = [
    ("wp-pro", "WordPress Pro Hosting (annual)", "299.00"),
    ("ssl-ev", "EV SSL certificate", "1499.00"),
    ("email-biz", "Business email, 10 mailboxes", "89.90"),
    ("backup-plus", "Daily off-site backups", "45.00"),
    ("cdn-global", "Global CDN bandwidth, 1 TB", "120.50"),
]


def sample_order(items: int = 5, status: OrderStatus = OrderStatus.PENDING) -> Order:
    """A realistic order with `items` lines (cycling through the product list)."""
    lines = [
        OrderItemRequest(
            productId=f"{PRODUCTS[i % len(PRODUCTS)][0]}-{i + 1}",
            productName=PRODUCTS[i % len(PRODUCTS)][1],
            quantity=(i % 3) + 1,
            unitPrice=Decimal(PRODUCTS[i % len(PRODUCTS)][2]),
        )
        for i in range(items)
    ]
    campaign = Campaign(code="SUMMER25", name="Summer sale", discountPercent=Decimal("25.00"))
    totals = price(lines, campaign)
    moment = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    return Order(
        id="3f1c2a9e-5b7d-4c21-9a0e-6d2f1b8c4e57",
        orderNumber="ORD-AF-0000042",
        tenantId="tenant-a",
        customerEmail="jane@example.com",
        status=status,
        currency="ZAR",
        **totals.order_fields(),
        campaign=campaign,
        billingAddress=BillingAddress(
            fullName="Jane Doe",
            companyName=None,
            vatNumber=None,
            line1="1 Long Street",
            line2="Suite 4",
            city="Cape Town",
            province="Western Cape",
            postalCode="8001",
            country="ZA",
        ),
        dateCreated=moment,
        dateLastUpdated=moment,
        lastUpdatedBy="preview",
    )


def local_supplier() -> Supplier:
    """Stage local's supplier particulars (the documents' header), from its configuration."""
    from devstack.stage import API_HANDLER, function_config

    return Supplier.parse_raw(
        function_config("local", API_HANDLER).environment["SUPPLIER_PARTICULARS"]
    )


# One sample per document kind (the status that calls for it), plus a long and a test order,
# and a tax invoice's copy (an admin's re-render): (lines, status, tenant, copy).
DOCUMENT_SAMPLES: dict[str, tuple[int, OrderStatus, str, bool]] = {
    "proforma": (5, OrderStatus.PENDING, "tenant-a", False),
    "tax-invoice": (5, OrderStatus.PAID, "tenant-a", False),
    "tax-invoice-copy": (5, OrderStatus.COMPLETED, "tenant-a", True),
    "proforma-cancelled": (5, OrderStatus.CANCELLED, "tenant-a", False),
    "credit-note": (5, OrderStatus.REFUNDED, "tenant-a", False),
    "tax-invoice-100-items": (100, OrderStatus.PAID, "tenant-a", False),
    "test-document": (2, OrderStatus.PAID, "tenant-smoke", False),
}
# The sample's life: paid at 23:59 SAST on 30 November, the tax invoice issued at 00:05 on the
# 1st, refunded on 2 December (API.md revision 3: each document keeps its first date of issue).
PAID_AT = datetime(2026, 11, 30, 21, 59, tzinfo=UTC)
INVOICED_AT = datetime(2026, 11, 30, 22, 5, tzinfo=UTC)
REFUNDED_AT = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)
AFTER_PAYMENT = {OrderStatus.PAID, OrderStatus.PROCESSING, OrderStatus.COMPLETED}


def lived(order: Order) -> Order:
    """The sample as its status implies it lived: paid, refunded, its documents recorded."""
    from chalicelib.clock import business_date
    from chalicelib.models.documents import Document
    from chalicelib.models.orders import DocumentKind, IssuedDocument, PaymentDetails, RefundDetails

    paid = order.status in AFTER_PAYMENT | {OrderStatus.REFUNDED}
    issued = [(DocumentKind.PRO_FORMA, order.dateCreated)]
    if paid:
        issued.append((DocumentKind.TAX_INVOICE, INVOICED_AT))
    if order.status is OrderStatus.REFUNDED:
        issued.append((DocumentKind.CREDIT_NOTE, REFUNDED_AT))
    number = order.orderNumber or order.id
    documents = [
        IssuedDocument(
            kind=kind,
            number=Document(kind).number(number),
            issuedAt=at,
            issueDate=business_date(at),
        )
        for kind, at in issued
    ]
    payment = PaymentDetails(
        paymentId="pf_1863207",
        provider="payfast",
        method="card",
        amount=order.total,
        currency=order.currency,
        paidAt=PAID_AT,
    )
    refund = RefundDetails(
        refundId="pf_rf_88412",
        amount=order.total,
        currency=order.currency,
        refundedAt=REFUNDED_AT,
        reason="Cancelled within the cooling-off period (Consumer Protection Act s16)",
    )
    return order.copy(
        update={
            "documents": documents,
            "paymentDetails": payment if paid else None,
            "refundDetails": refund if order.status is OrderStatus.REFUNDED else None,
        }
    )


def hostile_orders() -> dict[str, Order]:
    """Orders whose text could leave its box (issue 29): long unbroken names, addresses and
    codes, the largest amounts, 100 lines, and every field at its maximum."""
    base = sample_order(2)
    giant = Decimal("1000000.00")  # the largest unit price; x 1000 is R1 000 000 000,00

    def with_lines(count: int, name: str, product: str, unit: Decimal, qty: int) -> Order:
        lines = [
            OrderItemRequest(
                productId=f"{index:02d}{product}"[:64],
                productName=name,
                quantity=qty,
                unitPrice=unit,
            )
            for index in range(count)
        ]
        return base.copy(update={**price(lines, None).order_fields(), "campaign": None})

    address = base.billingAddress.copy(
        update={
            "fullName": "F" * 200,
            "companyName": "C" * 200,
            "vatNumber": "4" * 20,
            "line1": "L" * 120,
            "line2": "M" * 200,
            "city": "T" * 200,
            "province": "P" * 200,
            "postalCode": "9" * 16,
        }
    )
    campaign = (
        base.campaign.copy(update={"code": "K" * 64, "name": "N" * 200}) if base.campaign else None
    )
    return {
        "long-name": with_lines(2, "W" * 200, "p" * 64, Decimal("299.00"), 1),
        "long-address": base.copy(
            update={"billingAddress": address.copy(update={"companyName": None})}
        ),
        "long-campaign": base.copy(update={"campaign": campaign}),
        "largest-amounts": with_lines(3, "Dedicated cluster", "dc", giant, 1000),
        "hundred-lines": with_lines(100, "Z" * 200, "q" * 64, giant, 1000),
        "every-field-at-maximum": with_lines(100, "Y" * 200, "r" * 64, giant, 1000).copy(
            update={
                "billingAddress": address,
                "customerEmail": "j" * 64 + "@" + ".".join(["e" * 63, "x" * 63, "a" * 57, "com"]),
                "orderNumber": "ORD-EU-" + "9" * 12,
            }
        ),
    }


# The document kinds the hostile corpus is rendered as: (status, a re-render's copy).
HOSTILE_KINDS: dict[str, tuple[OrderStatus, bool]] = {
    "proforma": (OrderStatus.PENDING, False),
    "tax-invoice-copy": (OrderStatus.PAID, True),
    "credit-note": (OrderStatus.REFUNDED, False),
}


def hostile_lived(order: Order) -> Order:
    """A hostile order as it lived, with its payment and refund references at their longest."""
    lived_order = lived(order)
    update: dict[str, Any] = {}
    if lived_order.paymentDetails:
        update["paymentDetails"] = lived_order.paymentDetails.copy(
            update={"paymentId": "R" * 128, "provider": "P" * 32, "method": "M" * 32}
        )
    if lived_order.refundDetails:
        update["refundDetails"] = lived_order.refundDetails.copy(
            update={"refundId": "Q" * 128, "reason": "Why" * 66 + "yy"}
        )
    return lived_order.copy(update=update)


def png_pages(pdf: Path, scale: float = 1.5, first: int | None = None) -> list[Path]:
    """PNG images of the PDF's pages beside it (PDFium), for a reviewer without a PDF viewer."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    written = []
    try:
        for index in range(min(len(document), first or len(document))):
            image = document[index].render(scale=scale).to_pil()
            path = pdf.with_name(f"{pdf.stem}-page{index + 1}.png")
            image.save(path)
            written.append(path)
    finally:
        document.close()
    return written


def main() -> int:
    """Write the previews and list them."""
    from chalicelib.models.documents import document_for
    from chalicelib.models.status_effects import STATUS_EFFECTS
    from chalicelib.rendering.emails import (
        CUSTOMER_EMAILS,
        INTERNAL_NOTIFICATION,
        EmailRenderer,
        Sender,
        order_links,
    )
    from chalicelib.rendering.invoice import render_invoice

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build/preview")
    out.mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob("*.pdf"), *out.glob("*.png"), *out.glob("email-*")]:
        stale.unlink()
    supplier = local_supplier()
    written = []
    for name, (items, status, tenant, copy) in DOCUMENT_SAMPLES.items():
        order = lived(sample_order(items, status).copy(update={"tenantId": tenant}))
        path = out / f"{name}.pdf"
        path.write_bytes(render_invoice(order, document_for(status), supplier, copy=copy))
        written += [path, *png_pages(path)]
    for name, order in hostile_orders().items():  # text that could leave its box
        for document, (status, copy) in HOSTILE_KINDS.items():
            path = out / f"hostile-{name}-{document}.pdf"
            hostile = hostile_lived(order.copy(update={"status": status}))
            path.write_bytes(render_invoice(hostile, document_for(status), supplier, copy=copy))
            written += [path, *png_pages(path, first=2)]  # the first two pages tell
    renderer = EmailRenderer(
        lambda _key: None,  # the packaged templates
        links=order_links(PORTAL_URL),
        sender=Sender(supplier.name, "billing@bbws.io"),
    )
    for email, kind in CUSTOMER_EMAILS.items():
        status = next(s for s, row in STATUS_EFFECTS.items() if row.customer_email is email)
        order = lived(sample_order(2, status))
        written += _email(out, renderer.render(kind, order, document_for(status)), kind.name)
    written += _email(out, renderer.render(INTERNAL_NOTIFICATION, sample_order()), "internal")
    for path in written:
        print(f"wrote {path}")
    return 0


def _email(out: Path, email: Any, name: str) -> list[Path]:
    paths = []
    for suffix, content in (
        (".html", email.html),
        (".txt", f"Subject: {email.subject}\n\n{email.text}"),
    ):
        path = out / f"email-{name}{suffix}"
        path.write_text(content, encoding="utf-8")
        paths.append(path)
    png = screenshot(paths[0])
    return [*paths, png] if png else paths


BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def screenshot(html: Path) -> Path | None:
    """A PNG of an email's HTML as a mail client shows it (headless Chromium); None, said once,
    where no Chromium is installed (Debian: `apt-get install chromium`)."""
    import shutil
    import subprocess

    browser = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    if browser is None:
        if not getattr(screenshot, "warned", False):
            print("no Chromium on PATH: the emails are written as HTML and text, without PNGs")
            screenshot.warned = True  # type: ignore[attr-defined]
        return None
    png = html.with_suffix(".png")
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",  # root in a container has no user namespace for the sandbox
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=720,1100",
            f"--screenshot={png.resolve()}",
            html.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return png


if __name__ == "__main__":
    raise SystemExit(main())
