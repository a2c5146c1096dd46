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
        },
    )
    metrics, missing = report.collect(tmp_path)
    assert missing == ["pdf", "package_size"]
    by_name = {m["name"]: m for m in metrics}
    cold = by_name["cold start: import app / import boto3, chalice, pydantic"]
    assert (cold["ratio"], cold["met"]) == (1.2, False)
    assert "libraries at import: xhtml2pdf" in cold["note"]
    get = by_name["AWS requests: GET"]
    assert (get["ratio"], get["met"], get["note"]) == (2.0, False, "GetItem 1, Query 1")
    admin = by_name["AWS requests: PUT (admin)"]
    assert (admin["ratio"], admin["target"], admin["met"]) == (None, None, True)
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
    assert "Not measured in this run: pdf, package_size." in text
    assert "on 2026-11-28 12:00 UTC" in text
