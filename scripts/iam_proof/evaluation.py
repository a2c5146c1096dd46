"""IAM requests through iam-simulate (scripts/iam/simulate.mjs), one Node process a batch."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.iam_proof.model import ROLE_POLICY, SIMULATOR, Planned, Request


def _resource_policy(planned: Planned, name: str | None) -> Any:
    if name is None:
        return None
    kind, _, which = name.partition(":")
    table = {"queue": planned.queues, "topic": planned.topics, "bucket": planned.buckets}
    if kind == "key":
        return planned.keys[which]
    return table[kind][which]["policy"]


def simulation(
    request: Request, planned: Planned, without: tuple[str, str] | None = None
) -> dict[str, Any]:
    """iam-simulate's input for one request (`without`: (function, Sid) of a statement left out)."""
    identity: list[dict[str, Any]] = []
    boundary: list[dict[str, Any]] | None = None
    if request.function is not None:
        policy = planned.roles[request.function]
        if without is not None and without[0] == request.function:
            policy = {
                **policy,
                "Statement": [s for s in policy["Statement"] if s.get("Sid") != without[1]],
            }
        identity = [{"name": ROLE_POLICY, "policy": policy}]
        if planned.boundary is not None:
            boundary = [{"name": "bbws-order-boundary", "policy": planned.boundary}]
    context = {
        "aws:PrincipalAccount": planned.account,
        "aws:RequestedRegion": request.call.region,
        **({"aws:PrincipalArn": request.principal} if request.function else {}),
        **{k: list(v) if isinstance(v, tuple) else v for k, v in request.context},
    }
    found: dict[str, Any] = {
        "request": {
            "principal": request.principal,
            "action": request.action,
            "resource": {"resource": request.resource, "accountId": planned.account},
            "contextVariables": context,
        },
        "identityPolicies": identity,
        "serviceControlPolicies": [],
        "resourceControlPolicies": [],
    }
    policy = _resource_policy(planned, request.resource_policy)
    if policy is not None:
        found["resourcePolicy"] = policy
    if boundary is not None:
        found["permissionBoundaryPolicies"] = boundary
    return found


@dataclass(frozen=True)
class Outcome:
    """iam-simulate's answer to one request."""

    request: Request
    result: str  # Allowed, ImplicitlyDenied, ExplicitlyDenied, Error
    allowed_by: tuple[tuple[str, str, str], ...]  # (identity|resource, policy, Sid)
    errors: Any = None


def evaluate(
    requests: list[Request],
    planned: Planned,
    without: tuple[str, str] | None = None,
    simulator: Path = SIMULATOR,
) -> list[Outcome]:
    """Run every request through iam-simulate (one Node process for all of them)."""
    if not requests:
        return []
    cases = [
        {"id": i, "simulation": simulation(r, planned, without)} for i, r in enumerate(requests)
    ]
    done = subprocess.run(
        ["node", str(simulator / "simulate.mjs")],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        cwd=simulator,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"iam-simulate failed: {done.stderr[-3000:]}")
    answers = {a["id"]: a for a in json.loads(done.stdout)}
    return [
        Outcome(
            request=r,
            result=answers[i]["result"],
            allowed_by=tuple(tuple(x) for x in answers[i]["allowedBy"]),
            errors=answers[i]["errors"],
        )
        for i, r in enumerate(requests)
    ]
