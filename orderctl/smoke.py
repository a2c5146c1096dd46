"""`orderctl smoke`: the post-deploy check the delivery pipeline runs after every apply.

It proves the stage works end to end for a real tenant: `/health` answers, a test user signs in
through Cognito, makes a cart of the cheapest product in the Cart service and orders it (202),
its record appears, its PDF invoice is rendered and downloadable, and the order is then
cancelled so that smoke orders never look like live business. Each step prints as it finishes;
the result is written as JSON (`--report`) and, in GitHub Actions, as a table in the job
summary (`$GITHUB_STEP_SUMMARY`).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from orderctl.errors import OrderctlError

# Amazon SES's mailbox simulator: a deployed stage's confirmation email goes nowhere real.
SMOKE_CUSTOMER_EMAIL = "success@simulator.amazonses.com"


def smoke_order(cart_id: str, email: str = SMOKE_CUSTOMER_EMAIL) -> dict[str, Any]:
    """The customer's order of the smoke test's cart (contract revision 2)."""
    return {
        "cartId": cart_id,
        "customerEmail": email,
        "billingAddress": {
            "fullName": "Smoke Test",
            "line1": "1 Long St",
            "city": "Cape Town",
            "postalCode": "8001",
            "country": "ZA",
        },
    }


@dataclass
class Check:
    """One step's outcome."""

    name: str
    ok: bool
    ms: int
    detail: str


@dataclass
class Report:
    """The whole run, as written to `--report` and the job summary."""

    base_url: str
    started_at: str
    checks: list[Check] = field(default_factory=list)
    order_id: str | None = None

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def as_json(self) -> dict[str, Any]:
        return {
            "baseUrl": self.base_url,
            "startedAt": self.started_at,
            "passed": self.passed,
            "orderId": self.order_id,
            "checks": [asdict(check) for check in self.checks],
        }

    def as_markdown(self, title: str) -> str:
        verdict = "passed" if self.passed else "FAILED"
        rows = "\n".join(
            f"| {'✅' if c.ok else '❌'} {c.name} | {c.ms} | {c.detail.replace('|', '/')} |"
            for c in self.checks
        )
        return (
            f"### {title}: {verdict}\n\n`{self.base_url}` at {self.started_at}\n\n"
            f"| check | ms | detail |\n|---|---:|---|\n{rows}\n"
        )


class StepFailed(Exception):
    """A check failed; its detail says why."""


class Smoke:
    """Runs the checks in order; a failed check stops the run (later ones depend on it)."""

    def __init__(
        self,
        base_url: str,
        token: Callable[[], str],
        *,
        timeout_s: float = 120,
        poll_s: float = 0.5,
        echo: Callable[[str], None] = print,
        session: requests.Session | None = None,
        downloads: requests.Session | None = None,
        cart_api: str | OrderctlError | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cart_api = cart_api or OrderctlError("no Cart service was named")  # or why not
        self.cart_id: str | None = None
        self.token = token
        self.timeout_s = timeout_s
        self.poll_s = poll_s
        self.echo = echo
        self.http = session or requests.Session()
        self.http.headers["User-Agent"] = "orderctl-smoke"
        # The presigned invoice URL is S3's: no bearer token goes there.
        self.downloads = downloads or requests.Session()
        self.report = Report(self.base_url, datetime.now(UTC).isoformat(timespec="seconds"))

    # -- plumbing -----------------------------------------------------------------------------

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = path if path.startswith("http") else self.base_url + path
        try:
            return self.http.request(method, url, timeout=30, **kwargs)
        except requests.ConnectionError:
            raise StepFailed(f"cannot connect to {url}") from None
        except requests.Timeout:
            raise StepFailed(f"no answer from {url} within 30 s") from None

    def step(self, name: str, action: Callable[[], str]) -> None:
        started = time.monotonic()
        try:
            detail, ok = action(), True
        except StepFailed as failure:
            detail, ok = str(failure), False
        check = Check(name, ok, round((time.monotonic() - started) * 1000), detail)
        self.report.checks.append(check)
        self.echo(f"{'ok  ' if ok else 'FAIL'} {name:<10} {check.ms:>6} ms  {detail}")
        if not ok:
            raise StepFailed(detail)

    def wait_for(self, what: str, path: str) -> dict[str, Any]:
        """GET `path` until it stops answering 404 (the pipeline is asynchronous), then 200."""
        deadline = time.monotonic() + self.timeout_s
        while (response := self.request("GET", path)).status_code == 404:
            if time.monotonic() >= deadline:
                raise StepFailed(f"{what} did not happen within {self.timeout_s:.0f} s")
            time.sleep(self.poll_s)
        return self.expect(response, 200, f"GET {path}")

    @staticmethod
    def expect(response: requests.Response, status: int, what: str) -> dict[str, Any]:
        if response.status_code != status:
            raise StepFailed(
                f"{what}: expected {status}, got {response.status_code} {response.text[:200]}"
            )
        try:
            return response.json()  # type: ignore[no-any-return]
        except ValueError:
            raise StepFailed(f"{what}: the answer is not JSON: {response.text[:200]}") from None

    # -- the checks ---------------------------------------------------------------------------

    def health(self) -> str:
        body = self.expect(self.request("GET", "/health"), 200, "GET /health")
        if body.get("status") != "ok":
            raise StepFailed(f"GET /health says {body}")
        return f"{body.get('environment')} in {body.get('region')}"

    def sign_in(self) -> str:
        try:
            token = self.token()
        except OrderctlError as error:
            raise StepFailed(str(error)) from None
        self.http.headers["Authorization"] = f"Bearer {token}"
        return "ID token from Cognito InitiateAuth"

    def cart(self) -> str:
        """One of the cheapest product in a new cart of the smoke user's tenant."""
        if isinstance(self.cart_api, OrderctlError):
            raise StepFailed(str(self.cart_api))
        catalog = self.expect(
            self.request("GET", f"{self.cart_api}/v1.0/products"), 200, "GET /v1.0/products"
        )
        if not catalog.get("items"):
            raise StepFailed(f"the Cart service at {self.cart_api} lists no products")
        cheapest = min(catalog["items"], key=lambda p: Decimal(str(p["unitPrice"])))
        made = self.expect(
            self.request(
                "POST",
                f"{self.cart_api}/v1.0/carts",
                json={"items": [{"productId": cheapest["productId"], "quantity": 1}]},
            ),
            201,
            "POST /v1.0/carts (the Cart service's cart creation, docs/delivery.md)",
        )
        self.cart_id = str(made["cartId"])
        return f"{self.cart_id}: 1 x {cheapest['productName']} at {cheapest['unitPrice']}"

    def create(self) -> str:
        response = self.request(
            "POST",
            "/v1.0/orders",
            json=smoke_order(str(self.cart_id)),
            headers={"Idempotency-Key": f"smoke-{uuid.uuid4()}"},
        )
        body = self.expect(response, 202, "POST /v1.0/orders")
        self.report.order_id = str(body["orderId"])
        return f"202, order {self.report.order_id} for tenant {body.get('tenantId')}"

    def record(self) -> str:
        body = self.wait_for("the order record", f"/v1.0/orders/{self.report.order_id}")
        return f"{body['orderNumber']}, {body['status']}, total {body['total']} {body['currency']}"

    def invoice(self) -> str:
        body = self.wait_for("the PDF invoice", f"/v1.0/orders/{self.report.order_id}/invoice")
        try:
            pdf = self.downloads.get(body["url"], timeout=30)
        except requests.RequestException as error:
            raise StepFailed(f"the invoice URL does not answer: {error}") from None
        if pdf.status_code != 200 or not pdf.content.startswith(b"%PDF"):
            raise StepFailed(f"the invoice URL gave {pdf.status_code}, not a PDF")
        return f"PDF of {len(pdf.content):,} bytes, link valid {body['expiresIn']} s"

    def cancel(self) -> str:
        path = f"/v1.0/orders/{self.report.order_id}"
        body = self.expect(
            self.request("PUT", path, json={"status": "CANCELLED"}), 200, f"PUT {path}"
        )
        return f"status {body['status']}"

    def run(self) -> Report:
        steps = [
            ("health", self.health),
            ("sign-in", self.sign_in),
            ("cart", self.cart),
            ("create", self.create),
            ("record", self.record),
            ("invoice", self.invoice),
            ("cancel", self.cancel),
        ]
        self.echo(f"smoke test of {self.base_url}")
        try:
            for name, action in steps:
                self.step(name, action)
        except StepFailed:
            pass
        self.echo(f"smoke test {'passed' if self.report.passed else 'FAILED'}")
        return self.report


def publish(report: Report, path: Path | None, title: str) -> None:
    """The JSON report, and the job summary when running in GitHub Actions."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report.as_json(), indent=2) + "\n")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a") as out:
            out.write(report.as_markdown(title) + "\n")
