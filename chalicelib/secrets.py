"""Secrets read from AWS Secrets Manager once per container."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.errors import DependencyFailed


def cached_secret(client: Callable[[], Any], secret_id: str) -> Callable[[], bytes]:
    """A function returning the secret's value, fetched on first call and then kept."""
    lock = threading.Lock()
    value: list[bytes] = []

    def get() -> bytes:
        with lock:
            if not value:
                try:
                    response = client().get_secret_value(SecretId=secret_id)
                except (BotoCoreError, ClientError) as exc:
                    raise DependencyFailed("A signing key could not be read") from exc
                secret = response.get("SecretString")
                value.append(secret.encode() if secret else response["SecretBinary"])
            return value[0]

    return get
