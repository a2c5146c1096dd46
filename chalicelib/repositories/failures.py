"""Reading botocore's errors: the error code, and the item a refused condition hands back."""

from __future__ import annotations

from typing import Any


def error_code(exc: Any) -> str:
    """The service's error code of a `ClientError` (`"NoSuchKey"`, `"404"`, ...)."""
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def refused_item(exc: Any) -> dict[str, Any] | None:
    """The item as it was when a condition failed (ReturnValuesOnConditionCheckFailure)."""
    item = getattr(exc, "response", {}).get("Item")
    return item or None
