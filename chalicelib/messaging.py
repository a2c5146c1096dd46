"""Event publishers: an SQS queue (order requests) and the SNS fan-out topic (order events).

Bodies are compact UTF-8 JSON (`models.wire`). `PublishBatch` requests are cut by count (ten)
and by bytes: AWS caps the whole batch at the topic's `MaximumMessageSize`, so ten events of
30 KB each are two requests, not one that SNS refuses (docs/aws-limits.md).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.failures import dependency
from chalicelib.models import wire
from chalicelib.models.base import ApiModel

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient


SNS_BATCH = 10  # PublishBatch takes at most ten entries
SNS_BATCH_BYTES = wire.MESSAGE_LIMIT  # ... whose sizes add up to the topic's MaximumMessageSize


def _attributes(event: ApiModel) -> dict[str, Any]:
    """Message attributes from the envelope (type, correlation id), for filters and log lookups."""
    values = {name: getattr(event, name, None) for name in ("type", "correlationId")}
    return {
        name: {"DataType": "String", "StringValue": str(value)}
        for name, value in values.items()
        if value is not None
    }


class QueuePublisher:
    """Sends events to one SQS queue, found by name on first use (cached per container)."""

    def __init__(self, client: SQSClient, queue_name: str) -> None:
        self._client = client
        self._queue_name = queue_name
        self._url: str | None = None
        self._lock = threading.Lock()

    def _queue_url(self) -> str:
        with self._lock:
            if self._url is None:
                self._url = self._client.get_queue_url(QueueName=self._queue_name)["QueueUrl"]
            return self._url

    def publish(self, event: ApiModel, body: str | None = None) -> None:
        """SendMessage with the event as JSON body."""
        with dependency("Could not enqueue the order"):
            self._client.send_message(
                QueueUrl=self._queue_url(),
                MessageBody=wire.encode(event) if body is None else body,
                MessageAttributes=_attributes(event),
            )


class TopicPublisher:
    """Publishes events to the SNS fan-out topic (raw delivery to each subscriber queue)."""

    def __init__(self, client: SNSClient, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def publish(self, event: ApiModel, body: str | None = None) -> None:
        """Publish with the event type as a message attribute (subscription filters use it)."""
        with dependency("Could not publish the order event"):
            self._client.publish(
                TopicArn=self._topic_arn,
                Message=wire.encode(event) if body is None else body,
                MessageAttributes=_attributes(event),
            )

    def publish_batch(self, events: list[ApiModel]) -> set[int]:
        """PublishBatch in requests of at most ten entries and SNS_BATCH_BYTES; returns the
        indexes SNS did not accept."""
        bodies = [wire.encode(event) for event in events]
        attributes = [_attributes(event) for event in events]
        entries = [
            {"Id": str(index), "Message": body, "MessageAttributes": attributes[index]}
            for index, body in enumerate(bodies)
        ]
        sizes = list(map(wire.message_size, bodies, attributes))
        failed: set[int] = set()
        for batch in wire.batches(sizes, SNS_BATCH, SNS_BATCH_BYTES):
            try:
                response = self._client.publish_batch(
                    TopicArn=self._topic_arn,
                    PublishBatchRequestEntries=entries[batch.start : batch.stop],  # type: ignore[arg-type]
                )
            except (BotoCoreError, ClientError):
                failed.update(batch)
                continue
            failed.update(int(entry["Id"]) for entry in response.get("Failed", []))
        return failed
