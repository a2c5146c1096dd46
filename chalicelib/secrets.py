"""Secrets read from AWS Secrets Manager once per container."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from chalicelib.failures import dependency


def cached_secret(client: Callable[[], Any], secret_id: str) -> Callable[[], bytes]:
    """A function returning the secret's value, fetched on first call and then kept."""
    lock = threading.Lock()
    value: list[bytes] = []

    def get() -> bytes:
        with lock:
            if not value:
                with dependency("A signing key could not be read"):
                    response = client().get_secret_value(SecretId=secret_id)
                secret = response.get("SecretString")
                value.append(secret.encode() if secret else response["SecretBinary"])
            return value[0]

    return get
