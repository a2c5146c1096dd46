"""The routes and the record writer through Chalice's test client, against moto."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

import app as app_module
from devstack.provision import Provisioned
from devstack.stage import PROJECT_DIR
from tests.integration.api_helpers import bearer, post_order, run_record_writer
from tests.integration.conftest import client, drain
from tests.sample import order_body
from tests.tokens import TestIssuer


def test_health_needs_no_token(api: Client) -> None:
    response = api.http.get("/health")
    assert response.status_code == 200
    assert response.json_body["status"] == "ok"
    assert response.json_body["environment"] == "local"


def test_an_order_flows_from_post_to_get(
    api: Client, stack: Provisioned, issuer: TestIssuer
) -> None:
    token = issuer.token(tenant_id="tenant-a")
    accepted = post_order(api, token)
    assert accepted.status_code == 202
    order_id = accepted.json_body["orderId"]
    assert accepted.headers["Location"] == f"/v1.0/orders/{order_id}"
    assert accepted.json_body == {
        "orderId": order_id,
        "tenantId": "tenant-a",
        "status": "PENDING",
        "links": {"self": f"/v1.0/orders/{order_id}"},
    }
    assert (
        api.http.get(f"/v1.0/orders/{order_id}", headers={"Authorization": token}).status_code
        == 404
    )

    assert run_record_writer(stack) == {"batchItemFailures": []}

    got = api.http.get(f"/v1.0/orders/{order_id}", headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 200
    assert got.headers["ETag"] == '"1"'
    order = got.json_body
    assert (order["subtotal"], order["discount"], order["total"]) == ("598.00", "149.50", "448.50")
    # VAT is on the order and in the stored item (the stage's VAT_RATE, 15.00)
    assert (order["vatRate"], order["vatAmount"], order["totalExclVat"]) == (
        "15.00",
        "58.50",
        "390.00",
    )
    [item] = [
        i
        for i in client("dynamodb").scan(TableName=stack.table_name)["Items"]
        if i["entityType"]["S"] == "ORDER"
    ]
    assert (item["vatAmount"], item["totalExclVat"]) == ({"S": "58.50"}, {"S": "390.00"})
    assert order["dateCreated"].endswith("Z")
    assert not {"PK", "SK", "GSI1_PK", "GSI2_PK", "entityType"} & set(order)

    # The topic feeds the renderer and the internal email; the customer's email follows the
    # document the renderer issues (DocumentIssued), so its queue is empty until then.
    assert drain(stack.queues["customer_order_confirmation_sender"]["url"]) == []
    for function in ("order_pdf_creator", "order_internal_notification_sender"):
        [created] = drain(stack.queues[function]["url"])
        event = json.loads(created["Body"])
        assert event["type"] == "OrderCreated"
        assert event["data"]["id"] == order_id


def test_a_redelivered_request_makes_one_order(
    api: Client, stack: Provisioned, issuer: TestIssuer
) -> None:
    post_order(api, issuer.token())
    [message] = client("sqs").receive_message(QueueUrl=stack.queues["order_creator_record"]["url"])[
        "Messages"
    ]
    record = {"messageId": "m", "receiptHandle": "r", "body": message["Body"], "attributes": {}}
    for _ in range(3):
        assert app_module.order_creator_record({"Records": [record]}, None) == {
            "batchItemFailures": []
        }
    items = client("dynamodb").scan(TableName=stack.table_name)["Items"]
    orders = [i for i in items if i["entityType"]["S"] == "ORDER"]
    assert len(orders) == 1
    assert orders[0]["orderNumber"]["S"] == "ORD-EU-0000001"  # the first number, kept


def test_a_poison_message_fails_alone(api: Client, stack: Provisioned, issuer: TestIssuer) -> None:
    post_order(api, issuer.token())
    [good] = client("sqs").receive_message(QueueUrl=stack.queues["order_creator_record"]["url"])[
        "Messages"
    ]
    records = [
        {"messageId": "good", "receiptHandle": "r1", "body": good["Body"], "attributes": {}},
        {"messageId": "poison", "receiptHandle": "r2", "body": "{not json", "attributes": {}},
    ]
    assert app_module.order_creator_record({"Records": records}, None) == {
        "batchItemFailures": [{"itemIdentifier": "poison"}]
    }


def test_other_tenants_orders_are_not_found(
    api: Client, stack: Provisioned, issuer: TestIssuer
) -> None:
    order_id = post_order(api, issuer.token(tenant_id="tenant-a")).json_body["orderId"]
    run_record_writer(stack)
    as_bob = api.http.get(
        f"/v1.0/orders/{order_id}", headers={"Authorization": issuer.token(tenant_id="tenant-b")}
    )
    assert as_bob.status_code == 404
    assert as_bob.headers["Content-Type"] == "application/problem+json"
    as_admin = api.http.get(
        f"/v1.0/orders/{order_id}",
        headers={"Authorization": issuer.token(tenant_id="platform", groups=["admin"])},
    )
    assert as_admin.status_code == 200


def test_a_tenant_cannot_order_for_another_tenant(api: Client, issuer: TestIssuer) -> None:
    response = post_order(api, issuer.token(tenant_id="tenant-a"), order_body(tenantId="tenant-b"))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("token_kind", "detail"),
    [
        ("missing", "missing"),
        ("garbage", "not valid"),
        ("tampered", "not valid"),
        ("expired", "expired"),
    ],
)
def test_untrusted_tokens_get_401_problems(
    api: Client, issuer: TestIssuer, token_kind: str, detail: str
) -> None:
    good = issuer.token()
    header = {
        "missing": None,
        "garbage": "garbage",
        "tampered": good[:-6] + ("AAAAAA" if not good.endswith("AAAAAA") else "BBBBBB"),
        "expired": issuer.token(expires_in=-120),
    }[token_kind]
    headers = {"Content-Type": "application/json"} | ({"Authorization": header} if header else {})
    for response in (
        api.http.post("/v1.0/orders", headers=headers, body=json.dumps(order_body())),
        api.http.get("/v1.0/orders/11111111-1111-4111-8111-111111111111", headers=headers),
    ):
        assert response.status_code == 401
        assert response.headers["Content-Type"] == "application/problem+json"
        # the gateway's refusal names its scheme, as the app's own 401s do
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="bbws-order"'
        problem = response.json_body
        assert problem["status"] == 401
        assert detail in problem["detail"]


def test_bad_bodies_are_problems_not_500s(api: Client, issuer: TestIssuer) -> None:
    auth = {"Authorization": issuer.token()}
    malformed = api.http.post(
        "/v1.0/orders", headers={**auth, "Content-Type": "application/json"}, body="{oops"
    )
    assert malformed.status_code == 400
    wrong_type = api.http.post(
        "/v1.0/orders", headers={**auth, "Content-Type": "text/plain"}, body="{}"
    )
    assert wrong_type.status_code == 415
    invalid = post_order(api, issuer.token(), order_body(items=[]))
    assert invalid.status_code == 400
    assert invalid.json_body["errors"][0]["field"] == "items"
    assert invalid.json_body["instance"] == "/v1.0/orders"


def test_unexpected_errors_are_500_problems_without_internals(
    api: Client, issuer: TestIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("chalicelib.services.orders.OrderService.get", explode)
    response = api.http.get(
        "/v1.0/orders/11111111-1111-4111-8111-111111111111",
        headers={"Authorization": issuer.token()},
    )
    assert response.status_code == 500
    assert "secret" not in response.body.decode()
    assert response.json_body["instance"] == "/v1.0/orders/11111111-1111-4111-8111-111111111111"


@pytest.fixture
def gateway_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    """app.py imported as in AWS: routes carry the Cognito authorizer, claims come from it."""
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text(json.dumps(config))
    monkeypatch.setenv(
        "COGNITO_USER_POOL_ARN", "arn:aws:cognito-idp:af-south-1:111111111111:userpool/af-south-1_x"
    )
    yield importlib.reload(app_module), tmp_path
    monkeypatch.undo()
    importlib.reload(app_module)


def test_in_aws_the_routes_use_the_cognito_authorizer(
    gateway_app: tuple[Any, Path], stack: Provisioned, issuer: TestIssuer
) -> None:
    module, project_dir = gateway_app
    routes = module.app.routes
    assert routes["/v1.0/orders"]["POST"].authorizer.name == "CognitoUserPool"
    assert routes["/health"]["GET"].authorizer is None
    with Client(module.app, stage_name="local", project_dir=str(project_dir)) as test_client:
        accepted = post_order(test_client, issuer.token(tenant_id="tenant-b"))
    assert accepted.status_code == 202
    assert accepted.json_body["tenantId"] == "tenant-b"


@pytest.mark.parametrize(
    ("given", "kept"),
    [("portal-checkout-7f3a9c", True), ("short", False), ("has spaces in it", False)],
)
def test_a_callers_correlation_id_travels_with_the_order(
    api: Client, stack: Provisioned, issuer: TestIssuer, given: str, kept: bool
) -> None:
    token = issuer.token(tenant_id="tenant-a")
    correlation: dict[str, Any] = {"X-Correlation-Id": given}
    accepted = post_order(api, token, None, **correlation)
    assert accepted.status_code == 202
    echoed = accepted.headers["X-Correlation-Id"]
    assert (echoed == given) is kept
    [message] = drain(stack.queues["order_creator_record"]["url"])
    assert json.loads(message["Body"])["correlationId"] == echoed
    attributes = message.get("MessageAttributes") or {}
    assert attributes.get("correlationId", {}).get("StringValue", echoed) == echoed
    # Refusals carry it too, so a client can quote it to support.
    refused = api.http.get(
        "/v1.0/orders/nope", headers=bearer(token, **{"X-Correlation-Id": given})
    )
    assert refused.status_code == 404
    assert (refused.headers["X-Correlation-Id"] == given) is kept
