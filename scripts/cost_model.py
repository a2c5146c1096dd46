"""`make cost`: monthly cost and sustained capacity per environment, from data, not guesses in code.

Inputs: `docs/cost/prices.json` (the price table, dated, with its source), `docs/cost/usage.json`
(what one order uses, measured or assumed, and what each environment runs at any volume) and
the event source settings of `chalicelib/topology.py` with each stage's function memory
(`devstack.stage.function_config`, as Chalice merges `.chalice/config.json`). Printed beside
the requirements' estimates ($176 / $411 / $2,810).

Cost = fixed (keys, alarms, dashboards, WAF, health checks, secrets, idle queue polling, backups)
+ per order x orders a month + storage after `months_in_service` at that volume. PROD's DR
region pays for the replicated writes, the replica's storage and the document copies.

Capacity = orders a second each stage sustains: per SQS consumer, maximum concurrency x batch
size / time per batch; the API, its stage throttle and the account's quota; the tenant's
partition (1,000 write units a second); SES's sending rate. The smallest is the first bottleneck.

`python -m scripts.cost_model [--orders N]`.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PRICES = ROOT / "docs" / "cost" / "prices.json"
USAGE = ROOT / "docs" / "cost" / "usage.json"
STAGES = ("dev", "sit", "prod")
CENT = Decimal("0.01")


@cache
def load(path: Path) -> Any:
    """One input file, read once (numbers as Decimal); callers never change it."""
    return json.loads(path.read_text(), parse_float=Decimal, parse_int=Decimal)


@dataclass(frozen=True)
class Function:
    name: str
    memory_gb: Decimal
    batch_size: int
    max_concurrency: int | None
    items: Decimal
    seconds_per_item: Decimal
    seconds_per_batch: Decimal

    def invocations(self) -> Decimal:
        """Invocations per order, batches full (more, smaller batches at low volume)."""
        return self.items / self.batch_size

    def gb_seconds(self) -> Decimal:
        seconds = self.items * self.seconds_per_item + self.invocations() * self.seconds_per_batch
        return seconds * self.memory_gb

    def items_per_second(self) -> Decimal | None:
        """Sustained items a second at maximum concurrency (None: scales with the API)."""
        if self.max_concurrency is None:
            return None
        per_batch = self.batch_size * self.seconds_per_item + self.seconds_per_batch
        return self.max_concurrency * self.batch_size / per_batch


def functions(usage: dict[str, Any], stage: str = "prod") -> list[Function]:
    """Each function's per-order work with its memory and event source settings."""
    from chalicelib import topology
    from devstack.stage import function_config

    sources: dict[str, tuple[int, int | None]] = {
        c.function: (c.batch_size, c.max_concurrency) for c in topology.CONSUMERS
    }
    stream = topology.ORDER_STATUS_STREAM
    sources[stream.function] = (stream.batch_size, 1)  # one batch at a time per shard
    found = []
    for name, work in usage["order"]["functions"].items():
        batch, concurrency = sources.get(name, (1, None))
        found.append(
            Function(
                name,
                Decimal(function_config(stage, name).memory_mb) / 1024,
                batch,
                concurrency,
                work["items"],
                work["seconds_per_item"],
                work["seconds_per_batch"],
            )
        )
    return found


def value(entry: Any) -> Decimal:
    """A usage figure: `{"value": n, "source": …}` or a bare number."""
    return Decimal(entry["value"] if isinstance(entry, dict) else entry)


def per_order(usage: dict[str, Any], price: dict[str, Decimal], fns: list[Function]) -> Decimal:
    """USD one order costs in the environment's primary region."""
    order = usage["order"]
    return (
        value(order["api_requests"]) * (price["apigw_rest_request"] + price["waf_request"])
        + sum(f.invocations() for f in fns) * price["lambda_request"]
        + sum(f.gb_seconds() for f in fns) * price["lambda_gb_second_arm64"]
        + value(order["dynamodb_write_units"]) * price["dynamodb_write_request_unit"]
        + value(order["dynamodb_read_units"]) * price["dynamodb_read_request_unit"]
        + value(order["sqs_requests"]) * price["sqs_request"]
        + value(order["sns_publishes"]) * price["sns_publish"]
        + value(order["s3_puts"]) * price["s3_put_request"]
        + value(order["s3_gets"]) * price["s3_get_request"]
        + value(order["emails"]) * price["ses_email"]
        + value(order["log_gb"]) * price["cloudwatch_logs_ingest_gb"]
        + value(order["xray_traces"]) * price["xray_trace"]
    )


def fixed(usage: dict[str, Any], stage: str, price: dict[str, Decimal]) -> Decimal:
    """USD a month the environment costs with no orders at all."""
    counts = {k: value(v) for k, v in usage["fixed"]["per_environment"][stage].items()}
    polling = value(usage["fixed"]["sqs_polling_requests_per_queue_month"])
    return (
        counts["kms_keys"] * price["kms_key_month"]
        + value(usage["fixed"]["kms_requests_month"][stage]) * price["kms_request"]
        + counts["alarms"] * price["cloudwatch_alarm_month"]
        + counts["dashboards"] * price["cloudwatch_dashboard_month"]
        + counts["web_acls"] * price["waf_web_acl_month"]
        + counts["waf_rules"] * price["waf_rule_month"]
        + counts["health_checks"] * price["route53_health_check_month"]
        + counts["secrets"] * price["secrets_manager_secret_month"]
        + counts["polled_queues"] * polling * price["sqs_request"]
    )


@dataclass(frozen=True)
class Estimate:
    stage: str
    orders: Decimal
    fixed: Decimal
    per_order: Decimal
    storage: Decimal
    standby: Decimal
    document: Decimal

    @property
    def total(self) -> Decimal:
        return self.fixed + self.per_order * self.orders + self.storage + self.standby

    @property
    def orders_the_estimate_pays_for(self) -> Decimal:
        """Orders a month at which the model reaches the document's figure."""
        variable = self.per_order + (self.storage + self.standby) / max(self.orders, Decimal(1))
        return (self.document - self.fixed) / variable


def estimate(stage: str, orders: Decimal | None = None) -> Estimate:
    prices, usage = load(PRICES), load(USAGE)
    env = usage["environments"][stage]
    price = prices["regions"][env["region"]]
    fns = functions(usage, stage)
    volume = orders if orders is not None else env["orders_per_month"]
    months = value(usage["limits"]["months_in_service"])
    stored_orders = volume * months
    order = usage["order"]
    table_gb = stored_orders * value(order["table_gb"])
    storage = (
        table_gb * (price["dynamodb_storage_gb_month"] + price["dynamodb_pitr_gb_month"])
        + stored_orders * value(order["s3_gb"]) * price["s3_standard_gb_month"]
    )
    backups = usage["fixed"]["backups"].get(stage)
    if backups:
        storage += backups["copies_kept"] * table_gb * price["backup_dynamodb_gb_month"]
    standby = Decimal(0)
    if env["dr_region"]:
        dr = prices["regions"][env["dr_region"]]
        standby = (
            volume
            * value(order["dynamodb_write_units"])
            * dr["dynamodb_replicated_write_request_unit"]
            + table_gb * dr["dynamodb_storage_gb_month"]
            + stored_orders * value(order["s3_gb"]) * dr["s3_standard_gb_month"]
            + volume * value(order["s3_gb"]) * price["inter_region_transfer_gb"]
        )
    return Estimate(
        stage,
        volume,
        fixed(usage, stage, price),
        per_order(usage, price, fns),
        storage,
        standby,
        env["document_estimate"],
    )


@dataclass(frozen=True)
class Capacity:
    stage: str
    limits: dict[str, Decimal]  # what → sustained orders a second

    @property
    def bottleneck(self) -> tuple[str, Decimal]:
        return min(self.limits.items(), key=lambda item: item[1])


def capacity(stage: str) -> Capacity:
    usage = load(USAGE)
    env, limits = usage["environments"][stage], usage["limits"]
    fns = functions(usage, stage)
    found: dict[str, Decimal] = {}
    for f in fns:
        rate = f.items_per_second()
        if rate is not None:
            found[f"{f.name} (batch {f.batch_size} x {f.max_concurrency})"] = rate / f.items
    api_rps = min(env["api_rps"], limits["apigw_account_rps"][env["region"]])
    found[f"API ({api_rps} requests/s: stage throttle and account quota)"] = api_rps / value(
        usage["order"]["api_requests"]
    )
    api = next(f for f in fns if f.name == "api_handler")
    concurrency = value(limits["lambda_account_concurrency"])
    found[f"Lambda concurrency ({concurrency}, the API's share at {api.seconds_per_item} s)"] = (
        concurrency / api.seconds_per_item / value(usage["order"]["api_requests"])
    )
    found["one tenant's partition (1,000 WCU/s on TENANT#id and GSI1)"] = value(
        limits["dynamodb_partition_wcu"]
    ) / (value(usage["order"]["tenant_partition_write_units"]) / 2)
    found[f"SES sending rate ({value(limits['ses_send_rate'])}/s)"] = value(
        limits["ses_send_rate"]
    ) / value(usage["order"]["emails"])
    return Capacity(stage, found)


def money(amount: Decimal) -> str:
    return f"${amount.quantize(CENT, ROUND_HALF_UP):,}"


def rate(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.1'), ROUND_HALF_UP):,}"


def report(orders: Decimal | None = None) -> str:
    prices = load(PRICES)
    checked = "verified" if prices["verified_online"] else "NOT verified online"
    lines = [
        f"Prices: {prices['date']}, {checked}"
        " (docs/cost/prices.json). Inputs: docs/cost/usage.json.",
        "",
        "Monthly cost (USD)      orders/month    fixed   per 1,000 orders   storage+DR"
        "      model   requirements   orders the requirements' figure pays for",
    ]
    for stage in STAGES:
        e = estimate(stage, orders)
        lines.append(
            f"{stage:<6} {e.orders:>24,} {money(e.fixed):>8} {money(e.per_order * 1000):>18}"
            f" {money(e.storage + e.standby):>12} {money(e.total):>10} {money(e.document):>14}"
            f" {int(e.orders_the_estimate_pays_for):>12,}"
        )
    lines += ["", "Capacity: sustained orders a second, each limit alone (smallest first)"]
    for stage in STAGES:
        c = capacity(stage)
        what, orders_per_s = c.bottleneck
        lines.append(f"{stage}: first bottleneck {what}: {rate(orders_per_s)} orders/s")
        for name, value_ in sorted(c.limits.items(), key=lambda item: item[1]):
            lines.append(f"    {rate(value_):>9}  {name}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=Decimal, help="orders a month (default: usage.json's)")
    args = parser.parse_args(argv)
    print(report(args.orders))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
