"""Sample request bodies shared by the tests."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.models.orders import Order


def order_body(**overrides: Any) -> dict[str, Any]:
    """A valid CreateOrderRequest (598.00 with a 25 % campaign → 448.50)."""
    body: dict[str, Any] = {
        "customerEmail": "jane@example.com",
        "currency": "ZAR",
        "items": [
            {
                "productId": "wp-pro",
                "productName": "WordPress Pro Hosting",
                "quantity": 2,
                "unitPrice": "299.00",
            }
        ],
        "campaign": {"code": "SUMMER25", "name": "Summer sale", "discountPercent": "25.00"},
        "billingAddress": {
            "fullName": "Jane Doe",
            "line1": "1 Long St",
            "line2": None,
            "city": "Cape Town",
            "province": "Western Cape",
            "postalCode": "8001",
            "country": "ZA",
        },
    }
    body.update(overrides)
    return body


def cart_order_body(cart_id: str | None, **overrides: Any) -> dict[str, Any]:
    """A customer's CreateOrderRequest (contract revision 2): a cart, an email, an address."""
    sample = order_body()
    return {
        "cartId": cart_id,
        "customerEmail": sample["customerEmail"],
        "billingAddress": sample["billingAddress"],
        **overrides,
    }


def cart(cart_id: str, tenant_id: str = "tenant-a", **fields: Any) -> dict[str, Any]:
    """A Cart service answer holding the sample order's lines and campaign (448.50 ZAR)."""
    sample = order_body()
    return {
        "cartId": cart_id,
        "tenantId": tenant_id,
        "currency": "ZAR",
        "items": sample["items"],
        "campaign": sample["campaign"],
        "status": "OPEN",
        **fields,
    }


# Pays the sample order in full (its total is 448.50 ZAR).
PAYMENT: dict[str, str] = {
    "paymentId": "pf_1",
    "provider": "payfast",
    "method": "card",
    "amount": "448.50",
    "currency": "ZAR",
    "paidAt": "2026-11-28T10:05:00.000Z",
}


# Refunds the sample order in full, after PAYMENT.
REFUND: dict[str, str] = {
    "refundId": "rf_1",
    "amount": "448.50",
    "currency": "ZAR",
    "refundedAt": "2026-11-30T09:00:00.000Z",
    "reason": "Cancelled within the cooling-off period",
}


def refunded_now(**overrides: str) -> dict[str, str]:
    """REFUND made just now: for orders paid by the real clock (refundedAt may not precede it)."""
    from chalicelib.clock import iso, utc_now

    return {**REFUND, "refundedAt": iso(utc_now()), **overrides}


def paid_now(**overrides: str) -> dict[str, str]:
    """PAYMENT made just now: for orders created by the real clock (paidAt may not precede them)."""
    from chalicelib.clock import iso, utc_now

    return {**PAYMENT, "paidAt": iso(utc_now()), **overrides}


def order_from(request: Any, **fields: Any) -> Any:
    """The Order the service would build from an accepted CreateOrderRequest (fields override)."""
    from datetime import UTC, datetime

    from chalicelib.models.orders import Order, OrderStatus
    from chalicelib.services.pricing import price

    totals = price(request.items, request.campaign)
    now = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    return Order(
        **{
            "id": "11111111-1111-4111-8111-111111111111",
            "tenantId": "tenant-a",
            "customerEmail": request.customerEmail,
            "status": OrderStatus.PENDING,
            "currency": request.currency,
            **totals.order_fields(),
            "campaign": request.campaign,
            "billingAddress": request.billingAddress,
            "dateCreated": now,
            "dateLastUpdated": now,
            "lastUpdatedBy": "alice",
            **fields,
        }
    )


def send_simple_email(region: str = "eu-west-1") -> None:
    """One SendEmail to jane@example.com ("hi", HTML `<p>hi</p>`) through (mocked) SES."""
    import boto3

    ses = boto3.client("ses", region_name=region)
    ses.verify_email_identity(EmailAddress="no-reply@bbws.example")
    ses.send_email(
        Source="no-reply@bbws.example",
        Destination={"ToAddresses": ["jane@example.com"]},
        Message={"Subject": {"Data": "hi"}, "Body": {"Html": {"Data": "<p>hi</p>"}}},
    )


# The contract's largest order (issue 28): every text field at its maximum length in 4-byte
# characters (U+10300, OLD ITALIC LETTER A: 4 bytes in UTF-8, 12 as a JSON `\ud800\udf00`).
WIDEST = "\U00010300"
LONGEST_EMAIL = "j" * 64 + "@" + ".".join(["e" * 63, "x" * 63, "a" * 57, "com"])  # 254 characters


def longest_address() -> dict[str, Any]:
    """A billing address with every field at its maximum length, in 4-byte characters."""
    return {
        "fullName": WIDEST * 200,
        "companyName": WIDEST * 200,
        "vatNumber": "4" * 20,
        "line1": WIDEST * 200,
        "line2": WIDEST * 200,
        "city": WIDEST * 200,
        "province": WIDEST * 200,
        "postalCode": WIDEST * 16,
        "country": "ZA",
    }


def largest_order_body(**overrides: Any) -> dict[str, Any]:
    """A back-office order of 100 lines, every text at its maximum length in 4-byte characters."""
    line = {
        "productId": "p" * 64,
        "productName": WIDEST * 200,
        "quantity": 1000,
        "unitPrice": "999.99",
    }
    largest = {
        "customerEmail": LONGEST_EMAIL,
        "items": [{**line, "productId": f"{index:02d}" + "p" * 62} for index in range(100)],
        "campaign": {"code": WIDEST * 64, "name": WIDEST * 200, "discountPercent": "0.01"},
        "billingAddress": longest_address(),
    }
    return order_body(**{**largest, **overrides})


def paid_order(order: Order, paid_at: datetime, **changes: Any) -> Order:
    """`order` PAID in full at `paid_at` (PAYMENT's references), with `changes` (e.g. version)."""
    from chalicelib.models.orders import OrderStatus, PaymentDetails

    payment = PaymentDetails.parse_obj(
        {**PAYMENT, "amount": order.total, "currency": order.currency, "paidAt": paid_at}
    )
    return order.copy(update={"status": OrderStatus.PAID, "paymentDetails": payment, **changes})


def refunded_order(order: Order, refunded_at: datetime, reason: str, **changes: Any) -> Order:
    """`order` REFUNDED in full at `refunded_at` for `reason`, with `changes`."""
    from chalicelib.models.orders import OrderStatus, RefundDetails

    details = {"amount": order.total, "currency": order.currency, "refundedAt": refunded_at}
    refund = RefundDetails.parse_obj({**REFUND, **details, "reason": reason})
    return order.copy(update={"status": OrderStatus.REFUNDED, "refundDetails": refund, **changes})
