"""`make preview`: a sample invoice (5 and 100 items) and both emails, in build/preview/."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from chalicelib.models.orders import (
    BillingAddress,
    Campaign,
    Order,
    OrderItemRequest,
    OrderStatus,
)
from chalicelib.services.pricing import price

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


def main() -> int:
    """Write the previews and list them."""
    from chalicelib.rendering.emails import (
        CUSTOMER_CONFIRMATION,
        INTERNAL_NOTIFICATION,
        EmailRenderer,
    )
    from chalicelib.rendering.invoice import render_invoice

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build/preview")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for items in (5, 100):
        path = out / f"invoice-{items}-items.pdf"
        path.write_bytes(render_invoice(sample_order(items)))
        written.append(path)
    renderer = EmailRenderer(lambda _key: None)  # the packaged templates
    for kind in (CUSTOMER_CONFIRMATION, INTERNAL_NOTIFICATION):
        email = renderer.render(kind, sample_order())
        for suffix, content in (
            (".html", email.html),
            (".txt", f"Subject: {email.subject}\n\n{email.text}"),
        ):
            path = out / f"email-{kind.name}{suffix}"
            path.write_text(content, encoding="utf-8")
            written.append(path)
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
