"""Named profiles: where orderctl points and who it signs in as (README, "orderctl: profiles").

A profile is a table in `~/.config/orderctl/config.toml` (`$XDG_CONFIG_HOME`, or the file named
by `$ORDERCTL_CONFIG`):

    default_profile = "dev"

    [profiles.dev]
    stage = "dev"                        # the resource names: bbws-…-dev
    api_url = "https://api-dev.bbws.io"
    cart_api_url = "https://cart-api-dev.bbws.io"
    cognito_client_id = "4example0client0id"
    cognito_region = "eu-west-1"
    username = "ops@bbws.io"             # the password: $ORDERCTL_PASSWORD, or asked on a terminal
    aws_profile = "bbws-dev"             # the queue and table commands
    aws_region = "eu-west-1"
    # production = true                  # implied by stage = "prod": load and seed refuse it

`local` is built in: the running dev stack, read from its `stack.json` (`make run` writes it).
The profile is `--profile`, else `$ORDERCTL_PROFILE`, else `default_profile`, else `local`. With
none of those and a `--base-url` that is not the local stack, the flags and `ORDERCTL_*`
variables alone describe the target (what CI's smoke test does). Flags beat the environment,
which beats the file. A password never goes in the file.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from orderctl.errors import NotFound, UsageError

LOCAL = "local"
STACK_FILE_NAME = "stack.json"
# Each deployed stage's primary region (requirements section 5.1).
STAGE_REGIONS = {"dev": "eu-west-1", "sit": "eu-west-1", "prod": "af-south-1"}
CHECKOUT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Profile:
    """One target: the API, its sign-in, and its AWS resources."""

    name: str
    stage: str | None = None
    api_url: str | None = None
    cart_api_url: str | None = None
    cognito_client_id: str | None = None
    cognito_region: str | None = None
    username: str | None = None
    aws_profile: str | None = None
    aws_region: str | None = None
    production: bool = False
    stack: Mapping[str, Any] | None = None  # the local stack's description

    @property
    def local(self) -> bool:
        """Whether the API is the running dev stack's (its demo users, its emulator)."""
        return self.stack is not None and serves(self.stack, self.api_url)

    def describe(self) -> str:
        where = self.api_url or f"stage {self.stage}"
        return f"profile {self.name} ({where})"


SETTINGS = tuple(f.name for f in fields(Profile) if f.name not in {"name", "stack"})
# Flags and environment variables that override a profile's setting.
ENVIRONMENT = {
    "api_url": "ORDERCTL_BASE_URL",
    "cart_api_url": "ORDERCTL_CART_API_URL",
    "cognito_client_id": "ORDERCTL_CLIENT_ID",
    "cognito_region": "ORDERCTL_COGNITO_REGION",
    "username": "ORDERCTL_USERNAME",
    "stage": "ORDERCTL_STAGE",
    "aws_profile": "ORDERCTL_AWS_PROFILE",
    "aws_region": "ORDERCTL_AWS_REGION",
}


def serves(stack: Mapping[str, Any] | None, url: str | None) -> bool:
    """Whether `url` is the API of the local stack `stack` describes."""
    return bool(stack and url and url.rstrip("/") == str(stack["apiUrl"]).rstrip("/"))


def chosen_name(
    name: str | None, document: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> str | None:
    """`--profile`, else `$ORDERCTL_PROFILE`, else the file's `default_profile` (None: none)."""
    environ = os.environ if environ is None else environ
    chosen = name or environ.get("ORDERCTL_PROFILE") or document.get("default_profile")
    return str(chosen) if chosen else None


def config_file(environ: Mapping[str, str] | None = None) -> Path:
    """`$ORDERCTL_CONFIG`, else `$XDG_CONFIG_HOME/orderctl/config.toml` (`~/.config/…`)."""
    environ = os.environ if environ is None else environ
    if environ.get("ORDERCTL_CONFIG"):
        return Path(environ["ORDERCTL_CONFIG"]).expanduser()
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "orderctl" / "config.toml"


def read_config(path: Path) -> dict[str, Any]:
    """The config file's contents ({} when there is none); a clear error when it is broken."""
    if not path.exists():
        return {}
    try:
        document = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"{path} is not valid TOML: {error}") from None
    profiles = document.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(p, dict) for p in profiles.values()):
        raise UsageError(f"{path}: profiles are tables, [profiles.NAME]")
    for name, settings in profiles.items():
        if name == LOCAL:
            raise UsageError(f"{path}: 'local' is built in (the running dev stack): rename it")
        for key, value in settings.items():
            if key not in SETTINGS:
                raise UsageError(
                    f"{path}: profile {name}: unknown setting {key!r}{hint(key, SETTINGS)}"
                )
            if key == "production" and not isinstance(value, bool):
                raise UsageError(f"{path}: profile {name}: production is true or false")
            if key != "production" and not isinstance(value, str):
                raise UsageError(f"{path}: profile {name}: {key} is a string")
    return document


def hint(word: str, choices: Any) -> str:
    """`; did you mean 'x'?` when one choice is close."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def state_dir(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path:
    """Where the dev stack keeps its state: `$LOCAL_STATE_DIR`, else `.local/` of the checkout
    orderctl is run in (the working directory or a parent), else this checkout's when orderctl
    runs from one (`make venv`), else the working directory's."""
    environ = os.environ if environ is None else environ
    if environ.get("LOCAL_STATE_DIR"):
        return Path(environ["LOCAL_STATE_DIR"])
    here = (cwd or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / ".local" / STACK_FILE_NAME).exists():
            return directory / ".local"
    return (CHECKOUT if (CHECKOUT / "app.py").exists() else here) / ".local"


def stack_file(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    return state_dir(environ) / STACK_FILE_NAME


def local_stack(environ: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The running dev stack's description, or None when none has been started."""
    environ = os.environ if environ is None else environ
    path = stack_file(environ)
    if not path.exists():
        return None
    return dict(json.loads(path.read_text()))


def local_profile(environ: Mapping[str, str] | None = None) -> Profile:
    environ = os.environ if environ is None else environ
    stack = local_stack(environ)
    if stack is None:
        raise NotFound(
            f"profile local: {stack_file(environ)} does not exist; is the local stack running? "
            "Start it with `make run` in the checkout (or set LOCAL_STATE_DIR), or pick another "
            "profile with --profile"
        )
    return Profile(
        name=LOCAL,
        stage=str(stack["stage"]),
        api_url=str(stack["apiUrl"]),
        cart_api_url=stack.get("cartApiUrl"),
        cognito_client_id=str(stack["userPoolClientId"]),
        cognito_region=str(stack["region"]),
        aws_region=str(stack["region"]),
        stack=stack,
    )


def resolve(
    name: str | None = None,
    overrides: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Profile:
    """The profile to use, with the flags' and the environment's overrides applied."""
    environ = os.environ if environ is None else environ
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    for key in overrides:
        if key not in SETTINGS:
            raise ValueError(f"not a profile setting: {key}")
    from_environment = {key: environ[var] for key, var in ENVIRONMENT.items() if environ.get(var)}
    wanted = {**from_environment, **overrides}
    path = config_file(environ)
    document = read_config(path)
    profiles: dict[str, dict[str, Any]] = document.get("profiles", {})
    chosen = chosen_name(name, document, environ)
    if chosen is None:
        url = wanted.get("api_url")
        if url and not serves(local_stack(environ), url):
            return _checked(Profile(name="(flags)", **_typed(wanted)))
        chosen = LOCAL
    if chosen == LOCAL:
        base = local_profile(environ)
    elif chosen in profiles:
        base = Profile(name=chosen, **_typed(profiles[chosen]))
    else:
        known = [LOCAL, *profiles]
        raise UsageError(
            f"no profile {chosen!r} in {path} (profiles: {', '.join(known)}){hint(chosen, known)}"
        )
    return _checked(replace(base, **_typed(wanted)))


def _typed(settings: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(settings)
    if "api_url" in values:
        values["api_url"] = str(values["api_url"]).rstrip("/")
    return values


def _checked(profile: Profile) -> Profile:
    for key in ("api_url", "cart_api_url"):
        value = getattr(profile, key)
        if value and not value.startswith(("http://", "https://")):
            flag = "--base-url" if key == "api_url" else "--cart-api-url"
            raise UsageError(f"{profile.describe()}: {flag} must be an http(s) URL, not {value!r}")
    if profile.stage == "prod" and not profile.production:
        profile = replace(profile, production=True)
    return profile
