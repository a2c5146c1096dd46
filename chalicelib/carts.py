"""The Cart service over HTTPS: the adapter behind `ports.Carts` (API.md "Cart service").

- **urllib3** (already in the Lambda image as botocore's transport) keeps connections to the
  Cart service alive across invocations of a warm container, with short timeouts. Only
  connection failures and 502/503/504 are retried, once, with jittered backoff: a GET is safe
  to repeat.
- **pybreaker** opens the circuit after `FAIL_MAX` failures in a row (reads run outside its
  lock, concurrently). While it is open, a POST
  costs milliseconds and answers 503 with `Retry-After`, instead of every caller waiting out the
  timeouts. After `RESET_S` one trial request decides whether it closes again.
- Each call records `CartLatency` (ms); each failure counts `CartErrors`. The alarm
  (infrastructure/modules/monitoring) watches both.
- A 401 or 403 is the caller's, not the service's: the Cart service read the token and refused
  it (one that expired between the API's check and the read, say). The caller gets 401 or 403,
  and the breaker counts it as an answer, never a failure, so no burst of one caller's stale
  tokens can switch ordering off for every tenant.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING
from urllib.parse import quote

from pydantic import ValidationError

from chalicelib import metrics
from chalicelib.errors import AuthenticationFailed, CartServiceUnavailable, PermissionDenied
from chalicelib.log import logger
from chalicelib.models.carts import Cart

if TYPE_CHECKING:
    import pybreaker
    import urllib3

CONNECT_TIMEOUT_S = 1.0
READ_TIMEOUT_S = 2.5  # worst case, two attempts: ~7 s, well inside the API's 30 s
FAIL_MAX = 5
RESET_S = 30
RETRY_STATUSES = frozenset({502, 503, 504})
# The Cart service's refusals of the caller's token, as the caller's own errors.
CALLER_REFUSED = (AuthenticationFailed, PermissionDenied)


class _CartFailed(Exception):
    """One failed call: counted by the breaker, never seen outside this module."""


def new_pool() -> urllib3.PoolManager:
    """Connections kept alive per host, timeouts and the one safe retry."""
    import urllib3

    retry = urllib3.Retry(
        total=1,
        backoff_factor=0.1,
        backoff_jitter=0.1,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
        respect_retry_after_header=False,
    )
    timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT_S, read=READ_TIMEOUT_S)
    return urllib3.PoolManager(num_pools=4, maxsize=10, retries=retry, timeout=timeout)


def new_breaker() -> pybreaker.CircuitBreaker:
    """Open after FAIL_MAX failures in a row; try again after RESET_S.

    A refusal of the caller's token is an answer: it closes a half-open breaker and resets the
    count, as a 200 does.
    """
    import pybreaker

    return pybreaker.CircuitBreaker(
        fail_max=FAIL_MAX, reset_timeout=RESET_S, exclude=list(CALLER_REFUSED), name="cart-service"
    )


class CartClient:
    """`GET {base}/v1.0/carts/{cartId}` with the caller's `Authorization`."""

    def __init__(
        self,
        base_url: str,
        pool: urllib3.PoolManager | None = None,
        breaker: pybreaker.CircuitBreaker | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._pool = pool or new_pool()
        self._breaker = breaker or new_breaker()

    def get(self, cart_id: str, authorization: str) -> Cart | None:
        """The caller's cart; None when the Cart service says 404 (absent or not theirs)."""
        import pybreaker

        started = time.perf_counter()
        try:
            # `calling()`, not `call()`: `call` holds the breaker's lock for the whole read, so
            # the reads of concurrent requests (threads of one process: the local API, the
            # tests) would wait for each other. The state is still checked under the lock.
            with self._breaker.calling():
                return self._fetch(cart_id, authorization)
        except pybreaker.CircuitBreakerError:
            metrics.count("CartErrors")
            raise CartServiceUnavailable(
                "The Cart service is unavailable; try again shortly", retry_after_s=RESET_S
            ) from None
        except _CartFailed as failed:
            metrics.count("CartErrors")
            raise CartServiceUnavailable(
                "The Cart service did not answer; try again shortly"
            ) from failed
        finally:
            metrics.milliseconds("CartLatency", round((time.perf_counter() - started) * 1000, 1))

    def _fetch(self, cart_id: str, authorization: str) -> Cart | None:
        import urllib3

        url = f"{self._base}/v1.0/carts/{quote(cart_id, safe='')}"
        try:
            response = self._pool.request(
                "GET",
                url,
                headers={"Authorization": authorization, "Accept": "application/json"},
                redirect=False,
            )
        except urllib3.exceptions.HTTPError as exc:
            logger.warning("Cart service unreachable", extra={"error": str(exc)[:500]})
            raise _CartFailed(str(exc)) from exc
        if response.status == 404:
            return None
        if response.status == 401:
            raise AuthenticationFailed(
                "The Cart service refused your token (it may have expired): sign in again"
            )
        if response.status == 403:
            raise PermissionDenied("The Cart service refused you access to this cart")
        if response.status != 200:
            body = response.data[:500].decode(errors="replace")
            logger.warning(
                "Cart service refused the read", extra={"status": response.status, "body": body}
            )
            raise _CartFailed(f"status {response.status}")
        return _parse(response.data)


def _parse(data: bytes) -> Cart:
    try:
        return Cart.parse_obj(json.loads(data))
    except (ValueError, ValidationError) as exc:
        logger.error(
            "Cart service answered a cart that breaks the contract",
            extra={"error": str(exc)[:1000]},
        )
        raise _CartFailed("the cart does not match the contract") from exc
