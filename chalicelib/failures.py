"""AWS failures, read and translated in one place.

`dependency(what)` wraps the AWS calls of an adapter: any botocore error that escapes the block
becomes `DependencyFailed(what)` (503 with `Retry-After` at the API; a retry in a processor).
Errors the adapter expects (a refused condition, a missing object) it catches inside the block.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.errors import DependencyFailed


@contextmanager
def dependency(what: str) -> Iterator[None]:
    """Translate what AWS raises in the block into `DependencyFailed(what)`, cause kept."""
    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise DependencyFailed(what) from exc


def error_code(exc: Any) -> str:
    """The service's error code of a `ClientError` (`"NoSuchKey"`, `"404"`, ...)."""
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def refused_item(exc: Any) -> dict[str, Any] | None:
    """The item as it was when a condition failed (ReturnValuesOnConditionCheckFailure)."""
    item = getattr(exc, "response", {}).get("Item")
    return item or None
