"""Orders stored in a damaged form: reads never break, `orderctl repair` recovers them (moto)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.aws import dynamodb
from chalicelib.errors import StoredDataUnreadable
from chalicelib.repositories.orders import OrderRepository, to_item
from devstack.provision import Provisioned
from orderctl import repair
from tests.integration.test_order_repository import make_order
from tests.sample import PAYMENT

LEGACY = "22222222-2222-4222-8222-222222222222"
BROKEN = "33333333-3333-4333-8333-333333333333"
HEALTHY = "11111111-1111-4111-8111-111111111111"


def _legacy_item() -> dict[str, Any]:
    """As the version before issue 13's fix wrote it: `strftime("%Y")` of year 999 is "999"."""
    item = to_item(make_order(LEGACY))
    item["status"] = {"S": "PAID"}
    item["version"] = {"N": "2"}
    item["paymentDetails"] = {
        "M": {
            **{k: {"S": v} for k, v in PAYMENT.items() if k != "paidAt"},
            "paidAt": {"S": "999-12-31T00:00:00.000Z"},
        }
    }
    return item


def _broken_item() -> dict[str, Any]:
    """Something no version understands: a total that is not an amount."""
    item = to_item(make_order(BROKEN))
    item["total"] = {"S": "lots"}
    return item


@pytest.fixture
def damaged(stack: Provisioned) -> OrderRepository:
    client = dynamodb()
    client.put_item(TableName=stack.table_name, Item=to_item(make_order(HEALTHY)))
    client.put_item(TableName=stack.table_name, Item=_legacy_item())
    client.put_item(TableName=stack.table_name, Item=_broken_item())
    return OrderRepository(client, stack.table_name)


def test_the_old_unpadded_year_is_read_as_meant(damaged: OrderRepository) -> None:
    order = damaged.get("tenant-a", LEGACY)
    assert order is not None
    assert order.paymentDetails is not None
    assert order.paymentDetails.paidAt.year == 999
    assert damaged.find_by_id(LEGACY) == order


def test_one_unreadable_order_never_breaks_the_list(
    damaged: OrderRepository, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("ERROR"):
        page = damaged.list_page("tenant-a", 50, None, None, active_only=True)
    assert sorted(o.id for o in page.orders) == [HEALTHY, LEGACY]
    assert "orderctl repair" in caplog.text
    with pytest.raises(StoredDataUnreadable):
        damaged.get("tenant-a", BROKEN)


def test_a_page_that_ends_on_an_unreadable_order_still_continues(
    damaged: OrderRepository,
) -> None:
    seen, after = [], None
    for _ in range(5):
        page = damaged.list_page("tenant-a", 1, after, None, active_only=True)
        seen += [o.id for o in page.orders]
        if page.next_position is None:
            break
        after = page.next_position
    assert sorted(seen) == [HEALTHY, LEGACY]


def test_repair_reports_then_rewrites_and_quarantines(
    damaged: OrderRepository, stack: Provisioned
) -> None:
    client = dynamodb()
    scanned, rows = repair.run(client, stack.table_name, apply=False)
    assert scanned == 3
    by_order = {row["order"]: row for row in rows}
    assert by_order[LEGACY]["verdict"] == "repairable"
    assert "paidAt" in by_order[LEGACY]["problem"]
    assert by_order[BROKEN]["verdict"] == "unreadable"
    assert "total" in by_order[BROKEN]["problem"]
    assert {row["action"] for row in rows} == {"would rewrite", "would quarantine"}
    assert repair.run(client, stack.table_name, apply=False)[1] == rows  # nothing changed

    _, applied = repair.run(client, stack.table_name, apply=True, now=lambda: 1_800_000_000)
    assert {row["action"] for row in applied} == {"rewritten", "quarantined"}

    raw = client.get_item(
        TableName=stack.table_name,
        Key={"PK": {"S": "TENANT#tenant-a"}, "SK": {"S": f"ORDER#{LEGACY}"}},
    )["Item"]
    assert raw["paymentDetails"]["M"]["paidAt"]["S"] == "0999-12-31T00:00:00.000Z"
    assert raw["version"]["N"] == "2"  # a repair is not a business change
    assert damaged.get("tenant-a", BROKEN) is None
    kept = client.get_item(
        TableName=stack.table_name,
        Key={"PK": {"S": "TENANT#tenant-a"}, "SK": {"S": f"QUARANTINE#ORDER#{BROKEN}"}},
    )["Item"]
    assert kept["total"]["S"] == "lots"
    assert "GSI1_PK" not in kept
    assert "GSI2_PK" not in kept
    page = damaged.list_page("tenant-a", 50, None, None, active_only=False)
    assert sorted(o.id for o in page.orders) == [HEALTHY, LEGACY]
    assert repair.run(client, stack.table_name, apply=True) == (2, [])


def test_repair_does_not_overwrite_an_order_changed_since_it_was_read(
    damaged: OrderRepository, stack: Provisioned
) -> None:
    client = dynamodb()
    finding = next(
        f
        for f in map(repair.examine, repair.order_items(client, stack.table_name))
        if f is not None and f.verdict == "repairable"
    )
    client.update_item(
        TableName=stack.table_name,
        Key={"PK": {"S": "TENANT#tenant-a"}, "SK": {"S": f"ORDER#{LEGACY}"}},
        UpdateExpression="SET version = :three",
        ExpressionAttributeValues={":three": {"N": "3"}},
    )
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        repair.repair(client, stack.table_name, finding)
