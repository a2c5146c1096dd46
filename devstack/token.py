"""ID tokens for the local stack's demo users, the real way (Cognito InitiateAuth).

`python -m devstack.token alice@tenant-a.example` prints a fresh token. The sign-in itself is
orderctl's (`orderctl.auth`): one Cognito client for the operators' tool and the dev stack.
"""

from __future__ import annotations

import sys
from typing import Any

from orderctl import auth, profiles
from orderctl.errors import OrderctlError


def id_token(stack: dict[str, Any], username: str) -> str:
    """USER_PASSWORD_AUTH against the emulator's pool for a demo user; returns the IdToken."""
    return auth.id_token(auth.login_from_stack(stack, username))


def main() -> int:
    """Print an ID token for the user named on the command line (default: alice)."""
    username = sys.argv[1] if len(sys.argv) > 1 else auth.DEFAULT_LOCAL_USER
    try:
        stack = profiles.local_stack()
        if stack is None:
            raise OrderctlError(
                f"{profiles.stack_file()} not found: start the stack with `make run`"
            )
        print(id_token(stack, username))
    except OrderctlError as error:
        print(f"token: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
