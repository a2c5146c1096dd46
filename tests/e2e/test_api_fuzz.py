"""Schemathesis against the running local API, from the generated OpenAPI: no 5xx, ever."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chalicelib.local.token import id_token

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
MIN_REQUESTS = 1000


def test_generated_requests_never_get_a_server_error(stack: dict[str, Any], tmp_path: Path) -> None:
    token = id_token(stack, "alice@tenant-a.example")
    st = Path(sys.executable).parent / "st"
    result = subprocess.run(
        [
            str(st), "run", str(ROOT / "docs" / "openapi.json"),
            "--url", stack["apiUrl"],
            "--header", f"Authorization: Bearer {token}",
            "--checks", "not_a_server_error",
            "--max-examples", "100",
            "--seed", "20261128",
            "--workers", "2",
            "--report-dir", str(tmp_path),
        ],
        cwd=ROOT,  # schemathesis.toml lives here
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    generated = re.search(r"(\d+) generated, (\d+) passed", output)
    assert generated, output[-2000:]
    assert int(generated.group(1)) == int(generated.group(2)) >= MIN_REQUESTS, generated.group(0)
