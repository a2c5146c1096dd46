"""No text leaves its box (issue 29): a hostile corpus on every document kind, checked by the
positions PDFium reports for each word: every word inside the page's margins, no two words
overlapping (a name printed over the Qty column, a code over "Billed to", an amount into the
next column)."""

from __future__ import annotations

import pypdfium2
import pytest

from chalicelib.models.documents import document_for
from chalicelib.models.orders import OrderStatus
from chalicelib.rendering.invoice import render_invoice
from devstack.preview import hostile_lived, hostile_orders, local_supplier

MARGIN_PT = 1.8 / 2.54 * 72  # the template's left and right page margins (1.8 cm)
KINDS = {
    "proforma": (OrderStatus.PENDING, False),
    "tax-invoice": (OrderStatus.PAID, False),
    "tax-invoice-copy": (OrderStatus.PAID, True),
    "proforma-cancelled": (OrderStatus.CANCELLED, False),
    "credit-note": (OrderStatus.REFUNDED, False),
}
Box = tuple[float, float, float, float]  # left, bottom, right, top


def words(pdf: bytes) -> list[list[tuple[str, Box]]]:
    """Each page's words and their boxes: runs of characters without a space or a line break."""
    document = pypdfium2.PdfDocument(pdf)
    pages = []
    try:
        for page in document:
            text = page.get_textpage()
            found: list[tuple[str, Box]] = []
            word, box = "", None
            for index in range(text.count_chars()):
                char = text.get_text_range(index, 1)
                left, bottom, right, top = text.get_charbox(index)
                same_line = box is not None and abs(bottom - box[1]) < 1 and left >= box[2] - 1
                if char.isspace() or not char or (box is not None and not same_line):
                    if word and box:
                        found.append((word, box))
                    word, box = "", None
                    if char.isspace() or not char:
                        continue
                word += char
                box = (
                    (left, bottom, right, top)
                    if box is None
                    else (box[0], min(box[1], bottom), max(box[2], right), max(box[3], top))
                )
            if word and box:
                found.append((word, box))
            pages.append(found)
    finally:
        document.close()
    return pages


def overlap(a: Box, b: Box) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0.5 and height > 0.5 else 0.0


@pytest.mark.parametrize("case", sorted(hostile_orders()))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_no_word_leaves_its_box(case: str, kind: str) -> None:
    status, copy = KINDS[kind]
    order = hostile_lived(hostile_orders()[case].copy(update={"status": status}))
    pdf = render_invoice(order, document_for(status), local_supplier(), copy=copy)
    for number, page in enumerate(words(pdf), 1):
        width = 595.28
        for word, box in page:
            assert box[0] >= MARGIN_PT - 2, (number, word, box)
            assert box[2] <= width - MARGIN_PT + 2, (number, word, box)
        ordered = sorted(page, key=lambda w: w[1][0])
        for i, (word, box) in enumerate(ordered):
            for other, other_box in ordered[i + 1 :]:
                if other_box[0] >= box[2]:
                    break
                assert not overlap(box, other_box), (number, word, other, box, other_box)
