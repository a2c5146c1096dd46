"""Dead-letter queues: counts, previews with the failure reasons, and a redrive that loses nothing.

Each of the four processors has a work queue and a DLQ. A message lands in the DLQ after
`maxReceiveCount` (3) failed receives, with the same message id it had in the work queue. That
id leads to the processor's `ERROR` log line, which holds the failure reason.

Redrive moves messages back to the processor's own work queue (never through the SNS topic:
the other processors have already done their part). Where SQS offers message-move tasks (AWS),
SQS itself moves them. Elsewhere (the emulator), orderctl moves them in batches of up to ten:
receive, send, then delete only what was sent. A Ctrl-C waits for the batch in flight, so every
message is in exactly one of the two queues when orderctl stops. A process killed hard between
send and delete can leave a copy in both queues. That is a duplicate, never a loss, and every
processor is idempotent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chalicelib import topology
from chalicelib.topology import CONSUMERS
from orderctl import signals
from orderctl.errors import AuthError, NotFound, RemoteFailure
from orderctl.target import Target

COUNTS = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
PEEK_VISIBILITY_S = 10
MOVE_VISIBILITY_S = 60


@dataclass(frozen=True)
class Pair:
    """A processor's work queue and its DLQ."""

    function: str
    short: str
    queue: str
    dlq: str


def pairs(target: Target) -> list[Pair]:
    environment = target.environment()
    return [
        Pair(c.function, c.short_name, environment[c.queue_env], environment[c.dlq_env])
        for c in CONSUMERS
    ]


def find(target: Target, name: str) -> Pair:
    """`record`, `pdf`, `internal`, `customer`, a function name or a queue name."""
    for pair in pairs(target):
        if name in (pair.short, pair.function, pair.queue, pair.dlq):
            return pair
    known = ", ".join(c.short_name for c in CONSUMERS)
    raise NotFound(f"unknown queue {name!r}: one of {known} (or a function or queue name)")


class Queues:
    """SQS calls with the errors a person can act on."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.sqs = target.client("sqs")
        self._urls: dict[str, str] = {}

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

        try:
            return dict(getattr(self.sqs, operation)(**kwargs))
        except EndpointConnectionError:
            hint = (
                ": is the local stack running? Start it with `make run`"
                if self.target.local
                else ""
            )
            raise RemoteFailure(f"cannot reach SQS of {self.target.describe()}{hint}") from None
        except NoCredentialsError:
            raise AuthError(
                f"no AWS credentials for {self.target.describe()}: set the profile's "
                "aws_profile (or --aws-profile) and sign in (aws sso login)"
            ) from None
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if "NonExistentQueue" in code or code == "QueueDoesNotExist":
                raise NotFound(
                    f"queue {kwargs.get('QueueName', kwargs.get('QueueUrl'))} does not exist in "
                    f"{self.target.describe()}"
                ) from None
            if code in {"AccessDenied", "AccessDeniedException", "ExpiredToken"}:
                raise AuthError(f"SQS {operation} refused ({code}): {error}") from None
            raise RemoteFailure(f"SQS {operation} failed ({code}): {error}") from None

    def url(self, name: str) -> str:
        if name not in self._urls:
            self._urls[name] = self.call("get_queue_url", QueueName=name)["QueueUrl"]
        return self._urls[name]

    def arn(self, name: str) -> str:
        attributes = self.call(
            "get_queue_attributes", QueueUrl=self.url(name), AttributeNames=["QueueArn"]
        )
        return str(attributes["Attributes"]["QueueArn"])

    def counts(self, name: str) -> tuple[int, int]:
        """(waiting, in flight)."""
        attributes = self.call(
            "get_queue_attributes", QueueUrl=self.url(name), AttributeNames=list(COUNTS)
        )["Attributes"]
        return int(attributes[COUNTS[0]]), int(attributes[COUNTS[1]])


@dataclass
class Status:
    pair: Pair
    waiting: int
    in_flight: int
    dead: int
    dead_in_flight: int


def status(target: Target) -> list[Status]:
    queues = Queues(target)
    found = []
    for pair in pairs(target):
        waiting, in_flight = queues.counts(pair.queue)
        dead, dead_in_flight = queues.counts(pair.dlq)
        found.append(Status(pair, waiting, in_flight, dead, dead_in_flight))
    return found


@dataclass
class DeadMessage:
    """A preview of one dead-lettered message."""

    message_id: str
    receive_count: int  # SQS's ApproximateReceiveCount: the failed attempts, then every look
    failed_attempts: int
    times_shown: int
    sent_at: str
    event_type: str
    order_id: str | None
    tenant_id: str | None
    correlation_id: str | None
    body_preview: str
    reason: str = "unknown"

    @classmethod
    def of(cls, message: dict[str, Any]) -> DeadMessage:
        attributes = message.get("Attributes", {})
        body = message.get("Body", "")
        try:
            event = json.loads(body)
            data = event.get("data") or {}
            fields = (
                str(event.get("type", "?")),
                data.get("id"),
                data.get("tenantId"),
                event.get("correlationId"),
            )
        except (ValueError, AttributeError):
            fields = ("not JSON", None, None, None)
        sent = int(attributes.get("SentTimestamp", "0")) / 1000
        received = int(attributes.get("ApproximateReceiveCount", "0"))
        return cls(
            message_id=message["MessageId"],
            receive_count=received,
            # The work queue's redrive policy moved it here after MAX_RECEIVE_COUNT failed
            # receives; every receive since is someone looking (`peek`, this one included).
            failed_attempts=min(received, topology.MAX_RECEIVE_COUNT),
            times_shown=max(0, received - topology.MAX_RECEIVE_COUNT),
            sent_at=datetime.fromtimestamp(sent, UTC).isoformat(timespec="seconds"),
            event_type=fields[0],
            order_id=fields[1],
            tenant_id=fields[2],
            correlation_id=fields[3],
            body_preview=body[:160],
        )


def peek(target: Target, pair: Pair, limit: int) -> list[DeadMessage]:
    """Up to `limit` DLQ messages, made visible again right after reading (nothing moves).

    SQS has no peek: the only read is a receive. Each message is received with a short
    visibility timeout and released at once (ChangeMessageVisibility to 0), so it stays in the
    DLQ, in its place, and a redrive running meanwhile sees it again within a moment. SQS
    counts that receive, and it costs nothing: the DLQs have no redrive policy of their own,
    so the count never moves a message, and a redrive re-sends each message (a new count).
    `DeadMessage` keeps the failed attempts apart from the times the message was shown.
    """
    queues = Queues(target)
    url = queues.url(pair.dlq)
    seen: dict[str, dict[str, Any]] = {}
    handles: list[str] = []
    while len(seen) < limit:
        batch = queues.call(
            "receive_message",
            QueueUrl=url,
            MaxNumberOfMessages=min(10, limit - len(seen)),
            VisibilityTimeout=PEEK_VISIBILITY_S,
            AttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not batch:
            break
        for message in batch:
            seen.setdefault(message["MessageId"], message)
            handles.append(message["ReceiptHandle"])
    for start in range(0, len(handles), 10):
        entries = [
            {"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0}
            for i, h in enumerate(handles[start : start + 10])
        ]
        queues.call("change_message_visibility_batch", QueueUrl=url, Entries=entries)
    found = [DeadMessage.of(message) for message in seen.values()]
    reasons = failure_reasons(target, pair, [m.message_id for m in found])
    for message in found:
        message.reason = reasons.get(message.message_id, message.reason)
    return found


def failure_reasons(target: Target, pair: Pair, message_ids: list[str]) -> dict[str, str]:
    """The last ERROR line logged for each message id (local logs, or CloudWatch Logs Insights)."""
    if not message_ids:
        return {}
    if target.local:
        return _local_reasons(Path(target.logs_dir or ".") / f"{pair.short}.log", set(message_ids))
    return _insights_reasons(target, pair, message_ids)


def _reason(line: dict[str, Any]) -> str:
    """`ValidationError: 12 validation errors for OrderCreated (occurredAt: field required …)`."""
    name = line.get("exception_name")
    trace = line.get("stack_trace")
    value = trace.get("value") if isinstance(trace, dict) else line.get("stack_trace.value")
    if name and value:
        first, *rest = str(value).splitlines() or [""]
        detail = " ".join(part.strip() for part in rest[:2])
        return f"{name}: {first}" + (f" ({detail} …)" if detail else "")
    exception = str(line.get("exception", "")).strip().splitlines()
    return exception[-1] if exception else str(line.get("message", "unknown"))


def _local_reasons(log: Path, wanted: set[str]) -> dict[str, str]:
    reasons: dict[str, str] = {}
    if not log.exists():
        return reasons
    for raw in log.read_text(errors="replace").splitlines():
        if '"ERROR"' not in raw:
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if line.get("message_id") in wanted:
            reasons[line["message_id"]] = _reason(line)
    return reasons


def _insights_reasons(target: Target, pair: Pair, message_ids: list[str]) -> dict[str, str]:
    from botocore.exceptions import BotoCoreError, ClientError

    logs = target.client("logs")
    group = f"/aws/lambda/{topology.deployed_function_name(pair.function, target.stage)}"
    ids = ", ".join(f"'{m}'" for m in message_ids)
    query = (
        "fields @timestamp, message_id, message, exception, exception_name, stack_trace.value "
        "| filter level = 'ERROR' "
        f"and message_id in [{ids}] | sort @timestamp asc"
    )
    try:
        now = int(time.time())
        started = logs.start_query(
            logGroupName=group, startTime=now - 15 * 86400, endTime=now, queryString=query
        )
        for _ in range(30):
            result = logs.get_query_results(queryId=started["queryId"])
            if result["status"] in ("Complete", "Failed", "Cancelled", "Timeout"):
                break
            time.sleep(1)
    except (BotoCoreError, ClientError) as error:
        return dict.fromkeys(message_ids, f"unavailable: {error}")
    reasons = {}
    for row in result.get("results", []):
        line = {cell["field"]: cell["value"] for cell in row}
        reasons[line.get("message_id", "")] = _reason(line)
    return reasons


# -- redrive ---------------------------------------------------------------------------------


@dataclass
class Redrive:
    """What a redrive did."""

    moved: int = 0
    failed: list[str] = field(default_factory=list)
    interrupted: bool = False
    method: str = "receive/send/delete"


class _Interrupts:
    """Ctrl-C and SIGTERM set a flag; the batch in flight finishes before orderctl stops."""

    def __init__(self) -> None:
        self.requested = False

    @contextmanager
    def deferred(self) -> Iterator[None]:
        def note(signum: int, frame: Any) -> None:
            self.requested = True

        with signals.handled(note):
            yield


def _move_task_unsupported(error: BaseException) -> bool:
    if isinstance(error, NotImplementedError):
        return True
    response = getattr(error, "response", {}) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return status in (500, 501) or any(
        word in code for word in ("Unsupported", "InvalidAction", "NotImplemented", "AccessDenied")
    )


def redrive(
    target: Target,
    pair: Pair,
    *,
    rate: float | None = None,
    progress: Callable[[int], None] = lambda moved: None,
    use_move_task: bool = True,
) -> Redrive:
    """Move every message of the pair's DLQ back to its work queue."""
    queues = Queues(target)
    if use_move_task:
        try:
            return _with_move_task(queues, pair, rate, progress)
        except Exception as error:
            if not _move_task_unsupported(error):
                raise
    return _by_hand(queues, pair, rate, progress)


def _with_move_task(
    queues: Queues, pair: Pair, rate: float | None, progress: Callable[[int], None]
) -> Redrive:
    source, destination = queues.arn(pair.dlq), queues.arn(pair.queue)
    options: dict[str, Any] = {"SourceArn": source, "DestinationArn": destination}
    if rate:
        options["MaxNumberOfMessagesPerSecond"] = max(1, int(rate))
    queues.sqs.start_message_move_task(**options)
    while True:
        tasks = queues.call("list_message_move_tasks", SourceArn=source, MaxResults=1)["Results"]
        task: dict[str, Any] = (
            tasks[0] if tasks else {"Status": "COMPLETED", "ApproximateNumberOfMessagesMoved": 0}
        )
        progress(int(task.get("ApproximateNumberOfMessagesMoved", 0)))
        if task["Status"] in ("COMPLETED", "CANCELLED", "FAILED"):
            result = Redrive(moved=int(task.get("ApproximateNumberOfMessagesMoved", 0)))
            result.method = "SQS message-move task"
            if task["Status"] != "COMPLETED":
                result.failed.append(f"{task['Status']}: {task.get('FailureReason', '')}")
            return result
        time.sleep(2)


def _by_hand(
    queues: Queues, pair: Pair, rate: float | None, progress: Callable[[int], None]
) -> Redrive:
    dlq_url, queue_url = queues.url(pair.dlq), queues.url(pair.queue)
    result, interrupts = Redrive(), _Interrupts()
    with interrupts.deferred():
        while not interrupts.requested:
            started = time.monotonic()
            batch = queues.call(
                "receive_message",
                QueueUrl=dlq_url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=MOVE_VISIBILITY_S,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not batch:
                break
            _move_batch(queues, dlq_url, queue_url, batch, result)
            progress(result.moved)
            if rate:  # pace the downstream (SES quotas, the renderer's concurrency)
                time.sleep(max(0.0, len(batch) / rate - (time.monotonic() - started)))
        result.interrupted = interrupts.requested
    return result


def _move_batch(
    queues: Queues, dlq_url: str, queue_url: str, batch: list[dict[str, Any]], result: Redrive
) -> None:
    """Send, then delete from the DLQ only what was sent; the rest becomes visible again."""
    entries = []
    for index, message in enumerate(batch):
        entry: dict[str, Any] = {"Id": str(index), "MessageBody": message["Body"]}
        if message.get("MessageAttributes"):
            entry["MessageAttributes"] = message["MessageAttributes"]
        entries.append(entry)
    sent = queues.call("send_message_batch", QueueUrl=queue_url, Entries=entries)
    ok = {int(entry["Id"]) for entry in sent.get("Successful", [])}
    for failure in sent.get("Failed", []):
        result.failed.append(f"{batch[int(failure['Id'])]['MessageId']}: {failure.get('Message')}")
    if ok:
        queues.call(
            "delete_message_batch",
            QueueUrl=dlq_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": batch[i]["ReceiptHandle"]} for i in sorted(ok)
            ],
        )
    unsent = [i for i in range(len(batch)) if i not in ok]
    if unsent:
        queues.call(
            "change_message_visibility_batch",
            QueueUrl=dlq_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": batch[i]["ReceiptHandle"], "VisibilityTimeout": 0}
                for i in unsent
            ],
        )
    result.moved += len(ok)
