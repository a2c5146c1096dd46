"""The four processors against moto: one order, one record, one PDF, two emails, always."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from chalice.test import Client
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import RawMessage, ses_backends

import app as app_module
from chalicelib.repositories.counters import OrderNumbers
from devstack.provision import Provisioned
from tests.integration.api_helpers import bearer, post_order, run_record_writer
from tests.integration.conftest import client, drain
from tests.tokens import TestIssuer

DOWNSTREAM: dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]] = {
    "order_pdf_creator": app_module.order_pdf_creator,
    "order_internal_notification_sender": app_module.order_internal_notification_sender,
    "customer_order_confirmation_sender": app_module.customer_order_confirmation_sender,
}


def as_records(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
             "attributes": {"ApproximateReceiveCount": "1"}} for m in messages]  # fmt: skip


def sent_emails() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages)


def recipient(message: Any) -> str:
    """The first recipient of a SendEmail or a SendRawEmail (with attachments) message."""
    if isinstance(message, RawMessage):
        return str(message.destinations[0])
    return str(message.destinations["ToAddresses"][0])


def run_downstream_of(stack: Provisioned, function: str) -> list[dict[str, Any]]:
    """Deliver what waits on one processor's queue to it, once."""
    records = as_records(drain(stack.queues[function]["url"]))
    assert DOWNSTREAM[function]({"Records": records}, None) == {"batchItemFailures": []}
    return records


def run_downstream(stack: Provisioned) -> dict[str, list[dict[str, Any]]]:
    delivered = {}
    for function, handler in DOWNSTREAM.items():
        records = as_records(drain(stack.queues[function]["url"]))
        assert handler({"Records": records}, None) == {"batchItemFailures": []}
        delivered[function] = records
    return delivered


def test_one_order_gives_one_record_one_pdf_and_two_emails_even_delivered_four_times(
    api: Client, stack: Provisioned, issuer: TestIssuer
) -> None:
    token = issuer.token(tenant_id="tenant-a")
    order_id = post_order(api, token).json_body["orderId"]
    assert run_record_writer(stack) == {"batchItemFailures": []}
    delivered = run_downstream(stack)
    for _ in range(3):  # the same messages again, as SQS may deliver them
        for function, handler in DOWNSTREAM.items():
            assert handler({"Records": delivered[function]}, None) == {"batchItemFailures": []}

    s3 = client("s3")
    key = f"tenant-a/orders/order_{order_id}.pdf"
    versions = s3.list_object_versions(Bucket=stack.orders_bucket, Prefix=key).get("Versions", [])
    assert len(versions) == 1
    head = s3.head_object(Bucket=stack.orders_bucket, Key=key)
    assert head["ContentType"] == "application/pdf"
    assert head["ServerSideEncryption"] == "AES256"
    assert head["Metadata"]["order-id"] == order_id
    assert s3.get_object(Bucket=stack.orders_bucket, Key=key)["Body"].read().startswith(b"%PDF")

    emails = sent_emails()
    assert sorted(recipient(m) for m in emails) == ["jane@example.com", "orders@bbws.example"]
    [to_customer] = [m for m in emails if isinstance(m, RawMessage)]  # the pro forma attached
    assert 'filename="Pro forma invoice ORD-EU-0000001.pdf"' in to_customer.raw_data
    order = api.http.get(f"/v1.0/orders/{order_id}", headers=bearer(token)).json_body
    assert order["orderNumber"] == "ORD-EU-0000001"
    assert order["invoice"] == {"available": True, "kind": "proforma"}
    assert order["version"] == 1  # system metadata does not move the ETag

    link = api.http.get(f"/v1.0/orders/{order_id}/invoice", headers=bearer(token))
    assert link.status_code == 200
    assert link.json_body["expiresIn"] <= 300
    assert link.json_body["kind"] == "proforma"
    assert key in link.json_body["url"]
    other = api.http.get(
        f"/v1.0/orders/{order_id}/invoice", headers=bearer(issuer.token(tenant_id="tenant-b"))
    )
    assert other.status_code == 404
    # the payment system reads amounts, not customers' documents (ADR 0026)
    payment_system = issuer.token(tenant_id="platform", groups=["payments"], subject="payments")
    refused = api.http.get(f"/v1.0/orders/{order_id}/invoice", headers=bearer(payment_system))
    assert refused.status_code == 403
    assert "may not fetch documents" in refused.json_body["detail"]
    assert (
        api.http.get(f"/v1.0/orders/{order_id}", headers=bearer(payment_system)).status_code == 200
    )
    admin = issuer.token(tenant_id="platform", groups=["admin"], subject="ops")
    assert (
        api.http.get(f"/v1.0/orders/{order_id}/invoice", headers=bearer(admin)).status_code == 200
    )


def test_the_invoice_link_is_404_until_the_pdf_exists(
    api: Client, stack: Provisioned, issuer: TestIssuer
) -> None:
    token = issuer.token(tenant_id="tenant-a")
    order_id = post_order(api, token).json_body["orderId"]
    run_record_writer(stack)
    response = api.http.get(f"/v1.0/orders/{order_id}/invoice", headers=bearer(token))
    assert response.status_code == 404
    assert "not ready" in response.json_body["detail"]


def test_a_malformed_message_in_a_batch_of_ten_fails_alone_on_every_queue(
    api: Client, stack: Provisioned, issuer: TestIssuer
) -> None:
    token = issuer.token(tenant_id="tenant-a")
    for _ in range(9):
        post_order(api, token)
    creation = as_records(drain(stack.queues["order_creator_record"]["url"]))
    poison = {
        "messageId": "poison",
        "receiptHandle": "r",
        "body": '{"type": "OrderCreateRequested"}',
        "attributes": {},
    }
    result = app_module.order_creator_record(
        {"Records": [*creation[:4], poison, *creation[4:]]}, None
    )
    assert result == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    for function, handler in DOWNSTREAM.items():
        records = as_records(drain(stack.queues[function]["url"]))
        assert len(records) == 9
        bad = {**poison, "body": "not json at all"}
        assert handler({"Records": [*records, bad]}, None) == {
            "batchItemFailures": [{"itemIdentifier": "poison"}]
        }
    assert len(sent_emails()) == 18


def test_twenty_threads_of_fifty_orders_get_a_thousand_distinct_numbers(stack: Provisioned) -> None:
    """Twenty record writers at once, fifty orders each (in batches of ten), one tenant."""
    from chalicelib import aws, wiring
    from chalicelib.models.events import OrderCreateRequested
    from chalicelib.services.orders import new_id
    from devstack.preview import sample_order

    recorder = wiring.order_recorder()
    now = sample_order(1).dateCreated

    def fifty(_: int) -> list[int]:
        failed = []
        for _batch in range(5):
            requests = [
                OrderCreateRequested(
                    id=new_id(),
                    occurredAt=now,
                    correlationId="load",
                    data=sample_order(1).copy(update={"id": new_id(), "orderNumber": None}),
                )
                for _ in range(10)
            ]
            failed += sorted(recorder.record_batch(requests))
        return failed

    with ThreadPoolExecutor(max_workers=20) as pool:
        failures = [f for batch in pool.map(fifty, range(20)) for f in batch]
    assert failures == []
    items = []
    scan: dict[str, Any] = {"TableName": stack.table_name}
    while True:
        page = aws.dynamodb().scan(**scan)
        items += [i for i in page["Items"] if i["entityType"]["S"] == "ORDER"]
        if "LastEvaluatedKey" not in page:
            break
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    numbers = [i["orderNumber"]["S"] for i in items]
    assert len(numbers) == 1000
    assert len(set(numbers)) == 1000
    assert all(n.startswith("ORD-EU-") for n in numbers)


def test_each_region_numbers_from_its_own_counter(stack: Provisioned) -> None:
    from chalicelib import aws

    primary = OrderNumbers(aws.dynamodb(), stack.table_name, "af-south-1")
    dr = OrderNumbers(aws.dynamodb(), stack.table_name, "eu-west-1")
    assert primary.reserve("tenant-a", 2) == ["ORD-AF-0000001", "ORD-AF-0000002"]
    assert dr.reserve("tenant-a", 1) == [
        "ORD-EU-0000001"
    ]  # same sequence number, never the same order number


def test_a_customer_email_is_sent_once_after_ses_throttling(
    api: Client, stack: Provisioned, issuer: TestIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    from chalicelib import aws

    post_order(api, issuer.token(tenant_id="tenant-a"))
    run_record_writer(stack)
    pdf = as_records(drain(stack.queues["order_pdf_creator"]["url"]))
    assert app_module.order_pdf_creator({"Records": pdf}, None) == {"batchItemFailures": []}
    records = as_records(drain(stack.queues["customer_order_confirmation_sender"]["url"]))
    ses = aws.ses()
    real_send = ses.send_raw_email  # the pro forma is attached
    throttled = {"left": 2}

    def flaky(**kwargs: Any) -> Any:
        if throttled["left"]:
            throttled["left"] -= 1
            raise ClientError(
                {"Error": {"Code": "Throttling", "Message": "Maximum sending rate exceeded"}},
                "SendRawEmail",
            )
        return real_send(**kwargs)

    monkeypatch.setattr(ses, "send_raw_email", flaky)
    handler = app_module.customer_order_confirmation_sender
    assert handler({"Records": records}, None) == {
        "batchItemFailures": [{"itemIdentifier": records[0]["messageId"]}]
    }
    assert handler({"Records": records}, None)["batchItemFailures"]
    assert handler({"Records": records}, None) == {"batchItemFailures": []}
    assert handler({"Records": records}, None) == {"batchItemFailures": []}
    assert [recipient(m) for m in sent_emails()] == ["jane@example.com"]


def test_an_unavailable_bucket_delays_the_pdf_but_loses_nothing(
    api: Client, stack: Provisioned, issuer: TestIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import EndpointConnectionError

    from chalicelib import aws

    order_id = post_order(api, issuer.token(tenant_id="tenant-a")).json_body["orderId"]
    run_record_writer(stack)
    records = as_records(drain(stack.queues["order_pdf_creator"]["url"]))
    s3 = aws.s3()
    real_put = s3.put_object
    down = {"left": 1}

    def unavailable(**kwargs: Any) -> Any:
        if down["left"]:
            down["left"] -= 1
            raise EndpointConnectionError(endpoint_url="https://s3.example")
        return real_put(**kwargs)

    monkeypatch.setattr(s3, "put_object", unavailable)
    assert app_module.order_pdf_creator({"Records": records}, None)["batchItemFailures"]
    assert app_module.order_pdf_creator({"Records": records}, None) == {"batchItemFailures": []}
    key = f"tenant-a/orders/order_{order_id}.pdf"
    assert (
        len(client("s3").list_object_versions(Bucket=stack.orders_bucket, Prefix=key)["Versions"])
        == 1
    )


def test_the_record_writer_batch_costs_one_write_per_order_plus_two(
    api: Client, stack: Provisioned, issuer: TestIssuer
) -> None:
    from chalicelib import aws

    token = issuer.token(tenant_id="tenant-a")
    for _ in range(10):
        post_order(api, token)
    records = as_records(drain(stack.queues["order_creator_record"]["url"]))
    calls: list[str] = []
    for service in ("dynamodb", "sns"):
        aws.client(service).meta.events.register(
            "before-call", lambda model, **_: calls.append(model.name)
        )
    assert app_module.order_creator_record({"Records": records}, None) == {"batchItemFailures": []}
    assert sorted(calls) == sorted(["UpdateItem", "PublishBatch"] + ["PutItem"] * 10)
    assert (
        json.loads(drain(stack.queues["order_pdf_creator"]["url"])[0]["Body"])["type"]
        == "OrderCreated"
    )


@pytest.mark.parametrize("function", [*DOWNSTREAM, "order_creator_record"])
def test_under_the_poller_a_poison_message_is_dead_lettered_after_three_receives(
    api: Client, stack: Provisioned, issuer: TestIssuer, function: str
) -> None:
    """Nine good messages and one malformed on each queue, with Lambda's semantics end to end."""
    import threading
    import time

    from devstack.poller import Source, SourcePoller, discover
    from devstack.provision import create_queue_pair

    token = issuer.token(tenant_id="tenant-a")
    for _ in range(9):
        post_order(api, token)
    if function != "order_creator_record":
        run_record_writer(stack)
    if function == "customer_order_confirmation_sender":  # fed by the renderer's announcements
        run_downstream_of(stack, "order_pdf_creator")
    source_queue = stack.queues[function]["url"]
    bodies = [m["Body"] for m in drain(source_queue)]
    assert len(bodies) == 9
    sqs = client("sqs")
    fast = create_queue_pair(
        sqs, f"fast-{function}", f"fast-{function}-dlq", visibility_timeout_s=1
    )
    for body in [*bodies[:5], "{malformed", *bodies[5:]]:
        sqs.send_message(QueueUrl=fast["url"], MessageBody=body)
    real = next(s for s in discover(app_module, sqs, {}) if s.function == function)
    source = Source(function, real.handler, fast["url"], fast["arn"], 10, 0.5, 2, 30)
    stop = threading.Event()
    poller = threading.Thread(target=SourcePoller(sqs, source, "eu-west-1", stop, wait_s=1).run)
    poller.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        dead = sqs.receive_message(
            QueueUrl=fast["dlqUrl"], WaitTimeSeconds=1, AttributeNames=["All"]
        )
        if dead.get("Messages"):
            break
    stop.set()
    poller.join(timeout=15)
    [poison] = dead["Messages"]
    assert poison["Body"] == "{malformed"
    assert int(poison["Attributes"]["ApproximateReceiveCount"]) >= 3
    if function == "order_creator_record":
        orders = [
            i
            for i in client("dynamodb").scan(TableName=stack.table_name)["Items"]
            if i["entityType"]["S"] == "ORDER"
        ]
        assert len(orders) == 9
    elif function == "order_pdf_creator":
        assert client("s3").list_objects_v2(Bucket=stack.orders_bucket)["KeyCount"] == 9
    else:
        assert len(sent_emails()) == 9
