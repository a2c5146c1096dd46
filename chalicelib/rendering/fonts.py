"""Which fonts a document needs, so every name a customer may type prints (chalicelib/fonts/).

Text that fits Windows-1252 is set in Helvetica, a PDF base font: nothing is embedded and the
render stays as fast as ever. Any other character switches the document to DejaVu Sans (Latin,
Greek, Cyrillic, Arabic, Hebrew, symbols), and runs of CJK characters to Droid Sans Fallback
(xhtml2pdf has no per-glyph fallback, so those runs are wrapped in a `cjk` span). Both are
embedded as subsets. Characters no embedded font has (colour emoji) still print as a box.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

FONTS = Path(__file__).resolve().parents[1] / "fonts"
# CJK radicals, punctuation, kana, ideographs, Hangul, compatibility forms, half/full-width forms.
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u31ff\u3200-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0002fa1f]+"
)


def fits_base_font(texts: list[str]) -> bool:
    """Whether Helvetica (WinAnsi encoding) can show every character of `texts`."""
    try:
        "".join(texts).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def font_faces(texts: list[str]) -> dict[str, Any]:
    """The template's font settings: the family, and the @font-face files it needs."""
    if fits_base_font(texts):
        return {"family": "Helvetica", "faces": []}
    faces = [
        {"family": "DejaVu", "src": str(FONTS / "DejaVuSans.ttf"), "bold": False},
        {"family": "DejaVu", "src": str(FONTS / "DejaVuSans-Bold.ttf"), "bold": True},
    ]
    if any(_CJK.search(text) for text in texts):
        faces.append(
            {"family": "CJK", "src": str(FONTS / "DroidSansFallbackFull.ttf"), "bold": False}
        )
    return {"family": "DejaVu", "faces": faces}


def with_cjk_spans(text: str) -> Any:
    """Escaped text with each CJK run in `<span class="cjk">` (a Jinja2 filter for the PDF)."""
    from markupsafe import Markup, escape

    parts, last = [], 0
    for match in _CJK.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(Markup('<span class="cjk">%s</span>') % match.group())
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def strings_in(value: Any) -> list[str]:
    """Every string in a JSON-like value (what a document may print)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []
