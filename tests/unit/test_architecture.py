"""Which package may import which (docs/architecture.md), and the names with one home.

`make lint` runs the import contracts in pyproject.toml (`lint-imports`); these tests show that
each kind of forbidden import breaks them, and check what import-linter cannot see (`app.py`,
a module rather than a package).
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chalicelib import SERVICE_NAME

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("chalicelib", "devstack", "orderctl", "scripts", "benchmarks", "tests")
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")  # import-linter's command
DEV_TOOLING = {"devstack", "orderctl", "scripts", "benchmarks", "tests"}


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the Python packages and the contracts, to add forbidden imports to."""
    root = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.mark.parametrize(
    ("module", "forbidden", "contract"),
    [
        ("chalicelib/models/orders.py", "import devstack.stack", "The deployed code"),
        ("chalicelib/wiring.py", "import orderctl.cli", "The deployed code"),
        ("chalicelib/repositories/orders.py", "import chalicelib.services.orders", "Layers"),
        ("chalicelib/models/money.py", "import chalicelib.ports", "Layers"),
        ("chalicelib/services/orders.py", "import chalicelib.repositories.orders", "ports only"),
        ("orderctl/cli.py", "import devstack.token", "orderctl, which operators install"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tree: Path, module: str, forbidden: str, contract: str
) -> None:
    path = tree / module
    original = path.read_text()
    try:
        path.write_text(original + f"\n{forbidden}  # added by the test\n")
        result = _lint_imports(tree)
    finally:
        path.write_text(original)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [line for line in result.stdout.splitlines() if "BROKEN" in line]
    assert any(contract in line for line in broken), result.stdout


def test_the_contracts_hold_for_the_code_as_it_is(tree: Path) -> None:
    result = _lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_app_py_imports_no_dev_tooling() -> None:
    """import-linter reads packages; app.py is a module, so its imports are read here."""
    imported: set[str] = set()
    for node in ast.walk(ast.parse((ROOT / "app.py").read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "chalicelib" in imported
    assert imported & DEV_TOOLING == set()


def test_the_service_name_has_one_value() -> None:
    """.chalice/config.json cannot import SERVICE_NAME; it must still agree with it."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    assert config["app_name"] == SERVICE_NAME
    assert config["environment_variables"]["POWERTOOLS_SERVICE_NAME"] == SERVICE_NAME


@pytest.mark.parametrize(
    "reader",
    [
        'os.environ.get("ORDERS_TABLE_NAME")',
        'os.environ["ORDERS_TABLE_NAME"]',
        'os.getenv("ORDERS_TABLE_NAME")',
    ],
)
def test_the_deployed_code_reads_the_environment_through_settings_only(reader: str) -> None:
    """Issue 30: `Settings` is the one reader of the environment in chalicelib (ruff's
    banned-api, TID251); the dev stack and the tools may read it."""
    source = f"import os\n\nVALUE = {reader}\n"

    def lint(path: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--no-cache", "--stdin-filename", path, "-"],
            input=source,
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )

    refused = lint("chalicelib/services/anything.py")
    assert refused.returncode == 1
    assert "TID251" in refused.stdout
    assert lint("devstack/anything.py").returncode == 0


def import_cycles(graph: Any) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = [stack.pop()]
            while group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_of_the_project_imports_itself_back() -> None:
    """Issue 30: no import cycle anywhere in the project's Python, imports inside functions
    included (grimp, import-linter's graph, reads every import statement)."""
    import grimp

    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    assert import_cycles(graph) == []
    assert len(graph.modules) > 200  # the whole project was read
