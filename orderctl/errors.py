"""What orderctl reports: a message for a person, never a traceback, and an exit code a script
can branch on (README, "orderctl: exit codes").

| code | meaning |
|---:|---|
| 0 | done |
| 1 | the command ran and found a failure (a smoke check, an incomplete load, failed orders) |
| 2 | usage: a flag, a value or a profile is wrong (click's usage errors too); the API's 400/422 |
| 3 | authentication: no credentials, a wrong password, an expired or refused token (401/403) |
| 4 | not found (404): the order, the queue, the profile's stack |
| 5 | conflict: the order changed meanwhile (409/412/428) |
| 6 | remote failure: unreachable, timed out, 5xx, throttled (429) or AWS refused |
| 130 | interrupted (Ctrl-C) |
"""

from __future__ import annotations

DONE = 0
FAILED = 1
USAGE = 2
AUTH = 3
NOT_FOUND = 4
CONFLICT = 5
REMOTE = 6
INTERRUPTED = 130


class OrderctlError(Exception):
    """Something the user can act on; `orderctl` prints it and exits with `exit_code`."""

    exit_code = FAILED


class UsageError(OrderctlError):
    """A flag, a value or a profile is wrong."""

    exit_code = USAGE


class AuthError(OrderctlError):
    """No credentials, or the ones given were refused."""

    exit_code = AUTH


class NotFound(OrderctlError):
    """What was named does not exist (or is not the caller's to see)."""

    exit_code = NOT_FOUND


class Conflict(OrderctlError):
    """The order changed between reading and writing it."""

    exit_code = CONFLICT


class RemoteFailure(OrderctlError):
    """The API or AWS could not be reached or failed."""

    exit_code = REMOTE


def for_status(status: int) -> type[OrderctlError]:
    """The error class for an API response status."""
    if status in (400, 422):
        return UsageError
    if status in (401, 403):
        return AuthError
    if status == 404:
        return NotFound
    if status in (409, 412, 428):
        return Conflict
    if status == 429 or status >= 500:
        return RemoteFailure
    return OrderctlError
