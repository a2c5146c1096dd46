"""What Lambda's runtime gives a function, for the dev stack's pollers and containers.

One module for the pieces both need: the context object handlers and Powertools read, loading
`app.py` the way the runtime does (project root on the path, logging configured), and finding
an `@app.on_sqs_message` handler by its function name.
"""

from __future__ import annotations

import importlib
import logging
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from devstack.stage import PROJECT_DIR

Handler = Callable[[dict[str, Any], Any], Any]


class FakeLambdaContext:
    """The parts of Lambda's context object handlers and Powertools read."""

    def __init__(self, function_name: str, timeout_s: int, memory_mb: int = 512) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before Lambda would time the invocation out."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def start() -> Any:
    """The runtime's start-up: logging for the process, then `app.py` imported (the module)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    sys.path.insert(0, str(PROJECT_DIR))
    return importlib.import_module("app")


def sqs_sources(app_module: Any) -> Iterator[tuple[Any, Handler]]:
    """Every `@app.on_sqs_message` registration of the app and the handler it runs."""
    from chalice.app import SQSEventConfig

    for config in app_module.app.event_sources:
        if isinstance(config, SQSEventConfig):
            yield config, getattr(app_module, config.handler_string.rsplit(".", 1)[-1])


def sqs_handler(app_module: Any, function: str) -> Handler:
    """The handler of the SQS-triggered function named `function`."""
    for config, handler in sqs_sources(app_module):
        if config.name == function:
            return handler
    raise LookupError(f"app.py has no SQS handler named {function}")


def stream_handler(app_module: Any, function: str) -> Handler:
    """The handler of the `@app.on_dynamodb_record` function named `function`."""
    from chalice.app import DynamoDBEventConfig

    for config in app_module.app.event_sources:
        if isinstance(config, DynamoDBEventConfig) and config.name == function:
            handler: Handler = getattr(app_module, config.handler_string.rsplit(".", 1)[-1])
            return handler
    raise LookupError(f"app.py has no DynamoDB stream handler named {function}")
