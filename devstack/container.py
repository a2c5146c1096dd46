"""One warm "Lambda container" of a function: a process that runs its handler, batch by batch.

The SQS poller (`devstack.poller`) is Lambda's event source mapping; it hands each batch
to a container over a pipe and deletes what succeeded. Keeping the two apart is what Lambda
does, and it matters twice locally:

- concurrency: batches run in parallel processes, as in concurrent containers, not on threads
  sharing one GIL (a PDF render holds it for ~50 ms);
- failure: a poller that dies mid-batch does not take the invocation with it. The container
  finishes the batch (its effects stand, its result has nowhere to go), then exits when it reads
  the end of its input; the messages return after the visibility timeout, and the idempotent
  processors do nothing twice. A container that dies mid-batch is a function crash: the poller
  fails that batch, as Lambda does, and starts a fresh container for the next one.

Protocol: one JSON line in (`{"event": …, "timeout_s": …}`), one JSON line out
(`{"result": …}` or `{"error": "…"}`). The handler's logs go to stderr, which is the poller's
output, so they reach the same log file.

`python -m devstack.container FUNCTION` (environment: the function's, from the poller).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from typing import IO, Any

log = logging.getLogger("bbws.local.container")


class ContainerDied(Exception):
    """The container process ended before answering (a function crash)."""


class Container:
    """The poller's side of one container process."""

    def __init__(self, function: str) -> None:
        self.function = function
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack.container", function],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def invoke(self, event: dict[str, Any], timeout_s: int) -> Any:
        """Run the handler on `event`; returns what it returned, raises what it raised."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        try:
            self.process.stdin.write(json.dumps({"event": event, "timeout_s": timeout_s}) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except OSError:  # BrokenPipeError: it died before reading the batch
            line = ""
        if not line:
            try:
                code: int | str = self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                code = "unknown (it stopped answering and was killed)"
            raise ContainerDied(f"{self.function}: the container exited with code {code}")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply["result"]

    def close(self) -> None:
        """End of input: the container exits after its current batch."""
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Containers:
    """Warm containers of one function, started on demand (a cold start) up to `limit`."""

    def __init__(self, function: str, limit: int) -> None:
        self.function = function
        self.limit = limit
        self._idle: list[Container] = []
        self._all: list[Container] = []
        self._lock = threading.Lock()

    def invoke(self, event: dict[str, Any], timeout_s: int) -> Any:
        """Run one batch in an idle container (the poller never has more than `limit` out)."""
        with self._lock:
            container = self._idle.pop() if self._idle else self._start()
        try:
            result = container.invoke(event, timeout_s)
        except ContainerDied:
            with self._lock:
                self._all.remove(container)
            raise
        with self._lock:
            self._idle.append(container)
        return result

    def _start(self) -> Container:
        if len(self._all) >= self.limit:
            raise RuntimeError(f"{self.function}: more than {self.limit} batches in flight")
        container = Container(self.function)
        self._all.append(container)
        return container

    def close(self) -> None:
        """Stop every container once its batch is done."""
        with self._lock:
            containers, self._all, self._idle = list(self._all), [], []
        for container in containers:
            container.close()


HOLD_MARKER = "holding the batch's reply (LOCAL_HOLD_REPLY_S)"


def _hold_s(function: str) -> float:
    """Crash tests only: `LOCAL_HOLD_REPLY_S=order_pdf_creator:3` delays the reply to each of
    that function's containers' first batch.

    The batch's effects are done, its messages not yet deleted: a poller killed meanwhile can
    only lose the reply, so the messages surely come back (and must be recognised as done). Only
    the first: the crash test needs one such batch, and every later one would add the delay.
    """
    name, _, seconds = os.environ.get("LOCAL_HOLD_REPLY_S", "").partition(":")
    return float(seconds) if name == function and seconds else 0.0


def serve(handler: Any, function: str, requests: IO[str], replies: IO[str]) -> None:
    """The container's loop: a batch in, its result out, until the input ends."""
    from devstack.lambda_runtime import FakeLambdaContext

    hold_s = _hold_s(function)
    for line in requests:
        request = json.loads(line)
        context = FakeLambdaContext(function, int(request["timeout_s"]))
        try:
            reply = {"result": handler(request["event"], context)}
        except Exception as exc:  # the poller fails the batch, as Lambda does for an error
            log.exception("%s raised: the whole batch will be retried", function)
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        if hold_s:
            log.warning("%s: %s for %.1f s", function, HOLD_MARKER, hold_s)
            time.sleep(hold_s)
            hold_s = 0.0
        try:
            replies.write(json.dumps(reply, default=str) + "\n")
            replies.flush()
        except (BrokenPipeError, OSError):
            return  # the poller is gone; the batch's effects stand, its messages come back


def _line_atomic(fd: int) -> IO[str]:
    """A text stream on `fd` that writes each line whole (one `write` per flush)."""
    raw = io.FileIO(fd, "w", closefd=False)
    return io.TextIOWrapper(
        io.BufferedWriter(raw, buffer_size=1 << 20), encoding="utf-8", line_buffering=True
    )


def main() -> int:
    """Serve batches of the function named on the command line."""
    from devstack import aws_calls
    from devstack.lambda_runtime import sqs_handler, start

    function = sys.argv[1]
    aws_calls.install(function)
    # The poller owns the container's lifetime: a stop closes our input after the batch.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # print() and the handler's logs join the poller's output
    # The function's containers share that pipe: each line must reach it in one write, or two
    # containers' lines interleave (`print` writes the text and its newline separately).
    sys.stdout, sys.stderr = _line_atomic(1), _line_atomic(2)
    serve(sqs_handler(start(), function), function, sys.stdin, replies)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
