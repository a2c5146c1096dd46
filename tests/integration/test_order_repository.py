from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.aws import dynamodb
from chalicelib.models.orders import CreateOrderRequest, DocumentKind, IssuedDocument, Order
from chalicelib.repositories.orders import OrderRepository, to_item
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


def test_an_order_number_finds_its_order_within_the_tenant_only(stack: Provisioned) -> None:
    """AP6 against the emulator's table, with the lookup's read split into pages of one."""
    client = dynamodb()
    repository = OrderRepository(client, stack.table_name)
    orders = [make_order(f"11111111-1111-4111-8111-00000000000{n}") for n in range(3)]
    for n, order in enumerate(orders):  # the first is the oldest: the lookup meets it last
        later = order.dateCreated + timedelta(minutes=n)
        update = {"orderNumber": f"ORD-EU-{n + 1:07d}", "dateCreated": later}
        assert repository.create(order.copy(update=update))[0]
    other = make_order("22222222-2222-4222-8222-000000000000", tenant="tenant-b")
    assert repository.create(other.copy(update={"orderNumber": "ORD-EU-0000001"}))[0]
    hidden = make_order("33333333-3333-4333-8333-000000000000")
    assert repository.create(
        hidden.copy(update={"orderNumber": "ORD-EU-0000009", "active": False})
    )[0]

    queries: list[dict[str, Any]] = []
    original = client.query

    def one_item_pages(**request: Any) -> Any:  # DynamoDB's 1 MB page, made small
        queries.append(request)
        return original(**{**request, "Limit": 1})

    client.query = one_item_pages  # type: ignore[method-assign]
    found = repository.find_by_number("tenant-a", "ORD-EU-0000001", active_only=True)
    assert found is not None
    assert (found.id, found.tenantId) == (orders[0].id, "tenant-a")
    assert len(queries) >= 3  # it read on past the newer orders' pages to the oldest
    assert repository.find_by_number("tenant-a", "ORD-EU-0000404", active_only=True) is None
    assert repository.find_by_number("tenant-a", "ORD-EU-0000009", active_only=True) is None
    assert repository.find_by_number("tenant-a", "ORD-EU-0000009", active_only=False) is not None


def test_a_document_is_recorded_once_with_its_first_date_and_survives_a_rewrite(
    stack: Provisioned,
) -> None:
    """Contract revision 3: the first record of a kind wins; a second hands back the first."""
    repository = OrderRepository(dynamodb(), stack.table_name)
    order = make_order()
    repository.create(order)
    first = IssuedDocument(
        kind=DocumentKind.TAX_INVOICE,
        number="ORD-1",
        issuedAt=datetime(2026, 11, 30, 22, 5, tzinfo=UTC),
        issueDate="2026-12-01",
    )
    later = first.copy(
        update={"issuedAt": first.issuedAt + timedelta(days=3), "issueDate": "2026-12-04"}
    )
    recorded = repository.record_document("tenant-a", order.id, first)
    assert recorded is not None
    assert recorded.documents == [first]
    again = repository.record_document("tenant-a", order.id, later)
    assert again is not None
    assert again.documents == [first]  # refused, and the refusal says what is recorded
    credit = first.copy(update={"kind": DocumentKind.CREDIT_NOTE, "number": "CN-ORD-1"})
    both = repository.record_document("tenant-a", order.id, credit)
    assert both is not None
    assert [d.kind for d in both.documents] == [DocumentKind.TAX_INVOICE, DocumentKind.CREDIT_NOTE]
    assert both.version == order.version  # system metadata: the order's version is not bumped
    # A whole-item rewrite (orderctl repair) keeps what is recorded, and still refuses a second.
    dynamodb().put_item(TableName=stack.table_name, Item=to_item(both))
    assert repository.record_document("tenant-a", order.id, later) == both
    assert repository.record_document("tenant-a", "no-such-order", first) is None
