"""The PDF invoice: rendered once per order, stored once, linked for its own tenant only."""

from __future__ import annotations

import time
from collections.abc import Callable

from chalicelib import metrics
from chalicelib.errors import NotFound
from chalicelib.log import logger
from chalicelib.models.orders import InvoiceLink, Order
from chalicelib.models.principal import Principal
from chalicelib.ports import Invoices, OrderStore, invoice_key
from chalicelib.services.orders import OrderService

LINK_SECONDS = 300  # presigned links live five minutes at most


class InvoiceNotReady(NotFound):
    """The order exists but its invoice has not been rendered yet."""


class InvoiceService:
    """order_pdf_creator's rule, and the invoice link route."""

    def __init__(
        self, store: OrderStore, invoices: Invoices, render: Callable[[Order], bytes]
    ) -> None:
        self._store = store
        self._invoices = invoices
        self._render = render

    def create(self, order: Order, *, look_first: bool = True) -> None:
        """Render and store the invoice unless it exists; then mark it on the order.

        `look_first=False` skips the existence check (one request) and relies on the conditional
        put alone: right for a first delivery, where a stored PDF is the exception.
        """
        key = invoice_key(order.tenantId, order.id)
        if look_first and self._invoices.exists(key):
            logger.info("Invoice already stored", extra={"order_id": order.id})
        else:
            started = time.perf_counter()
            pdf = self._render(order)
            render_ms = round((time.perf_counter() - started) * 1000, 1)
            stored = self._invoices.put(key, pdf, order)
            if stored:
                metrics.count("InvoicesRendered")
                metrics.milliseconds("InvoiceRenderTime", render_ms)
            logger.info(
                "Invoice rendered" if stored else "Invoice stored concurrently",
                extra={"order_id": order.id, "render_ms": render_ms, "bytes": len(pdf)},
            )
        self._store.mark_invoice(order.tenantId, order.id)

    def link(self, orders: OrderService, principal: Principal, order_id: str) -> InvoiceLink:
        """`{url, expiresIn}` for the caller's own order, once the invoice exists."""
        order = orders.get(principal, order_id)  # tenant isolation: another tenant's is 404
        if not order.invoice.available:
            raise InvoiceNotReady(f"The invoice of order {order_id!r} is not ready yet")
        url = self._invoices.link(invoice_key(order.tenantId, order.id), LINK_SECONDS)
        return InvoiceLink(url=url, expiresIn=LINK_SECONDS)
