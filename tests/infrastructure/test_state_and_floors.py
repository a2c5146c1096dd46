"""Terraform state per the requirements (section 5.4) and the version floors the code needs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.infrastructure.conftest import ENVIRONMENTS, PRIMARY_REGIONS, ROOT

INFRASTRUCTURE = ROOT / "infrastructure"


def setting(text: str, name: str) -> str:
    match = re.search(rf"^\s*{name}\s*=\s*(.+?)\s*$", text, re.MULTILINE)
    assert match is not None, f"{name} is not set"
    return match.group(1).strip('"')


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_each_environment_keeps_its_state_where_the_requirements_say(stage: str) -> None:
    backend = (INFRASTRUCTURE / "environments" / stage / "backend.tf").read_text()
    assert setting(backend, "bucket") == f"bbws-terraform-state-{stage}"
    assert setting(backend, "key") == "order-lambda/terraform.tfstate"
    assert setting(backend, "region") == PRIMARY_REGIONS[stage]
    assert setting(backend, "encrypt") == "true"
    # S3's own lock file (Terraform >= 1.11) instead of the deprecated DynamoDB lock table.
    assert setting(backend, "use_lockfile") == "true"
    assert "dynamodb_table" not in backend
    tfvars = (INFRASTRUCTURE / "environments" / stage / f"{stage}.tfvars").read_text()
    assert setting(tfvars, "region") == PRIMARY_REGIONS[stage]
    # Region-bound placeholders follow the region: the pool and the API's certificate.
    assert f":{PRIMARY_REGIONS[stage]}:" in setting(tfvars, "cognito_user_pool_arn")
    assert f":{PRIMARY_REGIONS[stage]}:" in setting(tfvars, "certificate_arn")


def versions_files() -> list[Path]:
    """The hand-written ones: modules, the service module's template and the environments'."""
    generated = INFRASTRUCTURE / "environments"
    return sorted(
        p
        for p in INFRASTRUCTURE.rglob("versions.tf")
        if not (p.is_relative_to(generated) and p.parent.name == "service")
    )


def test_every_module_states_the_floors_the_configuration_needs() -> None:
    write_only = re.compile(r"\b\w+_wo\s*=|^ephemeral ", re.MULTILINE)
    uses_write_only = [p for p in INFRASTRUCTURE.rglob("*.tf") if write_only.search(p.read_text())]
    assert uses_write_only, "the floors below exist for write-only arguments and ephemerals"
    files = versions_files()
    assert len(files) >= 10
    for path in files:
        text = path.read_text()
        assert 'required_version = ">= 1.11.0"' in text, path  # write-only args, S3 lock file
        assert 'version = ">= 5.88, < 6"' in text, path  # secret_string_wo, the ephemeral password


@pytest.mark.parametrize("stage", ENVIRONMENTS)
def test_the_sender_is_an_address_of_the_verified_sending_domain(stage: str) -> None:
    """Requirements section 6.2: SES sends from kimmyai.io; the functions may use only it."""
    from devstack.stage import function_config

    tfvars = (INFRASTRUCTURE / "environments" / stage / f"{stage}.tfvars").read_text()
    assert setting(tfvars, "ses_identity") == "kimmyai.io"
    sender = function_config(stage, "api_handler").environment["EMAIL_SENDER"]
    assert sender.rsplit("@", 1)[1] == setting(tfvars, "ses_identity")
