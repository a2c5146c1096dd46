"""ID tokens the real way: Cognito `InitiateAuth` (USER_PASSWORD_AUTH).

Two sources of credentials, in this order:

* a deployed stage: `ORDERCTL_CLIENT_ID`, `ORDERCTL_USERNAME`, `ORDERCTL_PASSWORD` (and
  `ORDERCTL_CLIENT_SECRET` when the app client has one) in the environment, the pool's region
  from `ORDERCTL_COGNITO_REGION` or `--region`. The password is never a command-line flag: it
  would show in the process list and in CI logs;
* the local stack: `.local/stack.json` (written by `make run`) names the emulator's pool, its
  app client and the demo users with their passwords.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orderctl.errors import OrderctlError

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_LOCAL_USER = "alice@tenant-a.example"


STACK_FILE_NAME = "stack.json"


def state_dir() -> Path:
    """Where `make run` keeps the local stack's state (`LOCAL_STATE_DIR` overrides)."""
    return Path(os.environ.get("LOCAL_STATE_DIR", PROJECT_DIR / ".local"))


def stack_file() -> Path:
    """Where `make run` describes the running local stack (the dev stack writes it here)."""
    return state_dir() / STACK_FILE_NAME


def local_stack() -> dict[str, Any] | None:
    """The running local stack's description, or None when no stack has been started."""
    path = stack_file()
    if not path.exists():
        return None
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def base_url(given: str | None) -> str:
    """--base-url, else $ORDERCTL_BASE_URL, else the running local stack's API."""
    url = given or os.environ.get("ORDERCTL_BASE_URL")
    if url:
        if not url.startswith(("http://", "https://")):
            raise OrderctlError(f"--base-url must be an http(s) URL, not {url!r}")
        return url.rstrip("/")
    stack = local_stack()
    if stack is None:
        raise OrderctlError(
            f"no --base-url, and {stack_file()} does not exist: start the local stack with "
            "`make run`, or name a deployed stage with --base-url"
        )
    return str(stack["apiUrl"])


def is_local(url: str) -> bool:
    """Whether `url` is the running local stack's API."""
    stack = local_stack()
    return stack is not None and url.rstrip("/") == str(stack["apiUrl"]).rstrip("/")


@dataclass(frozen=True)
class Login:
    """Everything InitiateAuth needs."""

    client_id: str
    username: str
    password: str
    region: str
    client_secret: str | None = None
    endpoint_url: str | None = None  # the emulator; None is AWS itself


def login_from_environment(region: str | None = None) -> Login | None:
    """A deployed stage's login from ORDERCTL_* variables, or None when none are set."""
    names = ("ORDERCTL_CLIENT_ID", "ORDERCTL_USERNAME", "ORDERCTL_PASSWORD")
    present = [name for name in names if os.environ.get(name)]
    if not present:
        return None
    missing = [name for name in names if name not in present]
    region = region or os.environ.get("ORDERCTL_COGNITO_REGION")
    if not region:
        missing.append("ORDERCTL_COGNITO_REGION (or --region)")
    if missing:
        raise OrderctlError(f"incomplete Cognito login: set {', '.join(missing)}")
    assert region is not None
    return Login(
        client_id=os.environ["ORDERCTL_CLIENT_ID"],
        username=os.environ["ORDERCTL_USERNAME"],
        password=os.environ["ORDERCTL_PASSWORD"],
        region=region,
        client_secret=os.environ.get("ORDERCTL_CLIENT_SECRET") or None,
    )


def login_from_stack(stack: dict[str, Any], username: str | None = None) -> Login:
    """A demo user of the local stack (alice unless named)."""
    users = {user["username"]: user for user in stack["users"]}
    username = username or DEFAULT_LOCAL_USER
    if username not in users:
        raise OrderctlError(f"unknown user {username!r}; the local demo users: {', '.join(users)}")
    return Login(
        client_id=stack["userPoolClientId"],
        username=username,
        password=users[username]["password"],
        region=stack["region"],
        endpoint_url=stack["awsEndpointUrl"],
    )


def resolve_login(username: str | None = None, region: str | None = None) -> Login:
    """The environment's login if set, else the local stack's demo user."""
    login = login_from_environment(region)
    if login is not None:
        if username and username != login.username:
            raise OrderctlError(
                f"ORDERCTL_USERNAME is {login.username!r} but {username!r} was asked for"
            )
        return login
    stack = local_stack()
    if stack is None:
        raise OrderctlError(
            f"no credentials: {stack_file()} does not exist (is the local stack running? start "
            "it with `make run`), and ORDERCTL_CLIENT_ID/ORDERCTL_USERNAME/ORDERCTL_PASSWORD "
            "are not set for a deployed stage"
        )
    return login_from_stack(stack, username)


def secret_hash(login: Login) -> str:
    """SECRET_HASH for an app client with a secret: HMAC-SHA256(username + client id)."""
    assert login.client_secret is not None
    digest = hmac.new(
        login.client_secret.encode(), (login.username + login.client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def id_token(login: Login) -> str:
    """USER_PASSWORD_AUTH; the ID token (it carries the tenant and the groups)."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

    # InitiateAuth is unauthenticated: no AWS credentials are needed or used.
    cognito = boto3.client(
        "cognito-idp",
        region_name=login.region,
        endpoint_url=login.endpoint_url,
        aws_access_key_id="local" if login.endpoint_url else None,
        aws_secret_access_key="local" if login.endpoint_url else None,
        config=Config(
            signature_version=None if login.endpoint_url else UNSIGNED,
            retries={"mode": "standard", "max_attempts": 3},
            connect_timeout=5,
            read_timeout=15,
        ),
    )
    parameters = {"USERNAME": login.username, "PASSWORD": login.password}
    if login.client_secret:
        parameters["SECRET_HASH"] = secret_hash(login)
    try:
        result = cognito.initiate_auth(
            ClientId=login.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters
        )
    except EndpointConnectionError as error:
        where = login.endpoint_url or f"Cognito in {login.region}"
        hint = (
            " (is the local stack running? start it with `make run`)" if login.endpoint_url else ""
        )
        raise OrderctlError(f"cannot reach {where}{hint}: {error}") from None
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in {"NotAuthorizedException", "UserNotFoundException"}:
            raise OrderctlError(f"wrong username or password for {login.username}") from None
        if code == "PasswordResetRequiredException":
            raise OrderctlError(f"{login.username} must reset their password first") from None
        raise OrderctlError(f"Cognito refused the login ({code}): {error}") from None
    except BotoCoreError as error:
        raise OrderctlError(f"Cognito login failed: {error}") from None
    if "AuthenticationResult" not in result:
        challenge = result.get("ChallengeName", "unknown")
        raise OrderctlError(
            f"{login.username} must answer the {challenge} challenge first (sign in once in the "
            "portal); orderctl only does USER_PASSWORD_AUTH"
        )
    return str(result["AuthenticationResult"]["IdToken"])
