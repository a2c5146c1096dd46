"""Drives every `@app.on_sqs_message` handler the way Lambda's SQS event source mapping does.

Per event source: long polling, batches of up to `batch_size` gathered for at most the batching
window, at most `maximum_concurrency` batches in flight, Lambda-shaped records, and the result
honoured: a raised error leaves the whole batch for redelivery after the visibility timeout;
`batchItemFailures` leaves just those; everything else is deleted. The queue's redrive policy
moves a message to its DLQ once its receive count passes `maxReceiveCount`.

`make run` runs each batch in a container process (`devstack.container`): batches run in
parallel like Lambda's concurrent containers, and a poller that dies mid-batch does not take the
invocation with it. Tests may pass an in-process invoker instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from devstack.container import ContainerDied
from devstack.lambda_runtime import FakeLambdaContext, Handler, sqs_sources

log = logging.getLogger("bbws.local.poller")
MAX_RECEIVE = 10  # SQS returns at most 10 messages per ReceiveMessage


@dataclass(frozen=True)
class Source:
    """One SQS event source of the app, resolved against the emulator."""

    function: str
    handler: Handler
    queue_url: str
    queue_arn: str
    batch_size: int
    window_s: float
    max_concurrency: int
    timeout_s: int


def to_lambda_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """An SQS ReceiveMessage entry in the shape Lambda hands to the function."""
    attributes = message.get("Attributes", {})
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {
            "ApproximateReceiveCount": attributes.get("ApproximateReceiveCount", "1"),
            "SentTimestamp": attributes.get("SentTimestamp", "0"),
            "SenderId": attributes.get("SenderId", "local"),
            "ApproximateFirstReceiveTimestamp": attributes.get(
                "ApproximateFirstReceiveTimestamp", "0"
            ),
        },
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "dataType": value.get("DataType", "String"),
                "stringListValues": [],
                "binaryListValues": [],
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def failed_ids(result: Any, batch_ids: set[str]) -> set[str]:
    """Message ids the handler reported as failed (an invalid report fails the whole batch)."""
    if not isinstance(result, dict) or "batchItemFailures" not in result:
        return set()
    failures = result["batchItemFailures"] or []
    ids = {f.get("itemIdentifier") for f in failures if isinstance(f, dict)}
    if not ids <= batch_ids or None in ids:
        # Lambda treats a malformed report as a failure of the whole batch.
        return set(batch_ids)
    return {str(i) for i in ids}


Invoker = Callable[[dict[str, Any], int], Any]  # (event, timeout_s) -> the handler's result


def in_process(source: Source) -> Invoker:
    """Call the handler in this process, with a Lambda-like context."""

    def invoke(event: dict[str, Any], timeout_s: int) -> Any:
        return source.handler(event, FakeLambdaContext(source.function, timeout_s))

    return invoke


class SourcePoller:
    """Long-polls one queue and invokes its handler with Lambda's batching semantics."""

    def __init__(
        self,
        sqs: Any,
        source: Source,
        region: str,
        stop: threading.Event,
        *,
        wait_s: int = 2,
        retry_delay_s: int | None = None,
        invoker: Invoker | None = None,
        concurrency: int | None = None,
    ) -> None:
        self._retry_delay_s = retry_delay_s
        self._invoker = invoker or in_process(source)
        self._sqs = sqs
        self._source = source
        self._region = region
        self._stop = stop
        self._wait_s = wait_s
        slots = concurrency or source.max_concurrency
        self._slots = threading.BoundedSemaphore(slots)
        self._pool = ThreadPoolExecutor(max_workers=slots, thread_name_prefix=source.function)

    def gather(self) -> list[dict[str, Any]]:
        """One batch: up to batch_size messages, waiting at most the window after the first."""
        batch: list[dict[str, Any]] = []
        deadline: float | None = None
        while not self._stop.is_set() and len(batch) < self._source.batch_size:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                break
            wait = self._wait_s if remaining is None else min(self._wait_s, max(0, int(remaining)))
            response = self._sqs.receive_message(
                QueueUrl=self._source.queue_url,
                MaxNumberOfMessages=min(MAX_RECEIVE, self._source.batch_size - len(batch)),
                WaitTimeSeconds=wait,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            messages = response.get("Messages", [])
            if messages and deadline is None:
                deadline = time.monotonic() + self._source.window_s
            batch.extend(messages)
            if not messages and remaining is not None and wait == 0:
                time.sleep(min(0.05, max(remaining, 0)))
        return batch

    def invoke(self, batch: list[dict[str, Any]]) -> set[str]:
        """Run the handler on a batch, delete what succeeded; returns the failed message ids."""
        source = self._source
        records = [to_lambda_record(m, source.queue_arn, self._region) for m in batch]
        ids = {r["messageId"] for r in records}
        started = time.monotonic()
        try:
            failed = failed_ids(self._invoker({"Records": records}, source.timeout_s), ids)
        except ContainerDied as exc:
            log.error("%s: the whole batch of %d will be retried", exc, len(ids))
            failed = set(ids)
        except Exception:
            log.exception(
                "%s raised: the whole batch of %d will be retried", source.function, len(ids)
            )
            failed = set(ids)
        elapsed = time.monotonic() - started
        if elapsed > source.timeout_s:
            log.warning(
                "%s took %.1fs, over its %ds timeout", source.function, elapsed, source.timeout_s
            )
        done = [m for m in batch if m["MessageId"] not in failed]
        for start in range(0, len(done), MAX_RECEIVE):
            chunk = done[start : start + MAX_RECEIVE]
            self._sqs.delete_message_batch(
                QueueUrl=source.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
                ],
            )
        self._retry_soon([m for m in batch if m["MessageId"] in failed])
        log.info(
            "%s processed %d, failed %d in %.0f ms",
            source.function,
            len(done),
            len(failed),
            elapsed * 1000,
        )
        return failed

    def _retry_soon(self, failed: list[dict[str, Any]]) -> None:
        """LOCAL_RETRY_DELAY_S: failures come back after seconds, not the visibility timeout.

        Lambda leaves a failed message invisible for the rest of the queue's visibility timeout
        (minutes here), so a poison message takes maxReceiveCount times that to reach its DLQ.
        Developers and the e2e tests may shorten that; unset, the poller behaves like Lambda.
        """
        if self._retry_delay_s is None:
            return
        for start in range(0, len(failed), MAX_RECEIVE):
            chunk = failed[start : start + MAX_RECEIVE]
            self._sqs.change_message_visibility_batch(
                QueueUrl=self._source.queue_url,
                Entries=[
                    {
                        "Id": str(i),
                        "ReceiptHandle": m["ReceiptHandle"],
                        "VisibilityTimeout": self._retry_delay_s,
                    }
                    for i, m in enumerate(chunk)
                ],
            )

    def _invoke_and_release(self, batch: list[dict[str, Any]]) -> None:
        try:
            self.invoke(batch)
        except Exception:
            log.exception("%s: could not complete a batch", self._source.function)
        finally:
            self._slots.release()

    def run(self) -> None:
        """Poll until stopped; in-flight batches are allowed to finish."""
        while not self._stop.is_set():
            self._slots.acquire()
            try:
                batch = self.gather()
            except Exception:
                self._slots.release()
                if self._stop.is_set():
                    break
                log.exception("%s: receive failed; retrying", self._source.function)
                self._stop.wait(1)
                continue
            if not batch:
                self._slots.release()
                continue
            self._pool.submit(self._invoke_and_release, batch)
        self._pool.shutdown(wait=True)


def batching_window(configured: float, cap: str | None) -> float:
    """The function's batching window, or LOCAL_BATCHING_WINDOW_S when that is shorter.

    Lambda waits out the whole window when a batch is not full, so each hop of an order costs
    its window (4 s record, 2 s PDF, 5 s emails). The e2e tests cap it (0.5 s) so an order
    crosses the stack in about two seconds; batching within the window is unchanged. Unset, the
    poller keeps the mapping's window, as `make run` and Lambda do.
    """
    return min(configured, float(cap)) if cap else configured


def discover(app_module: Any, sqs: Any, timeouts: dict[str, int]) -> list[Source]:
    """Every SQS event source registered in the Chalice app, resolved to queue url and arn."""
    import os

    cap = os.environ.get("LOCAL_BATCHING_WINDOW_S")
    sources = []
    for config, handler in sqs_sources(app_module):
        url = sqs.get_queue_url(QueueName=config.queue)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sources.append(
            Source(
                function=config.name,
                handler=handler,
                queue_url=url,
                queue_arn=arn,
                batch_size=config.batch_size,
                window_s=batching_window(float(config.maximum_batching_window_in_seconds), cap),
                max_concurrency=config.maximum_concurrency or 1,
                timeout_s=timeouts.get(config.name, 30),
            )
        )
    return sources


def main() -> int:
    """`python -m devstack.poller STAGE READY_FILE [FUNCTION]`: run until SIGTERM/SIGINT.

    With FUNCTION, only that function's queue is polled: the local stack runs one process per
    function, as Lambda runs each function in its own containers (a PDF render holding the GIL
    must not delay the record writer).
    """
    import os
    import signal
    import sys
    from pathlib import Path

    from chalicelib import aws
    from chalicelib.topology import CONSUMERS
    from devstack import aws_calls
    from devstack.container import Containers
    from devstack.lambda_runtime import start
    from devstack.stage import function_config

    stage, ready_file = sys.argv[1], Path(sys.argv[2])
    only = sys.argv[3] if len(sys.argv) > 3 else None
    if only is not None:  # what Lambda's event source mapping does, with the function's role
        aws_calls.install(only, caller=aws_calls.MAPPING)
    os.environ.update(function_config(stage, only or CONSUMERS[0].function).environment)
    timeouts = {c.function: function_config(stage, c.function).timeout_s for c in CONSUMERS}
    app_module = start()

    # In AWS every function has CPUs of its own; here they share two cores with the API and the
    # emulator. The processors yield (nice 10), so the API answers promptly under load and the
    # pipeline catches up in the background, as it would behind a queue.
    os.nice(int(os.environ.get("LOCAL_PROCESSOR_NICE", "10")))
    # Should the supervisor die, the kernel kills this process (SIGKILL, PR_SET_PDEATHSIG in
    # devstack/stack.py): its in-flight messages return to their queues after the visibility
    # timeout. SIGTERM and SIGINT are the supervisor's orderly stop.
    stop = threading.Event()

    def on_signal(*_: Any) -> None:
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    sqs = aws.sqs()
    region = os.environ.get("AWS_REGION", "eu-west-1")
    sources = [s for s in discover(app_module, sqs, timeouts) if only in (None, s.function)]
    if not sources:
        log.error("app.py has no SQS handler named %s", only)
        return 2
    delay = os.environ.get("LOCAL_RETRY_DELAY_S")
    # Concurrent batches run in container processes, at most one per CPU (more would only
    # queue for the same cores); LOCAL_CONTAINERS overrides.
    limit = int(os.environ.get("LOCAL_CONTAINERS", "0")) or max(2, os.cpu_count() or 1)
    containers = [Containers(s.function, min(s.max_concurrency, limit)) for s in sources]
    pollers = [
        SourcePoller(
            sqs,
            source,
            region,
            stop,
            retry_delay_s=int(delay) if delay else None,
            invoker=pool.invoke,
            concurrency=pool.limit,
        )
        for source, pool in zip(sources, containers, strict=True)
    ]
    threads = [
        threading.Thread(target=p.run, name=f"poll-{i}", daemon=True) for i, p in enumerate(pollers)
    ]
    for thread in threads:
        thread.start()
    ready_file.write_text(str(os.getpid()))
    log.info("Polling %d queue(s): %s", len(sources), ", ".join(s.function for s in sources))
    while not stop.wait(0.5):
        pass
    log.info("Stopping: letting in-flight batches finish")
    for thread in threads:
        thread.join(timeout=60)
    for pool in containers:
        pool.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
