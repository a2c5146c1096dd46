"""The AWS emulator for the local stack: moto's server, with DynamoDB's single-item atomicity.

DynamoDB applies every write to one item atomically, condition included; the service relies on
it (order-number counters, conditional puts and updates, If-Match). moto's backend runs
concurrent requests on several threads without a lock, so two `ADD lastNumber 1` can both read
the same value, and a read can see an item half-way through an update (an `UpdateItem` that
creates an item adds its key first and its attributes after). `make_dynamodb_atomic` serialises
moto's DynamoDB reads and writes, each with the answer it renders, behind one lock, which is
what DynamoDB guarantees per item (and more).

`use_fast_dynamodb_responses` answers the item operations (GetItem, Query, …) with `json.dumps`
of moto's result. moto runs every response through a generic, shape-driven serializer that
spent about 70 % of the emulator's CPU under `orderctl load` (py-spy), although DynamoDB's wire
format is the result itself. Anything `json` cannot encode falls back to moto's serializer.

`use_fast_dynamodb_streams` does the same for GetRecords: a stream record carries whole item
images, and the generic serializer spent ~9 ms of CPU per record on them (100 records took
0.94 s; cProfile), more than every other request of an order together once every write of the
table was read from the stream (`benchmarks/pipeline.py`).

`use_fast_sqs` removes two costs moto's SQS pays per message on every ReceiveMessage (py-spy,
`benchmarks/pipeline.py`): the retention check rebuilt every queue attribute, counts included
(a scan of the whole queue per message received), and each clock read went through naive
`datetime` arithmetic. Same answers; the queue's retention period is read directly and the
clock is `time.time()`. `use_cached_module_list`: moto's dispatcher listed its own package
directory (~150 `stat` calls) on every request to route it; the list is read once. Request
logging (a line per request, through the supervisor's pipe) is off unless
`LOCAL_EMULATOR_REQUEST_LOG=1`.

`stamp_sent_mail` gives every email SES accepts a `sent_at` time (UTC, ISO 8601), which moto does
not keep. `/moto-api/data.json` shows it beside the message, so the mail viewer
(`orderctl mail`, the portal server's `/mail`) can show when each email was sent.

`use_safe_state_document` makes moto's state document (`/moto-api/data.json`, every tracked
model's JSON-able attributes) safe to read while the stack runs, and cheap to read for one
service: `?service=ses` gives SES's models only (what the mail viewer reads). moto's handler
read each live attribute twice (once to test it, once to write it) and caught only the errors of
an attribute json cannot say, so a value another request changed in between, or a property that
failed another way, answered 500 (a CI run's mail viewer did). Each attribute is now written
once, to text, and one that cannot be read is left out as moto leaves out what json cannot say.

`devstack.aws_limits` makes it refuse what AWS refuses and moto forgives (message, batch, item
and email sizes as AWS counts them; docs/aws-limits.md); `devstack.presigned` checks a
presigned GET's signature and expiry as S3 does.

`python -m devstack.emulator` takes the same arguments as `moto_server`.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable
from typing import Any

_OPERATIONS = (
    "put_item",
    "update_item",
    "delete_item",
    "transact_write_items",
    "batch_write_item",
    "get_item",
    "batch_get_item",
    "transact_get_items",
    "query",
    "scan",
)
_lock = threading.RLock()
_PLAIN_JSON_OPERATIONS = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "TransactGetItems",
        "Query",
        "Scan",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
    }
)


def make_dynamodb_atomic() -> None:
    """Patch moto's DynamoDB so each item operation runs alone, its answer included (idempotent).

    The request handler is what is serialised: moto's `update_item` handler reads the old item
    before calling its backend and renders the new one (`ReturnValues`) after it, from the very
    item object the backend changes in place, and a read renders its items after the backend
    found them. Locking the backend alone let a concurrent `ADD lastNumber 10` land between one
    caller's update and its answer, so two callers were answered the same value (a run of twenty
    threads handed out ten order numbers twice). Every request reaches the backend through the
    handler; nothing here calls the backend directly.
    """
    from moto.dynamodb.responses import DynamoHandler

    for name in _OPERATIONS:
        method = getattr(DynamoHandler, name)
        if not getattr(method, "_bbws_atomic", False):
            setattr(DynamoHandler, name, _serialised(method))


def _serialised(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            return method(*args, **kwargs)

    locked._bbws_atomic = True  # type: ignore[attr-defined]
    return locked


def fast_execute_result(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto's DynamoResult.execute_result, short-cut for the item operations."""

    @functools.wraps(original)
    def execute_result(self: Any, context: Any) -> Any:
        result = self.result
        if context.operation_model.name in _PLAIN_JSON_OPERATIONS and isinstance(result, dict):
            try:
                body = json.dumps({k: v for k, v in result.items() if v is not None})
            except (TypeError, ValueError):
                return original(self, context)
            return 200, {"Content-Type": "application/x-amz-json-1.0"}, body
        return original(self, context)

    execute_result._bbws_fast = True  # type: ignore[attr-defined]
    return execute_result


def use_fast_dynamodb_responses() -> None:
    """Patch moto's DynamoDB responses (idempotent)."""
    from moto.dynamodb.responses import DynamoResult

    if not getattr(DynamoResult.execute_result, "_bbws_fast", False):
        DynamoResult.execute_result = fast_execute_result(DynamoResult.execute_result)  # type: ignore[method-assign]


def _epoch(value: Any) -> Any:
    """A stream record's `ApproximateCreationDateTime` (a datetime in moto) as epoch seconds."""
    from datetime import UTC, datetime

    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def use_fast_dynamodb_streams() -> None:
    """Patch moto's DynamoDB Streams GetRecords (idempotent)."""
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    original = DynamoDBStreamsHandler.get_records
    if getattr(original, "_bbws_fast", False):
        return

    def get_records(self: Any) -> Any:
        limit = self._get_param("Limit") or 1000
        result = self.backend.get_records(self._get_param("ShardIterator"), limit)
        try:
            return json.dumps(result, default=_epoch)
        except (TypeError, ValueError):  # something json cannot say: moto's serializer
            from moto.core.responses import ActionResult

            return ActionResult(result)

    get_records._bbws_fast = True  # type: ignore[attr-defined]
    DynamoDBStreamsHandler.get_records = get_records  # type: ignore[method-assign]


def _fast_clock(original: Callable[..., float], scale: float) -> Callable[..., float]:
    """moto's `unix_time`/`unix_time_millis`: the same value, without datetime arithmetic."""

    @functools.wraps(original)
    def now(dt: Any = None) -> float:
        return time.time() * scale if dt is None else original(dt)

    now._bbws_fast = True  # type: ignore[attr-defined]
    return now


def _retention_check(backend: Any, queue_name: str, message: Any) -> bool:
    """moto's `is_message_valid_based_on_retention_period`, reading one attribute."""
    retention_s = int(backend.get_queue(queue_name).message_retention_period)
    return bool(retention_s + message.sent_timestamp / 1000 > time.time())


def use_fast_sqs() -> None:
    """Patch moto's SQS models (idempotent)."""
    from moto.sqs import models

    if getattr(getattr(models, "unix_time", None), "_bbws_fast", False):
        return
    clock: Any = models
    clock.unix_time = _fast_clock(clock.unix_time, 1.0)
    clock.unix_time_millis = _fast_clock(clock.unix_time_millis, 1000.0)
    models.SQSBackend.is_message_valid_based_on_retention_period = _retention_check  # type: ignore[method-assign,assignment]


def use_cached_module_list() -> None:
    """moto's `list_of_moto_modules`, read once (idempotent)."""
    from moto import backends

    if not getattr(backends.list_of_moto_modules, "_bbws_fast", False):
        modules = tuple(backends.list_of_moto_modules())

        def cached() -> tuple[str, ...]:
            return modules

        cached._bbws_fast = True  # type: ignore[attr-defined]
        backends.list_of_moto_modules = cached


def stamp_sent_mail() -> None:
    """Patch moto's SES backend so each accepted email carries `sent_at` (idempotent)."""
    from datetime import UTC, datetime

    from moto.ses.models import SESBackend

    for name in ("send_email", "send_raw_email", "send_templated_email"):
        original = getattr(SESBackend, name)
        if getattr(original, "_bbws_stamped", False):
            continue

        def stamped(*args: Any, __original: Callable[..., Any] = original, **kwargs: Any) -> Any:
            message = __original(*args, **kwargs)
            message.sent_at = datetime.now(UTC).isoformat(timespec="milliseconds")
            return message

        stamped._bbws_stamped = True  # type: ignore[attr-defined]
        setattr(SESBackend, name, functools.wraps(original)(stamped))


def _attribute_json(instance: Any, name: str) -> str | None:
    """One attribute of a tracked model as JSON text, or None when it cannot be said now."""
    for _ in range(3):  # a dict another request is changing: read it again
        try:
            return json.dumps(getattr(instance, name))
        except RuntimeError:
            continue
        except Exception:  # a property that fails, or a value json cannot say
            return None
    return None


def _model_json(instance: Any) -> str:
    said = {name: _attribute_json(instance, name) for name in dir(instance) if name[:1] != "_"}
    return _json_object({name: text for name, text in said.items() if text is not None})


def _json_object(members: dict[str, str]) -> str:
    return "{" + ",".join(f"{json.dumps(key)}:{text}" for key, text in members.items()) + "}"


def state_document(services: set[str] | None = None) -> str:
    """moto's state document (its `/moto-api/data.json`), for `services` or for all."""
    from moto.core.model_instances import model_data

    found = {}
    for service in sorted(model_data.copy()):  # copies: other requests' threads add to them
        if services and service not in services:
            continue
        models: dict[str, Any] = model_data[service].copy()
        found[service] = _json_object(
            {
                name: "[" + ",".join(map(_model_json, list(models[name].instances_tracked))) + "]"
                for name in sorted(models)
            }
        )
    return _json_object(found)


def state_document_response(request: Any, full_url: str, headers: Any) -> Any:
    """The `/moto-api/data.json` handler: `?service=NAME` (repeatable) narrows it."""
    from urllib.parse import parse_qs, urlsplit

    services = set(parse_qs(urlsplit(full_url).query).get("service", [])) or None
    return 200, {"Content-Type": "application/json"}, state_document(services)


def use_safe_state_document() -> None:
    """Serve `/moto-api/data.json` with `state_document_response` (idempotent)."""
    from moto.moto_api._internal import urls

    urls.url_paths["{0}/moto-api/data.json"] = state_document_response


def main() -> None:
    """Run moto's server with the patches applied."""
    import logging
    import os
    import sys

    from moto.server import main as moto_main

    from devstack import presigned
    from devstack.aws_limits import enforce_aws_limits

    enforce_aws_limits()
    presigned.install()
    make_dynamodb_atomic()
    use_fast_dynamodb_responses()
    use_fast_dynamodb_streams()
    use_fast_sqs()
    use_cached_module_list()
    stamp_sent_mail()
    use_safe_state_document()
    if os.environ.get("LOCAL_EMULATOR_REQUEST_LOG") != "1":
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
