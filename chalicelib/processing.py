"""SQS batch handling as Lambda expects it: each record on its own, failures reported by id.

Powertools' BatchProcessor would be the first choice, but in Powertools v3 it imports its
pydantic v2 parser models and fails beside the pinned pydantic 1.10 (docs/adr/0004).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib import log

# Decoded body → None; raising marks this one record as failed (it is retried, then DLQ'd).
RecordHandler = Callable[[str], None]


def handle_batch(event: Any, handle_body: RecordHandler) -> dict[str, Any]:
    """Run `handle_body` per record; return `{"batchItemFailures": [...]}` for partial retries.

    `event` is Chalice's SQSEvent (or anything with `to_dict()` returning a Lambda SQS event).
    """
    failures = []
    for record in event.to_dict().get("Records", []):
        message_id = record.get("messageId", "")
        log.reset()
        log.bind(message_id=message_id)
        try:
            handle_body(record["body"])
        except Exception:  # one bad message must never fail its batch-mates
            log.logger.exception(
                "Message failed; it will be retried and then dead-lettered",
                extra={
                    "receive_count": record.get("attributes", {}).get("ApproximateReceiveCount")
                },
            )
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
