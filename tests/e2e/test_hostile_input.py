"""Issue 13's reproductions, sent to the real local stack: each is a 4xx problem+json (or the
corrected behaviour), and afterwards every read and the tenant's list still answer 200."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from orderctl import mail
from tests.e2e.api_client import Caller
from tests.e2e.stack_process import stack_client
from tests.sample import order_body, paid_now

pytestmark = pytest.mark.e2e
PROBLEM = "application/problem+json"


def _item(**changes: Any) -> dict[str, Any]:
    return {"productId": "wp-pro", "productName": "WordPress Pro Hosting", "quantity": 2,
            "unitPrice": "299.00", **changes}  # fmt: skip


def _raw(caller: Caller, method: str, path: str, body: str | bytes) -> requests.Response:
    return caller.request(method, path, data=body, headers={"Content-Type": "application/json"})


def _refused(response: requests.Response, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["Content-Type"] == PROBLEM
    assert "Traceback" not in response.text
    return response.json()  # type: ignore[no-any-return]


def _all_reads_work(caller: Caller, admin: Caller, order_id: str) -> None:
    for who in (caller, admin):
        assert who.request("GET", f"/v1.0/orders/{order_id}").status_code == 200
        listed = who.request("GET", "/v1.0/tenants/tenant-a/orders")
        assert listed.status_code == 200, listed.text
        assert order_id in {o["id"] for o in listed.json()["items"]}
    deadline = time.monotonic() + 30
    while (invoice := caller.request("GET", f"/v1.0/orders/{order_id}/invoice")).status_code == 404:
        assert time.monotonic() < deadline, invoice.text
        time.sleep(0.2)
    assert invoice.status_code == 200, invoice.text


def _user(stack: dict[str, Any], tenant: str) -> str:
    """A user of the local pool whose custom:tenantId is `tenant`; returns an ID token."""
    cognito = stack_client(stack, "cognito-idp")
    username = f"odd-{abs(hash(tenant))}@example.com"
    password = "Odd-tenant-1!"
    cognito.admin_create_user(
        UserPoolId=stack["userPoolId"], Username=username, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": username},
                        {"Name": "custom:tenantId", "Value": tenant}],
    )  # fmt: skip
    cognito.admin_set_user_password(
        UserPoolId=stack["userPoolId"], Username=username, Password=password, Permanent=True
    )
    result = cognito.initiate_auth(
        ClientId=stack["userPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )  # fmt: skip
    return str(result["AuthenticationResult"]["IdToken"])


@pytest.fixture
def order(stack: dict[str, Any]) -> tuple[Caller, Caller, str]:
    alice, admin = Caller(stack, "alice"), Caller(stack, "admin")
    order_id = alice.create(billingAddress={**order_body()["billingAddress"],
                                            "fullName": "O'Brien & Sons <Pty>"})  # fmt: skip
    alice.wait_for(order_id)
    return alice, admin, order_id


def test_a_poisoned_payment_time_is_refused_and_the_order_stays_readable(
    stack: dict[str, Any], order: tuple[Caller, Caller, str]
) -> None:
    alice, admin, order_id = order
    payments = Caller(stack, "payments")
    path = f"/v1.0/orders/{order_id}"
    before = alice.request("GET", path).json()
    for paid_at, status in [("0999-12-31T00:00:00Z", 422), ("0001-01-01T00:00:00+14:00", 400)]:
        body = {"status": "PAID", "paymentDetails": paid_now(paidAt=paid_at)}
        problem = _refused(payments.request("PUT", path, json=body), status)
        assert problem["errors"][0]["field"] == "paymentDetails.paidAt"
    assert alice.request("GET", path).json() == before  # nothing was written
    _all_reads_work(alice, admin, order_id)
    assert admin.request("PUT", path, json={"active": False}).status_code == 200


def test_malformed_bodies_and_parameters_are_4xx(order: tuple[Caller, Caller, str]) -> None:
    alice, admin, order_id = order
    deep = '{"customerEmail":' + "[" * 2000 + "]" * 2000 + "}"
    huge = json.dumps(order_body(items=[_item()])).replace(
        '"quantity": 2', '"quantity": ' + "9" * 4301
    )
    _refused(_raw(alice, "POST", "/v1.0/orders", deep))
    _refused(_raw(alice, "POST", "/v1.0/orders", huge))
    _refused(_raw(alice, "PUT", f"/v1.0/orders/{order_id}", '{"active": ' + "1" * 4301 + "}"))
    _refused(alice.request("GET", "/v1.0/tenants/tenant-a/orders?pageSize=" + "9" * 4301))
    surrogate = json.dumps(order_body()).replace("Jane Doe", "Jane \\ud800")
    _refused(_raw(alice, "POST", "/v1.0/orders", surrogate))
    put = json.dumps({"status": "PAID", "paymentDetails": paid_now(paymentId="X")})
    _refused(_raw(alice, "PUT", f"/v1.0/orders/{order_id}", put.replace('"X"', '"\\ud800"')))
    _all_reads_work(alice, admin, order_id)


@pytest.mark.parametrize(
    "body",
    [{"customerEmail": '"jane"@example.com'}, {"customerEmail": "<jane@example.com>"},
     {"customerEmail": "jane@example.com,eve@example.com"},
     {"customerEmail": "ja\x07ne@example.com"},
     {"customerEmail": "jöse@example.com"}, {"items": [_item(quantity=1.9)]},
     {"items": [_item(quantity=True)]}, {"items": [_item(quantity="5")]},
     {"items": [_item(unitPrice="1e2")]}, {"items": [_item(unitPrice="1_000.00")]},
     {"items": [_item(unitPrice="\u0661\u0660.00")]}, {"currency": "XYZ"},
     {"items": [_item(productName=12345)]}, {"campaign": {"code": "X", "discountPercent": "101"}}],
)  # fmt: skip
def test_lax_values_are_refused_up_front(stack: dict[str, Any], body: dict[str, Any]) -> None:
    admin = Caller(stack, "admin")  # a back-office order: the only kind that carries prices
    sent = order_body(tenantId="tenant-a", **body)
    problem = _refused(admin.request("POST", "/v1.0/orders", json=sent))
    assert {e["field"].split(".")[0].split("[")[0] for e in problem["errors"]} == set(body), problem


@pytest.mark.parametrize("tenant", ["t\u00e9nant", "tenant\nb", "x" * 1100, "../x", "Tenant-A"])
def test_a_token_whose_tenant_breaks_the_pattern_is_refused(
    stack: dict[str, Any], tenant: str
) -> None:
    token = _user(stack, tenant)
    for method, path in [("POST", "/v1.0/orders"), ("GET", "/v1.0/tenants/tenant-a/orders")]:
        response = requests.request(method, stack["apiUrl"] + path, json=order_body(), timeout=30,
                                    headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert "not a valid tenant id" in _refused(response, 403)["detail"]


def test_links_are_sigv4_and_cursors_reveal_no_keys(
    stack: dict[str, Any], order: tuple[Caller, Caller, str]
) -> None:
    alice, admin, order_id = order
    _all_reads_work(alice, admin, order_id)
    url = alice.request("GET", f"/v1.0/orders/{order_id}/invoice").json()["url"]
    assert parse_qs(urlparse(url).query)["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert requests.get(url, timeout=30).content.startswith(b"%PDF")

    alice.wait_for(alice.create())
    page = alice.request("GET", "/v1.0/tenants/tenant-a/orders", params={"pageSize": 1}).json()
    cursor = page["pagination"]["nextStartAt"]
    payload = base64.urlsafe_b64decode(cursor.split(".")[0] + "==")
    assert b"TENANT#" not in payload
    assert b"ORDER#" not in payload
    body, signature = cursor.split(".")
    padded = f"{body}==.{signature}" if len(body) % 4 else f"{body}.{signature}="
    _refused(alice.request("GET", "/v1.0/tenants/tenant-a/orders", params={"startAt": padded}))

    # Each email's HTML escapes the customer's name (plain-text parts are checked unescaped in
    # tests/unit/test_rendering.py).
    deadline = time.monotonic() + 30
    while True:
        htmls = [m.html for m in mail.fetch(stack["awsEndpointUrl"]) if "Brien" in (m.html or "")]
        if htmls or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert htmls
    assert all("O'Brien & Sons <Pty>" not in html for html in htmls if html)
    assert all("&amp; Sons &lt;Pty&gt;" in html for html in htmls if html)
