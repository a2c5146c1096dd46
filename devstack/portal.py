"""The local stack's portal origin (`PORTAL_PORT`, default 3000): portal page, API reference.

A browser client of the API lives on another origin than the API, as the customer portal does in
AWS; this server is that origin locally (it is on stage local's CORS list). It serves:

- `/` — the reference portal page (`devstack/portal_page/`: plain HTML, CSS and one ES module,
  no build step): sign in with Cognito, cart, order, progress, document, list, cancel;
- `/orders/<id>` — the same page, which opens that order once signed in: the link every
  customer email carries (`{portalUrl}/orders/{orderId}`, API.md revision 3);
- `/config.json` — what the page needs to know: the API's and the Cart service's URLs, the
  Cognito endpoint and app client, the demo users (the file `--config` names, from the stack);
- `/api/` — the API reference: the OpenAPI document (`docs/openapi.json`) in Swagger UI, whose
  assets come from the `swagger-ui-bundle` package (PyPI), never a CDN. "Try it out" calls the
  local API from this origin, so it exercises CORS as the portal does;
- `/openapi.json` — the document, with `servers` pointing at the local API;
- `/mail` — the mail viewer: every email the stack sent (orderctl/mail.py reads them from the
  emulator), its HTML in a sandboxed frame (`/mail/messages/<id>/body`, served with a CSP
  `sandbox` and no scripts), its attachments downloadable (`…/attachments/<n>`); the list is
  `/mail/messages.json`.

Every page is served with a Content-Security-Policy that lets scripts come from this origin only
and lets them call only the API, the Cart service and Cognito.

`python -m devstack.portal --host H --port P --config FILE` (FILE: `config_for`'s JSON).
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import re
from functools import lru_cache
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from devstack.stage import PROJECT_DIR
from orderctl import mail
from orderctl.errors import OrderctlError

OPENAPI = PROJECT_DIR / "docs" / "openapi.json"
PAGE = Path(__file__).parent / "portal_page"
PAGE_FILES = {
    "/": ("index.html", "text/html"),
    "/portal.js": ("portal.js", "text/javascript"),
    "/portal.css": ("portal.css", "text/css"),
    "/mail": ("mail.html", "text/html"),
    "/mail.js": ("mail.js", "text/javascript"),
}
# `{portalUrl}/orders/{orderId}`, the link in every customer email (API.md, revision 3).
ORDER_PAGE = re.compile(r"/orders/[A-Za-z0-9-]{1,64}")
MAIL_PATH = re.compile(r"/mail/messages/([^/]+)/(body|attachments/([0-9]{1,3}))")
# An email's HTML is someone else's markup: no scripts, forms, plugins or navigation, only
# inline styles and embedded images, and only this origin may frame it.
EMAIL_BODY_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; "
    "img-src data:; frame-ancestors 'self'",
}
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
    "img-src 'self' data:; connect-src 'self' {connect}; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def config_for(stack: dict[str, Any]) -> dict[str, Any]:
    """The page's configuration from the stack's description (`.local/stack.json`'s keys).

    Only customers are offered: the portal is theirs (operators use orderctl). The demo users'
    passwords are the local stack's, printed by `make run` anyway; nothing here leaves the machine.
    """
    return {
        "apiUrl": stack["apiUrl"],
        "cartApiUrl": stack["cartApiUrl"],
        "cognito": {
            # Cognito's endpoint in AWS is https://cognito-idp.{region}.amazonaws.com/.
            "endpoint": f"{stack['awsEndpointUrl']}/",
            "region": stack["region"],
            "clientId": stack["userPoolClientId"],
        },
        "emulatorUrl": stack["awsEndpointUrl"],  # the mail viewer reads the sent emails there
        "demoUsers": [
            {"username": u["username"], "password": u["password"], "tenantId": u["tenantId"]}
            for u in stack["users"]
            if not u["groups"]
        ],
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


def handler_for(config: dict[str, Any]) -> type[BaseHTTPRequestHandler]:
    """A request handler serving the portal page, its configuration, the reference and assets."""
    api_url = config["apiUrl"]
    connect = " ".join(
        sorted({api_url, config["cartApiUrl"], config["cognito"]["endpoint"].rstrip("/")})
    )

    class Portal(BaseHTTPRequestHandler):
        server_version = "bbws-portal"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path in PAGE_FILES:
                name, kind = PAGE_FILES[path]
                self._send(200, kind, (PAGE / name).read_bytes())
            elif ORDER_PAGE.fullmatch(path):  # an email's link: the page opens that order
                self._send(200, "text/html", (PAGE / "index.html").read_bytes())
            elif path == "/config.json":
                self._send(200, "application/json", json.dumps(config).encode())
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
            elif path == "/mail/messages.json":
                mails = self._mails()
                if mails is not None:
                    summaries = [m.summary() for m in mails]
                    self._send(200, "application/json", json.dumps(summaries).encode())
            elif match := MAIL_PATH.fullmatch(path):
                self._mail_part(unquote(match.group(1)), match.group(3))
            else:
                self._send(404, "text/plain", b"not found")

        def _mails(self) -> list[mail.Mail] | None:
            try:
                return mail.fetch(config["emulatorUrl"], timeout_s=10)
            except OrderctlError as error:
                self._send(502, "text/plain", str(error).encode())
                return None

        def _mail_part(self, mail_id: str, attachment: str | None) -> None:
            mails = self._mails()
            if mails is None:
                return
            found = next((m for m in mails if m.id == mail_id), None)
            if found is None:
                self._send(404, "text/plain", b"no such email")
            elif attachment is None:
                html = found.html or f"<pre>{escape(found.text or '')}</pre>"
                self._send(200, "text/html", html.encode(), EMAIL_BODY_HEADERS)
            elif not 1 <= int(attachment) <= len(found.attachments):
                self._send(404, "text/plain", b"no such attachment")
            else:
                part = found.attachments[int(attachment) - 1]
                name = mail.SAFE_NAME.sub("_", part.filename) or "attachment"
                disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
                self._send(200, part.content_type, part.data, disposition)

        def _asset(self, name: str) -> None:
            root = swagger_ui()
            target = (root / name).resolve()
            if not target.is_relative_to(root.resolve()) or not target.is_file():
                self._send(404, "text/plain", b"not found")
                return
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            self._send(200, kind, target.read_bytes())

        def _send(
            self, status: int, kind: str, body: bytes, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            textual = kind.startswith("text/") or kind == "application/json"
            charset = "; charset=utf-8" if textual and "charset" not in kind else ""
            self.send_header("Content-Type", kind + charset)
            self.send_header("Content-Length", str(len(body)))
            for name, value in {**SECURITY_HEADERS, **(headers or {})}.items():
                self.send_header(name, value.format(connect=connect))
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
    parser.add_argument("--config", type=Path, required=True, help="the page's configuration")
    args = parser.parse_args(argv)
    config = json.loads(args.config.read_text())
    server = ThreadingHTTPServer((args.host, args.port), handler_for(config))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
