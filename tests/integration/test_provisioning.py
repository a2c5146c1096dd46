from __future__ import annotations

import json

from chalicelib.repositories import keys
from chalicelib.topology import CONSUMERS, MAX_RECEIVE_COUNT
from devstack.provision import Provisioned
from tests.integration.conftest import client


def test_table_has_both_indexes_ttl_and_streams(stack: Provisioned) -> None:
    dynamodb = client("dynamodb")
    table = dynamodb.describe_table(TableName=stack.table_name)["Table"]
    assert table["TableName"] == "bbws-customer-portal-orders-local"
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {
        keys.ORDERS_BY_DATE_INDEX,
        keys.ORDER_BY_ID_INDEX,
    }
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    ttl = dynamodb.describe_time_to_live(TableName=stack.table_name)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": keys.TTL_ATTRIBUTE}


def test_every_consumer_has_a_queue_with_redrive_to_its_dlq(stack: Provisioned) -> None:
    sqs = client("sqs")
    assert set(stack.queues) == {c.function for c in CONSUMERS}
    for function, queue in stack.queues.items():
        attributes = sqs.get_queue_attributes(QueueUrl=queue["url"], AttributeNames=["All"])[
            "Attributes"
        ]
        redrive = json.loads(attributes["RedrivePolicy"])
        assert redrive == {
            "deadLetterTargetArn": queue["dlqArn"],
            "maxReceiveCount": MAX_RECEIVE_COUNT,
        }, function
        assert int(attributes["VisibilityTimeout"]) >= 6 * 30


def test_the_fan_out_reaches_exactly_the_downstream_queues(stack: Provisioned) -> None:
    subscriptions = client("sns").list_subscriptions_by_topic(TopicArn=stack.topic_arn)[
        "Subscriptions"
    ]
    fed = {c.function for c in CONSUMERS if c.fed_by_topic}
    assert {s["Endpoint"] for s in subscriptions} == {stack.queues[f]["arn"] for f in fed}


def test_buckets_are_private_and_templates_uploaded(stack: Provisioned) -> None:
    s3 = client("s3")
    for bucket in (stack.orders_bucket, stack.templates_bucket):
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values())
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    objects = s3.list_objects_v2(Bucket=stack.templates_bucket)["Contents"]
    assert {o["Key"] for o in objects} == {
        "customer/order_confirmation.html",
        "customer/order_update.html",
        "internal/order_notification.html",
    }


def test_ses_identities_and_demo_users_exist(stack: Provisioned) -> None:
    identities = client("ses").list_identities()["Identities"]
    assert "no-reply@bbws.example" in identities
    cognito = client("cognito-idp")
    for user in stack.users:
        result = cognito.initiate_auth(
            ClientId=stack.user_pool_client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"]},
        )
        assert result["AuthenticationResult"]["IdToken"]
    assert [u["groups"] for u in stack.users] == [[], [], ["admin"], ["payments"]]
