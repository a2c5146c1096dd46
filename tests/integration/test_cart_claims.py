"""One order per cart: the claim item's conditional writes, against the emulated table."""

from __future__ import annotations

from chalicelib.repositories.cart_claims import CartClaimStore
from devstack.provision import Provisioned
from tests.integration.conftest import client


def test_the_first_claim_wins_and_the_others_learn_its_order(stack: Provisioned) -> None:
    claims = CartClaimStore(client("dynamodb"), stack.table_name)
    assert claims.claim("tenant-a", "c-1", "order-1") is None
    assert claims.claim("tenant-a", "c-1", "order-2") == "order-1"
    assert claims.claim("tenant-b", "c-1", "order-3") is None  # carts are per tenant


def test_only_the_holder_releases_and_then_the_cart_can_be_ordered(stack: Provisioned) -> None:
    dynamodb = client("dynamodb")
    claims = CartClaimStore(dynamodb, stack.table_name)
    assert claims.claim("tenant-a", "c-2", "order-1") is None
    claims.release("tenant-a", "c-2", "order-2")  # not the holder: nothing happens
    assert claims.claim("tenant-a", "c-2", "order-3") == "order-1"
    claims.release("tenant-a", "c-2", "order-1")
    assert claims.claim("tenant-a", "c-2", "order-3") is None
    [item] = dynamodb.scan(TableName=stack.table_name)["Items"]
    assert (item["PK"], item["SK"]) == ({"S": "CART#tenant-a#c-2"}, {"S": "ORDER"})
    assert item["orderId"] == {"S": "order-3"}
