"""Run the packaged artefact as Lambda would: `deployment.zip` and a twin of its layer only.

The layer `chalice package` builds is for Lambda (arm64); this machine may be another. The twin
holds the very distributions the layer holds (their names and versions read from its
`.dist-info` folders), installed for this machine with `pip --no-deps --only-binary`, with the
layer's trims applied (`scripts/package.trimmed_away`). It is cached under `build/` by its pins.

`CleanRuntime` starts the runtime's interpreter in isolated mode without `site`
(`python -I -S`): nothing of the checkout, the venv or the dev dependencies is importable, only
the extracted zip, the twin layer and the standard library (`scripts/artifact_runner.py`).
tests/infrastructure/test_artifact.py invokes every function `chalice.tf.json` names through it
(`make artifact-check`).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from typing import IO, Any

from scripts.package import trimmed_away

ROOT = Path(__file__).resolve().parents[1]
RUNNER = Path(__file__).with_name("artifact_runner.py")
SITE_PACKAGES = "python/lib/python3.12/site-packages/"
_DIST_INFO = re.compile(re.escape(SITE_PACKAGES) + r"([^/]+)-([^-/]+)\.dist-info/")
ANSWER = "@@answer "


class ArtifactError(RuntimeError):
    """The artefact cannot be run as Lambda would run it; the message says why."""


def layer_pins(layer_zip: Path) -> list[str]:
    """`name==version` of every distribution in the layer, from its `.dist-info` folders."""
    with zipfile.ZipFile(layer_zip) as archive:
        found = {m.groups() for name in archive.namelist() if (m := _DIST_INFO.match(name))}
    return sorted(f"{name}=={version}" for name, version in found)


def twin_layer(layer_zip: Path, cache: Path = ROOT / "build" / "artifact-layers") -> Path:
    """The layer's twin for this machine (its `python/` folder), built once per set of pins."""
    pins = layer_pins(layer_zip)
    if not pins:
        raise ArtifactError(f"{layer_zip} holds no distributions")
    home = cache / hashlib.sha256("\n".join(pins).encode()).hexdigest()[:16]
    done = home / ".complete"
    if done.exists():
        return home / "python"
    shutil.rmtree(home, ignore_errors=True)
    target = home / SITE_PACKAGES
    print(f"Building the layer's twin for this machine ({len(pins)} distributions) …", flush=True)
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--no-deps", "--only-binary=:all:", "--target", str(target), *pins,
        ],
        check=True,
    )  # fmt: skip
    for path in sorted(target.rglob("*")):
        if path.is_file() and trimmed_away(path.relative_to(home).as_posix()):
            path.unlink()
    done.touch()
    return home / "python"


def extract(zipped: Path, into: Path) -> Path:
    """`deployment.zip` extracted, as Lambda's `/var/task`."""
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(into)
    return into


def handlers(chalice_tf: Path) -> dict[str, str]:
    """Function name → `handler` of every function the packaged Terraform names."""
    doc = json.loads(chalice_tf.read_text())
    functions = doc["resource"]["aws_lambda_function"]
    return {name: str(function["handler"]) for name, function in functions.items()}


def runtime_python() -> str:
    """The interpreter the venv was made from: Python with nothing installed into it."""
    return str(getattr(sys, "_base_executable", sys.executable))


class CleanRuntime:
    """One clean interpreter serving invocations of the artefact's handlers."""

    def __init__(self, task: Path, layer: Path, env: dict[str, str], workdir: Path) -> None:
        runner = workdir / RUNNER.name
        shutil.copy(RUNNER, runner)
        self._process = subprocess.Popen(
            [runtime_python(), "-I", "-S", str(runner), str(task), str(layer)],
            cwd=workdir,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []
        self._answers: list[dict[str, Any]] = []
        self._ready = threading.Condition()
        threading.Thread(target=self._read, args=(self._process.stdout,), daemon=True).start()

    def _read(self, stream: IO[str] | None) -> None:
        for line in stream or ():
            with self._ready:
                if line.startswith(ANSWER):
                    self._answers.append(json.loads(line[len(ANSWER) :]))
                else:
                    self.output.append(line.rstrip("\n"))
                self._ready.notify_all()

    def invoke(
        self, handler: str, function: str, event: dict[str, Any], timeout_s: float = 60
    ) -> Any:
        """The handler's result; ArtifactError with its traceback when it raised."""
        stdin = self._process.stdin
        assert stdin is not None
        with self._ready:
            expected = len(self._answers) + 1
            stdin.write(json.dumps({"handler": handler, "function": function, "event": event}))
            stdin.write("\n")
            stdin.flush()
            if not self._ready.wait_for(lambda: len(self._answers) >= expected, timeout_s):
                tail = "\n".join(self.output[-30:])
                raise ArtifactError(f"{handler} did not answer in {timeout_s:.0f} s:\n{tail}")
            answer = self._answers[expected - 1]
        if answer["foreign"]:
            raise ArtifactError(
                f"{handler} loaded modules from outside the artefact: {answer['foreign']}"
            )
        if "error" in answer:
            raise ArtifactError(f"{handler} raised:\n{answer['error']}")
        return answer["result"]

    def close(self) -> None:
        """End the interpreter."""
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
