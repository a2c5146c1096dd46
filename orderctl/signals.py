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


@contextmanager
def interrupting() -> Iterator[None]:
    """Ctrl-C and SIGTERM (a process manager, a CI job's timeout) raise KeyboardInterrupt at once,
    even where the parent started orderctl with SIGINT ignored (a shell's background job). For
    work that is safe to stop anywhere: the backfill saves its state after each order, and each
    order's key makes a request sent again a replay."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    with handled(stop):
        yield
