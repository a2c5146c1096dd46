"""scripts/checkov_report.py: counts, and the generated JSON's "//" skips applied with reasons."""

from __future__ import annotations

import json
from pathlib import Path

from scripts import checkov_report, package


def _report(failed: list[dict[str, object]]) -> dict[str, object]:
    return {"results": {"passed_checks": [{}] * 3, "skipped_checks": [{}], "failed_checks": failed}}


def test_json_skips_written_by_package_are_applied(tmp_path: Path) -> None:
    resource = {"function_name": "f", "//": " ".join(package.LAMBDA_CHECKOV_SKIPS)}
    text = json.dumps({"resource": {"aws_lambda_function": {"f": resource}}}, indent=2)
    (tmp_path / "service").mkdir()
    (tmp_path / "service" / "chalice.tf.json").write_text(text)
    lines = [1, len(text.splitlines())]
    skips = checkov_report.json_skips(tmp_path / "service" / "chalice.tf.json", lines)
    assert set(skips) == {"CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_115", "CKV_AWS_272"}
    assert skips["CKV_AWS_117"].startswith("Calls only AWS APIs")
    assert all(reason and "checkov:skip" not in reason for reason in skips.values())

    def failure(check: str) -> dict[str, object]:
        return {
            "check_id": check,
            "check_name": "a check",
            "resource": "resource.f",
            "file_path": "/service/chalice.tf.json",
            "file_line_range": lines,
        }

    counts = checkov_report.summarise(
        [_report([failure("CKV_AWS_117"), failure("CKV_AWS_50")])], tmp_path
    )
    assert (counts.passed, counts.skipped) == (3, 2)
    assert counts.failed == ["CKV_AWS_50 resource.f (/service/chalice.tf.json:1): a check"]


def test_hcl_failures_are_never_skipped_by_the_script(tmp_path: Path) -> None:
    failure: dict[str, object] = {
        "check_id": "CKV_AWS_18",
        "check_name": "logging",
        "resource": "aws_s3_bucket.this",
        "file_path": "/main.tf",
        "file_line_range": [1, 5],
    }
    counts = checkov_report.summarise([_report([failure])], tmp_path)
    assert len(counts.failed) == 1
