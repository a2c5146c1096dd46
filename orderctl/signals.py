"""Ctrl-C and SIGTERM handled for the length of a block, then put back as they were."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

STOPPING = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def handled(handler: Callable[[int, FrameType | None], None]) -> Iterator[None]:
    """`handler` receives SIGINT and SIGTERM inside the block (whatever they were before)."""
    previous = {signum: signal.signal(signum, handler) for signum in STOPPING}
    try:
        yield
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)
