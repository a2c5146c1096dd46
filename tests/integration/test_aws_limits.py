"""The emulator refuses what AWS refuses (devstack/aws_limits.py, docs/aws-limits.md), and the
service's producers stay inside those limits by design."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.messaging import TopicPublisher
from chalicelib.models.events import OrderCreated
from chalicelib.models.orders import CreateOrderRequest
from devstack.aws_limits import DYNAMODB_ITEM_LIMIT, SES_RAW_MESSAGE_LIMIT
from devstack.provision import Provisioned
from tests.integration.conftest import client, drain
from tests.sample import WIDEST, largest_order_body, order_from

LIMIT = 262_144
ATTRIBUTES = {"type": {"DataType": "String", "StringValue": "OrderCreated"}}  # 22 bytes


def _refused(call: Any, code: str) -> ClientError:
    with pytest.raises(ClientError) as refused:
        call()
    assert refused.value.response["Error"]["Code"] == code
    return refused.value


def _entries(count: int, size: int) -> list[dict[str, Any]]:
    return [
        {"Id": str(i), "Message": "x" * (size - 22), "MessageAttributes": ATTRIBUTES}
        for i in range(count)
    ]


def test_a_publish_batch_over_the_topic_limit_is_refused_whole(stack: Provisioned) -> None:
    """AWS: "The combined size of all messages in the batch, including each message's body and
    attributes, must not exceed the topic's MaximumMessageSize" (PublishBatch, 256 KiB)."""
    sns = client("sns")
    queue = stack.queues["order_pdf_creator"]["url"]
    refused = _refused(
        lambda: sns.publish_batch(
            TopicArn=stack.topic_arn, PublishBatchRequestEntries=_entries(10, 31_500)
        ),
        "BatchRequestTooLong",
    )
    assert "more than the limit" in str(refused)
    assert drain(queue) == []  # nothing of it was delivered
    exact = _entries(8, LIMIT // 8)  # exactly 262,144 bytes, attributes included
    answer = sns.publish_batch(TopicArn=stack.topic_arn, PublishBatchRequestEntries=exact)
    assert (len(answer["Successful"]), answer.get("Failed", [])) == (8, [])
    _refused(
        lambda: sns.publish_batch(
            TopicArn=stack.topic_arn,
            PublishBatchRequestEntries=[
                *_entries(7, LIMIT // 8),
                _entries(1, LIMIT // 8 + 1)[0] | {"Id": "7"},
            ],
        ),
        "BatchRequestTooLong",
    )


def test_publish_counts_utf8_bytes_and_attributes(stack: Provisioned) -> None:
    sns = client("sns")
    body = WIDEST * (LIMIT // 4 - 5)  # 65,531 characters, 262,124 bytes
    _refused(
        lambda: sns.publish(TopicArn=stack.topic_arn, Message=body, MessageAttributes=ATTRIBUTES),
        "InvalidParameter",
    )
    sns.publish(TopicArn=stack.topic_arn, Message=body)  # 20 bytes under without the attribute


def test_sqs_counts_bytes_against_the_queues_own_maximum(stack: Provisioned) -> None:
    sqs = client("sqs")
    url = stack.queues["order_creator_record"]["url"]
    size = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MaximumMessageSize"])
    assert size["Attributes"]["MaximumMessageSize"] == str(LIMIT)  # as Terraform sets it
    refused = _refused(
        lambda: sqs.send_message(QueueUrl=url, MessageBody=WIDEST * (LIMIT // 4 + 1)),
        "InvalidParameterValue",
    )
    assert f"Message must be shorter than {LIMIT} bytes" in str(refused)
    sqs.send_message(QueueUrl=url, MessageBody="x" * LIMIT)  # exactly the limit is allowed


def test_a_dynamodb_item_over_400_kb_as_aws_counts_it_is_refused(stack: Provisioned) -> None:
    dynamodb = client("dynamodb")
    key = {"PK": {"S": "TENANT#t"}, "SK": {"S": "BIG"}}
    keys_size = 2 + 8 + 2 + 3  # names and values of PK and SK
    # A list of 100 strings: 3 bytes for the list, 1 per element (moto counted neither).
    element = (DYNAMODB_ITEM_LIMIT - keys_size - len("lines") - 3) // 100 - 1
    lines = {"L": [{"S": "x" * element} for _ in range(100)]}
    dynamodb.put_item(TableName=stack.table_name, Item={**key, "lines": lines})
    lines["L"][0] = {"S": "x" * (element + DYNAMODB_ITEM_LIMIT)}
    refused = _refused(
        lambda: dynamodb.put_item(TableName=stack.table_name, Item={**key, "lines": lines}),
        "ValidationException",
    )
    assert "Item size has exceeded the maximum allowed size" in str(refused)
    grow = _refused(
        lambda: dynamodb.update_item(
            TableName=stack.table_name,
            Key=key,
            UpdateExpression="SET more = :v",
            ExpressionAttributeValues={":v": {"S": "x" * 200}},
        ),
        "ValidationException",
    )
    assert "Item size to update has exceeded the maximum allowed size" in str(grow)
    over = {"L": [{"S": "x" * element} for _ in range(100)] + [{"S": "x" * 200}]}
    _refused(
        lambda: dynamodb.put_item(TableName=stack.table_name, Item={**key, "lines": over}),
        "ValidationException",
    )


def test_an_email_over_10_mb_is_rejected(stack: Provisioned) -> None:
    ses = client("ses")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "no-reply@kimmyai.io", "j@example.com", "x"
    message.set_content("x")
    message.add_attachment(
        b"\0" * (SES_RAW_MESSAGE_LIMIT * 3 // 4), maintype="application", subtype="pdf"
    )
    refused = _refused(
        lambda: ses.send_raw_email(RawMessage={"Data": message.as_bytes()}), "MessageRejected"
    )
    assert "Message length is more than 10485760 bytes" in str(refused)


def test_ten_of_the_largest_orders_publish_and_arrive_whole(stack: Provisioned) -> None:
    """The record writer's PublishBatch of ten 103 KB events: five requests under the limit."""
    events = []
    for index in range(10):
        order = order_from(
            CreateOrderRequest.parse_obj(largest_order_body()),
            id=f"00000000-0000-4000-8000-{index:012d}",
            orderNumber=f"ORD-EU-{index:07d}",
        )
        events.append(
            OrderCreated(
                id=f"e-{index}", occurredAt=order.dateCreated, correlationId="c-1", data=order
            )
        )
    assert TopicPublisher(client("sns"), stack.topic_arn).publish_batch(events) == set()  # type: ignore[arg-type]
    delivered = drain(stack.queues["order_pdf_creator"]["url"])
    assert sorted(str(OrderCreated.parse_raw(m["Body"]).data.orderNumber) for m in delivered) == [
        f"ORD-EU-{index:07d}" for index in range(10)
    ]
    assert OrderCreated.parse_raw(delivered[0]["Body"]).data.billingAddress.city == WIDEST * 200
