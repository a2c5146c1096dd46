"""`make checkov`: checkov on every packaged environment, with passed/failed/skipped counts.

Runs checkov's `terraform` (the HCL) and `terraform_json` (Chalice's generated
`service/chalice.tf.json`) frameworks on dev, sit and prod. Skips are inline and give a reason:
`#checkov:skip=ID:reason` in HCL, and for the generated JSON a `"//"` member of the resource
written by scripts/package.py, because checkov's terraform_json runner does not read skip
comments yet; this script applies those. Exits 1 if any check fails without a written skip.
Usage: python scripts/checkov_report.py <path to checkov> [env ...]
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENTS = ("dev", "sit", "prod")
_JSON_SKIP = re.compile(r"checkov:skip=(\w+):(.*?)(?=\s*checkov:skip=|$)")


@dataclass
class Counts:
    """One environment's result."""

    passed: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)


def json_skips(file_path: Path, lines: list[int]) -> dict[str, str]:
    """Check id → reason from the `"//"` member within a JSON resource's line range."""
    text = file_path.read_text().splitlines()[lines[0] - 1 : lines[1]]
    skips = {}
    for line in text:
        if '"//"' in line:
            comment = json.loads("{" + line.strip().rstrip(",") + "}")["//"]
            skips.update({m.group(1): m.group(2).strip() for m in _JSON_SKIP.finditer(comment)})
    return skips


def summarise(reports: list[dict[str, Any]], directory: Path) -> Counts:
    """Counts over checkov's JSON reports, with the generated JSON's `"//"` skips applied."""
    counts = Counts()
    for report in reports:
        results = report.get("results", {})
        counts.passed += len(results.get("passed_checks", []))
        counts.skipped += len(results.get("skipped_checks", []))
        for failure in results.get("failed_checks", []):
            path = directory / failure["file_path"].lstrip("/")
            if path.suffix == ".json" and failure["check_id"] in json_skips(
                path, failure["file_line_range"]
            ):
                counts.skipped += 1
                continue
            counts.failed.append(
                f"{failure['check_id']} {failure['resource']} "
                f"({failure['file_path']}:{failure['file_line_range'][0]}): {failure['check_name']}"
            )
    return counts


def run(checkov: str, environment: str) -> Counts:
    """checkov on one environment."""
    directory = ROOT / "infrastructure" / "environments" / environment
    if not (directory / "service" / "chalice.tf.json").exists():
        raise SystemExit(f"{environment} is not packaged: run make package STAGE={environment}")
    result = subprocess.run(
        [
            checkov,
            "--directory",
            str(directory),
            "--framework",
            "terraform",
            "terraform_json",
            "--skip-download",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 1):
        raise SystemExit(f"checkov failed on {environment}:\n{result.stderr[-2000:]}")
    parsed = json.loads(result.stdout)
    reports = parsed if isinstance(parsed, list) else [parsed]
    return summarise(reports, directory)


def main(argv: list[str]) -> int:
    """Run, print a table and the failures, write build/checkov.json."""
    checkov, environments = argv[0], tuple(argv[1:]) or ENVIRONMENTS
    results = {name: run(checkov, name) for name in environments}
    print(f"{'environment':<12}{'passed':>8}{'failed':>8}{'skipped':>9}")
    for name, counts in results.items():
        print(f"{name:<12}{counts.passed:>8}{len(counts.failed):>8}{counts.skipped:>9}")
        for failure in counts.failed:
            print(f"  FAILED {failure}")
    output = ROOT / "build" / "checkov.json"
    output.parent.mkdir(exist_ok=True)
    output.write_text(
        json.dumps(
            {
                n: {"passed": c.passed, "failed": c.failed, "skipped": c.skipped}
                for n, c in results.items()
            },
            indent=2,
        )
    )
    return 1 if any(c.failed for c in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
