"""`chalice local`, with a listen backlog that survives bursts of concurrent clients.

Runs Chalice's own CLI (`chalice local --stage ... --host ... --port ...`) in this process after
raising the backlog of its threaded HTTP server from socketserver's default of 5, which resets
connections when 50 clients connect at once (API Gateway has no such limit).
"""

from __future__ import annotations

import sys

BACKLOG = 256


def main() -> int:
    """Same arguments as `chalice local`."""
    from chalice.cli import main as chalice_main
    from chalice.local import ThreadedHTTPServer

    ThreadedHTTPServer.request_queue_size = BACKLOG
    sys.argv = ["chalice", "local", *sys.argv[1:]]
    return int(chalice_main() or 0)


if __name__ == "__main__":
    raise SystemExit(main())
