"""ID tokens the real way: Cognito `InitiateAuth` (USER_PASSWORD_AUTH), for a profile.

* the `local` profile: the dev stack's `stack.json` names the emulator's pool, its app client
  and the demo users with their passwords (alice unless `--user` names another);
* any other profile: its `cognito_client_id`, `cognito_region` and `username` (or `--user`),
  and the password from `$ORDERCTL_PASSWORD`, else asked on a terminal. The password is never
  a flag or a profile setting: it would show in the process list, in CI logs, in the file.
  `$ORDERCTL_CLIENT_SECRET` when the app client has a secret.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orderctl.errors import AuthError, RemoteFailure, UsageError
from orderctl.profiles import Profile

DEFAULT_LOCAL_USER = "alice@tenant-a.example"


@dataclass(frozen=True)
class Login:
    """Everything InitiateAuth needs."""

    client_id: str
    username: str
    password: str
    region: str
    client_secret: str | None = None
    endpoint_url: str | None = None  # the emulator; None is AWS itself


def login_from_stack(stack: Mapping[str, Any], username: str | None = None) -> Login:
    """A demo user of the local stack (alice unless named)."""
    users = {user["username"]: user for user in stack["users"]}
    username = username or DEFAULT_LOCAL_USER
    if username not in users:
        raise UsageError(f"unknown user {username!r}; the local demo users: {', '.join(users)}")
    return Login(
        client_id=stack["userPoolClientId"],
        username=username,
        password=users[username]["password"],
        region=stack["region"],
        endpoint_url=stack["awsEndpointUrl"],
    )


def login_for(
    profile: Profile, username: str | None = None, environ: Mapping[str, str] | None = None
) -> Login:
    """Who signs in for `profile`: a demo user locally, else the profile's user."""
    environ = os.environ if environ is None else environ
    if profile.local:
        assert profile.stack is not None
        return login_from_stack(profile.stack, username or profile.username)
    username = username or profile.username
    missing = [
        what
        for what, value in (
            ("cognito_client_id (or $ORDERCTL_CLIENT_ID)", profile.cognito_client_id),
            (
                "cognito_region (or --cognito-region, $ORDERCTL_COGNITO_REGION)",
                profile.cognito_region,
            ),
            ("username (or --user, $ORDERCTL_USERNAME)", username),
        )
        if not value
    ]
    if missing:
        raise AuthError(f"{profile.describe()} cannot sign in: set its {'; '.join(missing)}")
    assert profile.cognito_client_id
    assert profile.cognito_region
    assert username
    password = environ.get("ORDERCTL_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise AuthError(
                f"no password for {username}: set $ORDERCTL_PASSWORD (never a flag or a file)"
            )
        password = getpass.getpass(f"password for {username} ({profile.describe()}): ")
    return Login(
        client_id=profile.cognito_client_id,
        username=username,
        password=password,
        region=profile.cognito_region,
        client_secret=environ.get("ORDERCTL_CLIENT_SECRET") or None,
    )


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
        raise RemoteFailure(f"cannot reach {where}{hint}: {error}") from None
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in {"NotAuthorizedException", "UserNotFoundException"}:
            raise AuthError(f"wrong username or password for {login.username}") from None
        if code == "PasswordResetRequiredException":
            raise AuthError(f"{login.username} must reset their password first") from None
        if code == "ResourceNotFoundException":
            raise AuthError(
                f"no such Cognito app client {login.client_id!r} in {login.region}"
            ) from None
        raise RemoteFailure(f"Cognito refused the login ({code}): {error}") from None
    except BotoCoreError as error:
        raise RemoteFailure(f"Cognito login failed: {error}") from None
    if "AuthenticationResult" not in result:
        challenge = result.get("ChallengeName", "unknown")
        raise AuthError(
            f"{login.username} must answer the {challenge} challenge first (sign in once in the "
            "portal); orderctl only does USER_PASSWORD_AUTH"
        )
    return str(result["AuthenticationResult"]["IdToken"])
