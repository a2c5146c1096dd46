"""ID tokens for the local stack's demo users, the real way (Cognito InitiateAuth).

`python -m devstack.token alice@tenant-a.example` prints a fresh token.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from devstack.stage import PROJECT_DIR

STACK_FILE = Path(os.environ.get("LOCAL_STATE_DIR", PROJECT_DIR / ".local")) / "stack.json"


def load_stack(path: Path = STACK_FILE) -> dict[str, Any]:
    """The running stack's description (written by `make run`)."""
    if not path.exists():
        raise SystemExit(f"{path} not found: is the local stack running? Start it with `make run`.")
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def id_token(stack: dict[str, Any], username: str) -> str:
    """USER_PASSWORD_AUTH against the emulator's pool; returns the IdToken."""
    import boto3

    users = {u["username"]: u for u in stack["users"]}
    if username not in users:
        raise SystemExit(f"Unknown user {username!r}; demo users: {', '.join(users)}")
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=stack["awsEndpointUrl"],
        region_name=stack["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the emulator ignores credentials
    )
    result = cognito.initiate_auth(
        ClientId=stack["userPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": users[username]["password"]},
    )
    return str(result["AuthenticationResult"]["IdToken"])


def main() -> int:
    """Print an ID token for the user named on the command line (default: alice)."""
    username = sys.argv[1] if len(sys.argv) > 1 else "alice@tenant-a.example"
    print(id_token(load_stack(), username))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
