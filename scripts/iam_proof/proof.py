"""The proof: every call mapped and evaluated; which grant allowed what; what no call used."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.iam_proof.evaluation import Outcome, evaluate
from scripts.iam_proof.model import ROLE_POLICY, SIMULATOR, Call, Planned, Request, Unmapped
from scripts.iam_proof.requests import queue_name, requests_for

# What Lambda's event source mappings do with the function's role (AWS Lambda Developer Guide,
# "Using Lambda with Amazon SQS" and "… with DynamoDB": execution role permissions). The dev
# stack's pollers make other calls to find their queues and stream, and (LOCAL_RETRY_DELAY_S)
# shorten a failed message's wait with ChangeMessageVisibility, which Lambda does not: bookkeeping,
# not made in AWS.
MAPPING_OPERATIONS = {
    ("sqs", "ReceiveMessage"),
    ("sqs", "DeleteMessage"),
    ("sqs", "DeleteMessageBatch"),
    ("sqs", "GetQueueAttributes"),
    ("sqs", "SendMessage"),  # the stream mapping's on-failure destination
    ("dynamodbstreams", "DescribeStream"),
    ("dynamodbstreams", "GetRecords"),
    ("dynamodbstreams", "GetShardIterator"),
    ("dynamodbstreams", "ListStreams"),
}
# Grants no recorded call uses, each kept for a reason: every other unused grant fails the proof.
UNUSED_GRANTS = SIMULATOR / "unused-grants.json"


@functools.cache
def justified_unused(path: Path = UNUSED_GRANTS) -> dict[tuple[str, str, str], str]:
    """(function or "*", Sid, action) → why the grant stays though no call uses it."""
    entries = json.loads(path.read_text())["grants"]
    return {(e["function"], e["sid"], e["action"]): e["why"] for e in entries}


def justification(function: str, sid: str, action: str) -> str | None:
    """Why an unused grant stays, or None."""
    reasons = justified_unused()
    return reasons.get((function, sid, action)) or reasons.get(("*", sid, action))


@dataclass
class Proof:
    """What the proof found."""

    outcomes: list[Outcome]
    unmapped: list[str]
    bookkeeping: list[Call]  # the dev stack's pollers' own calls, not Lambda's
    grants: dict[tuple[str, str, str], int]  # (function, Sid, action) → calls it allowed

    @property
    def denied(self) -> list[Outcome]:
        """Every request AWS would refuse."""
        return [o for o in self.outcomes if o.result != "Allowed"]

    @property
    def unused(self) -> list[tuple[str, str, str]]:
        """(function, Sid, action) of every grant no call used."""
        return sorted(g for g, used in self.grants.items() if not used)

    @property
    def unjustified(self) -> list[tuple[str, str, str]]:
        """Unused grants with no reason to stay."""
        return [g for g in self.unused if justification(*g) is None]

    def report(self) -> dict[str, Any]:
        """The proof as JSON: calls per function, denials, unused grants and their reasons."""
        return {
            "requestsPerFunction": self.calls_per_function(),
            "denied": [o.request.describe() for o in self.denied],
            "unmapped": self.unmapped,
            "unusedGrants": [
                {"function": f, "sid": sid, "action": a, "why": justification(f, sid, a)}
                for f, sid, a in self.unused
            ],
            "devStackBookkeeping": sorted({c.describe() for c in self.bookkeeping}),
        }

    def calls_per_function(self) -> dict[str, list[str]]:
        """The distinct (action on resource) each function's calls needed."""
        found: dict[str, set[str]] = {}
        for outcome in self.outcomes:
            request = outcome.request
            if request.function is not None:
                found.setdefault(request.function, set()).add(
                    f"{request.action} {request.resource}"
                )
        return {f: sorted(v) for f, v in sorted(found.items())}


def grants_of(planned: Planned) -> dict[tuple[str, str, str], int]:
    """Every (function, Sid, action) the roles' policies allow, none used yet."""
    grants: dict[tuple[str, str, str], int] = {}
    for function, policy in planned.roles.items():
        for statement in policy["Statement"]:
            if statement.get("Effect") != "Allow":
                continue
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            for action in actions:
                grants[(function, statement.get("Sid", ""), action)] = 0
    return grants


def _matches(pattern: str, action: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), action, re.IGNORECASE) is not None


def _lambdas_own(call: Call, own_queues: Mapping[str, set[str]]) -> bool:
    """Whether Lambda's event source mapping would make this call (with the function's role):
    one of the documented operations, on the function's own queue (or on-failure queue)."""
    if (call.service, call.operation) not in MAPPING_OPERATIONS:
        return False
    return call.service != "sqs" or queue_name(call) in own_queues.get(call.function, set())


def prove(calls: Iterable[Call], planned: Planned, own_queues: Mapping[str, set[str]]) -> Proof:
    """Map every call, evaluate every request, and count which grant allowed what.

    `own_queues`: per function, the queues its event source mapping reads (or, for the stream
    consumer, reports failures to); the dev stack's pollers' other calls are bookkeeping.
    """
    requests: list[Request] = []
    unmapped: list[str] = []
    bookkeeping: list[Call] = []
    for call in calls:
        if call.caller == "mapping" and not _lambdas_own(call, own_queues):
            bookkeeping.append(call)
            continue
        try:
            requests += requests_for(call, planned)
        except Unmapped as error:
            unmapped.append(str(error))
    unique = list(
        {
            (r.principal, r.function, r.action, r.resource, r.context, r.resource_policy): r
            for r in requests
        }.values()
    )
    outcomes = evaluate(unique, planned)
    grants = grants_of(planned)
    for outcome in outcomes:
        function = outcome.request.function
        for where, policy, sid in outcome.allowed_by:
            if where != "identity" or policy != ROLE_POLICY or function is None:
                continue
            for granted_function, granted_sid, action in grants:
                if (granted_function, granted_sid) == (function, sid) and _matches(
                    action, outcome.request.action
                ):
                    grants[(granted_function, granted_sid, action)] += 1
    return Proof(outcomes, sorted(set(unmapped)), bookkeeping, grants)


def without_statement(proof: Proof, planned: Planned, function: str, sid: str) -> list[Outcome]:
    """The requests `function`'s statement `sid` allowed, evaluated again without it: those
    still allowed are covered twice; the denied ones name what the statement is for."""
    allowed = [
        o.request
        for o in proof.outcomes
        if o.request.function == function and ("identity", ROLE_POLICY, sid) in o.allowed_by
    ]
    return evaluate(allowed, planned, without=(function, sid))
