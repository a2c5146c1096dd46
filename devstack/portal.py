"""The portal origin of the local stack (`PORTAL_PORT`, default 3000): the API reference.

A browser client of the API lives on another origin than the API, as the customer portal does in
AWS; this server is that origin locally (it is on stage local's CORS list). It serves:

- `/api/` — the API reference: the OpenAPI document (`docs/openapi.json`) in Swagger UI, whose
  assets come from the `swagger-ui-bundle` package (PyPI), never a CDN. "Try it out" calls the
  local API from this origin, so it exercises CORS as the portal does;
- `/openapi.json` — the document, with `servers` pointing at the local API;
- `/` — an index linking the reference.

`python -m devstack.portal --host H --port P --api-url URL`.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from devstack.stage import PROJECT_DIR

OPENAPI = PROJECT_DIR / "docs" / "openapi.json"
INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>BBWS Order service (local)</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto">
<h1>BBWS Order service — local stack</h1>
<ul><li><a href="/api/">API reference</a> (OpenAPI, try it out against {api})</li>
<li><a href="/openapi.json">openapi.json</a></li></ul>
</body></html>
"""
REFERENCE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>BBWS Order service API</title>
<link rel="stylesheet" href="/api/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/swagger-ui-bundle.js"></script>
<script src="/api/reference.js"></script>
</body></html>
"""
# A file, not inline script: the page's Content-Security-Policy allows scripts from 'self' only.
REFERENCE_SCRIPT = """window.ui = SwaggerUIBundle({
  url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
  persistAuthorization: false, tryItOutEnabled: false
});
"""
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self' {api}",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@lru_cache(maxsize=1)
def swagger_ui() -> Path:
    """Swagger UI's built assets, as the `swagger-ui-bundle` package installed them."""
    from swagger_ui_bundle import swagger_ui_path

    return Path(str(swagger_ui_path))


def openapi_for(api_url: str) -> bytes:
    """The OpenAPI document with the local API as its server."""
    document: dict[str, Any] = json.loads(OPENAPI.read_text())
    document["servers"] = [{"url": api_url, "description": "the local stack's API"}]
    return json.dumps(document).encode()


def handler_for(api_url: str) -> type[BaseHTTPRequestHandler]:
    """A request handler serving the index, the reference and its assets."""

    class Portal(BaseHTTPRequestHandler):
        server_version = "bbws-portal"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/":
                self._send(200, "text/html", INDEX.format(api=api_url).encode())
            elif path == "/health":
                self._send(200, "application/json", b'{"status": "ok"}')
            elif path == "/openapi.json":
                self._send(200, "application/json", openapi_for(api_url))
            elif path in ("/api", "/api/"):
                self._send(200, "text/html", REFERENCE.encode())
            elif path == "/api/reference.js":
                self._send(200, "text/javascript", REFERENCE_SCRIPT.encode())
            elif path.startswith("/api/"):
                self._asset(path.removeprefix("/api/"))
            else:
                self._send(404, "text/plain", b"not found")

        def _asset(self, name: str) -> None:
            root = swagger_ui()
            target = (root / name).resolve()
            if not target.is_relative_to(root.resolve()) or not target.is_file():
                self._send(404, "text/plain", b"not found")
                return
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            self._send(200, kind, target.read_bytes())

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header(
                "Content-Type", kind if "charset" in kind else f"{kind}; charset=utf-8"
            )
            self.send_header("Content-Length", str(len(body)))
            for name, value in SECURITY_HEADERS.items():
                self.send_header(name, value.format(api=api_url))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            print(f"portal  | {self.address_string()} {format % args}", flush=True)

    return Portal


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--api-url", required=True)
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), handler_for(args.api_url))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
