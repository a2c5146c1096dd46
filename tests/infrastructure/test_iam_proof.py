"""The IAM proof (issue 28, ADR 0027): every AWS call the e2e suite's functions made is allowed
by the policies Terraform builds, evaluated by iam-simulate; unused grants are justified or gone.

The e2e tests run first in the same pytest run (tests/e2e sorts before tests/infrastructure) and
their stacks record each function's calls (devstack/aws_calls.py). The policies are the iam,
messaging, storage, kms and cursor-secret modules applied to the emulator with stage `local`'s
names (tests/infrastructure/applied.py), read back, with the permissions boundary every role
carries (infrastructure/bootstrap/permissions-boundary.json). `make iam-proof` runs this file
after the e2e suite; `build/iam-proof.json` keeps the report.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chalicelib.topology import CONSUMERS, ORDER_STATUS_STREAM
from scripts import package
from scripts.iam_proof import (
    ROLE_POLICY,
    Planned,
    Proof,
    load_calls,
    prove,
    read_planned,
    without_statement,
)
from tests.infrastructure.applied import LOCAL, TIMEOUTS
from tests.infrastructure.conftest import ROOT, needs_terraform

pytestmark = [
    needs_terraform,
    pytest.mark.skipif(
        shutil.which("node") is None, reason="node is not installed: iam-simulate runs on it"
    ),
    pytest.mark.skipif(
        not (ROOT / "scripts" / "iam" / "node_modules").exists(),
        reason="iam-simulate is not installed: make iam-simulate (make test does it)",
    ),
]
ROLES = {function: package.function_name(function, "local") for function in TIMEOUTS}
# The queues each function's event source mapping reads, or reports failures to.
OWN_QUEUES = {c.function: {LOCAL[c.queue_env]} for c in CONSUMERS} | {
    ORDER_STATUS_STREAM.function: {LOCAL[ORDER_STATUS_STREAM.dlq_env]}
}


@pytest.fixture(scope="module")
def planned(applied: Callable[[str], Any]) -> Planned:
    return read_planned(applied, ROLES)


@pytest.fixture(scope="module")
def proof(planned: Planned, aws_call_log: Path, request: pytest.FixtureRequest) -> Proof:
    if not any(item.get_closest_marker("e2e") for item in request.session.items):
        pytest.skip(
            "the IAM proof evaluates the e2e suite's calls: run it with tests/e2e (make iam-proof)"
        )
    calls = load_calls(aws_call_log)
    assert calls, f"the e2e suite recorded no AWS call in {aws_call_log}"
    found = prove(calls, planned, OWN_QUEUES)
    report = ROOT / "build" / "iam-proof.json"
    report.parent.mkdir(exist_ok=True)
    report.write_text(json.dumps({"calls": len(calls), **found.report()}, indent=2))
    return found


def test_every_call_the_functions_made_is_allowed(proof: Proof) -> None:
    assert proof.unmapped == [], (
        "calls the proof cannot authorise: map them in scripts/iam_proof.py"
    )
    denied = "\n".join(sorted(o.request.describe() + f" → {o.result}" for o in proof.denied))
    assert not denied, f"AWS would refuse:\n{denied}"
    functions = {o.request.function for o in proof.outcomes if o.request.function}
    assert functions == set(ROLES), "a function made no call the e2e suite saw"


def test_every_grant_is_used_or_justified(proof: Proof) -> None:
    assert proof.unjustified == [], (
        "grants no call used: remove them from infrastructure/modules/iam or justify them in "
        "scripts/iam_proof.JUSTIFIED_UNUSED"
    )


def test_removing_one_statement_fails_the_proof_naming_the_call(
    proof: Proof, planned: Planned
) -> None:
    refused = [
        o.request.describe()
        for o in without_statement(proof, planned, "api_handler", "EnqueueCreation")
        if o.result != "Allowed"
    ]
    queue = "arn:aws:sqs:eu-west-1:123456789012:bbws-order-creation-local"
    needed = f"api_handler: sqs:SendMessage on {queue} (for api_handler: sqs SendMessage"
    assert any(d.startswith(needed) for d in refused), refused


def test_no_statement_that_allowed_a_call_can_go(proof: Proof, planned: Planned) -> None:
    """Each statement a call used is the only one allowing some call: removing any fails."""
    used = sorted(
        {
            (o.request.function, sid)
            for o in proof.outcomes
            for where, policy, sid in o.allowed_by
            if where == "identity" and policy == ROLE_POLICY and o.request.function
        }
    )
    assert used
    redundant = [
        (function, sid)
        for function, sid in used
        if all(o.result == "Allowed" for o in without_statement(proof, planned, function, sid))
    ]
    assert redundant == [], "statements whose every call another statement allows too"
