"""The artefact check's clean runtime (scripts/artifact_check.py) sees only the artefact."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.artifact_check import ArtifactError, CleanRuntime


@pytest.fixture
def task(tmp_path: Path) -> Path:
    folder = tmp_path / "task"
    folder.mkdir()
    (folder / "app.py").write_text(
        "import sys\n"
        "def ok(event, context):\n"
        "    return {'echo': event, 'function': context.function_name, 'path': sys.path[:1]}\n"
        "def needs_checkout(event, context):\n"
        "    import chalicelib  # only the checkout has it\n"
        "def needs_dev_tool(event, context):\n"
        "    import pytest\n"
    )
    return folder


@pytest.fixture
def runtime(task: Path, tmp_path: Path) -> Iterator[CleanRuntime]:
    layer = tmp_path / "layer" / "python"
    layer.mkdir(parents=True)
    work = tmp_path / "work"
    work.mkdir()
    clean = CleanRuntime(task, layer, {"LANG": "C.UTF-8"}, work)
    yield clean
    clean.close()


def test_a_handler_runs_with_the_task_first_on_the_path(runtime: CleanRuntime, task: Path) -> None:
    assert runtime.invoke("app.ok", "f", {"a": 1}) == {
        "echo": {"a": 1},
        "function": "f",
        "path": [str(task)],
    }


@pytest.mark.parametrize("handler", ["app.needs_checkout", "app.needs_dev_tool"])
def test_what_only_the_checkout_or_the_venv_has_is_not_importable(
    runtime: CleanRuntime, handler: str
) -> None:
    with pytest.raises(ArtifactError, match="ModuleNotFoundError"):
        runtime.invoke(handler, "f", {})


def test_a_handler_name_the_app_does_not_have_fails(runtime: CleanRuntime) -> None:
    with pytest.raises(ArtifactError, match="AttributeError"):
        runtime.invoke("app.no_such_handler", "f", {})
    assert runtime.invoke("app.ok", "f", {})["function"] == "f"  # the runtime goes on
