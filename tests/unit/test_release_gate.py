"""The PROD gate: dispatch inputs, business hours, and distinct approvers read from GitHub."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from scripts import release_gate

GOOD = {
    "GITHUB_REF": "refs/heads/main",
    "CONFIRM": "APPROVE-PROD",
    "ROLLBACK_PLAN_URL": "https://wiki.bbws.io/releases/2026-11-30/rollback",
}
# Monday 30 November 2026, 10:00 in Johannesburg (08:00 UTC).
MONDAY_MORNING = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_good_inputs_in_business_hours_open_the_gate(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    environ = {
        **GOOD,
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_SHA": "0123456789abcdef",
        "GITHUB_TRIGGERING_ACTOR": "releaser",
    }
    assert release_gate.main(["inputs"], environ, clock=lambda: MONDAY_MORNING) == 0
    assert "release gate inputs: open" in capsys.readouterr().out
    # The run page records who released what, and where the way back is.
    assert summary.read_text() == (
        "### PROD release of 0123456789ab\n\nStarted by releaser. "
        "Rollback plan: https://wiki.bbws.io/releases/2026-11-30/rollback\n"
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"CONFIRM": "approve-prod"}, "must be exactly APPROVE-PROD, not 'approve-prod'"),
        ({"CONFIRM": ""}, "must be exactly APPROVE-PROD, not ''"),
        ({"ROLLBACK_PLAN_URL": "http://wiki/rollback"}, "must be an https:// link"),
        ({"ROLLBACK_PLAN_URL": "see Slack"}, "must be an https:// link, not 'see Slack'"),
        ({"ROLLBACK_PLAN_URL": ""}, "must be an https:// link"),
        ({"GITHUB_REF": "refs/heads/feature/x"}, "only from main; this run is on refs/heads/feat"),
    ],
)
def test_each_bad_input_is_refused_with_its_reason(
    change: dict[str, str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    environ = {**GOOD, **change, "GITHUB_ACTIONS": "true"}
    assert release_gate.main(["inputs"], environ, clock=lambda: MONDAY_MORNING) == 1
    errors = capsys.readouterr().err
    assert problem in errors
    assert errors.startswith("::error::")  # an annotation on the run page


@pytest.mark.parametrize(
    ("utc", "open_"),
    [
        (datetime(2026, 11, 30, 6, 0, tzinfo=UTC), True),  # Monday 08:00 SAST, first minute
        (datetime(2026, 11, 30, 5, 59, tzinfo=UTC), False),  # Monday 07:59 SAST
        (datetime(2026, 12, 4, 13, 59, tzinfo=UTC), True),  # Friday 15:59 SAST
        (datetime(2026, 12, 4, 14, 0, tzinfo=UTC), False),  # Friday 16:00 SAST
        (datetime(2026, 12, 5, 10, 0, tzinfo=UTC), False),  # Saturday
        (datetime(2026, 12, 6, 10, 0, tzinfo=UTC), False),  # Sunday
    ],
)
def test_the_window_is_weekdays_eight_to_four_in_johannesburg(utc: datetime, open_: bool) -> None:
    assert (release_gate.check_window(utc) == []) is open_


def test_outside_the_window_says_when_it_is_there() -> None:
    (problem,) = release_gate.check_window(datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    assert problem == (
        "PROD deploys Monday to Friday 08:00-16:00 Africa/Johannesburg; it is Saturday 12:00 there"
    )


class FakeGitHub(BaseHTTPRequestHandler):
    """GET /repos/{repo}/actions/runs/{id}/approvals, as GitHub answers it."""

    approvals: ClassVar[list[dict[str, Any]]] = []
    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        FakeGitHub.seen.append((self.path, self.headers.get("Authorization")))
        body = json.dumps(FakeGitHub.approvals).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def github() -> Iterator[dict[str, str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGitHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeGitHub.seen.clear()
    yield {
        "GITHUB_API_URL": f"http://127.0.0.1:{server.server_port}",
        "GITHUB_REPOSITORY": "bbws/bbws-order-lambda",
        "GITHUB_RUN_ID": "42",
        "GITHUB_TOKEN": "ghs_test",
        "GITHUB_TRIGGERING_ACTOR": "releaser",
    }
    server.shutdown()


def approval(user: str, environment: str, state: str = "approved") -> dict[str, Any]:
    return {
        "state": state,
        "comment": "",
        "user": {"login": user},
        "environments": [{"id": 1, "name": environment}],
    }


def test_three_different_approvers_open_prod(
    github: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    FakeGitHub.approvals = [
        approval("ana", "prod-approval-2"),
        approval("ben", "prod-approval-3"),
        approval("cat", "prod"),
    ]
    assert release_gate.main(["approvals", "--min", "3"], github) == 0
    assert FakeGitHub.seen == [
        ("/repos/bbws/bbws-order-lambda/actions/runs/42/approvals", "Bearer ghs_test")
    ]
    assert "approved by ana, ben, cat" in capsys.readouterr().out


def test_one_person_approving_two_gates_counts_once(
    github: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    FakeGitHub.approvals = [
        approval("ana", "prod-approval-2"),
        approval("ana", "prod-approval-3"),
        approval("cat", "prod"),
    ]
    assert release_gate.main(["approvals", "--min", "3"], github) == 1
    assert "3 different approvers are required; so far 2: ana, cat" in capsys.readouterr().err


def test_self_review_and_rejections_close_the_gate() -> None:
    releaser = [release_gate.Approval("releaser", "approved", ("dev",))]
    assert release_gate.check_approvals(releaser, 1, "releaser") == [
        "releaser started this run and approved it too: self-review does not count"
    ]
    rejected = [
        release_gate.Approval("ana", "approved", ("sit-approval-2",)),
        release_gate.Approval("ben", "rejected", ("sit",)),
    ]
    assert release_gate.check_approvals(rejected, 1, "releaser") == ["ben rejected sit"]
    assert release_gate.check_approvals([], 1, "releaser") == [
        "1 different approvers are required; so far 0: nobody"
    ]


def test_a_stage_that_cannot_issue_a_tax_invoice_is_refused_naming_the_setting() -> None:
    """Issue 29: a deploy refuses what cannot work, before a customer finds out."""
    config = json.loads(release_gate.CHALICE_CONFIG.read_text())
    for stage in ("dev", "sit"):
        assert release_gate.check_settings(config, stage) == []
    prod = release_gate.check_settings(config, "prod")  # the owner's to supply (docs/deploy.md)
    assert [p.split()[0] for p in prod] == ["SUPPLIER_PARTICULARS", "EMAIL_REPLY_TO"]
    env = config["stages"]["dev"]["environment_variables"]
    supplier = json.loads(env["SUPPLIER_PARTICULARS"])
    broken = {
        "SUPPLIER_PARTICULARS.vatNumber": {
            "SUPPLIER_PARTICULARS": json.dumps({**supplier, "vatNumber": None})
        },
        "SUPPLIER_PARTICULARS in": {"SUPPLIER_PARTICULARS": "{not json"},
        "EMAIL_REPLY_TO": {"EMAIL_REPLY_TO": "billing"},
        "PORTAL_URL": {"PORTAL_URL": ""},
    }
    for setting, change in broken.items():
        changed = {"stages": {"dev": {"environment_variables": {**env, **change}}}}
        [problem] = release_gate.check_settings(changed, "dev")
        assert problem.startswith(setting), problem
    assert release_gate.main(["settings", "--stage", "prod"], environ={}) == 1
    assert release_gate.main(["settings", "--stage", "dev"], environ={}) == 0
