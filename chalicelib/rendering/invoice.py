"""Order → PDF invoice (Jinja2 + xhtml2pdf); the template is compiled once per container."""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalicelib.models.orders import Order
from chalicelib.rendering.context import order_context

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


class RenderFailed(Exception):
    """xhtml2pdf reported errors for this invoice."""


@lru_cache(maxsize=1)
def _template() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"])
    )
    return environment.get_template("invoice.html")


def invoice_html(order: Order) -> str:
    """The invoice as HTML (what xhtml2pdf renders)."""
    return str(_template().render(order=order_context(order)))


def render_pdf(html: str) -> bytes:
    """HTML → PDF bytes with xhtml2pdf."""
    from xhtml2pdf import pisa

    # xhtml2pdf logs every CSS property it ignores at WARNING; keep the processor logs for us.
    logging.getLogger("xhtml2pdf").setLevel(logging.ERROR)
    output = io.BytesIO()
    status = pisa.CreatePDF(html, dest=output, encoding="utf-8")
    if status.err:
        raise RenderFailed(f"xhtml2pdf reported {status.err} error(s)")
    return output.getvalue()


def render_invoice(order: Order) -> bytes:
    """The order's invoice as PDF bytes."""
    return render_pdf(invoice_html(order))
