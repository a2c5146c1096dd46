"""A thin client of the Order API with the errors a person can act on.

The token comes from `--token` / `ORDERCTL_TOKEN` when given (checked for expiry before use),
otherwise from a fresh Cognito sign-in as the profile's user (`orderctl.auth`). Each API error
becomes the `orderctl.errors` class of its status, hence the exit code.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests

from orderctl import auth
from orderctl.errors import AuthError, OrderctlError, RemoteFailure, for_status
from orderctl.profiles import Profile


def claims(token: str) -> dict[str, Any]:
    """The JWT's payload, unverified (the API verifies it; this is for messages and defaults)."""
    try:
        payload = token.split(".")[1]
        return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
    except (IndexError, ValueError, UnicodeDecodeError):
        raise AuthError(
            "that is not a JWT ID token (three base64url parts separated by dots): get one "
            "with `orderctl token`"
        ) from None


def check_not_expired(token: str, now: float | None = None) -> None:
    expires = claims(token).get("exp")
    if isinstance(expires, int | float) and expires <= (now or time.time()):
        when = datetime.fromtimestamp(expires, UTC).isoformat(timespec="seconds")
        raise AuthError(
            f"the token expired at {when}: get a new one with `orderctl token`, or leave out "
            "--token / ORDERCTL_TOKEN and orderctl signs in by itself"
        )


def token_source(token: str | None, profile: Profile, user: str | None) -> Callable[[], str]:
    """A function returning the ID token to use, signing in at most once."""
    given = token or os.environ.get("ORDERCTL_TOKEN")
    if given:
        check_not_expired(given)
        return lambda: given
    lock, cached = threading.Lock(), list[str]()

    def fresh() -> str:
        with lock:
            if not cached:
                cached.append(auth.id_token(auth.login_for(profile, user)))
            return cached[0]

    return fresh


class Api:
    """GET/POST/PUT with a bearer token; problem+json errors become OrderctlError."""

    def __init__(
        self,
        base_url: str,
        token: Callable[[], str],
        timeout_s: float = 30,
        local: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s
        self.local = local  # the dev stack: "is it running?" is the likely answer
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        # One connection pool per thread (seed and load call from many threads).
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session  # type: ignore[no-any-return]

    def send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """The raw response (for callers that look at the status themselves, e.g. `load`)."""
        headers = {"Authorization": f"Bearer {self.token()}", **kwargs.pop("headers", {})}
        url = self.base_url + path
        try:
            return self.session.request(
                method, url, headers=headers, timeout=self.timeout_s, **kwargs
            )
        except requests.ConnectionError:
            hint = (
                "is the local stack running? Start it with `make run`"
                if self.local
                else "check the profile's api_url (or --base-url) and your network"
            )
            raise RemoteFailure(f"cannot reach {self.base_url}: {hint}") from None
        except requests.Timeout:
            raise RemoteFailure(
                f"{method} {url}: no answer within {self.timeout_s:.0f} s"
            ) from None

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> dict[str, Any]:
        response = self.send(method, path, **kwargs)
        if response.status_code == expect:
            return dict(response.json())
        raise self.error(response)

    def error(self, response: requests.Response) -> OrderctlError:
        """The response's problem as the error class of its status."""
        return for_status(response.status_code)(self.explain(response))

    def explain(self, response: requests.Response) -> str:
        try:
            problem = response.json()
            detail = f"{problem.get('title', '')}: {problem.get('detail', '')}".strip(": ")
        except ValueError:
            detail = response.text[:200]
        if response.status_code == 401:
            return f"the API refused the token (401): {detail}; sign in again (`orderctl token`)"
        return f"{response.request.method} {response.url} answered {response.status_code}: {detail}"

    # -- the routes ---------------------------------------------------------------------------

    def create(self, body: dict[str, Any], **headers: str) -> dict[str, Any]:
        return self.call("POST", "/v1.0/orders", expect=202, json=body, headers=headers)

    def get(self, order_id: str) -> dict[str, Any]:
        return self.call("GET", f"/v1.0/orders/{order_id}")

    def new_cart(self, cart_api: str, body: dict[str, Any]) -> str:
        """A cart in the Cart service's stub (`POST /v1.0/carts`, the dev stack's only), by id."""
        response = self.session.post(
            f"{cart_api.rstrip('/')}/v1.0/carts",
            json=body,
            headers={"Authorization": f"Bearer {self.token()}"},
            timeout=self.timeout_s,
        )
        if response.status_code != 201:
            raise self.error(response)
        return str(response.json()["cartId"])

    def page(
        self,
        tenant_id: str,
        page_size: int,
        start_at: str | None,
        status: str | None,
        order_number: str | None = None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"pageSize": page_size}
        if start_at:
            params["startAt"] = start_at
        if status:
            params["status"] = status
        if order_number:
            params["orderNumber"] = order_number
        return self.call("GET", f"/v1.0/tenants/{tenant_id}/orders", params=params)
