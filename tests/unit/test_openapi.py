from __future__ import annotations

import json
from pathlib import Path

from openapi_spec_validator import validate

from scripts.openapi import document, render

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_document_matches_the_models() -> None:
    assert COMMITTED.read_text() == render(), "docs/openapi.json is stale: run `make openapi`"


def test_the_document_is_valid_openapi() -> None:
    validate(json.loads(render()))


def test_every_route_of_the_app_is_documented() -> None:
    import app

    documented = {(path, method) for path, item in document()["paths"].items() for method in item}
    routes = {
        (path, method.lower())
        for path, methods in app.app.routes.items()
        for method in methods
        if method != "OPTIONS"  # every path's CORS preflight: described once, in `info`
    }
    assert routes == documented
    assert "CORS" in document()["info"]["description"]


def test_inputs_forbid_unknown_fields() -> None:
    schemas = document()["components"]["schemas"]
    for name in ("CreateOrderRequest", "UpdateOrderRequest", "PaymentDetails", "OrderItemRequest"):
        assert schemas[name]["additionalProperties"] is False, name
