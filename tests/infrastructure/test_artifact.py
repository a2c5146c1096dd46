"""The packaged artefact runs: every function `chalice.tf.json` names, from `deployment.zip` and a
twin of its layer alone, in a clean interpreter, with AWS-shaped events, against the emulator.

`make artifact-check` runs this file (issue 28). A module only the checkout provides, a handler
name that differs between `chalice.tf.json` and `app.py`, or a dependency missing from the layer
fails here instead of in AWS.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from chalicelib.topology import CONSUMERS, ORDER_STATUS_STREAM
from devstack.authorizer import as_gateway_claims
from devstack.poller import to_lambda_record
from devstack.provision import Provisioned, provision
from devstack.stage import API_HANDLER, function_config
from devstack.stream_poller import matches
from devstack.stream_poller import to_lambda_record as stream_record
from orderctl import mail
from scripts.artifact_check import CleanRuntime, extract, handlers, twin_layer
from tests.infrastructure.conftest import emulator_process, needs_runtime_python
from tests.infrastructure.emulator import emulator_client
from tests.sample import order_body, paid_now

pytestmark = needs_runtime_python
REGION = "eu-west-1"
STAGE = "dev"


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Provisioned]]:
    """An emulator of its own (the strict one), provisioned as `make run` provisions it."""
    with emulator_process(tmp_path_factory.mktemp("artifact-emulator")) as url:
        env = function_config("local", API_HANDLER).environment
        timeouts = {c.function: function_config("local", c.function).timeout_s for c in CONSUMERS}
        yield url, provision(partial(emulator_client, url), env, REGION, timeouts)


@pytest.fixture(scope="module")
def runtime(
    workspace: Path, aws: tuple[str, Provisioned], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[CleanRuntime, dict[str, str]]]:
    """The dev stage's artefact, extracted, with the layer's twin, in a clean interpreter."""
    url, made = aws
    service = workspace / "infrastructure" / "environments" / STAGE / "service"
    task = extract(service / "deployment.zip", tmp_path_factory.mktemp("task"))
    layer = twin_layer(service / "layer-deployment.zip")
    env = {
        **function_config("local", API_HANDLER).environment,
        "ORDER_EVENTS_TOPIC_ARN": made.topic_arn,
        "CART_API_URL": "http://127.0.0.1:9",  # back-office orders only: no cart is read
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "LANG": "C.UTF-8",
    }
    clean = CleanRuntime(task, layer, env, tmp_path_factory.mktemp("runtime"))
    yield clean, handlers(service / "chalice.tf.json")
    clean.close()


def _token(claims: dict[str, Any]) -> str:
    """An ID token's shape: the gateway verified it; the app reads its payload only."""
    part = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"e30.{part}.c2ln"


def _api_event(
    method: str,
    resource: str,
    path_parameters: dict[str, str] | None = None,
    body: Any = None,
    claims: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """API Gateway's REST proxy event, with the Cognito authorizer's claims (strings), as AWS
    sends it: Chalice's local event (chalice.local.LambdaEventConverter) leaves out `resource`,
    `httpMethod`, `multiValueHeaders`, the stage and the request id."""
    path = resource
    for name, value in (path_parameters or {}).items():
        path = path.replace(f"{{{name}}}", value)
    headers = {"Content-Type": "application/json", "Host": "api.example.com"}
    context: dict[str, Any] = {
        "resourcePath": resource,
        "httpMethod": method,
        "path": f"/{STAGE}{path}",
        "stage": STAGE,
        "requestId": str(uuid.uuid4()),
        "identity": {"sourceIp": "192.0.2.1"},
    }
    if claims is not None:
        headers["Authorization"] = f"Bearer {_token(claims)}"
        context["authorizer"] = {"claims": as_gateway_claims(claims)}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": context,
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


ADMIN = {
    "sub": "ops",
    "custom:tenantId": "platform",
    "cognito:groups": ["admin"],
    "token_use": "id",
}
PAYMENTS = {
    "sub": "payments",
    "custom:tenantId": "platform",
    "cognito:groups": ["payments"],
    "token_use": "id",
}


def _sqs_event(url: str, made: Provisioned, function: str) -> dict[str, Any]:
    queue = made.queues[function]
    sqs = emulator_client(url, "sqs")
    messages = sqs.receive_message(
        QueueUrl=queue["url"],
        MaxNumberOfMessages=10,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
    ).get("Messages", [])
    assert messages, f"nothing waits for {function}"
    return {"Records": [to_lambda_record(m, queue["arn"], REGION) for m in messages]}


def _stream_event(url: str, made: Provisioned) -> dict[str, Any]:
    table = emulator_client(url, "dynamodb").describe_table(TableName=made.table_name)["Table"]
    streams = emulator_client(url, "dynamodbstreams")
    arn = table["LatestStreamArn"]
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator)["Records"]
    wanted = [r for r in records if matches(ORDER_STATUS_STREAM.filter_pattern, r)]
    assert wanted, "the status change left no stream record"
    return {"Records": [stream_record(r, arn, REGION) for r in wanted]}


def test_every_packaged_function_runs_from_the_zip_and_the_layer_alone(
    runtime: tuple[CleanRuntime, dict[str, str]], aws: tuple[str, Provisioned]
) -> None:
    clean, named = runtime
    url, made = aws
    invoked: set[str] = set()

    def invoke(function: str, event: dict[str, Any]) -> Any:
        invoked.add(function)
        return clean.invoke(named[function], function, event)

    health = invoke("api_handler", _api_event("GET", "/health"))
    assert health["statusCode"] == 200

    accepted = invoke(
        "api_handler",
        _api_event("POST", "/v1.0/orders", body=order_body(tenantId="tenant-a"), claims=ADMIN),
    )
    assert accepted["statusCode"] == 202, accepted["body"]
    order_id = json.loads(accepted["body"])["orderId"]

    recorded = invoke("order_creator_record", _sqs_event(url, made, "order_creator_record"))
    assert recorded == {"batchItemFailures": []}
    read = invoke(
        "api_handler",
        _api_event("GET", "/v1.0/orders/{orderId}", {"orderId": order_id}, claims=ADMIN),
    )
    assert read["statusCode"] == 200
    order = json.loads(read["body"])
    assert order["orderNumber"] == "ORD-EU-0000001"

    internal = invoke(
        "order_internal_notification_sender",
        _sqs_event(url, made, "order_internal_notification_sender"),
    )
    assert internal == {"batchItemFailures": []}
    rendered = invoke("order_pdf_creator", _sqs_event(url, made, "order_pdf_creator"))
    assert rendered == {"batchItemFailures": []}
    key = f"tenant-a/orders/order_{order_id}.pdf"
    pdf = emulator_client(url, "s3").get_object(Bucket=made.orders_bucket, Key=key)["Body"].read()
    assert pdf.startswith(b"%PDF")
    confirmed = invoke(
        "customer_order_confirmation_sender",
        _sqs_event(url, made, "customer_order_confirmation_sender"),
    )
    assert confirmed == {"batchItemFailures": []}
    sent = mail.fetch(url)
    assert sorted(m.to[0] for m in sent) == ["jane@example.com", "orders@bbws.example"]
    [to_customer] = [m for m in sent if m.to == ["jane@example.com"]]
    assert to_customer.attachments[0].data.startswith(b"%PDF")

    paid = invoke(
        "api_handler",
        _api_event(
            "PUT",
            "/v1.0/orders/{orderId}",
            {"orderId": order_id},
            body={"status": "PAID", "paymentDetails": paid_now(amount=order["total"])},
            claims=PAYMENTS,
        ),
    )
    assert paid["statusCode"] == 200, paid["body"]
    streamed = invoke("order_status_stream", _stream_event(url, made))
    assert streamed == {"batchItemFailures": []}
    changed = _sqs_event(url, made, "order_pdf_creator")["Records"]
    assert [json.loads(r["body"])["type"] for r in changed] == ["OrderStatusChanged"]

    assert invoked == set(named), "a function chalice.tf.json names was not run"
