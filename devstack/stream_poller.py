"""Drives the `@app.on_dynamodb_record` handler the way Lambda's stream event source mapping does.

Per shard of the orders table's stream (moto serves it): records in order, the mapping's event
filter applied (order MODIFYs only), batches of up to `batch_size` gathered for at most the
batching window, the handler's result honoured. A
`batchItemFailures` entry retries the batch from that record (the ones before it are done); a
raised error retries the whole batch. After `maximum_retry_attempts` retries the batch is
given up and reported to the on-failure destination (the stream DLQ) as Lambda reports it: the
shard and the sequence numbers, not the records. Where the poller is in each shard is kept in
`.local/stream-checkpoints.json`, so a restarted poller goes on where it stopped.

The handler runs in this process: the stream consumer only translates and enqueues, and Lambda
runs one batch per shard at a time anyway.

`python -m devstack.stream_poller STAGE READY_FILE`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devstack.aws_limits import LAMBDA_PAYLOAD_LIMIT
from devstack.lambda_runtime import FakeLambdaContext

log = logging.getLogger("bbws.local.stream")
Invoke = Callable[[dict[str, Any]], Any]


def to_lambda_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A GetRecords entry in the shape Lambda hands to the function (times as epoch seconds)."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        change["ApproximateCreationDateTime"] = created.replace(
            tzinfo=created.tzinfo or UTC
        ).timestamp()
    return {
        "eventID": record.get("eventID", ""),
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    }


def within_payload(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The longest first part of `records` whose event (`{"Records": [...]}`) fits Lambda's
    invocation payload; at least one record (a record alone is at most two 400 KB images)."""
    size = len(b'{"Records":[]}')
    for count, record in enumerate(records):
        size += len(json.dumps(record, separators=(",", ":")).encode()) + (1 if count else 0)
        if size > LAMBDA_PAYLOAD_LIMIT and count:
            return records[:count]
    return records


def matches(pattern: dict[str, Any], record: dict[str, Any]) -> bool:
    """Whether a record passes an event filter pattern (exact values, as in `filter_pattern`)."""
    for key, wanted in pattern.items():
        value = record.get(key) if isinstance(record, dict) else None
        if isinstance(wanted, dict):
            if not isinstance(value, dict) or not matches(wanted, value):
                return False
        elif value not in wanted:
            return False
    return True


def first_failure(result: Any, batch: list[dict[str, Any]]) -> int | None:
    """Index in `batch` from which to retry; None when the batch succeeded.

    An invalid report (an unknown sequence number) fails the whole batch, as in Lambda.
    """
    if not isinstance(result, dict) or not result.get("batchItemFailures"):
        return None
    numbers = [r["dynamodb"]["SequenceNumber"] for r in batch]
    indexes = []
    for failure in result["batchItemFailures"]:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if identifier not in numbers:
            return 0
        indexes.append(numbers.index(identifier))
    return min(indexes)


class ShardPoller:
    """One shard: read, batch, invoke, retry or give up, checkpoint."""

    def __init__(
        self,
        streams: Any,
        sqs: Any,
        *,
        stream_arn: str,
        shard_id: str,
        invoke: Invoke,
        settings: Any,
        region: str,
        dlq_url: str,
        checkpoints: Path,
        retry_delay_s: float = 1.0,
    ) -> None:
        self._streams, self._sqs = streams, sqs
        self._arn, self._shard = stream_arn, shard_id
        self._invoke = invoke
        self._settings = settings
        self._region = region
        self._dlq_url = dlq_url
        self._checkpoints = checkpoints
        self._retry_delay_s = retry_delay_s
        self._pending: list[dict[str, Any]] = []
        self._iterator = self._start_iterator()

    def _start_iterator(self) -> str:
        done = _read_checkpoints(self._checkpoints).get(f"{self._arn}|{self._shard}")
        where: dict[str, Any] = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": done}
            if done
            else {"ShardIteratorType": "TRIM_HORIZON"}  # a new stack: every record of it
        )
        return str(
            self._streams.get_shard_iterator(StreamArn=self._arn, ShardId=self._shard, **where)[
                "ShardIterator"
            ]
        )

    def _read(self) -> None:
        response = self._streams.get_records(
            ShardIterator=self._iterator, Limit=self._settings.batch_size
        )
        self._iterator = response.get("NextShardIterator") or self._iterator
        records = [
            to_lambda_record(r, self._arn, self._region) for r in response.get("Records", [])
        ]
        # Lambda's event filter: records that do not match are dropped, never delivered.
        kept = [r for r in records if matches(self._settings.filter_pattern, r)]
        self._pending.extend(kept)
        if records and not self._pending:  # all filtered out: the checkpoint moves past them
            self._advance(0, records[-1]["dynamodb"]["SequenceNumber"])

    def gather(self, stop: threading.Event) -> list[dict[str, Any]]:
        """Up to batch_size records, waiting at most the batching window after the first, and no
        more than fit Lambda's 6 MB invocation payload (Lambda cuts a batch there too)."""
        deadline: float | None = None
        while not stop.is_set() and len(self._pending) < self._settings.batch_size:
            before = len(self._pending)
            self._read()
            if self._pending and deadline is None:
                deadline = time.monotonic() + self._settings.batching_window_s
            if deadline is not None and time.monotonic() >= deadline:
                break
            if len(self._pending) == before:
                stop.wait(0.2)
        return within_payload(self._pending[: self._settings.batch_size])

    def run_batch(self, batch: list[dict[str, Any]]) -> None:
        """Invoke until the batch is done or given up; the pending records move on."""
        attempts = 0
        while batch:
            started = time.monotonic()
            try:
                failed_at = first_failure(self._invoke({"Records": batch}), batch)
            except Exception:
                log.exception(
                    "%s raised: the batch of %d is retried", self._settings.function, len(batch)
                )
                failed_at = 0
            done = batch if failed_at is None else batch[:failed_at]
            log.info(
                "%s processed %d record(s), %d to retry, in %.0f ms",
                self._settings.function,
                len(done),
                len(batch) - len(done),
                (time.monotonic() - started) * 1000,
            )
            self._advance(len(done), done[-1]["dynamodb"]["SequenceNumber"] if done else None)
            if failed_at is None:
                return
            batch = batch[failed_at:]
            attempts += 1
            if attempts > self._settings.maximum_retry_attempts:
                self._give_up(batch)
                return
            log.warning(
                "%s: retrying %d record(s) from %s (attempt %d of %d)",
                self._settings.function,
                len(batch),
                batch[0]["dynamodb"]["SequenceNumber"],
                attempts,
                self._settings.maximum_retry_attempts,
            )
            time.sleep(self._retry_delay_s)

    def _advance(self, count: int, last: str | None) -> None:
        del self._pending[:count]
        if last is not None:
            checkpoints = _read_checkpoints(self._checkpoints)
            checkpoints[f"{self._arn}|{self._shard}"] = last
            _write_checkpoints(self._checkpoints, checkpoints)

    def _give_up(self, batch: list[dict[str, Any]]) -> None:
        """Report the batch to the on-failure destination (what Lambda sends) and move on."""
        first, last = (
            batch[0]["dynamodb"]["SequenceNumber"],
            batch[-1]["dynamodb"]["SequenceNumber"],
        )
        record = {
            "requestContext": {
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": self._settings.maximum_retry_attempts + 1,
                "functionArn": f"arn:aws:lambda:{self._region}:000000000000:function:"
                f"{self._settings.function}",
            },
            "responseContext": {"statusCode": 200, "functionError": "BatchItemFailures"},
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": self._shard,
                "startSequenceNumber": first,
                "endSequenceNumber": last,
                "streamArn": self._arn,
                "batchSize": len(batch),
            },
        }
        self._sqs.send_message(QueueUrl=self._dlq_url, MessageBody=json.dumps(record))
        log.error(
            "%s: gave up %d record(s) %s-%s after %d retries; reported to the stream DLQ",
            self._settings.function,
            len(batch),
            first,
            last,
            self._settings.maximum_retry_attempts,
        )
        self._advance(len(batch), last)

    def run(self, stop: threading.Event) -> None:
        """Poll until stopped."""
        while not stop.is_set():
            try:
                batch = self.gather(stop)
            except Exception:
                if stop.is_set():
                    return
                log.exception("%s: reading the stream failed; retrying", self._settings.function)
                stop.wait(1)
                continue
            if batch:
                self.run_batch(batch)


def _read_checkpoints(path: Path) -> dict[str, str]:
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {}


def _write_checkpoints(path: Path, checkpoints: dict[str, str]) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(checkpoints, indent=2))
    partial.replace(path)


def main() -> int:
    """`python -m devstack.stream_poller STAGE READY_FILE`: run until SIGTERM/SIGINT."""
    import os
    import signal
    import sys

    from chalicelib import aws
    from chalicelib.topology import ORDER_STATUS_STREAM
    from devstack import aws_calls
    from devstack.lambda_runtime import start, stream_handler
    from devstack.stage import function_config

    stage, ready_file = sys.argv[1], Path(sys.argv[2])
    # The reads are Lambda's event source mapping's (with the function's role); the handler's
    # own calls are the function's code.
    aws_calls.install(ORDER_STATUS_STREAM.function, caller=aws_calls.MAPPING)
    config = function_config(stage, ORDER_STATUS_STREAM.function)
    os.environ.update(config.environment)
    handler = stream_handler(start(), ORDER_STATUS_STREAM.function)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    def invoke(event: dict[str, Any]) -> Any:
        with aws_calls.recording_as(aws_calls.CODE):
            return handler(event, FakeLambdaContext(ORDER_STATUS_STREAM.function, config.timeout_s))

    region = os.environ.get("AWS_REGION", "eu-west-1")
    table = aws.dynamodb().describe_table(TableName=os.environ["ORDERS_TABLE_NAME"])["Table"]
    stream_arn = table["LatestStreamArn"]
    streams = aws.client("dynamodbstreams")
    sqs = aws.sqs()
    dlq_url = sqs.get_queue_url(QueueName=os.environ[ORDER_STATUS_STREAM.dlq_env])["QueueUrl"]
    shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    delay = float(os.environ.get("LOCAL_RETRY_DELAY_S") or 1)
    pollers = [
        ShardPoller(
            streams,
            sqs,
            stream_arn=stream_arn,
            shard_id=shard["ShardId"],
            invoke=invoke,
            settings=ORDER_STATUS_STREAM,
            region=region,
            dlq_url=dlq_url,
            checkpoints=ready_file.with_name("stream-checkpoints.json"),
            retry_delay_s=delay,
        )
        for shard in shards
    ]
    threads = [threading.Thread(target=p.run, args=(stop,), daemon=True) for p in pollers]
    for thread in threads:
        thread.start()
    ready_file.write_text(str(os.getpid()))
    log.info("Reading %d shard(s) of %s", len(pollers), stream_arn)
    while not stop.wait(0.5):
        pass
    for thread in threads:
        thread.join(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
