"""Run Terraform the same way from `make` and from the tests.

Finds the binary, and where the machine has a local provider mirror (no registry access: set
`TF_PLUGIN_MIRROR`, or the mirror at /opt/tf-plugins is found), writes a CLI configuration that
installs hashicorp providers from it. `python scripts/terraform.py check` packages nothing: it
runs `fmt -check -recursive` and `init -backend=false && validate` on every packaged environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INFRASTRUCTURE = ROOT / "infrastructure"
ENVIRONMENTS = ("dev", "sit", "prod")
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


def main(argv: list[str]) -> int:
    """`python scripts/terraform.py check [env ...]` or `... <terraform args>` in the cwd."""
    try:
        if argv[:1] == ["check"]:
            check(tuple(argv[1:]) or ENVIRONMENTS)
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
