"""orderctl as an operator installs it: a wheel, a fresh venv, no checkout, the dev stack running.

The wheel is built from this checkout and installed with pip into a new venv (its declared
dependencies resolved from the package index, as `pipx install` does). It then runs from a
directory that is not the checkout, so nothing of the source tree can stand in for a missing
dependency or a file the wheel lacks.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.api_client import Caller, orderctl_env
from tests.e2e.stack_process import RunningStack

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`orderctl` of a fresh venv holding only the wheel and its declared dependencies."""
    work = tmp_path_factory.mktemp("install")
    wheels = work / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(ROOT)],
        check=True,
    )  # fmt: skip
    [wheel] = wheels.glob("bbws_order_lambda-*.whl")
    with zipfile.ZipFile(wheel) as contents:  # what orderctl runs, and nothing of the dev stack
        packages = {name.split("/")[0] for name in contents.namelist() if name.endswith(".py")}
    assert packages == {"orderctl", "chalicelib"}, packages
    venv.create(work / "venv", with_pip=True)
    pip = work / "venv" / "bin" / "pip"
    subprocess.run(
        [str(pip), "install", "-q", "--disable-pip-version-check", str(wheel)], check=True
    )
    return work / "venv" / "bin" / "orderctl"


def run(
    orderctl: Path, *args: str, env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(orderctl), *args],
        cwd=cwd,
        env=orderctl_env(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_installed_orderctl_knows_its_version_and_lists_the_local_stacks_orders(
    installed: Path,
    running: tuple[RunningStack, dict[str, Any]],
    stack: dict[str, Any],
    tmp_path: Path,
) -> None:
    version = run(installed, "--version", env={}, cwd=tmp_path)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == "orderctl 0.1.0"

    alice = Caller(stack, "alice")
    order_id = alice.create()
    alice.settled(order_id)  # its document stored: the order no longer changes by itself
    env = {"LOCAL_STATE_DIR": str(running[0].state_dir)}
    listed = run(installed, "orders", "list", "--profile", "local", "--json", env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    page = json.loads(listed.stdout)
    assert order_id in [order["id"] for order in page["items"]]
    # --json is the API's body: the same document the API gives alice.
    got = run(installed, "orders", "get", order_id, "--json", env=env, cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout) == alice.request("GET", f"/v1.0/orders/{order_id}").json()
    missing = run(installed, "orders", "get", "no-such-order", env=env, cwd=tmp_path)
    assert missing.returncode == 4  # not found
    assert "Traceback" not in missing.stderr
