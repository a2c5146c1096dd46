"""Status changes drive the documents and the customer's emails, against moto's stream.

One order goes PENDING → PAID → REFUNDED through the API. The table's stream records are read
from moto and handed to the stream consumer as Lambda would; its events go through the document
renderer and the customer emailer. Every stage is delivered twice (a redelivered stream record,
a redelivered SQS message): still three document versions/objects and three emails.
"""

from __future__ import annotations

import email
import io
import json
from datetime import datetime
from typing import Any

import boto3
from chalice.test import Client
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import RawMessage, ses_backends
from pypdf import PdfReader

import app as app_module
from chalicelib.clock import business_date
from chalicelib.rendering.context import display_date
from devstack.provision import Provisioned
from devstack.stream_poller import to_lambda_record
from tests.integration.api_helpers import bearer, post_order, put_order, run_record_writer
from tests.integration.conftest import client, drain
from tests.integration.test_pipeline import as_records, run_downstream_of
from tests.sample import REFUND, paid_now, refunded_now


def stream_records(stack: Provisioned) -> list[dict[str, Any]]:
    """Every record of the table's stream so far, in Lambda's shape."""
    # An explicit endpoint: botocore would otherwise derive an account-based one from the ARN,
    # which in-process moto does not route.
    streams = boto3.client(
        "dynamodbstreams",
        region_name="eu-west-1",
        endpoint_url="https://streams.dynamodb.eu-west-1.amazonaws.com",
    )
    arn = client("dynamodb").describe_table(TableName=stack.table_name)["Table"]["LatestStreamArn"]
    [shard] = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
    return [to_lambda_record(r, arn, "eu-west-1") for r in records]


def deliver_twice(stack: Provisioned, seen: int) -> int:
    """New stream records to the consumer twice, then the renderer and emailer queues twice."""
    records = stream_records(stack)[seen:]
    for _ in range(2):
        result = app_module.order_status_stream({"Records": records}, None)
        assert result == {"batchItemFailures": []}
    deliver_queued_twice(stack)
    return seen + len(records)


def deliver_queued_twice(stack: Provisioned) -> None:
    """The renderer's queue, then the emailer's, each message twice (as a redelivery would)."""
    for function in ("order_pdf_creator", "customer_order_confirmation_sender"):
        delivered = as_records(drain(stack.queues[function]["url"]))
        for _ in range(2):
            handler = getattr(app_module, function)
            assert handler({"Records": delivered}, None) == {"batchItemFailures": []}


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def customer_emails() -> list[email.message.Message]:
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages
    return [email.message_from_string(m.raw_data) for m in sent if isinstance(m, RawMessage)]


def test_pending_paid_refunded_gives_three_documents_and_three_emails_once_each(
    api: Client, stack: Provisioned, alice: str, payments: str
) -> None:
    order_id = post_order(api, alice).json_body["orderId"]
    run_record_writer(stack)
    run_downstream_of(stack, "order_pdf_creator")  # OrderCreated → the pro forma
    run_downstream_of(stack, "order_internal_notification_sender")
    run_downstream_of(stack, "customer_order_confirmation_sender")
    seen = len(stream_records(stack))  # the insert and the invoice mark: no status change

    paid = put_order(api, payments, order_id, {"status": "PAID", "paymentDetails": paid_now()})
    assert paid.status_code == 200
    seen = deliver_twice(stack, seen)
    assert (
        put_order(
            api, payments, order_id, {"status": "REFUNDED", "refundDetails": refunded_now()}
        ).status_code
        == 200
    )
    deliver_twice(stack, seen)

    s3 = client("s3")
    key = f"tenant-a/orders/order_{order_id}.pdf"
    versions = s3.list_object_versions(Bucket=stack.orders_bucket, Prefix=key)["Versions"]
    texts = {}
    for version in versions:
        obj = s3.get_object(Bucket=stack.orders_bucket, Key=key, VersionId=version["VersionId"])
        texts[obj["Metadata"]["document"]] = text_of(obj["Body"].read())
    credit = s3.get_object(
        Bucket=stack.orders_bucket, Key=f"tenant-a/orders/credit_note_{order_id}.pdf"
    )
    texts["credit-note"] = text_of(credit["Body"].read())
    assert sorted(texts) == ["credit-note", "proforma", "tax-invoice"]
    assert len(versions) == 2

    # The supplier's particulars (stage local's SUPPLIER_PARTICULARS) on every document.
    supplier = ["Big Beard Web Solutions (Pty) Ltd", "VAT number: 4123456789", "Bree Street"]
    number = "ORD-EU-0000001"
    for text in texts.values():
        for expected in [*supplier, "Jane Doe", "Cape Town", "South Africa", "R448,50"]:
            assert expected in text, expected
    assert "PRO FORMA INVOICE" in texts["proforma"]
    assert "This is not a tax invoice." in texts["proforma"]
    assert "Branch code" in texts["proforma"]  # how to pay, and by when
    invoice = texts["tax-invoice"]
    for expected in ["TAX INVOICE", f"TAX INVOICE NUMBER {number}", "DATE OF ISSUE"]:
        assert expected in invoice, expected
    assert "VAT included at 15,00 % R58,50" in invoice
    assert "not a tax invoice" not in invoice
    note = texts["credit-note"]
    assert "CREDIT NOTE" in note
    assert f"CN-{number}" in note
    assert f"REFERS TO TAX INVOICE {number}" in note
    # Revision 3: each document recorded once with its date of issue; the credit note cites the
    # tax invoice's and states the refund's reason and reference.
    order = api.http.get(f"/v1.0/orders/{order_id}", headers=bearer(alice))
    recorded = {d["kind"]: d for d in json.loads(order.body)["documents"]}
    assert list(recorded) == ["proforma", "tax-invoice", "credit-note"]
    assert recorded["credit-note"]["number"] == f"CN-{number}"
    for entry in recorded.values():  # the date of issue is the day in SAST of the instant
        issued_at = datetime.fromisoformat(entry["issuedAt"])
        assert entry["issueDate"] == business_date(issued_at)
    for expected in [
        REFUND["reason"],
        REFUND["refundId"],
        display_date(recorded["tax-invoice"]["issueDate"]),
    ]:
        assert expected in note, expected
    assert "Amount due: R0,00" in invoice

    mails = customer_emails()
    subjects = [m["Subject"] for m in mails]
    assert subjects == [
        f"We have received your order {number}",
        f"Payment received for order {number}: your tax invoice",
        f"Your order {number} is refunded: your credit note",
    ]
    attached = []
    for message in mails:
        [pdf] = [p for p in message.walk() if p.get_filename()]
        data = pdf.get_payload(decode=True)
        assert isinstance(data, bytes)
        attached.append((pdf.get_filename(), text_of(data)))
    assert [name for name, _ in attached] == [
        f"Pro forma invoice {number}.pdf",
        f"Tax invoice {number}.pdf",
        f"Credit note CN-{number}.pdf",
    ]
    assert [text for _, text in attached] == [
        texts["proforma"],
        texts["tax-invoice"],
        texts["credit-note"],
    ]
    text_part = next(p for p in mails[1].walk() if p.get_content_type() == "text/plain")
    plain = text_part.get_payload(decode=True)
    assert isinstance(plain, bytes)
    assert "R448,50" in plain.decode()

    link = api.http.get(
        f"/v1.0/orders/{order_id}/invoice", headers={"Authorization": f"Bearer {alice}"}
    )
    assert link.json_body["kind"] == "credit-note"


def test_writes_that_are_not_status_changes_send_nothing_downstream(
    api: Client, stack: Provisioned, alice: str, admin: str
) -> None:
    order_id = post_order(api, alice).json_body["orderId"]
    run_record_writer(stack)
    run_downstream_of(stack, "order_pdf_creator")
    assert put_order(api, admin, order_id, {"active": False}).status_code == 200
    result = app_module.order_status_stream({"Records": stream_records(stack)}, None)
    assert result == {"batchItemFailures": []}
    assert drain(stack.queues["order_pdf_creator"]["url"]) == []


def test_a_change_another_region_made_is_left_to_that_regions_consumer(
    api: Client, stack: Provisioned, alice: str
) -> None:
    order_id = post_order(api, alice).json_body["orderId"]
    run_record_writer(stack)
    drain(stack.queues["order_pdf_creator"]["url"])  # the OrderCreated
    cancelled = put_order(api, alice, order_id, {"status": "CANCELLED"})
    assert cancelled.status_code == 200
    assert "updatedIn" not in cancelled.json_body  # storage, not the order
    [change] = [r for r in stream_records(stack) if r["eventName"] == "MODIFY"]
    assert change["dynamodb"]["NewImage"]["updatedIn"] == {"S": "eu-west-1"}
    elsewhere = {**change["dynamodb"]["NewImage"], "updatedIn": {"S": "af-south-1"}}
    replica = {**change, "dynamodb": {**change["dynamodb"], "NewImage": elsewhere}}
    assert app_module.order_status_stream({"Records": [replica]}, None) == {"batchItemFailures": []}
    assert drain(stack.queues["order_pdf_creator"]["url"]) == []  # af-south-1's to act on
    app_module.order_status_stream({"Records": [change]}, None)
    [event] = drain(stack.queues["order_pdf_creator"]["url"])
    assert json.loads(event["Body"])["previousStatus"] == "PENDING"
