"""The flags orderctl's commands share, and the adapter from a click command to its handler.

Every command takes the same target and output flags (`target`): a profile (`--profile`, see
orderctl/profiles.py) and what may override it, and `--json`. A handler is a plain function of
the command's parameters (`Args`) that returns the exit code; `command` declares it behind a
click callback that reports an `OrderctlError` as a message and its exit code (orderctl/errors.py),
never a traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from orderctl.context import PRODUCTION_FLAG, Args
from orderctl.errors import INTERRUPTED, REMOTE, OrderctlError

F = TypeVar("F", bound=Callable[..., Any])
Handler = Callable[[Args], int]
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]  # a click option or argument

AT_LEAST_1 = click.IntRange(min=1)
MORE_THAN_0 = click.FloatRange(min=0, min_open=True)
A_PATH = click.Path(path_type=Path)


def profile_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """`--profile <TAB>`: local and the configured profiles (none when the file is broken)."""
    from orderctl import profiles

    try:
        configured = profiles.read_config(profiles.config_file()).get("profiles", {})
    except OrderctlError:
        configured = {}
    return [name for name in [profiles.LOCAL, *configured] if name.startswith(incomplete)]


def queue_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """`dlq show <TAB>`: the short names of the work queues."""
    from chalicelib.topology import CONSUMERS

    return [c.short_name for c in CONSUMERS if c.short_name.startswith(incomplete)]


def _apply(function: F, options: list[Callable[[F], F]]) -> F:
    """`function` with `options` applied, the first listed first in --help."""
    for option in reversed(options):
        function = option(function)
    return function


def target(function: F) -> F:
    """The flags every command takes, with the same names and meanings everywhere."""
    return _apply(
        function,
        [
            click.option(
                "--profile",
                shell_complete=profile_names,
                help="a profile of ~/.config/orderctl/config.toml, or local (the dev stack; "
                "the default); $ORDERCTL_PROFILE",
            ),
            click.option("--base-url", help="the API; $ORDERCTL_BASE_URL"),
            click.option("--cart-api-url", help="the Cart service; $ORDERCTL_CART_API_URL"),
            click.option(
                "--user",
                help="who signs in (local: a demo user, alice by default); $ORDERCTL_USERNAME",
            ),
            click.option("--cognito-region", help="the user pool's region"),
            click.option(
                "--token", help="an ID token to use instead of signing in; $ORDERCTL_TOKEN"
            ),
            click.option("--stage", help="whose resource names: dev, sit, prod, sbx-…"),
            click.option("--aws-profile", help="the AWS profile of the queue and table commands"),
            click.option("--aws-region", help="their region (default: the stage's primary)"),
            click.option(
                "--json",
                is_flag=True,
                help="the API's body (one object for one object); the default is a table on a "
                "terminal, tab-separated values when piped",
            ),
        ],
    )


def order_reference(function: F) -> F:
    """ORDER (an id or a number) and the tenant of a number."""
    return _apply(
        function,
        [
            click.argument("order_id", metavar="ORDER"),
            click.option(
                "--tenant", help="the tenant of an order number (admins; default: the caller's own)"
            ),
        ],
    )


def production(function: F) -> F:
    """Traffic generators need to be told in so many words to run against production."""
    return click.option(PRODUCTION_FLAG, is_flag=True, help="allow a production profile")(function)


def yes(function: F) -> F:
    return click.option("--yes", is_flag=True, help="do not ask (required off a terminal)")(
        function
    )


def idempotency_key(function: F) -> F:
    return click.option(
        "--idempotency-key", help="a retry with the same key is answered, not run, again"
    )(function)


def command(
    group: click.Group,
    name: str,
    handler: str,
    short_help: str,
    help: str,
    *params: Decorator,
) -> click.Command:
    """Declare `group name`: its handler (`module:function` of orderctl), its help, and its
    parameters in the order --help lists them, then `target`'s flags."""
    return group.command(name, short_help=short_help, help=help)(
        _apply(_callback(handler), [*params, target])
    )


def _callback(handler: str) -> Callable[..., int]:
    """A click callback running `handler` (`module:function` of orderctl) with the command's
    parameters. The module is imported only when the command runs: `--help` and TAB completion
    (which starts orderctl for every TAB) never import the handlers' dependencies.

    An action of a group (`orders cancel`) is also given as `<group>_command`, for handlers that
    serve several actions.
    """
    module, _, function = handler.partition(":")

    @click.pass_context
    def run(ctx: click.Context, /, **params: Any) -> int:
        args = Args(**params)
        if ctx.parent is not None and ctx.parent.parent is not None:
            setattr(args, f"{ctx.parent.info_name}_command", ctx.info_name)
        return outcome(_imported, args)

    def _imported(args: Args) -> int:  # imported inside `outcome`: a failure is reported too
        found: Handler = getattr(importlib.import_module(f"orderctl.{module}"), function)
        return found(args)

    run.handler = handler  # type: ignore[attr-defined]  # the test that resolves them all reads it
    return run


def outcome(handler: Handler, args: Args) -> int:
    """The handler's exit code; a message, never a traceback, for what went wrong."""
    try:
        return int(handler(args))
    except OrderctlError as error:
        print(f"orderctl: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("orderctl: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # `orderctl … | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # a bug or an unforeseen failure: say so without a wall of text
        if os.environ.get("ORDERCTL_DEBUG"):
            raise
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(error, BotoCoreError | ClientError):
            print(f"orderctl: AWS: {error}", file=sys.stderr)
            return REMOTE
        print(
            f"orderctl: unexpected {type(error).__name__}: {error} "
            "(ORDERCTL_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1
