"""Patching a library's class once: the dev stack's changes to moto and Chalice.

A process may apply the same patches more than once (the emulator's entry point, the in-process
tests); `patch_once` marks what it installed and leaves an already patched method alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

_MARK = "_bbws_patched"


def patch_once(
    owner: type, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]
) -> None:
    """Replace `owner.name` by `make(original)`, unless it was replaced already."""
    original = getattr(owner, name)
    if getattr(original, _MARK, False):
        return
    patched = functools.wraps(original)(make(original))
    setattr(patched, _MARK, True)
    setattr(owner, name, patched)
