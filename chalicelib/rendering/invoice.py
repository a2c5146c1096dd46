"""Order → PDF document (Jinja2 + xhtml2pdf); the template is compiled once per container."""

from __future__ import annotations

import io
import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalicelib.models.documents import Document
from chalicelib.models.orders import Order
from chalicelib.models.supplier import Supplier
from chalicelib.rendering.context import order_context
from chalicelib.rendering.fonts import font_faces, strings_in, with_cjk_spans

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


class RenderFailed(Exception):
    """xhtml2pdf reported errors for this invoice."""


@lru_cache(maxsize=1)
def _template() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"])
    )
    environment.filters["cjk"] = with_cjk_spans
    return environment.get_template("invoice.html")


def invoice_html(
    order: Order,
    document: Document | None = None,
    supplier: Supplier | None = None,
    *,
    copy: bool = False,
) -> str:
    """The document as HTML (what xhtml2pdf renders); by default the one the status calls for.

    `copy` marks a further render of an issued tax invoice or credit note (VAT Act s20(1))."""
    context = order_context(order, document, supplier, copy=copy)
    return str(_template().render(order=context, fonts=font_faces(strings_in(context))))


PAGE_COUNT = "<pdf:pagecount>"
ONE_PAGE_ITEMS = 6  # the most lines that fit the first page with every block shown (pro forma)
_PAGE = re.compile(rb"/Type /Page\b(?!s)")


def render_pdf(html: str, *, one_page_likely: bool = False) -> bytes:
    """HTML → PDF bytes with xhtml2pdf.

    "Page N of M" makes xhtml2pdf lay the document out twice (M is known only after the first
    pass): about 30 % of the render. A document that is likely one page is first laid out once
    with M = 1, and kept when it is indeed one page; otherwise it is laid out twice, as before
    (benchmarks/findings.md).
    """
    if one_page_likely and PAGE_COUNT in html:
        pdf = _pisa(html.replace(PAGE_COUNT, "1"))
        if len(_PAGE.findall(pdf)) == 1:
            return pdf
    return _pisa(html)


def _pisa(html: str) -> bytes:
    from xhtml2pdf import pisa

    # xhtml2pdf logs every CSS property it ignores at WARNING; keep the processor logs for us.
    logging.getLogger("xhtml2pdf").setLevel(logging.ERROR)
    output = io.BytesIO()
    status = pisa.CreatePDF(html, dest=output, encoding="utf-8")
    if status.err:
        raise RenderFailed(f"xhtml2pdf reported {status.err} error(s)")
    return output.getvalue()


def render_invoice(
    order: Order,
    document: Document | None = None,
    supplier: Supplier | None = None,
    *,
    copy: bool = False,
) -> bytes:
    """The order's document as PDF bytes."""
    html = invoice_html(order, document, supplier, copy=copy)
    return render_pdf(html, one_page_likely=likely_one_page(order))


LINE_CHARS = 40  # about the characters of a line in the description and address columns


def likely_one_page(order: Order) -> bool:
    """Whether the document likely fits one page: at most ONE_PAGE_ITEMS lines of ordinary length.
    Long names and addresses wrap (issue 29), so they count by the lines they take; a guess too
    hopeful costs one more layout pass, never a wrong document."""
    item_lines = sum(2 + len(item.productName) // LINE_CHARS for item in order.items)
    address = order.billingAddress
    texts = [address.fullName, address.companyName, address.line1, address.line2, address.city]
    extra = sum(len(text) // LINE_CHARS for text in texts if text)
    return item_lines + extra <= 2 * ONE_PAGE_ITEMS
