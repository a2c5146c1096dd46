"""terraform-aws-modules' file conventions, checked on the HCL itself (no Terraform needed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.infrastructure.conftest import ENVIRONMENTS, ROOT

INFRASTRUCTURE = ROOT / "infrastructure"
MODULES = sorted(p for p in (INFRASTRUCTURE / "modules").iterdir() if p.is_dir())
_BLOCK = re.compile(r'^(variable|output) "([^"]+)" \{\n(.*?)^\}', re.M | re.S)


def blocks(kind: str, directory: Path) -> dict[str, str]:
    found = {}
    for path in directory.glob("*.tf"):
        for match in _BLOCK.finditer(path.read_text()):
            if match.group(1) == kind:
                found[f"{path.name}:{match.group(2)}"] = match.group(3)
    return found


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_each_module_has_the_four_files(module: Path) -> None:
    assert {"main.tf", "variables.tf", "outputs.tf", "versions.tf"} <= {
        p.name for p in module.iterdir()
    }
    versions = (module / "versions.tf").read_text()  # the floors of ADR 0018
    assert 'required_version = ">= 1.11.0"' in versions
    assert 'version = ">= 5.88, < 6"' in versions


@pytest.mark.parametrize(
    "directory",
    [*MODULES, INFRASTRUCTURE / "service", *sorted((INFRASTRUCTURE / "environments").iterdir())],
    ids=lambda p: p.relative_to(INFRASTRUCTURE).as_posix(),
)
def test_every_variable_is_typed_and_described_and_every_output_described(directory: Path) -> None:
    variables = blocks("variable", directory)
    assert variables, f"no variables in {directory}"
    for name, body in variables.items():
        assert re.search(r"^\s+type\s+=", body, re.M), f"{name} has no type"
        assert re.search(r'^\s+description\s+=\s+"\S', body, re.M), f"{name} has no description"
    for name, body in blocks("output", directory).items():
        assert re.search(r'^\s+description\s+=\s+"\S', body, re.M), f"{name} has no description"


def test_allow_statements_name_their_actions() -> None:
    """Every listed action is service:Name; a trailing * only for KMS's own action families."""
    for path in (INFRASTRUCTURE / "modules").rglob("*.tf"):
        for listed in re.findall(r"\bactions\s*=\s*\[([^\]]*)\]", path.read_text()):
            for action in re.findall(r'"([^"]+)"', listed):
                if action in {"sqs:*", "s3:*"}:
                    continue  # Deny-only (next test)
                if path.parent.name == "kms" and action == "kms:*":
                    continue  # the key policy's account-root statement
                assert re.fullmatch(r"[a-z0-9-]+:[A-Z][A-Za-z]+\*?", action), (path, action)
                assert not action.endswith("*") or action.startswith("kms:"), (path, action)


def test_wildcard_actions_appear_only_in_deny_statements() -> None:
    for path in (INFRASTRUCTURE / "modules").rglob("*.tf"):
        text = path.read_text()
        for match in re.finditer(r'actions\s*=\s*\["(sqs|s3):\*"\]', text):
            statement = text[text.rfind("statement {", 0, match.start()) : match.start()]
            assert 'effect    = "Deny"' in statement or 'effect = "Deny"' in statement, (
                path,
                statement,
            )


def test_dev_and_sit_differ_only_in_their_tfvars_and_backend() -> None:
    environments = ROOT / "infrastructure" / "environments"
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        assert (environments / "dev" / name).read_text() == (
            environments / "sit" / name
        ).read_text(), name
    tfvars = {
        stage: {
            name.strip(): value.strip()
            for name, value in (
                line.split("=", 1)
                for line in (environments / stage / f"{stage}.tfvars").read_text().splitlines()
                if "=" in line
            )
        }
        for stage in ENVIRONMENTS
    }
    accounts = {"dev": "536580886816", "sit": "815856636111", "prod": "093646564004"}
    for stage, values in tfvars.items():
        assert json.loads(values["account_id"]) == accounts[stage]
        # Each its own state (test_state_and_floors.py checks the names of section 5.4).
        backend = (environments / stage / "backend.tf").read_text()
        assert f'bucket       = "bbws-terraform-state-{stage}"' in backend
