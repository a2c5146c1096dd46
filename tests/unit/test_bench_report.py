"""benchmarks/report.py: every benchmark's result as one list of judged metrics."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import report


def write(results: Path, name: str, body: dict[str, object]) -> None:
    results.mkdir(exist_ok=True)
    (results / f"{name}.json").write_text(json.dumps(body))


def test_metrics_are_judged_by_their_ratio_and_missing_runs_are_named(tmp_path: Path) -> None:
    write(
        tmp_path,
        "cold_import",
        {
            "value": 0.3,
            "unit": "s",
            "baseline": 0.25,
            "target": 1.15,
            "runs": 21,
            "heavy_modules_loaded": ["xhtml2pdf"],
        },
    )
    write(
        tmp_path,
        "api_calls",
        {
            "requests": {
                "GET": {"total": 2, "calls": {"GetItem": 1, "Query": 1}, "target": 1},
                "PUT (admin)": {"total": 2, "calls": {"Query": 1, "UpdateItem": 1}, "target": None},
            },
            "handler_time": {"value": 3, "unit": "ms", "baseline": 2, "target": 1.5, "runs": 9},
            "per_processed_order": {
                "orders": 5,
                "functions": {
                    "order_pdf_creator": {
                        "per_order": 3.0,
                        "calls": {"HeadObject": 5, "PutObject": 5, "UpdateItem": 5},
                        "minimum": 2,
                    }
                },
            },
        },
    )
    metrics, missing = report.collect(tmp_path)
    assert missing == ["cart_orders", "pdf", "package_size", "pipeline", "resilience"]
    by_name = {m["name"]: m for m in metrics}
    cold = by_name["cold start: import app / import boto3, chalice, pydantic"]
    assert (cold["ratio"], cold["met"]) == (1.2, False)
    assert "libraries at import: xhtml2pdf" in cold["note"]
    get = by_name["AWS requests: GET"]
    assert (get["ratio"], get["met"], get["note"]) == (2.0, False, "GetItem 1, Query 1")
    admin = by_name["AWS requests: PUT (admin)"]
    assert (admin["ratio"], admin["target"], admin["met"]) == (None, None, True)
    pdf = by_name["AWS requests per processed order: order_pdf_creator"]
    assert (pdf["ratio"], pdf["met"]) == (1.5, False)
    assert pdf["note"] == "a batch of 5 orders: HeadObject 5, PutObject 5, UpdateItem 5"
    handler = by_name["handler: in-process GET / bare GetItem"]
    assert (handler["ratio"], handler["met"]) == (1.5, True)  # at the target is within it
    assert set(metrics[0]) == {
        "name",
        "value",
        "unit",
        "baseline",
        "ratio",
        "target",
        "met",
        "note",
    }

    text = report.markdown(metrics, missing, datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    assert "| AWS requests: GET | 2 requests | 1 requests | 2.0 | ≤ 1.0 | **no** |" in text
    assert "| AWS requests: PUT (admin) | 2 requests | n/a | n/a | n/a | yes |" in text
    assert "Not measured in this run: cart_orders, pdf, package_size, pipeline, resilience." in text
    assert "on 2026-11-28 12:00 UTC" in text


def test_the_pipeline_and_resilience_runs_are_judged(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pipeline",
        {
            "orders": 300,
            "wall_s": 21.0,
            "throughput_per_s": 14.29,
            "sustained_per_s": 18.0,
            "latency_s": {"p50": 13.9, "p95": 17.3},
            "per_order": {"value": 0.07, "baseline": 0.05, "unit": "s"},
            "target": 1.3,
            "cpu_ms_per_order": {"emulator": 37.2, "pdf": 61.2, "api": 9.0},
            "cpu": {
                "value": 70.2,
                "baseline": 54.0,
                "unit": "ms",
                "ratio": 1.3,
                "target": 1.25,
                "render_cpu_ms": 27.0,
            },
        },
    )
    write(
        tmp_path,
        "resilience",
        {
            "seconds": 120,
            "rate_per_s": 50,
            "requests": 6000,
            "statuses": {"200": 5000, "202": 900, "503": 3, "404": 97},
            "latency_ms": {"p50": 70, "p95": 300},
            "transport_errors": 0,
            "memory_mb": {"api": {"warm": 100, "end": 104}, "pdf": {"warm": 200, "end": 240}},
            "growth_after_warm_up": {"api": 0.04, "pdf": 0.2},
        },
    )
    by_name = {m["name"]: m for m in report.collect(tmp_path)[0]}
    pipeline = next(m for name, m in by_name.items() if name.startswith("pipeline:"))
    assert (pipeline["ratio"], pipeline["met"]) == (1.4, False)
    assert "14.29 orders/s over 21.0 s" in pipeline["note"]
    cpu = by_name[
        "pipeline: the service's CPU per order (API and functions) / two bare PDF renders' CPU"
    ]
    assert (cpu["value"], cpu["baseline"], cpu["ratio"], cpu["met"]) == (70.2, 54.0, 1.3, False)
    assert "one bare render 27.0 ms of CPU" in cpu["note"]
    assert "emulator 37.2, pdf 61.2, api 9.0" in cpu["note"]
    errors = next(m for name, m in by_name.items() if name.startswith("resilience: 5xx"))
    assert (errors["value"], errors["ratio"], errors["met"]) == (3, 0.001, False)
    memory = next(m for name, m in by_name.items() if name.startswith("resilience: memory"))
    assert (memory["value"], memory["baseline"], memory["ratio"], memory["met"]) == (
        240,
        200,
        1.2,
        False,
    )
    assert memory["note"].startswith("pdf; every process: api +4.0%, pdf +20.0%")


def test_the_cart_rows_judge_requests_time_and_the_dead_service(tmp_path: Path) -> None:
    write(
        tmp_path,
        "cart_orders",
        {
            "requests": {
                "customer POST": {
                    "total": 3,
                    "calls": {"PutItem": 1, "SendMessage": 1, "Cart GET": 1},
                    "target": 3,
                }
            },
            "handler_time": {"value": 6, "unit": "ms", "baseline": 5, "target": 1.2, "runs": 9},
            "cart_down": {"value": 0.7, "unit": "ms", "target": 50.0, "runs": 25},
        },
    )
    by_name = {m["name"]: m for m in report.collect(tmp_path)[0]}
    posts = by_name["requests: customer POST (AWS + Cart reads)"]
    assert (posts["ratio"], posts["met"]) == (1.0, True)
    handler = by_name[
        "handler: customer POST from a cart / bare Cart GET + conditional PutItem + SendMessage"
    ]
    assert (handler["ratio"], handler["met"]) == (1.2, True)
    down = by_name["Cart service down: 503 once the breaker is open"]
    assert (down["ratio"], down["met"]) == (0.014, True)
