"""`chalice local`, with API Gateway's token verification and a listen backlog for bursts.

Runs Chalice's own CLI (`chalice local --stage ... --host ... --port ...`) in this process after
raising the backlog of its threaded HTTP server from socketserver's default of 5, which resets
connections when 50 clients connect at once (API Gateway has no such limit), and after putting
the Cognito authorizer's verification in front of the routes (`devstack/authorizer.py`), and
API Gateway's payload limit and integration timeout (`devstack/gateway_limits.py`).
"""

from __future__ import annotations

import sys

from devstack.stage import API_HANDLER

BACKLOG = 256


def main() -> int:
    """Same arguments as `chalice local`."""
    from chalice.cli import main as chalice_main
    from chalice.local import ThreadedHTTPServer

    from devstack import authorizer, aws_calls, gateway_limits

    aws_calls.install(API_HANDLER)
    authorizer.install(authorizer.from_environment())
    gateway_limits.install()
    ThreadedHTTPServer.request_queue_size = BACKLOG
    sys.argv = ["chalice", "local", *sys.argv[1:]]
    return int(chalice_main() or 0)


if __name__ == "__main__":
    raise SystemExit(main())
