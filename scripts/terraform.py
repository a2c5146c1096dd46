"""Run Terraform the same way from `make` and from the tests.

Finds the binary, and where the machine has a local provider mirror (no registry access: set
`TF_PLUGIN_MIRROR`, or the mirror at /opt/tf-plugins is found), writes a CLI configuration that
installs hashicorp providers from it.

- `check [env ...]` (`make terraform`) packages nothing: `fmt -check -recursive`, then
  `init -backend=false && validate` on each packaged environment;
- `plan ENV` (`make plan`) inits with the environment's S3 state and saves the plan to
  `infrastructure/environments/ENV/tfplan`; the readable plan goes to `build/plan-ENV.txt` and,
  in GitHub Actions, to the job summary for the approvers. It refuses tfvars that still hold
  `REPLACE` placeholders;
- `apply ENV` (`make apply`) applies exactly that saved plan (Terraform refuses a stale one),
  then writes the outputs to `build/outputs-ENV.json` and the URLs to `$GITHUB_OUTPUT`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
INFRASTRUCTURE = ROOT / "infrastructure"
BUILD = ROOT / "build"
ENVIRONMENTS = ("dev", "sit", "prod")
PLAN_FILE = "tfplan"
SUMMARY_LIMIT = 60_000  # characters of plan in the job summary (GitHub allows 1 MiB)
# Outputs handed to the smoke tests: output name → $GITHUB_OUTPUT key.
URL_OUTPUTS = {"api_url": "api_url", "dr_api_invoke_url": "dr_api_url"}
DEFAULT_MIRRORS = ("/opt/tf-plugins", "~/.terraform.d/plugins")


def binary() -> str | None:
    """The terraform executable, if installed."""
    return shutil.which("terraform")


def mirror() -> Path | None:
    """A local provider mirror holding hashicorp/aws, if the machine has one."""
    candidates = [os.environ.get("TF_PLUGIN_MIRROR", ""), *DEFAULT_MIRRORS]
    for candidate in filter(None, candidates):
        path = Path(candidate).expanduser()
        if (path / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return path
    return None


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """Process environment for Terraform: the mirror's CLI config, no prompts, no colour."""
    env = dict(os.environ if base is None else base)
    env.setdefault("TF_IN_AUTOMATION", "1")
    env.setdefault("TF_INPUT", "0")
    found = mirror()
    configured = env.get("TF_CLI_CONFIG_FILE", "")
    if found and not (configured and Path(configured).expanduser().is_file()):
        config = Path(tempfile.gettempdir()) / "bbws-terraform-mirror.tfrc"
        config.write_text(
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{found}"\n'
            '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
            '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n'
        )
        env["TF_CLI_CONFIG_FILE"] = str(config)
    return env


def run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`terraform <args>` in `cwd`; raises with Terraform's own output when it fails."""
    executable = binary()
    if executable is None:
        raise RuntimeError("terraform is not installed (https://developer.hashicorp.com/terraform)")
    result = subprocess.run(
        [executable, *args, "-no-color"] if args[0] != "fmt" else [executable, *args],
        cwd=cwd,
        env=environment(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"terraform {' '.join(args)} failed in {cwd}:\n{result.stdout}{result.stderr}"
        )
    return result


def check(environments: tuple[str, ...] = ENVIRONMENTS, root: Path = INFRASTRUCTURE) -> None:
    """fmt over the tree, then init + validate each packaged environment."""
    run(["fmt", "-check", "-recursive", "-diff"], root)
    print("terraform fmt -check -recursive: clean", flush=True)
    for name in environments:
        directory = root / "environments" / name
        if not (directory / "service" / "chalice.tf.json").exists():
            raise RuntimeError(f"{name} is not packaged: run make package STAGE={name}")
        run(["init", "-backend=false", "-input=false"], directory)
        print(f"{name}: {run(['validate'], directory).stdout.strip()}", flush=True)


def environment_dir(name: str, root: Path = INFRASTRUCTURE) -> Path:
    """A packaged environment's root module."""
    if name not in ENVIRONMENTS:
        raise RuntimeError(f"unknown environment {name!r}: one of {', '.join(ENVIRONMENTS)}")
    directory = root / "environments" / name
    if not (directory / "service" / "chalice.tf.json").exists():
        raise RuntimeError(f"{name} is not packaged: run make package STAGE={name}")
    return directory


def placeholders(tfvars: Path) -> list[str]:
    """Variables whose value is still a `REPLACE…` placeholder."""
    pattern = re.compile(r"^\s*(\w+)\s*=.*REPLACE", re.MULTILINE)
    return pattern.findall(tfvars.read_text())


def append(path: str | None, text: str) -> None:
    """Append to a GitHub Actions file ($GITHUB_STEP_SUMMARY, $GITHUB_OUTPUT) when set."""
    if path:
        with Path(path).open("a") as out:
            out.write(text)


def plan(name: str, root: Path = INFRASTRUCTURE, build: Path = BUILD) -> str:
    """init (S3 state) and a saved plan; returns Terraform's one-line summary."""
    directory = environment_dir(name, root)
    tfvars = directory / f"{name}.tfvars"
    missing = placeholders(tfvars)
    if missing:
        raise RuntimeError(
            f"{tfvars.relative_to(root.parent)} still has placeholders for {', '.join(missing)}: "
            "fill them in first (docs/deploy.md, bootstrap)"
        )
    (directory / PLAN_FILE).unlink(missing_ok=True)
    run(["init", "-input=false"], directory)
    result = run(
        [
            "plan",
            "-input=false",
            "-lock-timeout=5m",
            f"-var-file={tfvars.name}",
            f"-out={PLAN_FILE}",
        ],
        directory,
    )
    print(result.stdout, flush=True)
    shown = run(["show", PLAN_FILE], directory).stdout
    build.mkdir(parents=True, exist_ok=True)
    (build / f"plan-{name}.txt").write_text(shown)
    summary = next(
        (
            line.strip()
            for line in reversed(result.stdout.splitlines())
            if line.startswith(("Plan:", "No changes."))
        ),
        "no summary line in the plan output",
    )
    destroys = re.findall(r"^\s*# (\S+) (?:will be destroyed|must be replaced)", shown, re.M)
    warning = (
        f"\n> [!WARNING]\n> {len(destroys)} resource(s) destroyed or replaced: "
        + ", ".join(f"`{d}`" for d in destroys)
        + "\n"
        if destroys
        else ""
    )
    body = shown if len(shown) <= SUMMARY_LIMIT else shown[:SUMMARY_LIMIT] + "\n… (truncated)"
    append(
        os.environ.get("GITHUB_STEP_SUMMARY"),
        f"### Terraform plan: {name}\n\n{summary}\n{warning}\n<details><summary>The plan"
        f"</summary>\n\n```\n{body}\n```\n</details>\n\n",
    )
    print(f"{name}: {summary} (saved to {directory.relative_to(root.parent)}/{PLAN_FILE})")
    return summary


def apply(name: str, root: Path = INFRASTRUCTURE, build: Path = BUILD) -> dict[str, Any]:
    """Apply the saved plan of `plan`, then record the outputs; returns them."""
    directory = environment_dir(name, root)
    if not (directory / PLAN_FILE).exists():
        raise RuntimeError(f"no saved plan in {directory}: run make plan STAGE={name} first")
    run(["init", "-input=false"], directory)
    result = run(["apply", "-input=false", "-lock-timeout=5m", PLAN_FILE], directory)
    print(result.stdout, flush=True)
    return outputs(name, root, build)


def outputs(name: str, root: Path = INFRASTRUCTURE, build: Path = BUILD) -> dict[str, Any]:
    """`terraform output -json` to build/outputs-ENV.json, the URLs to $GITHUB_OUTPUT."""
    directory = root / "environments" / name
    shown = json.loads(run(["output", "-json"], directory).stdout)
    values = {key: output["value"] for key, output in shown.items() if not output["sensitive"]}
    build.mkdir(parents=True, exist_ok=True)
    (build / f"outputs-{name}.json").write_text(json.dumps(values, indent=2) + "\n")
    append(
        os.environ.get("GITHUB_OUTPUT"),
        "".join(f"{key}={values[out]}\n" for out, key in URL_OUTPUTS.items() if out in values),
    )
    return values


def main(argv: list[str]) -> int:
    """`check [env ...]`, `plan ENV`, `apply ENV`, or `<terraform args>` in the cwd."""
    try:
        if argv[:1] == ["check"]:
            check(tuple(argv[1:]) or ENVIRONMENTS)
            return 0
        if argv[:1] in (["plan"], ["apply"]):
            if len(argv) != 2:
                raise RuntimeError(f"usage: make {argv[0]} STAGE=dev|sit|prod")
            (plan if argv[0] == "plan" else apply)(argv[1])
            return 0
        executable = binary()
        if executable is None:
            raise RuntimeError("terraform is not installed")
        return subprocess.call([executable, *argv], env=environment())
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
