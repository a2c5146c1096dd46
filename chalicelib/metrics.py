"""Business and health metrics in CloudWatch's embedded metric format (EMF).

aws-lambda-powertools' Metrics writes one JSON document per invocation to stdout. CloudWatch
Logs turns it into metrics in the `BBWS/Orders` namespace, with no API call and no latency on
the request path. Each handler flushes through `published(function)`, which adds the
`function` dimension (beside `service`), so the dashboard tells the four processors apart and
counts failures per function.

| Metric | Unit | Emitted by |
|---|---|---|
| OrdersAccepted | Count | the API, per 202 |
| OrdersCreated | Count | the record writer, per order first stored |
| InvoicesRendered, InvoiceRenderTime | Count, Milliseconds | the PDF processor |
| EmailsSent | Count | each email processor |
| ProcessingFailures | Count | every processor, per message that failed and will be retried |
| EmailsRefused | Count | each email processor, per email SES refused for good (not retried) |
| UnreadableItems | Count | any function, per stored order that does not parse (`orderctl repair`) |
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from chalicelib import SERVICE_NAME
from chalicelib.settings import get_settings

SERVICE = SERVICE_NAME
# One collector per invocation and thread. Powertools' `Metrics` is a process-wide singleton,
# which is right for Lambda (one invocation per process) but mixes the concurrent requests of
# `chalice local` and the local poller's concurrent batches; `EphemeralMetrics` shares nothing.
_current = threading.local()


def _collector() -> EphemeralMetrics | None:
    return getattr(_current, "metrics", None)


def count(name: str, value: float = 1) -> None:
    """Add to a counter of this invocation (outside `published`, nothing is recorded)."""
    if (collector := _collector()) is not None:
        collector.add_metric(name=name, unit=MetricUnit.Count, value=value)


def milliseconds(name: str, value: float) -> None:
    """Record a duration of this invocation."""
    if (collector := _collector()) is not None:
        collector.add_metric(name=name, unit=MetricUnit.Milliseconds, value=value)


@contextmanager
def published(function: str) -> Iterator[None]:
    """Collect this invocation's metrics, then write them as one EMF document (if any).

    Every metric carries the dimensions {function, service}: the dashboard asks for these.
    """
    collector = EphemeralMetrics(namespace=get_settings().metrics_namespace, service=SERVICE)
    collector.add_dimension(name="function", value=function)
    _current.metrics = collector
    try:
        yield
    finally:
        _current.metrics = None
        if collector.metric_set:  # a GET, say, has nothing to report: no document
            collector.flush_metrics()
