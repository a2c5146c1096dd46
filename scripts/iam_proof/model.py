"""What the proof reasons about: recorded calls, the planned account, IAM requests."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SIMULATOR = ROOT / "scripts" / "iam"
BOUNDARY = ROOT / "infrastructure" / "bootstrap" / "permissions-boundary.json"
ROLE_POLICY = "least-privilege"


class Unmapped(ValueError):
    """A call the proof does not know how to authorise: add it to `requests_for`."""


@dataclass(frozen=True)
class Call:
    """One recorded AWS call of one function."""

    function: str
    caller: str
    service: str
    operation: str
    region: str
    params: Mapping[str, Any]
    presigned: bool = False

    def describe(self) -> str:
        """`service Operation target` as a person reads it."""
        target = next(
            (
                str(self.params[name])
                for name in (
                    "TableName",
                    "QueueUrl",
                    "QueueName",
                    "TopicArn",
                    "Bucket",
                    "SecretId",
                    "StreamArn",
                    "Source",
                )
                if name in self.params
            ),
            "",
        )
        key = self.params.get("Key")
        where = f"{target}/{key}" if isinstance(key, str) else target
        how = " (presigned link)" if self.presigned else ""
        return f"{self.function}: {self.service} {self.operation} {where}{how}".rstrip()


def load_calls(folder: Path) -> list[Call]:
    """Every distinct call in a recording folder."""
    seen: dict[str, Call] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            key = json.dumps(record, sort_keys=True)
            if key not in seen:
                seen[key] = Call(
                    function=record["function"],
                    caller=record["caller"],
                    service=record["service"],
                    operation=record["operation"],
                    region=record["region"] or "eu-west-1",
                    params=record["params"],
                    presigned=bool(record.get("presigned")),
                )
    return list(seen.values())


@dataclass
class Planned:
    """The account as the applied modules built it, and the policies that decide."""

    account: str
    region: str
    role_names: dict[str, str]  # function → role name
    roles: dict[str, dict[str, Any]]  # function → identity policy
    boundary: dict[str, Any] | None
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → arn, stream, keys
    queues: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → arn, policy, key
    topics: dict[str, dict[str, Any]] = field(default_factory=dict)  # arn → policy, key, subs
    buckets: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → policy, key
    secrets: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → arn, key
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # key arn → key policy
    key_tags: dict[str, dict[str, str]] = field(default_factory=dict)  # key arn → its tags

    def role_arn(self, function: str) -> str:
        """The function's execution role."""
        return f"arn:aws:iam::{self.account}:role/{self.role_names[function]}"


@dataclass(frozen=True)
class Request:
    """One IAM authorisation AWS makes for a call."""

    call: Call
    principal: str
    action: str
    resource: str
    context: tuple[tuple[str, Any], ...] = ()
    resource_policy: str | None = None  # "queue:NAME", "topic:ARN", "bucket:NAME", "key:ARN"
    function: str | None = None  # whose role is evaluated (None: a service principal)

    def describe(self) -> str:
        """`action on resource`, and the call that needed it."""
        who = self.function or self.principal
        return f"{who}: {self.action} on {self.resource} (for {self.call.describe()})"


def as_json(value: Any) -> Any:
    """A policy as a dict (the APIs answer JSON text or, in moto, sometimes the dict)."""
    return json.loads(value) if isinstance(value, str) else value
