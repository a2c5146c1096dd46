"""`make infracost`: what a change costs per month in dev, sit and prod, by infracost.

    make infracost                              # the checkout's breakdown
    INFRACOST_BASE=../base make infracost       # and the difference from another checkout

infracost reads the packaged Terraform (HCL and Chalice's `chalice.tf.json`) with each
environment's tfvars and prices it from its Cloud Pricing API. It needs no AWS credentials,
but it does need an API key (`INFRACOST_API_KEY`, free: `infracost auth login`). Without a key
this says so and exits 0: forks and local runs do not fail for want of a key. With a key it
fails when infracost fails. It writes `build/infracost*.json`, and in GitHub Actions the diff
goes to the job summary, so no write permission on the pull request is needed.

Usage-based lines (Lambda requests, DynamoDB, SES) are priced by `make cost` from measured
per-order figures (docs/cost/README.md). infracost covers the fixed part and a change's delta.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("dev", "sit", "prod")
BUILD = ROOT / "build"
SKIPPED = (
    "infracost: skipped, INFRACOST_API_KEY is not configured. Add it as a repository secret "
    "(a free key: infracost auth login) to see each pull request's monthly cost difference."
)


class InfracostError(RuntimeError):
    """infracost could not run or failed; the message says why."""


def config(checkout: Path, stages: Sequence[str] = STAGES) -> str:
    """An infracost config file: one project per environment, with its tfvars (absolute paths)."""
    lines = ["version: 0.1", "projects:"]
    for stage in stages:
        directory = checkout / "infrastructure" / "environments" / stage
        lines += [
            f"  - path: {json.dumps(str(directory))}",
            f"    name: {stage}",
            "    terraform_var_files:",
            f"      - {stage}.tfvars",
        ]
    return "\n".join(lines) + "\n"


def package(checkout: Path, stages: Sequence[str] = STAGES) -> None:
    """`make package` for each stage in the checkout (infracost reads the packaged module)."""
    for stage in stages:
        result = subprocess.run(
            ["make", "--no-print-directory", "-C", str(checkout), "package", f"STAGE={stage}"],
            check=False,
        )
        if result.returncode != 0:
            raise InfracostError(f"make package STAGE={stage} failed in {checkout}")


def infracost(binary: str, *args: str) -> None:
    result = subprocess.run([binary, *args], check=False)
    if result.returncode != 0:
        raise InfracostError(f"infracost {args[0]} failed (exit {result.returncode})")


def run(
    environ: dict[str, str], root: Path = ROOT, build: Path = BUILD, packaging: bool = True
) -> str:
    """Breakdown (and diff against INFRACOST_BASE); returns what was written to the summary."""
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if not environ.get("INFRACOST_API_KEY"):
        print(SKIPPED)
        if summary:
            with Path(summary).open("a") as out:
                out.write(f"### infracost\n\n{SKIPPED}\n")
        return SKIPPED
    binary = shutil.which("infracost", path=environ.get("PATH"))
    if binary is None:
        raise InfracostError(
            "INFRACOST_API_KEY is set but infracost is not installed: "
            "https://www.infracost.io/docs/ (CI: infracost/actions/setup)"
        )
    build.mkdir(parents=True, exist_ok=True)
    base = environ.get("INFRACOST_BASE")
    checkouts = {"change": root, **({"base": Path(base).resolve()} if base else {})}
    for name, checkout in checkouts.items():
        if packaging:
            package(checkout)
        (build / f"infracost-{name}.yml").write_text(config(checkout))
    if base:
        infracost(
            binary,
            "breakdown",
            f"--config-file={build / 'infracost-base.yml'}",
            "--format=json",
            f"--out-file={build / 'infracost-base.json'}",
        )
        infracost(
            binary,
            "diff",
            f"--config-file={build / 'infracost-change.yml'}",
            f"--compare-to={build / 'infracost-base.json'}",
            "--format=json",
            f"--out-file={build / 'infracost.json'}",
        )
    else:
        infracost(
            binary,
            "breakdown",
            f"--config-file={build / 'infracost-change.yml'}",
            "--format=json",
            f"--out-file={build / 'infracost.json'}",
        )
    infracost(binary, "output", f"--path={build / 'infracost.json'}", "--format=table")
    markdown = build / "infracost.md"
    infracost(
        binary,
        "output",
        f"--path={build / 'infracost.json'}",
        "--format=github-comment",
        f"--out-file={markdown}",
    )
    text = markdown.read_text()
    if summary:
        with Path(summary).open("a") as out:
            out.write(f"### infracost\n\n{text}\n")
    return text


def main() -> int:
    try:
        run(dict(os.environ))
    except InfracostError as error:
        print(f"make infracost: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
