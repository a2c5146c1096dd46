"""One document of the Cart API (docs/contracts/cart-api.json): the client parses it, the stub
serves it (schemathesis against the stub), and the Cart team's can be compared with it."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

from openapi_spec_validator import validate

from scripts.cart_contract import COMMITTED, compare, document, render
from tests.conftest import CART_API_URL
from tests.tokens import TestIssuer

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_contract_matches_the_client() -> None:
    assert COMMITTED.read_text() == render(), "docs/contracts/cart-api.json is stale: make contract"
    validate(json.loads(render()))


def test_the_stub_serves_the_contract(issuer: TestIssuer, tmp_path: Path) -> None:
    """schemathesis, every check, against the stub: statuses, schemas, content types."""
    token = issuer.token(tenant_id="tenant-a", subject="contract")
    st = Path(sys.executable).parent / "st"
    result = subprocess.run(
        [
            str(st), "run", str(COMMITTED), "--url", CART_API_URL,
            "--header", f"Authorization: Bearer {token}",
            "--checks", "all", "--max-examples", "40", "--seed", "15",
            "--report", "json", "--report-dir", str(tmp_path),
        ],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    [report] = list(tmp_path.glob("json-*.json"))
    assert json.loads(report.read_text()), output[-2000:]


def test_a_compatible_document_has_no_differences() -> None:
    theirs = copy.deepcopy(document())
    cart = theirs["components"]["schemas"]["Cart"]
    cart["properties"]["createdAt"] = {"type": "string"}  # additions are fine
    assert compare(document(), theirs) == []


def test_what_would_break_the_client_is_listed() -> None:
    theirs = copy.deepcopy(document())
    cart = theirs["components"]["schemas"]["Cart"]
    cart["required"].remove("currency")
    theirs["components"]["schemas"]["CartStatus"]["enum"] = ["OPEN", "CHECKED_OUT", "ABANDONED"]
    line = theirs["components"]["schemas"]["CartLine"]
    line["properties"]["unitPrice"] = {"type": "number"}
    del theirs["paths"]["/v1.0/carts/{cartId}"]["get"]["responses"]["404"]
    problems = compare(document(), theirs)
    assert "no 404 answer" in problems
    assert "cart.currency: the client needs it, they do not promise it" in problems
    assert any("cart.status" in p and "ABANDONED" in p for p in problems), problems
    assert any(p.startswith("cart.items[].unitPrice: type is 'number'") for p in problems), problems


def test_the_comparison_is_one_command(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.json"
    broken = copy.deepcopy(document())
    del broken["paths"]["/v1.0/carts/{cartId}"]
    theirs.write_text(json.dumps(broken))
    result = subprocess.run(
        [sys.executable, "-m", "scripts.cart_contract", "--compare", str(theirs)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "GET /v1.0/carts/{cartId} is missing" in result.stdout
