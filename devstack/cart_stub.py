"""The Cart service, as this service assumes it (API.md "Cart service"), for `make run` and tests.

The real Cart service belongs to another team. This stub answers its contract
(`docs/contracts/cart-api.json`): `GET /v1.0/carts/{cartId}`, plus the routes only the stub
has, `GET /v1.0/products` (the catalog) and `POST /v1.0/carts` (a cart for the caller's
tenant, priced from the catalog). It verifies the caller's ID token the way the API does
(devstack/authorizer.py). Carts live in memory, so a restart forgets them.

It answers browsers on the stage's CORS list (`CORS_ALLOWED_ORIGINS`, as the API does): the
portal page calls it from its own origin.

For failure drills, `POST /_stub/faults` `{"status": 503, "delay_s": 3, "count": 2}` makes
the next `count` cart reads fail or stall. That route is the stub's only, with no token.

`python -m devstack.cart_stub --host 127.0.0.1 --port 8010` (environment: `COGNITO_*`).
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from chalicelib.api import cors
from devstack.authorizer import (
    REFUSED,
    TokenVerifier,
    from_environment,
    listed_origins,
    refusal_status,
)

CURRENCY = "ZAR"
# What BBWS sells: hosting plans, domains, SSL and extras. ZAR, VAT-inclusive (15 %).
CATALOG: dict[str, tuple[str, str]] = {
    "wp-starter": ("WordPress Starter Hosting", "149.00"),
    "wp-pro": ("WordPress Pro Hosting", "299.00"),
    "wp-business": ("WordPress Business Hosting", "599.00"),
    "vps-2": ("Managed VPS, 2 vCPU / 4 GB", "899.00"),
    "domain-coza": ("co.za domain (1 year)", "99.00"),
    "domain-com": (".com domain (1 year)", "249.00"),
    "ssl-dv": ("SSL certificate, domain validated (1 year)", "349.00"),
    "ssl-ev": ("SSL certificate, extended validation (1 year)", "1499.00"),
    "email-pro": ("Professional email, 5 mailboxes", "199.00"),
    "backup-daily": ("Daily off-site backup", "79.00"),
    "cdn-waf": ("CDN and web application firewall", "129.00"),
}
CAMPAIGNS: dict[str, tuple[str, str]] = {
    "SUMMER25": ("Summer sale", "25.00"),
    "WELCOME10": ("Welcome discount", "10.00"),
}
MAX_LINES = 100
# The contract's largest values, orderable but not listed (GET /v1.0/products): a product id of
# 64 characters, a name and a campaign of the longest text in 4-byte characters (U+10300), so the
# size tests can order the largest cart a customer can (tests/e2e/test_aws_limits.py).
WIDEST = "\U00010300"
UNLISTED: dict[str, tuple[str, str]] = {"z" * 64: (WIDEST * 200, "999.99")}
UNLISTED_CAMPAIGNS: dict[str, tuple[str, str]] = {WIDEST * 64: (WIDEST * 200, "0.01")}
ORDERABLE = {**CATALOG, **UNLISTED}
MAX_QUANTITY = 1000
_CART_PATH = re.compile(r"^/v1\.0/carts/([A-Za-z0-9][A-Za-z0-9._:-]{0,127})$")


@dataclass
class Faults:
    """Injected failures of the next cart reads (drills and tests)."""

    status: int | None = None
    delay_s: float = 0.0
    count: int = 0

    def take(self) -> tuple[int | None, float]:
        """(status to answer or None, seconds to stall) for one read."""
        if self.count <= 0:
            return None, 0.0
        self.count -= 1
        return self.status, self.delay_s


@dataclass
class CartStore:
    """Carts by id, in memory."""

    carts: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    down: bool = False  # every connection is closed unanswered, as a dead service's would be
    lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, tenant_id: str, body: Any) -> tuple[int, dict[str, Any]]:
        """A priced cart for the tenant, or (422, problem) naming the field."""
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            return _problem(422, "Send {items: [{productId, quantity}], campaignCode?}")
        items = body["items"]
        if len(items) > MAX_LINES:
            return _problem(422, f"A cart has at most {MAX_LINES} lines")
        lines = []
        for index, item in enumerate(items):
            product = item.get("productId") if isinstance(item, dict) else None
            quantity = item.get("quantity") if isinstance(item, dict) else None
            if not isinstance(product, str) or product not in ORDERABLE:
                return _problem(422, f"items[{index}].productId: no such product {product!r}")
            if type(quantity) is not int or not 1 <= quantity <= MAX_QUANTITY:
                return _problem(422, f"items[{index}].quantity: an integer 1-{MAX_QUANTITY}")
            name, price = ORDERABLE[product]
            lines.append(
                {
                    "productId": product,
                    "productName": name,
                    "quantity": quantity,
                    "unitPrice": price,
                }
            )
        code = body.get("campaignCode")
        campaigns = {**CAMPAIGNS, **UNLISTED_CAMPAIGNS}
        if "campaignCode" in body and (not isinstance(code, str) or code not in campaigns):
            return _problem(422, f"campaignCode: no such campaign {code!r}")
        campaign = (
            {"code": code, "name": campaigns[code][0], "discountPercent": campaigns[code][1]}
            if code
            else None
        )
        cart_id = f"c-{uuid.uuid4().hex}"
        cart: dict[str, Any] = {
            "cartId": cart_id,
            "tenantId": tenant_id,
            "currency": CURRENCY,
            "items": lines,
            "campaign": campaign,
            "status": "OPEN",
        }
        with self.lock:
            self.carts[cart_id] = cart
        return 201, cart

    def get(self, tenant_id: str, cart_id: str) -> dict[str, Any] | None:
        """The tenant's cart (another tenant's is absent)."""
        with self.lock:
            cart = self.carts.get(cart_id)
        return cart if cart is not None and cart["tenantId"] == tenant_id else None


def _problem(status: int, detail: str) -> tuple[int, dict[str, Any]]:
    title = HTTPStatus(status).phrase
    return status, {"type": "about:blank", "title": title, "status": status, "detail": detail}


def catalog() -> dict[str, Any]:
    """`GET /v1.0/products`."""
    return {
        "items": [
            {"productId": key, "productName": name, "unitPrice": price, "currency": CURRENCY}
            for key, (name, price) in CATALOG.items()
        ]
    }


class StubHandler(BaseHTTPRequestHandler):
    """The stub's HTTP framing, apart from what it answers: keep-alive with whole bodies read,
    JSON and problem+json answers, CORS for the listed `origins`, 405 for other methods."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the client's connection pool expects
    # Headers and body leave in one segment: two small writes on a kept-alive connection
    # meet Nagle's algorithm and the client's delayed ACK (40 ms a request).
    disable_nagle_algorithm = True
    wbufsize = 1 << 16
    store: CartStore
    origins: tuple[str, ...] = ()
    _raw = b""
    _consumed = False

    def log_message(self, format: str, *args: Any) -> None:
        print(f"cart    | {self.address_string()} {format % args}", flush=True)

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        kind = "application/problem+json" if status >= 400 else "application/json"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in {**self._cors(), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _cors(self) -> dict[str, str]:
        return cors.response_headers(cors.allowed_origin(self.headers, self.origins))

    def do_OPTIONS(self) -> None:
        """A browser's preflight: what the listed origins may send (as the API answers)."""
        self._read_body()
        methods = {"/v1.0/carts": ("POST",)}.get(self.path, ("GET",))
        origin = cors.allowed_origin(self.headers, self.origins)
        self.send_response(204)
        for name, value in cors.preflight_headers(origin, methods).items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _body(self) -> Any:
        try:
            return json.loads(self._raw or b"null")
        except ValueError:
            return None

    def parse_request(self) -> bool:
        self._raw, self._consumed = b"", False  # one handler serves a connection's requests
        if self.store.down:
            self.close_connection = True
            return False
        return super().parse_request()

    def _read_body(self) -> None:
        """Read the whole body first, whatever the answer: keep-alive needs it consumed."""
        if self._consumed:
            return
        self._consumed = True
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        self._raw = self.rfile.read(length) if length > 0 else b""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # any other method (TRACE, PUT, ...): 405, not 501
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        self._read_body()
        allowed = {"/v1.0/carts": "POST", "/v1.0/products": "GET"}.get(self.path, "GET")
        status, body = _problem(405, f"{self.command} is not allowed here")
        self._send(status, body, {"Allow": allowed})


def handler_for(
    store: CartStore, verifier: TokenVerifier, origins: tuple[str, ...] = ()
) -> type[BaseHTTPRequestHandler]:
    """A request handler bound to one store, one token verifier and the origins it allows."""
    carts, allowed = store, origins

    class Handler(StubHandler):
        store = carts
        origins = allowed

        def _tenant(self) -> str | None:
            try:
                claims = verifier.verify(self.headers.get("Authorization"))
            except REFUSED as refused:
                self._send(*_problem(refusal_status(refused), str(refused)))
                return None
            return str(claims.get("custom:tenantId", ""))

        def do_GET(self) -> None:
            self._read_body()
            if self.path == "/health":
                self._send(200, {"status": "ok", "carts": len(self.store.carts)})
            elif self.path == "/v1.0/carts":
                self._not_allowed()
            elif self.path == "/v1.0/products":
                if self._tenant() is not None:
                    self._send(200, catalog())
            elif (match := _CART_PATH.match(self.path)) is not None:
                self._get_cart(match.group(1))
            else:
                self._send(*_problem(404, "No such route"))

        def _get_cart(self, cart_id: str) -> None:
            """`GET /v1.0/carts/{id}`: the caller's tenant's cart, after any injected fault."""
            with self.store.lock:
                status, delay_s = self.store.faults.take()
            if delay_s:
                time.sleep(delay_s)
            if status is not None:
                self._send(*_problem(status, "Injected fault"))
                return
            tenant = self._tenant()
            if tenant is None:
                return
            cart = self.store.get(tenant, cart_id)
            if cart is None:
                self._send(*_problem(404, "No such cart"))
            else:
                self._send(200, cart)

        def do_POST(self) -> None:
            self._read_body()
            if self.path == "/_stub/faults":
                self._set_faults(self._body() or {})
            elif self.path == "/v1.0/carts":
                tenant = self._tenant()
                if tenant is not None:
                    self._send(*self.store.create(tenant, self._body()))
            elif self.path == "/v1.0/products":
                self._not_allowed()
            else:
                self._send(*_problem(404, "No such route"))

        def _set_faults(self, body: dict[str, Any]) -> None:
            """The tests' lever: the next `count` cart reads fail with `status` after `delay_s`."""
            with self.store.lock:
                self.store.faults = Faults(
                    status=body.get("status"),
                    delay_s=float(body.get("delay_s", 0)),
                    count=int(body.get("count", 1)),
                )
            self._send(200, {"faults": self.store.faults.count})

    return Handler


def serve(
    host: str,
    port: int,
    verifier: TokenVerifier,
    store: CartStore | None = None,
    origins: tuple[str, ...] = (),
) -> Any:
    """A started server (in a daemon thread); `.shutdown()` stops it."""
    server = ThreadingHTTPServer((host, port), handler_for(store or CartStore(), verifier, origins))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="cart-stub", daemon=True).start()
    return server


def main() -> int:
    """Serve until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    args = parser.parse_args()
    server = ThreadingHTTPServer(
        (args.host, args.port),
        handler_for(
            CartStore(),
            from_environment(),
            listed_origins(),
        ),
    )
    server.daemon_threads = True
    print(f"cart    | Cart service stub on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
