"""SQS batch handling as Lambda expects it: failures reported by message id, never the batch.

Powertools' BatchProcessor would be the first choice, but in Powertools v3 it imports its
pydantic v2 parser models and fails beside the pinned pydantic 1.10 (docs/adr/0004). What a
message means is `processing.py`'s; this module only runs a handler per record, or per batch.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from chalicelib import log, metrics

T = TypeVar("T")
# Decoded body → None; raising marks this one record as failed (it is retried, then DLQ'd).
RecordHandler = Callable[[str], None]
_receive_count: ContextVar[int] = ContextVar("receive_count", default=1)


def redelivered() -> bool:
    """Whether the record being handled was received before (SQS's ApproximateReceiveCount).

    A first delivery can skip looking for its own earlier effects; the conditional writes still
    keep duplicates out (an SNS duplicate is a first delivery too).
    """
    return _receive_count.get() > 1


def _count_of(record: dict[str, Any]) -> int:
    try:
        return int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
    except (TypeError, ValueError):
        return 2  # unknown: assume the worst, look first


def records_of(event: Any) -> list[dict[str, Any]]:
    """Chalice's SQSEvent (or a plain Lambda event dict) → its records."""
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    return list(raw.get("Records", []))


def _failed(record: dict[str, Any], what: str) -> dict[str, str]:
    metrics.count("ProcessingFailures")
    log.logger.exception(
        f"{what}; it will be retried and then dead-lettered",
        extra={
            "message_id": record.get("messageId"),
            "receive_count": record.get("attributes", {}).get("ApproximateReceiveCount"),
        },
    )
    return {"itemIdentifier": record.get("messageId", "")}


def handle_batch(event: Any, handle_body: RecordHandler, function: str) -> dict[str, Any]:
    """Run `handle_body` per record; return `{"batchItemFailures": [...]}` for partial retries."""
    failures = []
    with metrics.published(function):
        for record in records_of(event):
            log.reset()
            log.bind(function=function, message_id=record.get("messageId"))
            token = _receive_count.set(_count_of(record))
            try:
                handle_body(record["body"])
            except Exception:  # one bad message must never fail its batch-mates
                failures.append(_failed(record, "Message failed"))
            finally:
                _receive_count.reset(token)
    return {"batchItemFailures": failures}


def handle_batch_together(
    event: Any,
    parse: Callable[[str], T],
    process: Callable[[list[T]], set[int]],
    function: str,
) -> dict[str, Any]:
    """Parse every record, then process the valid ones in one go (for per-batch economies).

    `process` returns the indexes (into the list it was given) that failed.
    """
    with metrics.published(function):
        log.reset()
        log.bind(function=function)
        return _together(records_of(event), parse, process)


def _together(
    records: list[dict[str, Any]], parse: Callable[[str], T], process: Callable[[list[T]], set[int]]
) -> dict[str, Any]:
    failures = []
    parsed: list[tuple[dict[str, Any], T]] = []
    for record in records:
        try:
            parsed.append((record, parse(record["body"])))
        except Exception:
            failures.append(_failed(record, "Malformed message"))
    try:
        failed = process([item for _, item in parsed]) if parsed else set()
    except Exception:
        failures.extend(_failed(record, "Batch failed") for record, _ in parsed)
        return {"batchItemFailures": failures}
    if failed:
        metrics.count("ProcessingFailures", len(failed))
    failures.extend({"itemIdentifier": parsed[i][0].get("messageId", "")} for i in sorted(failed))
    return {"batchItemFailures": failures}
