"""One order per cart: the claim item's conditional writes, against the emulated table."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.ports import IdempotencyRecord
from chalicelib.repositories.cart_claims import CartClaimStore
from devstack.provision import Provisioned
from tests.integration.conftest import client

AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def record(order_id: str, key_digest: str | None = None) -> IdempotencyRecord:
    return IdempotencyRecord(
        f"hash-{order_id}", order_id, f'{{"id": "{order_id}"}}', AT, key_digest
    )


def test_the_first_claim_wins_and_the_others_learn_its_record(stack: Provisioned) -> None:
    claims = CartClaimStore(client("dynamodb"), stack.table_name)
    first = record("order-1", key_digest="k" * 64)
    assert claims.claim("tenant-a", "c-1", first) is None
    assert claims.claim("tenant-a", "c-1", record("order-2")) == first  # as stored, in one write
    assert claims.claim("tenant-b", "c-1", record("order-3")) is None  # carts are per tenant


def test_only_the_holder_releases_and_then_the_cart_can_be_ordered(stack: Provisioned) -> None:
    dynamodb = client("dynamodb")
    claims = CartClaimStore(dynamodb, stack.table_name)
    assert claims.claim("tenant-a", "c-2", record("order-1")) is None
    claims.release("tenant-a", "c-2", "order-2")  # not the holder: nothing happens
    assert claims.claim("tenant-a", "c-2", record("order-3")) == record("order-1")
    claims.release("tenant-a", "c-2", "order-1")
    assert claims.claim("tenant-a", "c-2", record("order-3")) is None
    [item] = dynamodb.scan(TableName=stack.table_name)["Items"]
    assert (item["PK"], item["SK"]) == ({"S": "CART#tenant-a#c-2"}, {"S": "ORDER"})
    assert item["orderId"] == {"S": "order-3"}
    assert "keyDigest" not in item


def test_a_claim_written_before_it_kept_the_record_still_names_its_order(
    stack: Provisioned,
) -> None:
    dynamodb = client("dynamodb")
    dynamodb.put_item(
        TableName=stack.table_name,
        Item={
            "PK": {"S": "CART#tenant-a#c-3"},
            "SK": {"S": "ORDER"},
            "entityType": {"S": "CART_CLAIM"},
            "orderId": {"S": "order-old"},
            "claimedAt": {"N": "1764324000"},
        },
    )
    holder = CartClaimStore(dynamodb, stack.table_name).claim("tenant-a", "c-3", record("new"))
    assert holder is not None
    assert (holder.order_id, holder.event, holder.key_digest) == ("order-old", "", None)
