"""`make cost`: the model's arithmetic, its inputs' shape, and the capacity rule."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from scripts import cost_model


def prices() -> dict[str, Any]:
    return dict(cost_model.load(cost_model.PRICES))


def test_the_price_table_is_data_with_its_date_and_source() -> None:
    table = prices()
    assert table["date"] == "2026-12-01"
    assert "aws.amazon.com" in table["source"]
    assert table["verified_online"] is False  # said in every report, until someone checks
    regions = table["regions"]
    assert set(regions) == {"eu-west-1", "af-south-1"}
    assert set(regions["eu-west-1"]) == set(regions["af-south-1"])
    assert all(isinstance(v, Decimal) and v >= 0 for r in regions.values() for v in r.values())


def test_a_price_is_charged_once_per_unit_of_use() -> None:
    """With every price 0 but one, the cost per order is that unit's use per order."""
    usage = cost_model.load(cost_model.USAGE)
    fns = cost_model.functions(usage)
    zero = dict.fromkeys(prices()["regions"]["eu-west-1"], Decimal(0))
    assert cost_model.per_order(usage, {**zero, "ses_email": Decimal(1)}, fns) == 3
    assert cost_model.per_order(usage, {**zero, "apigw_rest_request": Decimal(1)}, fns) == 7
    assert (
        cost_model.per_order(usage, {**zero, "dynamodb_write_request_unit": Decimal(1)}, fns) == 44
    )
    # Lambda: GB-seconds summed over the six functions, each at its configured memory.
    gb_s = cost_model.per_order(usage, {**zero, "lambda_gb_second_arm64": Decimal(1)}, fns)
    pdf = next(f for f in fns if f.name == "order_pdf_creator")
    assert pdf.memory_gb == Decimal("0.5")
    assert pdf.gb_seconds() == Decimal("2") * Decimal("0.15") * Decimal("0.5")
    assert gb_s == sum(f.gb_seconds() for f in fns)


def test_costs_scale_with_prices_and_volume() -> None:
    low, high = cost_model.estimate("sit", Decimal(1000)), cost_model.estimate("sit", Decimal(2000))
    assert high.fixed == low.fixed
    assert high.per_order == low.per_order
    assert high.total - low.total == low.per_order * 1000 + (high.storage - low.storage)
    prod = cost_model.estimate("prod")
    assert prod.standby > 0  # the DR region's replicated writes, replica and copies
    assert cost_model.estimate("dev").standby == 0


def test_capacity_is_concurrency_times_batch_over_batch_time() -> None:
    c = cost_model.capacity("prod")
    pdf = c.limits["order_pdf_creator (batch 5 x 10)"]
    assert pdf == Decimal(10) * 5 / (5 * Decimal("0.15")) / 2  # two documents an order
    what, orders_per_s = c.bottleneck
    assert orders_per_s == min(c.limits.values())
    assert what.startswith("SES sending rate")
    # PROD's API is capped by af-south-1's account quota, not by its 10,000 stage throttle.
    assert "API (2500 requests/s" in " ".join(c.limits)


@pytest.mark.parametrize("orders", [None, Decimal(5000)])
def test_the_report_stands_beside_the_requirements_figures(orders: Decimal | None) -> None:
    text = cost_model.report(orders)
    for figure in ("$176.00", "$411.00", "$2,810.00"):
        assert figure in text
    assert "NOT verified online" in text
    assert text.count("first bottleneck") == 3


def test_every_input_says_where_it_comes_from() -> None:
    usage = json.loads(cost_model.USAGE.read_text())
    for name, entry in usage["order"].items():
        if name in ("description", "functions"):
            continue
        assert entry["source"].startswith(("measured", "assumed")) or entry["source"], name
    for name, work in usage["order"]["functions"].items():
        assert work["source"], name
