"""Admins' support routes against moto: the route, the renderer and the emailer, end to end.

A paid order's tax invoice is re-rendered (one more S3 version carrying the request's id, and no
email) and its email resent (the stored version attached again). Every message is delivered
twice; a retry with the same `Idempotency-Key` queues nothing; another request within the
window is 429 with `Retry-After`; the support record lives in its own `ACTION#` partition.
"""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from devstack.provision import Provisioned
from tests.integration.api_helpers import bearer, post_order, put_order, run_record_writer
from tests.integration.conftest import client
from tests.integration.test_pipeline import run_downstream_of
from tests.integration.test_status_changes import (
    customer_emails,
    deliver_queued_twice,
    deliver_twice,
    stream_records,
)
from tests.sample import paid_now


def support(api: Client, token: str, order_id: str, action: str, **headers: str) -> Any:
    return api.http.post(
        f"/v1.0/orders/{order_id}/{action}", headers=bearer(token, **headers), body=""
    )


def paid_order(api: Client, stack: Provisioned, alice: str, payments: str) -> str:
    order_id = str(post_order(api, alice).json_body["orderId"])
    run_record_writer(stack)
    for function in ("order_pdf_creator", "customer_order_confirmation_sender"):
        run_downstream_of(stack, function)
    seen = len(stream_records(stack))
    paid = put_order(api, payments, order_id, {"status": "PAID", "paymentDetails": paid_now()})
    assert paid.status_code == 200
    deliver_twice(stack, seen)
    return order_id


def test_rerender_and_resend_through_the_renderer_once_each(
    api: Client, stack: Provisioned, alice: str, payments: str, admin: str
) -> None:
    order_id = paid_order(api, stack, alice, payments)
    s3 = client("s3")
    key = f"tenant-a/orders/order_{order_id}.pdf"

    def versions() -> list[dict[str, Any]]:
        listed = s3.list_object_versions(Bucket=stack.orders_bucket, Prefix=key)["Versions"]
        return sorted(listed, key=lambda v: v["LastModified"])

    assert len(versions()) == 2  # the pro forma, then the tax invoice
    emails_before = len(customer_emails())

    rerender = support(api, admin, order_id, "rerender-document", **{"Idempotency-Key": "r-1"})
    assert rerender.status_code == 202, rerender.body
    body = rerender.json_body
    assert (body["action"], body["document"], body["tenantId"]) == (
        "rerender-document",
        "tax-invoice",
        "tenant-a",
    )
    assert rerender.headers["Location"] == f"/v1.0/orders/{order_id}"
    again = support(api, admin, order_id, "rerender-document", **{"Idempotency-Key": "r-1"})
    assert again.status_code == 202
    assert again.json_body["requestId"] == body["requestId"]
    deliver_queued_twice(stack)
    assert len(versions()) == 3  # one request, delivered twice, retried once: one version
    newest = s3.head_object(Bucket=stack.orders_bucket, Key=key)
    assert newest["Metadata"]["support-request"] == body["requestId"]
    assert newest["Metadata"]["document"] == "tax-invoice"
    assert len(customer_emails()) == emails_before  # a re-render emails nobody

    too_soon = support(api, admin, order_id, "rerender-document", **{"Idempotency-Key": "r-2"})
    assert too_soon.status_code == 429
    assert too_soon.headers["Content-Type"] == "application/problem+json"
    assert 1 <= int(too_soon.headers["Retry-After"]) <= 60

    resend = support(api, admin, order_id, "resend-email")
    assert resend.status_code == 202, resend.body
    deliver_queued_twice(stack)
    mails = customer_emails()
    assert len(mails) == emails_before + 1
    assert mails[-1]["Subject"] == mails[-2]["Subject"]  # the payment email, again
    [pdf] = [p for p in mails[-1].walk() if p.get_filename()]
    current = s3.get_object(Bucket=stack.orders_bucket, Key=key)["Body"].read()
    assert pdf.get_payload(decode=True) == current  # the stored version, as re-rendered
    assert support(api, admin, order_id, "resend-email").status_code == 429

    items = client("dynamodb").scan(TableName=stack.table_name)["Items"]
    actions = sorted(i["SK"]["S"] for i in items if i["PK"]["S"].startswith("ACTION#"))
    assert actions == ["rerender-document", "resend-email"]


def test_who_may_and_what_is_refused(
    api: Client, stack: Provisioned, alice: str, payments: str, admin: str
) -> None:
    order_id = str(post_order(api, alice).json_body["orderId"])
    run_record_writer(stack)
    for token in (alice, payments):
        refused = support(api, token, order_id, "resend-email")
        assert refused.status_code == 403
        assert "Only the admin group" in refused.json_body["detail"]
    # no document yet: the renderer has not run
    early = support(api, admin, order_id, "rerender-document")
    assert early.status_code == 409
    assert "no pro forma invoice yet" in early.json_body["detail"]
    assert support(api, admin, "no-such-order", "resend-email").status_code == 404
    bad = api.http.post(
        f"/v1.0/orders/{order_id}/resend-email",
        headers=bearer(admin),
        body=json.dumps({"to": "someone@else.example"}),
    )
    assert bad.status_code == 400
    assert support(api, "", order_id, "resend-email").status_code == 401
