"""`make plan` / `make apply` (scripts/terraform.py) on a small stand-in environment.

The real environments' plans are checked against the emulator in test_environments.py; these
tests drive the deploy steps themselves with real Terraform on a root module that needs no
provider: the saved plan, the readable plan and its job summary, the destroy warning, the
refusals, and the outputs handed to the smoke test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts import terraform
from tests.infrastructure.conftest import needs_terraform

pytestmark = needs_terraform

MAIN_TF = """
variable "environment" {
  type = string
}

variable "version_label" {
  type = string
}

resource "terraform_data" "service" {
  triggers_replace = var.version_label
}

output "api_url" {
  value = "https://api-${var.environment}.bbws.io"
}

output "dr_api_invoke_url" {
  value = "https://dr.execute-api.eu-west-1.amazonaws.com/v1"
}

output "token" {
  value     = "not for logs"
  sensitive = true
}
"""


@pytest.fixture
def infrastructure(tmp_path: Path) -> Path:
    directory = tmp_path / "infrastructure" / "environments" / "dev"
    (directory / "service").mkdir(parents=True)
    (directory / "service" / "chalice.tf.json").write_text("{}")
    (directory / "main.tf").write_text(MAIN_TF)
    (directory / "dev.tfvars").write_text('environment   = "dev"\nversion_label = "one"\n')
    return tmp_path / "infrastructure"


@pytest.fixture
def github_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    files = {"summary": tmp_path / "summary.md", "output": tmp_path / "output.txt"}
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(files["summary"]))
    monkeypatch.setenv("GITHUB_OUTPUT", str(files["output"]))
    return files


def test_plan_then_apply_the_saved_plan_and_hand_on_the_urls(
    infrastructure: Path, github_files: dict[str, Path], tmp_path: Path
) -> None:
    build = tmp_path / "build"
    summary = terraform.plan("dev", root=infrastructure, build=build)
    assert summary == "Plan: 1 to add, 0 to change, 0 to destroy."
    assert (infrastructure / "environments" / "dev" / "tfplan").exists()
    assert "terraform_data.service will be created" in (build / "plan-dev.txt").read_text()
    job_summary = github_files["summary"].read_text()
    assert job_summary.startswith("### Terraform plan: dev\n\nPlan: 1 to add")
    assert "<details><summary>The plan</summary>" in job_summary
    assert "WARNING" not in job_summary

    outputs = terraform.apply("dev", root=infrastructure, build=build)
    assert outputs["api_url"] == "https://api-dev.bbws.io"
    assert "token" not in outputs  # sensitive outputs stay out of files and logs
    assert json.loads((build / "outputs-dev.json").read_text()) == outputs
    assert github_files["output"].read_text() == (
        "api_url=https://api-dev.bbws.io\n"
        "dr_api_url=https://dr.execute-api.eu-west-1.amazonaws.com/v1\n"
    )


def test_a_plan_that_replaces_resources_warns_the_approvers(
    infrastructure: Path, github_files: dict[str, Path], tmp_path: Path
) -> None:
    build = tmp_path / "build"
    terraform.plan("dev", root=infrastructure, build=build)
    terraform.apply("dev", root=infrastructure, build=build)
    tfvars = infrastructure / "environments" / "dev" / "dev.tfvars"
    tfvars.write_text(tfvars.read_text().replace('"one"', '"two"'))
    github_files["summary"].unlink()
    assert terraform.plan("dev", root=infrastructure, build=build) == (
        "Plan: 1 to add, 0 to change, 1 to destroy."
    )
    assert (
        "> [!WARNING]\n> 1 resource(s) destroyed or replaced: `terraform_data.service`"
        in github_files["summary"].read_text()
    )


def test_a_stale_saved_plan_is_refused(infrastructure: Path, tmp_path: Path) -> None:
    build = tmp_path / "build"
    directory = infrastructure / "environments" / "dev"
    terraform.plan("dev", root=infrastructure, build=build)
    saved = (directory / "tfplan").read_bytes()
    terraform.apply("dev", root=infrastructure, build=build)
    (directory / "tfplan").write_bytes(saved)  # the same plan again, after the state moved on
    with pytest.raises(RuntimeError, match="Saved plan is stale"):
        terraform.apply("dev", root=infrastructure, build=build)


def test_apply_without_a_saved_plan_says_what_to_run(infrastructure: Path) -> None:
    with pytest.raises(RuntimeError, match="run make plan STAGE=dev first"):
        terraform.apply("dev", root=infrastructure)


def test_placeholders_in_the_tfvars_stop_the_plan(infrastructure: Path) -> None:
    tfvars = infrastructure / "environments" / "dev" / "dev.tfvars"
    tfvars.write_text(
        tfvars.read_text()
        + 'certificate_arn = "arn:aws:acm:af-south-1:1:certificate/REPLACE-ME"\n'
        + 'hosted_zone_id  = "ZREPLACEWITHBBWSIO"\n'
    )
    with pytest.raises(RuntimeError) as error:
        terraform.plan("dev", root=infrastructure)
    assert "placeholders for certificate_arn, hosted_zone_id" in str(error.value)


def test_an_unpackaged_or_unknown_environment_is_named(infrastructure: Path) -> None:
    with pytest.raises(RuntimeError, match="sit is not packaged: run make package STAGE=sit"):
        terraform.plan("sit", root=infrastructure)
    with pytest.raises(RuntimeError, match="unknown environment 'qa'"):
        terraform.plan("qa", root=infrastructure)


def test_the_real_tfvars_name_their_placeholders() -> None:
    # The committed tfvars cannot know the accounts' Cognito pools, certificates and zone:
    # `make plan` must refuse them until a person fills them in.
    found = {
        name: terraform.placeholders(
            terraform.INFRASTRUCTURE / "environments" / name / f"{name}.tfvars"
        )
        for name in terraform.ENVIRONMENTS
    }
    assert found["dev"] == ["cognito_user_pool_arn", "certificate_arn", "hosted_zone_id"]
    assert "dr_certificate_arn" in found["prod"]
