from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.aws import dynamodb
from chalicelib.models.orders import CreateOrderRequest, Order
from chalicelib.repositories.orders import OrderRepository
from devstack.provision import Provisioned
from tests.sample import order_body, order_from


def make_order(
    order_id: str = "11111111-1111-4111-8111-111111111111", tenant: str = "tenant-a"
) -> Order:
    now = datetime(2026, 11, 28, 10, 0, 0, 123000, tzinfo=UTC)
    request = CreateOrderRequest.parse_obj(order_body())
    return order_from(  # type: ignore[no-any-return]
        request, id=order_id, tenantId=tenant, currency="ZAR", dateCreated=now, dateLastUpdated=now
    )


def test_an_order_round_trips_exactly(stack: Provisioned) -> None:
    repository = OrderRepository(dynamodb(), stack.table_name)
    order = make_order()
    assert repository.create(order) == (True, order)
    assert repository.get("tenant-a", order.id) == order
    assert repository.find_by_id(order.id) == order


def test_a_second_create_writes_nothing(stack: Provisioned) -> None:
    repository = OrderRepository(dynamodb(), stack.table_name)
    order = make_order()
    repository.create(order)
    created, stored = repository.create(order.copy(update={"customerEmail": "other@example.com"}))
    assert not created
    assert stored == order  # the refusal hands back what is stored: no second read
    assert repository.get("tenant-a", order.id).customerEmail == "jane@example.com"  # type: ignore[union-attr]


def test_reads_are_confined_to_the_tenant_partition(stack: Provisioned) -> None:
    repository = OrderRepository(dynamodb(), stack.table_name)
    order = make_order()
    repository.create(order)
    assert repository.get("tenant-b", order.id) is None


def test_storage_keys_and_money_types(stack: Provisioned) -> None:
    repository = OrderRepository(dynamodb(), stack.table_name)
    order = make_order()
    repository.create(order)
    item = dynamodb().get_item(
        TableName=stack.table_name,
        Key={"PK": {"S": "TENANT#tenant-a"}, "SK": {"S": f"ORDER#{order.id}"}},
    )["Item"]
    assert item["GSI1_SK"]["S"] == f"2026-11-28T10:00:00.123Z#{order.id}"
    assert item["GSI2_SK"]["S"] == "METADATA"
    assert item["GSI2_PK"]["S"] == f"ORDER#{order.id}"
    assert item["total"] == {"S": "448.50"}
    assert "PK" not in repository.get("tenant-a", order.id).dict()  # type: ignore[union-attr]
