"""Structured logging: one JSON line per event, with request, order and tenant ids appended.

aws-lambda-powertools' Logger does the formatting; every module logs through `logger`.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

from chalicelib import SERVICE_NAME

logger = Logger(service=SERVICE_NAME, use_rfc3339=True)


def bind(**keys: str | None) -> None:
    """Append keys (e.g. order_id, tenant_id, request_id) to every later line of this invocation.

    Per thread: Lambda runs one invocation per process, but `chalice local` serves requests on
    threads and the local poller runs batches on threads, and their keys must not mix.
    """
    logger.thread_safe_append_keys(**{k: v for k, v in keys.items() if v is not None})


def reset() -> None:
    """Drop the per-invocation keys (a warm container serves many invocations)."""
    logger.thread_safe_clear_keys()
