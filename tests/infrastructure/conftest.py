"""Fixtures for the Terraform tests: a packaged copy of infrastructure/, an emulator, plans.

Terraform runs where it is installed (CI here has it, with a local provider mirror) and these
tests skip with the reason where it is not. Packaging needs the Lambda runtime's Python (3.12).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.stack import http_ok, wait_until
from scripts import package, terraform
from tests.e2e.stack_process import free_port
from tests.infrastructure.emulator import (
    emulator_provider,
)

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ("dev", "sit", "prod")
needs_terraform = pytest.mark.skipif(
    terraform.binary() is None,
    reason="terraform is not installed: the Terraform checks need it on PATH",
)
needs_runtime_python = pytest.mark.skipif(
    sys.version_info[:2] != package.RUNTIME,
    reason="make package needs Python 3.12, the Lambda runtime (the venv runs another)",
)


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's Terraform with every stage packaged (`make package`)."""
    if sys.version_info[:2] != package.RUNTIME:
        pytest.skip("make package needs Python 3.12, the Lambda runtime")
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(
        ROOT / "infrastructure",
        root / "infrastructure",
        ignore=shutil.ignore_patterns("service", ".terraform", "*.tfstate*", ".terraform.lock.hcl"),
    )
    shutil.copytree(ROOT / "infrastructure" / "service", root / "infrastructure" / "service")
    shutil.copytree(
        ROOT / "chalicelib" / "templates" / "email", root / "chalicelib" / "templates" / "email"
    )
    for stage in (*ENVIRONMENTS, package.SANDBOX):
        package.package(stage, environments=root / "infrastructure" / "environments")
    return root


def generated(workspace: Path, stage: str) -> dict[str, Any]:
    """The fixed `chalice.tf.json` of a stage."""
    path = workspace / "infrastructure" / "environments" / stage / "service" / "chalice.tf.json"
    return dict(json.loads(path.read_text()))


@contextlib.contextmanager
def emulator_process(folder: Path) -> Iterator[str]:
    """The local stack's emulator (moto server, AWS's limits enforced) on a free port."""
    port = free_port()
    with (folder / "moto.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack.emulator", "-H", "127.0.0.1", "-p", str(port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: http_ok(f"{url}/moto-api/"), "The AWS emulator", 30, process)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The local stack's emulator (moto server) on a free port."""
    with emulator_process(tmp_path_factory.mktemp("emulator")) as url:
        yield url


def deployed(function: str, stage: str) -> str:
    """A function's deployed name, as the requirements spell it (section 4.2: kebab-case)."""
    return f"bbws-order-lambda-{function.replace('_', '-')}-{stage}"


# Each environment's primary region (requirements section 5.1; its tfvars say the same).
PRIMARY_REGIONS = {
    "dev": "eu-west-1",
    "sit": "eu-west-1",
    "prod": "af-south-1",
    "sandbox": "eu-west-1",
}


def plan(
    workspace: Path, stage: str, url: str, extra_var_files: tuple[Path, ...] = ()
) -> dict[str, Any]:
    """`terraform plan` of an environment against the emulator, as JSON.

    An override file swaps the S3 backend for a local one and points the providers at the
    emulator; everything else is the environment exactly as deployed, with its tfvars (and, for
    a sandbox, the developer's own variables).
    """
    directory = workspace / "infrastructure" / "environments" / stage
    providers = [emulator_provider(url, PRIMARY_REGIONS[stage])]
    if (directory / "dr.tf").exists():
        providers.append(emulator_provider(url, "eu-west-1", "dr"))
    (directory / "zz_emulator_override.tf.json").write_text(
        json.dumps({"terraform": {"backend": {"local": {}}}, "provider": {"aws": providers}})
    )
    terraform.run(["init", "-reconfigure", "-input=false"], directory)
    var_files = [f"-var-file={stage}.tfvars", *(f"-var-file={f}" for f in extra_var_files)]
    terraform.run(["plan", "-input=false", *var_files, "-out=plan.out"], directory)
    shown = terraform.run(["show", "-json", "plan.out"], directory).stdout
    (directory / "zz_emulator_override.tf.json").unlink()
    return dict(json.loads(shown))


@pytest.fixture(scope="session")
def plans(workspace: Path, emulator: str) -> dict[str, dict[str, Any]]:
    """The plan of every environment."""
    if terraform.binary() is None:
        pytest.skip("terraform is not installed: the Terraform checks need it on PATH")
    return {stage: plan(workspace, stage, emulator) for stage in ENVIRONMENTS}


def resources(plan_json: dict[str, Any]) -> list[dict[str, Any]]:
    """Every planned resource (all modules), with `address`, `type` and `values`."""
    found: list[dict[str, Any]] = []

    def walk(module: dict[str, Any]) -> None:
        found.extend(module.get("resources", []))
        for child in module.get("child_modules", []):
            walk(child)

    walk(plan_json["planned_values"]["root_module"])
    return found


def of_type(
    plan_json: dict[str, Any], kind: str, module: str | None = None
) -> list[dict[str, Any]]:
    """Planned resources of one type, optionally within one module call (e.g. `service_dr`)."""
    return [
        r
        for r in resources(plan_json)
        if r["type"] == kind and (module is None or r["address"].startswith(f"module.{module}."))
    ]


@pytest.fixture(scope="session")
def applied(emulator: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The modules applied to the emulator once a run (tests/infrastructure/applied.py);
    returns a client factory for it."""
    if terraform.binary() is None:
        pytest.skip("terraform is not installed: the Terraform checks need it on PATH")
    from tests.infrastructure.applied import apply

    return apply(emulator, tmp_path_factory.mktemp("apply"))
