"""The queues and the functions they trigger: one declaration read by app.py and the local stack.

Each SQS-triggered function has its own queue and DLQ. The record writer's queue receives
`OrderCreateRequested` from the API. The document renderer and the internal notification are
subscribed to the SNS fan-out topic that carries `OrderCreated` (docs/adr/0002-fan-out-topology.md);
the renderer's queue also receives `OrderStatusChanged` from the table's stream consumer, and the
customer emailer's queue receives `DocumentIssued` from the renderer, so each customer email
carries the document it announces (docs/adr/0016-documents-follow-the-order.md). Queue names come
from the stage's environment variables, never from code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib import SERVICE_NAME

MAX_RECEIVE_COUNT = 3
VISIBILITY_TIMEOUT_FACTOR = 6  # AWS guidance: queue visibility >= 6 x the function timeout
EVENTS_TOPIC_ENV = "ORDER_EVENTS_TOPIC_NAME"


@dataclass(frozen=True)
class Consumer:
    """An SQS-triggered function and its event source mapping settings."""

    function: str
    short_name: str  # in log file names, the local stack's process names and `orderctl dlq`
    queue_env: str
    dlq_env: str
    batch_size: int
    batching_window_s: int
    max_concurrency: int
    fed_by_topic: bool

    def queue_name(self) -> str:
        """This consumer's queue name, from the environment."""
        return _required(self.queue_env)

    def event_source(self) -> dict[str, Any]:
        """Keyword arguments for `app.on_sqs_message`."""
        return {
            "name": self.function,
            "queue": self.queue_name(),
            "batch_size": self.batch_size,
            "maximum_batching_window_in_seconds": self.batching_window_s,
            "maximum_concurrency": self.max_concurrency,
        }


def _required(env: str) -> str:
    from chalicelib.settings import get_settings

    return get_settings().named(env)


# The requirements ask 5 s for the record writer's window, but Lambda waits out the whole window
# when a batch is not full, so an order would be readable only after > 5 s. 4 s is the largest
# window that keeps read-after-POST under the 5 s target (docs/adr/0002-fan-out-topology.md).
ORDER_CREATOR_RECORD = Consumer(
    "order_creator_record",
    "record",
    "ORDER_CREATION_QUEUE_NAME",
    "ORDER_CREATION_DLQ_NAME",
    10,
    4,
    5,
    False,
)
ORDER_PDF_CREATOR = Consumer(
    "order_pdf_creator", "pdf", "ORDER_PDF_QUEUE_NAME", "ORDER_PDF_DLQ_NAME", 5, 2, 10, True
)
INTERNAL_NOTIFICATION_SENDER = Consumer(
    "order_internal_notification_sender",
    "internal",
    "INTERNAL_NOTIFICATION_QUEUE_NAME",
    "INTERNAL_NOTIFICATION_DLQ_NAME",
    10,
    5,
    5,
    True,
)
CUSTOMER_CONFIRMATION_SENDER = Consumer(
    "customer_order_confirmation_sender",
    "customer",
    "CUSTOMER_CONFIRMATION_QUEUE_NAME",
    "CUSTOMER_CONFIRMATION_DLQ_NAME",
    10,
    5,
    5,
    False,  # fed by the document renderer (DocumentIssued), not the topic
)
CONSUMERS = (
    ORDER_CREATOR_RECORD,
    ORDER_PDF_CREATOR,
    INTERNAL_NOTIFICATION_SENDER,
    CUSTOMER_CONFIRMATION_SENDER,
)


@dataclass(frozen=True)
class StreamConsumer:
    """The table's stream consumer (`app.on_dynamodb_record`) and its mapping settings.

    Chalice wants the stream's ARN when app.py is imported, but the ARN carries a label
    DynamoDB picks when the stream is created. The decorator gets a placeholder;
    scripts/package.py points the packaged mapping at the table module's `stream_arn`, and the
    local stack finds the stream by the table's name (docs/adr/0016-documents-follow-the-order.md).
    """

    function: str
    short_name: str
    dlq_env: str  # the mapping's on-failure destination: records that exhausted their retries
    batch_size: int
    batching_window_s: int
    maximum_retry_attempts: int
    maximum_record_age_s: int
    # Lambda event filtering: only these records invoke the function (the rest of the table's
    # writes, ledgers, claims, counters, new orders, never do). Same syntax as the mapping's.
    filter_pattern: dict[str, Any]

    def event_source(self) -> dict[str, Any]:
        """Keyword arguments for `app.on_dynamodb_record`."""
        return {
            "name": self.function,
            "stream_arn": STREAM_ARN_PLACEHOLDER,
            "batch_size": self.batch_size,
            "starting_position": "LATEST",
            "maximum_batching_window_in_seconds": self.batching_window_s,
        }


STREAM_ARN_PLACEHOLDER = (
    "arn:aws:dynamodb:eu-west-1:000000000000:table/orders/stream/set-by-scripts-package"
)
ORDER_STATUS_STREAM = StreamConsumer(
    "order_status_stream",
    "stream",
    "ORDER_STATUS_STREAM_DLQ_NAME",
    batch_size=100,
    batching_window_s=1,
    maximum_retry_attempts=10,
    maximum_record_age_s=24 * 3600,  # the stream keeps records 24 hours
    filter_pattern={
        "eventName": ["MODIFY"],
        "dynamodb": {"NewImage": {"entityType": {"S": ["ORDER"]}}},
    },
)


def deployed_function_name(function: str, stage: str) -> str:
    """A function's name in AWS: `bbws-order-lambda-{function}-{env}`, kebab-case (requirements
    section 4.2), e.g. `bbws-order-lambda-order-creator-record-dev`."""
    return f"{SERVICE_NAME}-{function.replace('_', '-')}-{stage}"
