"""The `orderctl` command line: `orderctl --help`, `orderctl <command> --help`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from orderctl import auth
from orderctl.errors import OrderctlError


def base_url(given: str | None) -> str:
    """--base-url, else $ORDERCTL_BASE_URL, else the running local stack's API."""
    url = given or os.environ.get("ORDERCTL_BASE_URL")
    if url:
        if not url.startswith(("http://", "https://")):
            raise OrderctlError(f"--base-url must be an http(s) URL, not {url!r}")
        return url.rstrip("/")
    stack = auth.local_stack()
    if stack is None:
        raise OrderctlError(
            f"no --base-url, and {auth.stack_file()} does not exist: start the local stack with "
            "`make run`, or name a deployed stage with --base-url"
        )
    return str(stack["apiUrl"])


def cmd_token(args: argparse.Namespace) -> int:
    """Print an ID token."""
    print(auth.id_token(auth.resolve_login(args.user, args.region)))
    return 0


def cmd_smoke(args: argparse.Namespace) -> int:
    """The post-deploy smoke test."""
    from orderctl.smoke import Smoke, publish

    url = base_url(args.base_url)

    def token() -> str:
        return auth.id_token(auth.resolve_login(args.user, args.region))

    report = Smoke(url, token, timeout_s=args.timeout).run()
    publish(report, args.report, args.title or f"Smoke test of {url}")
    return 0 if report.passed else 1


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="orderctl",
        description="Operate the BBWS Order service: the local stack by default, any stage "
        "with --base-url. Deployed stages sign in with ORDERCTL_CLIENT_ID, ORDERCTL_USERNAME, "
        "ORDERCTL_PASSWORD and ORDERCTL_COGNITO_REGION from the environment.",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def identity(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--user", help=f"who signs in (local stack default: {auth.DEFAULT_LOCAL_USER})"
        )
        command.add_argument("--region", help="the Cognito pool's region (deployed stages)")

    token = commands.add_parser("token", help="print an ID token (Cognito InitiateAuth)")
    token.add_argument("user", nargs="?", help="username (default: alice, or ORDERCTL_USERNAME)")
    token.add_argument("--region", help="the Cognito pool's region (deployed stages)")
    token.set_defaults(handler=cmd_token)

    smoke = commands.add_parser(
        "smoke",
        help="post-deploy check: health, sign-in, an order through record and PDF, cancel",
    )
    smoke.add_argument("--base-url", help="the API, e.g. https://api-dev.bbws.io")
    identity(smoke)
    smoke.add_argument(
        "--timeout", type=float, default=120, help="seconds to wait for the record and the PDF"
    )
    smoke.add_argument("--report", type=Path, help="write the result as JSON here")
    smoke.add_argument("--title", help="heading of the GitHub job summary")
    smoke.set_defaults(handler=cmd_smoke)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except OrderctlError as error:
        print(f"orderctl: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("orderctl: interrupted", file=sys.stderr)
        return 130
