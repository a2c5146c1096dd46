"""The Cart service API this service assumes, as OpenAPI 3, and a diff against the Cart team's.

`make contract` writes `docs/contracts/cart-api.json` from `chalicelib.models.carts` (what the
client parses), and a test fails when the file drifts. The contract test
(`tests/integration/test_cart_contract.py`) runs schemathesis from that document against the dev
stack's stub (`devstack/cart_stub.py`), so the stub and the client agree on one document.

When the Cart team publishes their document, one command compares it with ours:

    make contract THEIRS=path/to/their-openapi.json

It lists every difference in what the client reads from `GET /v1.0/carts/{cartId}`: a field the
client needs that they do not promise, a type, pattern or enum that differs, a status code
that is missing. It exits 1 when anything would break the client. Routes marked `x-stub-only`
(the catalog and cart creation) are ours alone and are not compared.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic.schema import schema as models_schema

from chalicelib.models.carts import Cart
from devstack.cart_stub import CAMPAIGNS, CATALOG

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "docs" / "contracts" / "cart-api.json"
REF = "#/components/schemas/"
READ = ("/v1.0/carts/{cartId}", "get")
PROBLEM = {
    "type": "object",
    "required": ["title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
}
NEW_CART = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "maxItems": 100,
            "items": {
                "type": "object",
                "required": ["productId", "quantity"],
                "properties": {
                    "productId": {"type": "string", "enum": sorted(CATALOG)},
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 1000},
                },
            },
        },
        "campaignCode": {"type": "string", "enum": sorted(CAMPAIGNS)},
    },
}
PRODUCTS = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["productId", "productName", "unitPrice", "currency"],
                "properties": {
                    "productId": {"type": "string"},
                    "productName": {"type": "string"},
                    "unitPrice": {"type": "string", "pattern": r"^[0-9]{1,7}\.[0-9]{2}$"},
                    "currency": {"type": "string"},
                },
            },
        }
    },
}


def _content(name: str, media: str = "application/json") -> dict[str, Any]:
    return {media: {"schema": {"$ref": REF + name}}}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": _content("Problem", "application/problem+json")}


def document() -> dict[str, Any]:
    """The assumed Cart API: the read this service makes, and the stub's own routes."""
    schemas = models_schema([Cart], ref_prefix=REF)["definitions"]
    unauthorized = _problem("Missing, malformed or expired ID token")
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Cart service (as the Order service assumes it)",
            "version": "1.0",
            "description": 'API.md "Cart service". Requests carry the caller\'s Cognito ID token.'
            " Fields not listed may be added by the Cart service; the client ignores them.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**schemas, "Problem": PROBLEM, "NewCart": NEW_CART, "Products": PRODUCTS},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/v1.0/carts/{cartId}": {
                "get": {
                    "operationId": "getCart",
                    "summary": "The caller's cart (read by the Order service on POST /v1.0/orders)",
                    "parameters": [
                        {
                            "name": "cartId",
                            "in": "path",
                            "required": True,
                            "schema": {
                                "type": "string",
                                "pattern": r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$",
                            },
                        }
                    ],
                    "responses": {
                        "200": {"description": "The cart", "content": _content("Cart")},
                        "401": unauthorized,
                        "404": _problem("Absent, or another tenant's"),
                    },
                }
            },
            "/v1.0/carts": {
                "post": {
                    "operationId": "createCart",
                    "x-stub-only": True,
                    "summary": "A cart for the caller's tenant, priced from its catalog (stub)",
                    "requestBody": {"required": True, "content": _content("NewCart")},
                    "responses": {
                        "201": {
                            "description": "The new cart",
                            "content": _content("Cart"),
                            "links": {
                                "ReadTheCart": {
                                    "operationId": "getCart",
                                    "parameters": {"cartId": "$response.body#/cartId"},
                                }
                            },
                        },
                        "401": unauthorized,
                        "422": _problem("An unknown product or campaign, or a bad quantity"),
                    },
                }
            },
            "/v1.0/products": {
                "get": {
                    "operationId": "listProducts",
                    "x-stub-only": True,
                    "summary": "The catalog (stub only)",
                    "responses": {
                        "200": {"description": "The catalog", "content": _content("Products")},
                        "401": unauthorized,
                    },
                }
            },
        },
    }


def render() -> str:
    """The document as committed."""
    return json.dumps(document(), indent=2) + "\n"


def _resolve(node: Any, doc: dict[str, Any]) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def compare(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """What in `theirs` would break what the client reads (empty: compatible)."""
    path, method = READ
    operation = theirs.get("paths", {}).get(path, {}).get(method)
    if operation is None:
        return [f"{method.upper()} {path} is missing"]
    problems = []
    wanted = ours["paths"][path][method]["responses"]
    offered = operation.get("responses", {})
    problems += [f"no {status} answer" for status in ("200", "404") if status not in offered]
    if "200" in offered:
        mine = wanted["200"]["content"]["application/json"]["schema"]
        their = offered["200"].get("content", {}).get("application/json", {}).get("schema", {})
        problems += _schema_diff(
            _resolve(mine, ours), _resolve(their, theirs), ours, theirs, "cart"
        )
    return problems


def _schema_diff(
    mine: Any, their: Any, ours: dict[str, Any], theirs: dict[str, Any], where: str
) -> list[str]:
    mine, their = _resolve(mine, ours), _resolve(their, theirs)
    if not isinstance(mine, dict) or not isinstance(their, dict):
        return []
    problems = []
    for key in ("type", "pattern", "format"):
        if key in mine and mine.get(key) != their.get(key):
            problems.append(
                f"{where}: {key} is {their.get(key)!r}, the client expects {mine[key]!r}"
            )
    if "enum" in mine and not set(their.get("enum", [])) <= set(mine["enum"]):
        problems.append(f"{where}: enum {their.get('enum')} has values the client does not know")
    required = set(mine.get("required", []))
    missing = required - set(their.get("required", []))
    problems += [
        f"{where}.{name}: the client needs it, they do not promise it" for name in sorted(missing)
    ]
    for name, sub in mine.get("properties", {}).items():
        if name in their.get("properties", {}):
            problems += _schema_diff(
                sub, their["properties"][name], ours, theirs, f"{where}.{name}"
            )
    if "items" in mine and "items" in their:
        problems += _schema_diff(mine["items"], their["items"], ours, theirs, f"{where}[]")
    for combinator in ("anyOf", "allOf"):
        for index, sub in enumerate(mine.get(combinator, [])):
            other = their.get(combinator, [their])
            if index < len(other):
                problems += _schema_diff(sub, other[index], ours, theirs, where)
    return problems


def main() -> int:
    """Write the document; with --compare, diff theirs against it instead."""
    parser = argparse.ArgumentParser(description="The assumed Cart API contract")
    parser.add_argument("--compare", type=Path, help="the Cart team's OpenAPI document (JSON)")
    args = parser.parse_args()
    if args.compare is None:
        COMMITTED.parent.mkdir(parents=True, exist_ok=True)
        COMMITTED.write_text(render())
        print(f"wrote {COMMITTED.relative_to(ROOT)}")
        return 0
    problems = compare(document(), json.loads(args.compare.read_text()))
    for problem in problems:
        print(f"incompatible: {problem}")
    print(
        "compatible with what the client reads" if not problems else f"{len(problems)} problem(s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
