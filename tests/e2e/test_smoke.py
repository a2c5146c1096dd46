"""`orderctl smoke` (the pipeline's post-deploy check) against the running local stack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.api_client import orderctl
from tests.e2e.stack_process import RunningStack, free_port

pytestmark = pytest.mark.e2e


def test_smoke_passes_against_the_local_stack(
    running: tuple[RunningStack, dict[str, Any]], stack: dict[str, Any], tmp_path: Path
) -> None:
    stack_process, _ = running
    report, summary = tmp_path / "smoke.json", tmp_path / "summary.md"
    result = orderctl(
        "smoke",
        "--base-url",
        stack["apiUrl"],
        "--report",
        str(report),
        "--title",
        "Smoke test of local",
        env={"LOCAL_STATE_DIR": str(stack_process.state_dir), "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    written = json.loads(report.read_text())
    assert written["passed"] is True
    checks = {check["name"]: check for check in written["checks"]}
    assert list(checks) == ["health", "sign-in", "cart", "create", "record", "invoice", "cancel"]
    assert all(check["ok"] for check in checks.values())
    assert "PDF of" in checks["invoice"]["detail"]
    assert checks["cancel"]["detail"] == "status CANCELLED"
    assert "ok   invoice" in result.stdout
    assert summary.read_text().startswith("### Smoke test of local: passed")


def test_a_wrong_password_fails_the_sign_in_step_by_name(
    running: tuple[RunningStack, dict[str, Any]], stack: dict[str, Any]
) -> None:
    # The deployed stages' way of signing in (ORDERCTL_*), pointed at the emulator's pool.
    result = orderctl(
        "smoke",
        "--base-url",
        stack["apiUrl"],
        env={
            "ORDERCTL_CLIENT_ID": stack["userPoolClientId"],
            "ORDERCTL_USERNAME": "alice@tenant-a.example",
            "ORDERCTL_PASSWORD": "not-her-password",
            "ORDERCTL_COGNITO_REGION": stack["region"],
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": stack["awsEndpointUrl"],
        },
    )
    assert result.returncode == 1
    assert "FAIL sign-in" in result.stdout
    assert "wrong username or password for alice@tenant-a.example" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_stack_that_is_not_running_is_named(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = orderctl("smoke", "--base-url", url, env={"LOCAL_STATE_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "FAIL health" in result.stdout
    assert f"cannot connect to {url}/health" in result.stdout

    result = orderctl("smoke", env={"LOCAL_STATE_DIR": str(tmp_path)})
    assert result.returncode == 4  # the local profile's stack is not found
    assert "Start it with `make run`" in result.stderr
    assert "Traceback" not in result.stderr
