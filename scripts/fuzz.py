"""`make fuzz`: schemathesis with every check, as two tenants, against a fresh local stack.

Rounds of `st run --checks all` (each with its own seed) run until at least `--requests`
requests were sent. The first round posts back-office orders as an administrator (priced lines:
a customer's are 400, and a generated cartId names no cart). The others sign in as alice
(tenant-a) and bob (tenant-b): schemathesis uses both identities, and its object-level
authorization check replays one tenant's reads as the other.
Then the pipeline is left to finish every accepted order, and each dead-letter queue must be
empty: no input the API accepted may poison a processor.

The figures (requests, answers by status, 5xx, check failures, dead letters) are printed and kept
in `<out>/summary.json`; each round's schemathesis reports (JSON and HAR) are beside it. The exit
status is 0 only with enough requests, no 5xx, no failed check and no dead letter.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devstack.token import id_token  # noqa: E402 - after the path is set
from tests.e2e.stack_process import RunningStack, queue_counts, stack_client  # noqa: E402

TENANTS = {"alice": "alice@tenant-a.example", "bob": "bob@tenant-b.example"}
# Customers order carts, and a generated cartId names no cart: priced lines, the input that
# reaches the PDF and the emails, are the back office's. One round posts them as an admin.
BACK_OFFICE = "ops@bbws.example"
# POST answers 202: a GET right after it may not find the order yet (see schemathesis.toml).
EXCLUDED_CHECKS = "ensure_resource_availability"


@dataclass
class Summary:
    """What the fuzzing found."""

    requests: int = 0
    generated: int = 0
    rounds: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    server_errors: int = 0
    check_failures: int = 0
    failures: list[str] = field(default_factory=list)
    dead_letters: dict[str, int] = field(default_factory=dict)
    drained: bool = False
    seconds: float = 0.0

    def passed(self, minimum: int) -> bool:
        return (
            self.requests >= minimum
            and self.server_errors == 0
            and self.check_failures == 0
            and self.drained
            and not any(self.dead_letters.values())
        )


def _config(out: Path, stack: dict[str, Any]) -> Path:
    """The repository's schemathesis.toml plus the two tenants as WFC identities (peers)."""
    auth = {
        "schemaVersion": "1.0",
        "auth": [
            {
                "name": name,
                "fixedHeaders": [
                    {"name": "Authorization", "value": f"Bearer {id_token(stack, user)}"}
                ],
            }
            for name, user in TENANTS.items()
        ],
    }
    auth_file = out / "auth.json"
    auth_file.write_text(json.dumps(auth, indent=2))
    config = out / "schemathesis.toml"
    config.write_text(
        (ROOT / "schemathesis.toml").read_text()
        + f'\n[auth.wfc]\npath = "{auth_file}"\npeers = {json.dumps(list(TENANTS))}\n'
    )
    return config


def _round(
    stack: dict[str, Any],
    out: Path,
    seed: int,
    max_examples: int,
    workers: int,
    *,
    back_office: bool = False,
) -> tuple[dict[str, Any], collections.Counter[int], str]:
    """One `st run`: (its JSON report, status counts from its HAR, its console output).

    `back_office`: only `POST /v1.0/orders`, as an administrator (priced lines are accepted).
    """
    out.mkdir(parents=True, exist_ok=True)
    if back_office:
        config = out / "schemathesis.toml"
        config.write_text((ROOT / "schemathesis.toml").read_text())
        only = [
            "--include-path", "/v1.0/orders", "--include-method", "POST",
            # its links lead to operations this round leaves out: no stateful phase
            "--phases", "examples,coverage,fuzzing",
            "--header", f"Authorization: Bearer {id_token(stack, BACK_OFFICE)}",
        ]  # fmt: skip
    else:
        config = _config(out, stack)  # fresh tokens for each round (they live an hour)
        only = []
    st = Path(sys.executable).parent / "st"
    result = subprocess.run(
        [
            str(st), "--config-file", str(config), "run", str(ROOT / "docs" / "openapi.json"),
            "--url", stack["apiUrl"],
            "--checks", "all", "--exclude-checks", EXCLUDED_CHECKS,
            "--max-examples", str(max_examples), "--seed", str(seed),
            "--workers", str(workers),
            "--report", "json,har", "--report-dir", str(out),
            *only,
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    (out / "schemathesis.out").write_text(output)
    reports = sorted(out.glob("json-*.json"))
    hars = sorted(out.glob("har-*.json"))
    if not reports or not hars:
        raise SystemExit(
            f"schemathesis wrote no report (exit {result.returncode}):\n{output[-3000:]}"
        )
    report = json.loads(reports[-1].read_text())
    entries = json.loads(hars[-1].read_text())["log"]["entries"]
    statuses = collections.Counter(int(e["response"]["status"]) for e in entries)
    return report, statuses, output


def _failures(output: str) -> list[str]:
    start = output.find("FAILURES")
    return [output[start : start + 4000]] if start >= 0 else []


def drain(stack: dict[str, Any], timeout_s: float, say: Any) -> tuple[bool, dict[str, int]]:
    """Wait for every work queue to empty; (drained, dead letters per processor)."""
    sqs = stack_client(stack, "sqs")
    queues = stack["queues"]
    deadline = time.monotonic() + timeout_s
    quiet = 0
    drained = False
    while time.monotonic() < deadline:
        pending = {name: sum(queue_counts(sqs, q["url"])) for name, q in queues.items()}
        quiet = quiet + 1 if not any(pending.values()) else 0
        if quiet >= 3:  # three empty looks in a row: nothing is between two queues either
            drained = True
            break
        if quiet == 0:
            say("  pipeline: " + ", ".join(f"{n} {c}" for n, c in pending.items()) + " pending")
        time.sleep(5 if quiet == 0 else 2)
    dead = {name: sum(queue_counts(sqs, q["dlqUrl"])) for name, q in queues.items()}
    return drained, dead


def run(
    stack: dict[str, Any],
    out: Path,
    minimum: int,
    *,
    max_examples: int = 200,
    seed: int = 20261201,
    workers: int = 2,
    drain_timeout_s: float = 1800,
    say: Any = print,
) -> Summary:
    """Fuzz a running stack until `minimum` requests were sent, then check its dead letters."""
    started = time.monotonic()
    summary = Summary()
    statuses: collections.Counter[int] = collections.Counter()
    while summary.requests < minimum:
        back_office = summary.rounds == 0  # the first round: the back office's priced orders
        report, counted, output = _round(
            stack,
            out / f"round-{summary.rounds + 1}{'-back-office' if back_office else ''}",
            seed + summary.rounds,
            max_examples,
            workers,
            back_office=back_office,
        )
        summary.rounds += 1
        statuses.update(counted)
        summary.requests += sum(counted.values())
        summary.generated += int(report["test_cases"]["generated"])
        summary.check_failures += len(report["failures"]) + len(report["errors"])
        summary.failures += _failures(output) if report["failures"] or report["errors"] else []
        summary.server_errors = sum(n for status, n in statuses.items() if status >= 500)
        say(
            f"round {summary.rounds} (seed {seed + summary.rounds - 1}): "
            f"{summary.requests:,} requests so far, {summary.server_errors} 5xx, "
            f"{summary.check_failures} failures"
        )
        if not summary.requests:
            break
        if back_office:
            continue  # then the customers' rounds, until enough requests were sent
    summary.statuses = {str(k): v for k, v in sorted(statuses.items())}
    say(f"waiting for the pipeline to finish the {statuses.get(202, 0):,} accepted orders …")
    summary.drained, summary.dead_letters = drain(stack, drain_timeout_s, say)
    summary.seconds = round(time.monotonic() - started, 1)
    (out / "summary.json").write_text(json.dumps(asdict(summary), indent=2) + "\n")
    return summary


def report(summary: Summary, minimum: int) -> str:
    """The figures, one line each."""
    by_class: collections.Counter[str] = collections.Counter()
    for status, count in summary.statuses.items():
        by_class[f"{status[0]}xx"] += count
    lines = [
        f"requests:        {summary.requests:,} (minimum {minimum:,}; {summary.rounds} rounds, "
        f"{summary.generated:,} generated test cases) in {summary.seconds:,.0f} s",
        "answers:         "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(by_class.items()))
        + "  ("
        + ", ".join(f"{k}: {v:,}" for k, v in summary.statuses.items())
        + ")",
        f"5xx:             {summary.server_errors}",
        f"check failures:  {summary.check_failures}",
        f"pipeline:        {'drained' if summary.drained else 'NOT drained in time'}",
        "dead letters:    "
        + ", ".join(f"{name} {count}" for name, count in summary.dead_letters.items()),
        f"result:          {'PASSED' if summary.passed(minimum) else 'FAILED'}",
    ]
    return "\n".join(lines + summary.failures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000, help="at least this many")
    parser.add_argument("--max-examples", type=int, default=200, help="per operation and round")
    parser.add_argument("--seed", type=int, default=20261201, help="of the first round")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "fuzz")
    args = parser.parse_args()
    out = args.out.resolve()
    if out.exists():
        import shutil

        shutil.rmtree(out)
    out.mkdir(parents=True)
    process = RunningStack(out / "stack")
    print(f"starting a local stack of its own (state in {out / 'stack'}) …", flush=True)
    stack = process.start()
    try:
        summary = run(
            stack, out, args.requests, max_examples=args.max_examples, seed=args.seed,
            say=lambda line: print(line, flush=True),
        )  # fmt: skip
    finally:
        process.stop()
    print(report(summary, args.requests))
    print(f"details: {out / 'summary.json'}")
    return 0 if summary.passed(args.requests) else 1


if __name__ == "__main__":
    sys.exit(main())
