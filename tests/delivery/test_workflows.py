"""The GitHub Actions workflows, parsed: what they trigger on, what they may do, what they run.

actionlint checks that they are valid; these tests check that they are the pipeline the team
agreed on (docs/delivery.md), and that every command they run is a Makefile target.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
CORE = "./.github/workflows/deploy.yml"
ROLES = {
    "dev": "arn:aws:iam::536580886816:role/github-2-bbws-order-lambda-dev",
    "sit": "arn:aws:iam::815856636111:role/github-2-bbws-order-lambda-sit",
    "prod": "arn:aws:iam::093646564004:role/github-2-bbws-order-lambda-prod",
}
CONFIGURE_AWS = "aws-actions/configure-aws-credentials"


def load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True.
    document["on"] = document.pop(True, document.get("on"))
    return dict(document)


def all_workflows() -> dict[str, dict[str, Any]]:
    return {path.name: load(path.name) for path in sorted(WORKFLOWS.glob("*.yml"))}


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z-]*):", text, re.MULTILINE))


def uses_action(job: dict[str, Any], action: str) -> bool:
    return any(step.get("uses", "").startswith(action + "@") for step in job.get("steps", []))


def test_actionlint_passes_on_every_workflow(tmp_path: Path) -> None:
    actionlint = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    assert actionlint, "actionlint is installed into the venv by requirements-dev.txt"

    def lint(repository: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [actionlint, "-color=false"],
            cwd=repository,
            capture_output=True,
            text=True,
            check=False,
        )

    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    # And it does read them: a caller passing an input the core does not have fails.
    shutil.copytree(ROOT / ".github", tmp_path / ".github")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)  # actionlint's project root
    caller = tmp_path / ".github" / "workflows" / "deploy-dev.yml"
    caller.write_text(
        caller.read_text().replace("approvals: 1", "approvals: 1\n      approver: me")
    )
    result = lint(tmp_path)
    assert result.returncode == 1
    assert 'input "approver" is not defined' in result.stdout


def test_the_workflows_are_the_agreed_set() -> None:
    assert set(all_workflows()) == {
        "ci.yml",
        "deploy.yml",
        "deploy-dev.yml",
        "deploy-sit.yml",
        "deploy-prod.yml",
    }


def test_ci_runs_on_pull_requests_and_the_promotion_branches() -> None:
    ci = load("ci.yml")
    assert set(ci["on"]) == {"pull_request", "push"}
    assert ci["on"]["push"]["branches"] == ["develop", "release", "main"]
    assert ci["permissions"] == {"contents": "read"}


def test_ci_covers_everything_make_test_runs_and_packages_each_stage() -> None:
    ci = load("ci.yml")
    commands = {step["run"] for step in steps(ci) if "run" in step}
    assert {"make lint", "make typecheck", "make actionlint", "make suite"} <= commands
    # `make test` runs TEST_PHASES in order; checkov on every stage is the infrastructure job's.
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: ##.*\n\t.*for phase in \$\(TEST_PHASES\)", makefile, re.M)
    phases = re.search(r"^TEST_PHASES := (.*)$", makefile, re.M)
    assert phases
    for target in phases.group(1).split():
        assert target in ("venv", "checkov-where-possible") or f"make {target}" in commands, target
    infrastructure = ci["jobs"]["infrastructure"]
    assert infrastructure["strategy"]["matrix"]["stage"] == ["dev", "sit", "prod"]
    assert infrastructure["env"]["STAGE"] == "${{ matrix.stage }}"
    runs = [step["run"] for step in infrastructure["steps"] if "run" in step]
    assert runs == ["make package", "make terraform", "make checkov"]
    upload = next(s for s in infrastructure["steps"] if "upload-artifact" in s.get("uses", ""))
    assert "infrastructure/environments/${{ matrix.stage }}/service/" in upload["with"]["path"]
    for job in ci["jobs"].values():
        setup = [s for s in job["steps"] if "setup-python" in s.get("uses", "")]
        assert setup
        assert setup[0]["with"]["python-version"] == "${{ env.PYTHON_VERSION }}"
    assert ci["env"]["PYTHON_VERSION"] == "3.12"
    # The Terraform tests run in CI, they do not skip.
    assert uses_action(ci["jobs"]["test"], "hashicorp/setup-terraform")


def test_infracost_prices_each_change_where_the_key_is_and_says_so_where_not() -> None:
    job = load("ci.yml")["jobs"]["infracost"]
    assert job["env"]["INFRACOST_API_KEY"] == "${{ secrets.INFRACOST_API_KEY }}"
    assert [s["run"] for s in job["steps"] if "run" in s] == ["make infracost"]
    setup = next(s for s in job["steps"] if "infracost/actions/setup" in s.get("uses", ""))
    assert setup["if"] == "env.INFRACOST_API_KEY != ''"  # only installed where it can run
    base = next(s for s in job["steps"] if s.get("with", {}).get("path") == ".infracost-base")
    assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert ".infracost-base" in job["env"]["INFRACOST_BASE"]
    assert "permissions" not in job  # the workflow's contents: read; the diff goes to the summary


def test_every_command_a_workflow_runs_is_a_makefile_target() -> None:
    targets = makefile_targets()
    for name, workflow in all_workflows().items():
        for step in steps(workflow):
            if "run" not in step:
                continue
            command = step["run"].strip()
            assert re.fullmatch(r"make [a-z-]+", command), f"{name}: {command!r}"
            assert command.split()[1] in targets, f"{name}: {command!r} is not a Makefile target"


def test_no_expression_is_interpolated_into_a_shell() -> None:
    # Inputs, secrets and event data reach commands through `env:` only (script injection).
    for name, workflow in all_workflows().items():
        for step in steps(workflow):
            assert "${{" not in step.get("run", ""), f"{name}: {step['run']!r}"


def test_every_action_is_pinned_to_a_commit_with_its_version() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text().splitlines():
            match = re.search(r"uses: (\S+)", line)
            if not match or match.group(1).startswith("./"):
                continue
            # owner/repo or owner/repo/path (an action in a subfolder), at a full commit
            assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w.-]+)*@[0-9a-f]{40}", match.group(1)), line
            assert re.search(r" # v\d+\.\d+\.\d+$", line), f"{path.name}: no version: {line}"


def test_every_job_has_a_timeout_and_least_privilege() -> None:
    for name, workflow in all_workflows().items():
        assert workflow["permissions"] in ({}, {"contents": "read"}), name
        for job_name, job in workflow["jobs"].items():
            where = f"{name}:{job_name}"
            if "uses" in job:  # a call of the reusable core: its jobs carry their own limits
                assert job["permissions"]["id-token"] == "write", where
                continue
            assert 0 < job["timeout-minutes"] <= 120, where
            permissions = job.get("permissions", workflow["permissions"])
            assumes_role = uses_action(job, CONFIGURE_AWS)
            assert (permissions.get("id-token") == "write") is assumes_role, where
            assert permissions.get("contents") == "read", where
            assert not {k for k, v in permissions.items() if v == "write"} - {"id-token"}, where


@pytest.mark.parametrize(
    ("caller", "trigger", "environment", "approvals"),
    [
        ("deploy-dev.yml", {"push": {"branches": ["develop"]}}, "dev", 1),
        ("deploy-sit.yml", {"push": {"branches": ["release"]}}, "sit", 2),
    ],
)
def test_dev_and_sit_deploy_on_push_through_the_core(
    caller: str, trigger: dict[str, Any], environment: str, approvals: int
) -> None:
    workflow = load(caller)
    assert workflow["on"] == trigger
    assert workflow["concurrency"] == {
        "group": f"deploy-{environment}",
        "cancel-in-progress": False,
    }
    (job,) = workflow["jobs"].values()
    assert job["uses"] == CORE
    assert job["with"] == {
        "environment": environment,
        "aws-role-arn": ROLES[environment],
        "aws-region": "eu-west-1",  # DEV and SIT run in Ireland (requirements section 5.1)
        "approvals": approvals,
    }


def test_prod_is_a_manual_dispatch_that_needs_the_confirmation_and_a_rollback_plan() -> None:
    prod = load("deploy-prod.yml")
    assert set(prod["on"]) == {"workflow_dispatch"}
    inputs = prod["on"]["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"confirm", "rollback_plan_url"}
    assert all(spec["required"] and spec["type"] == "string" for spec in inputs.values())
    assert "APPROVE-PROD" in inputs["confirm"]["description"]
    assert prod["concurrency"] == {"group": "deploy-prod", "cancel-in-progress": False}
    gate = prod["jobs"]["release-gate"]
    (check,) = [step for step in gate["steps"] if "run" in step]
    assert check["run"] == "make release-gate"
    assert check["env"] == {
        "CONFIRM": "${{ inputs.confirm }}",
        "ROLLBACK_PLAN_URL": "${{ inputs.rollback_plan_url }}",
    }
    deploy = prod["jobs"]["deploy"]
    assert deploy["needs"] == "release-gate"
    assert deploy["uses"] == CORE
    assert deploy["with"] == {
        "environment": "prod",
        "aws-role-arn": ROLES["prod"],
        "aws-region": "af-south-1",
        "dr-region": "eu-west-1",
        "approvals": 3,
        "business-hours": True,
    }


def test_the_core_plans_gates_then_applies_the_saved_plan_and_smoke_tests() -> None:
    core = load("deploy.yml")
    assert set(core["on"]) == {"workflow_call"}
    assert set(core["on"]["workflow_call"]["inputs"]) == {
        "environment",
        "aws-role-arn",
        "aws-region",
        "dr-region",
        "approvals",
        "business-hours",
    }
    jobs = core["jobs"]
    assert list(jobs) == ["plan", "second-approval", "third-approval", "deploy"]
    plan, deploy = jobs["plan"], jobs["deploy"]
    assert "environment" not in plan  # planning needs no approval
    # The stage's settings first: a stage that cannot issue a tax invoice is refused (issue 29).
    assert [s["run"] for s in plan["steps"] if "run" in s] == [
        "make stage-settings",
        "make package",
        "make plan",
    ]
    assert jobs["second-approval"]["environment"] == "${{ inputs.environment }}-approval-2"
    assert jobs["third-approval"]["environment"] == "${{ inputs.environment }}-approval-3"
    assert jobs["second-approval"]["if"] == "inputs.approvals >= 2"
    assert jobs["third-approval"]["if"] == "inputs.approvals >= 3"

    assert deploy["environment"]["name"] == "${{ inputs.environment }}"
    assert deploy["needs"] == ["plan", "second-approval", "third-approval"]
    assert deploy["concurrency"] == {
        "group": "apply-${{ inputs.environment }}",
        "cancel-in-progress": False,
    }
    order = [s.get("run") or s["uses"].split("@")[0] for s in deploy["steps"]]
    assert order.index("make approvals") < order.index("make apply")
    assert order.index("actions/download-artifact") < order.index("make apply")
    assert order.index(CONFIGURE_AWS) < order.index("make apply")
    assert order.index("make apply") < order.index("make smoke")
    # The apply uses the plan's artifact, not a fresh plan.
    assert "make plan" not in order
    download = next(s for s in deploy["steps"] if "download-artifact" in s.get("uses", ""))
    upload = next(s for s in plan["steps"] if "upload-artifact" in s.get("uses", ""))
    assert download["with"]["name"] == upload["with"]["name"] == "plan-${{ inputs.environment }}"
    assert "/tfplan" in upload["with"]["path"]
    assert "/service/" in upload["with"]["path"]
    # Both regions are smoke-tested, the primary first; the DR smoke only where there is one.
    smokes = [s for s in deploy["steps"] if s.get("run") == "make smoke"]
    assert [s["env"]["BASE_URL"] for s in smokes] == [
        "${{ steps.apply.outputs.api_url }}",
        "${{ steps.apply.outputs.dr_api_url }}",
    ]
    assert smokes[1]["if"] == "inputs.dr-region != ''"
    assert all(s["env"]["ORDERCTL_PASSWORD"] == "${{ secrets.SMOKE_PASSWORD }}" for s in smokes)
    # a customer orders a cart: `make smoke` makes one in the stage's Cart service (STAGE names
    # it; its CART_API_URL is read from .chalice/config.json, see test_smoke_finds_the_cart_api)
    assert core["env"]["STAGE"] == "${{ inputs.environment }}"
    window = next(s for s in deploy["steps"] if s.get("run") == "make deploy-window")
    assert window["if"] == "inputs.business-hours"


def test_each_role_is_assumed_only_by_the_core_for_its_own_environment() -> None:
    core = load("deploy.yml")
    for job in core["jobs"].values():
        for step in job.get("steps", []):
            if step.get("uses", "").startswith(CONFIGURE_AWS):
                assert step["with"]["role-to-assume"] == "${{ inputs.aws-role-arn }}"
                assert step["with"]["aws-region"] == "${{ inputs.aws-region }}"
    arns = re.findall(
        r"arn:aws:iam::\d+:role/[\w-]+",
        "".join(
            (WORKFLOWS / name).read_text()
            for name in ("deploy-dev.yml", "deploy-sit.yml", "deploy-prod.yml")
        ),
    )
    assert sorted(arns) == sorted(ROLES.values())


def test_dependabot_updates_pip_and_actions_into_develop() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())
    ecosystems = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(ecosystems) == {"pip", "github-actions"}
    assert all(update["target-branch"] == "develop" for update in config["updates"])
    # pydantic stays on 1.10 (the design card): Dependabot never proposes 2.
    assert {"dependency-name": "pydantic", "versions": [">=2"]} in ecosystems["pip"]["ignore"]
    assert "pydantic==1.10.18" in (ROOT / "requirements.txt").read_text().splitlines()
