"""The IaC security scan beside checkov (`make iac-scan`, ADR 0025): Semgrep, offline, with the
Terraform rules vendored in infrastructure/security-rules.

It finds what it should in Terraform written wrong, finds nothing in ours, and each finding we
suppress says why.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SEMGREP = ROOT / ".venv-semgrep" / "bin" / "semgrep"
RULES = ROOT / "infrastructure" / "security-rules" / "semgrep-terraform.yaml"

pytestmark = pytest.mark.skipif(
    not SEMGREP.exists(), reason="Semgrep is not installed: `make iac-scan` installs .venv-semgrep"
)

WRONG = """
resource "aws_s3_bucket" "open" {
  bucket = "open"
  acl    = "public-read"
}

resource "aws_sqs_queue" "plain" {
  name = "plain"
}

resource "aws_iam_policy" "star" {
  name = "star"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_dynamodb_table" "plain" {
  name         = "plain"
  hash_key     = "pk"
  billing_mode = "PAY_PER_REQUEST"
  attribute {
    name = "pk"
    type = "S"
  }
}
"""


def scan(target: Path) -> dict[str, Any]:
    done = subprocess.run(
        [str(SEMGREP), "scan", "--metrics=off", "--disable-version-check", "--json", "--quiet",
         "--config", str(RULES), str(target)],
        check=False, capture_output=True, text=True, timeout=300, cwd=target,
        env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    assert result["errors"] == [], result["errors"]
    return result


def test_terraform_written_wrong_is_found(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(WRONG)
    found = {
        (r["check_id"].rsplit(".", 1)[-1], r["start"]["line"]) for r in scan(tmp_path)["results"]
    }
    for finding in [
        ("s3-public-read-bucket", 4),
        ("aws-sqs-queue-unencrypted", 7),
        ("no-iam-star-actions", 15),
        ("aws-dynamodb-table-unencrypted", 19),
        ("aws-dynamodb-point-in-time-recovery-disabled", 19),
    ]:
        assert finding in found


def test_our_terraform_has_no_finding_and_each_suppression_says_why() -> None:
    infrastructure = ROOT / "infrastructure"
    result = scan(infrastructure)
    assert [r["check_id"] for r in result["results"]] == []
    assert len(result["paths"]["scanned"]) > 40  # the modules, the service, every environment
    suppressions = [
        line
        for path in infrastructure.rglob("*.tf")
        for line in path.read_text().splitlines()
        if "nosemgrep" in line
    ]
    assert suppressions  # the two below are known; a new one needs its reason too
    assert all(re.search(r"nosemgrep: [a-z0-9-]+ -- \S.{20,}", line) for line in suppressions)


def test_the_vendored_rules_say_where_they_come_from() -> None:
    header = RULES.read_text().splitlines()[:3]
    assert re.search(r"semgrep-rules at [0-9a-f]{40}", header[1])
    rules = yaml.safe_load(RULES.read_text())["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids)) > 100
    assert (RULES.parent / "LICENSE-semgrep-rules").read_text().count("Commons Clause")
