"""The checks a deployment must pass before Terraform touches an account.

`make release-gate` (PROD's first job) reads the manual dispatch's inputs from the environment
(never interpolated into a shell) and refuses unless the run is on `main`, `CONFIRM` is exactly
`APPROVE-PROD`, `ROLLBACK_PLAN_URL` is an https link, and it is business hours.

`make stage-settings STAGE=…` (every deploy's first step) refuses a stage whose settings cannot
issue a valid tax invoice or an email a customer can answer: no supplier particulars, no VAT
number, no Reply-To, no portal URL; the message names the setting.

`make deploy-window` checks business hours again right before the PROD apply: approvals and the
30-minute cool-off can push a run past the window it started in.

`make approvals MIN=n` asks GitHub who approved this run's environment gates and refuses unless
at least n different people did, none of them the person who started the run. GitHub's
environments need only one of their reviewers, so SIT's 2 and PROD's 3 approvers are collected
by that many gate environments (docs/delivery.md) and counted here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

CONFIRMATION = "APPROVE-PROD"
RELEASE_REF = "refs/heads/main"
# Business hours where the team and the customers are (SAST, UTC+2, no daylight saving).
BUSINESS_ZONE = ZoneInfo("Africa/Johannesburg")
BUSINESS_DAYS = range(0, 5)  # Monday to Friday
BUSINESS_HOURS = (time(8, 0), time(16, 0))


class GateClosed(Exception):
    """A reason the deployment may not go ahead."""


def check_inputs(environ: dict[str, str]) -> list[str]:
    """Every problem with the PROD dispatch's inputs (empty when all is well)."""
    problems = []
    ref = environ.get("GITHUB_REF", "")
    if ref != RELEASE_REF:
        problems.append(f"PROD deploys only from main; this run is on {ref or 'no ref'}")
    confirm = environ.get("CONFIRM", "")
    if confirm != CONFIRMATION:
        problems.append(f"the confirmation input must be exactly {CONFIRMATION}, not {confirm!r}")
    url = environ.get("ROLLBACK_PLAN_URL", "").strip()
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.netloc or " " in url:
        problems.append(f"the rollback plan must be an https:// link, not {url!r}")
    return problems


CHALICE_CONFIG = Path(__file__).resolve().parents[1] / ".chalice" / "config.json"
SA_VAT_NUMBER = re.compile(r"^4[0-9]{9}$")  # chalicelib/models/supplier.py: ten digits from 4
EMAIL_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def check_settings(config: dict[str, Any], stage: str) -> list[str]:
    """Every stage setting missing for a valid tax invoice and a customer email that can be
    answered (API.md revision 3): naming the setting, and where it goes."""
    stages = config.get("stages", {})
    if stage not in stages:
        return [f"no stage {stage!r} in .chalice/config.json (stages: {', '.join(stages)})"]
    env = stages[stage].get("environment_variables", {})
    where = f".chalice/config.json stages.{stage}.environment_variables"
    problems = []
    raw = env.get("SUPPLIER_PARTICULARS")
    try:
        supplier = json.loads(raw) if raw else None
    except json.JSONDecodeError as exc:
        supplier = None
        problems.append(f"SUPPLIER_PARTICULARS in {where} is not JSON ({exc.msg})")
    if supplier is None and not problems:
        problems.append(
            f"SUPPLIER_PARTICULARS is not set in {where}: no tax invoice or credit note can be "
            "issued (docs/deploy.md, step 7)"
        )
    elif isinstance(supplier, dict):
        for field in ("name", "address"):
            if not supplier.get(field):
                problems.append(f"SUPPLIER_PARTICULARS.{field} is empty in {where}")
        if not SA_VAT_NUMBER.fullmatch(str(supplier.get("vatNumber") or "")):
            problems.append(
                f"SUPPLIER_PARTICULARS.vatNumber in {where} must be the supplier's VAT number "
                "(ten digits starting with 4): a tax invoice without it is not one (s20(4))"
            )
    if not EMAIL_ADDRESS.fullmatch(env.get("EMAIL_REPLY_TO", "")):
        problems.append(
            f"EMAIL_REPLY_TO is not an email address in {where}: customers' replies would go "
            "to the no-reply sender (the supplier's billing address, read by a person)"
        )
    if not urlparse(env.get("PORTAL_URL", "")).netloc:
        problems.append(f"PORTAL_URL is not set in {where}: customer emails link to the portal")
    return problems


def check_window(now: datetime) -> list[str]:
    """A problem when `now` is outside PROD's release window."""
    local = now.astimezone(BUSINESS_ZONE)
    start, end = BUSINESS_HOURS
    if local.weekday() in BUSINESS_DAYS and start <= local.time() < end:
        return []
    return [
        f"PROD deploys Monday to Friday {start:%H:%M}-{end:%H:%M} "
        f"{BUSINESS_ZONE.key}; it is {local:%A %H:%M} there"
    ]


@dataclass(frozen=True)
class Approval:
    """One reviewer's decision on one or more environments of the run."""

    user: str
    state: str
    environments: tuple[str, ...]


def run_approvals(environ: dict[str, str]) -> list[Approval]:
    """GitHub's review log of this workflow run (`actions: read` is enough)."""
    url = (
        f"{environ.get('GITHUB_API_URL', 'https://api.github.com')}/repos/"
        f"{environ['GITHUB_REPOSITORY']}/actions/runs/{environ['GITHUB_RUN_ID']}/approvals"
    )
    request = urllib.request.Request(  # noqa: S310 - a fixed https API URL
        url,
        headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {environ['GITHUB_TOKEN']}",
            "X-GitHub-Api-Version": "2022-11-28",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body: list[dict[str, Any]] = json.load(response)
    return [
        Approval(
            user=entry["user"]["login"],
            state=entry["state"],
            environments=tuple(e["name"] for e in entry.get("environments", [])),
        )
        for entry in body
    ]


def check_approvals(approvals: list[Approval], minimum: int, actor: str) -> list[str]:
    """A problem unless `minimum` different people, not the run's starter, approved."""
    rejected = [a for a in approvals if a.state == "rejected"]
    if rejected:
        return [f"{a.user} rejected {', '.join(a.environments)}" for a in rejected]
    approvers = {a.user for a in approvals if a.state == "approved"}
    if actor in approvers:
        return [f"{actor} started this run and approved it too: self-review does not count"]
    if len(approvers) < minimum:
        named = ", ".join(sorted(approvers)) or "nobody"
        return [f"{minimum} different approvers are required; so far {len(approvers)}: {named}"]
    return []


def main(
    argv: list[str],
    environ: dict[str, str] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    environ = dict(os.environ if environ is None else environ)
    parser = argparse.ArgumentParser(prog="release_gate")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("inputs", help="PROD dispatch inputs, branch and business hours")
    commands.add_parser("window", help="business hours only")
    approvals = commands.add_parser("approvals", help="distinct approvers of this run")
    approvals.add_argument("--min", type=int, required=True)
    settings = commands.add_parser(
        "settings", help="the stage's settings can issue a tax invoice and be answered"
    )
    settings.add_argument("--stage", required=True)
    args = parser.parse_args(argv)

    if args.command == "inputs":
        problems = check_inputs(environ) + check_window(clock())
    elif args.command == "settings":
        problems = check_settings(json.loads(CHALICE_CONFIG.read_text()), args.stage)
    elif args.command == "window":
        problems = check_window(clock())
    else:
        found = run_approvals(environ)
        problems = check_approvals(found, args.min, environ.get("GITHUB_TRIGGERING_ACTOR", ""))
        if not problems:
            print(f"approved by {', '.join(sorted({a.user for a in found}))}")
    for problem in problems:
        print(f"::error::{problem}" if environ.get("GITHUB_ACTIONS") else problem, file=sys.stderr)
    if not problems:
        print(f"release gate {args.command}: open")
        if args.command == "inputs" and environ.get("GITHUB_STEP_SUMMARY"):
            with open(environ["GITHUB_STEP_SUMMARY"], "a") as summary:
                summary.write(
                    f"### PROD release of {environ.get('GITHUB_SHA', '?')[:12]}\n\n"
                    f"Started by {environ.get('GITHUB_TRIGGERING_ACTOR', '?')}. "
                    f"Rollback plan: {environ['ROLLBACK_PLAN_URL'].strip()}\n"
                )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
