"""The OpenAPI 3 document, generated from the pydantic models (the single schema source).

`make openapi` writes it to docs/openapi.json; a test fails when that file drifts from this.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.schema import schema as models_schema

from chalicelib.api.params import (
    DATE_PATTERN,
    DEFAULT_PAGE_SIZE,
    IF_MATCH_PATTERN,
    MAX_PAGE_SIZE,
    ORDER_NUMBER_PATTERN,
)
from chalicelib.models.fields import TENANT_ID_PATTERN
from chalicelib.models.lifecycle import TRANSITIONS, role_table
from chalicelib.models.orders import (
    CreateOrderRequest,
    DocumentKind,
    InvoiceLink,
    Order,
    OrderAccepted,
    OrderListResponse,
    OrderStatus,
    UpdateOrderRequest,
)
from chalicelib.models.register import MAX_PERIOD_DAYS, DocumentList, VatReport
from chalicelib.models.support import SupportAction, SupportActionAccepted, SupportActionRequest
from chalicelib.services.cursor import MAX_CURSOR_LENGTH, TTL_S

REF = "#/components/schemas/"
PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "requestId": {"type": "string", "nullable": True},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_PROBLEM_TEXT = {
    400: "Invalid request (field-level `errors`)",
    401: "Missing, malformed, tampered or expired token",
    403: "Outside the caller's tenant or rights",
    404: "Not found (or another tenant's)",
    409: "Conflicts with the order's state",
    412: "`If-Match` no longer matches",
    413: "Body larger than 1 MiB, or an order too large to travel as an event",
    415: "Body is not application/json",
    429: "The same action ran on this order moments ago: retry after `Retry-After` seconds",
    422: "Well-formed, but not applicable as things are (no such cart, an empty cart, "
    "a payment that does not fit the order)",
    503: "A dependency is unavailable; retry",
}


DESCRIPTION = (
    "Customer-portal orders. Money is a two-decimal string; times are UTC.\n\n"
    "CORS: every path answers `OPTIONS` (the browser's preflight, no token) for the stage's "
    "listed portal origins with `Access-Control-Allow-Origin: <origin>` (never `*`), its "
    "methods, and the allowed headers `Authorization, Content-Type, Idempotency-Key, If-Match, "
    "X-Correlation-Id`; every response to a listed origin, errors included, exposes `ETag, "
    "Location, X-Correlation-Id, Retry-After`."
)


def _json_content(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF + name}}}


def _problems(*statuses: int) -> dict[str, Any]:
    return {
        str(status): {
            "description": _PROBLEM_TEXT[status],
            "content": {"application/problem+json": {"schema": {"$ref": REF + "Problem"}}},
        }
        for status in statuses
    }


def _update_rules() -> str:
    """Who may set which status, and which status may follow which (models.lifecycle)."""
    transitions = [
        f"- {source.value} → {', '.join(sorted(t.value for t in targets)) or '(final)'}"
        for source, targets in TRANSITIONS.items()
    ]
    return "\n".join(
        [
            "Who may set what (anything else is 403 naming what the caller's roles allow):",
            "",
            role_table(),
            "",
            "Which status may follow which (anything else is 409 naming the allowed next states):",
            "",
            *transitions,
        ]
    )


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "maxLength": 64},
    }


def _etag_headers() -> dict[str, Any]:
    return {
        "ETag": {"description": "The order's version, for If-Match", "schema": {"type": "string"}}
    }


SUPPORT = {
    SupportAction.RERENDER_DOCUMENT: (
        "rerenderDocument",
        "Admins: render the order's current document afresh (a new version; no email)",
        "For support after a template or particulars change (`orderctl documents backfill` "
        "does it for a date range). The document renderer stores the document the order's "
        "status calls for as a new version of the same object, rendered with today's "
        "templates; nobody is emailed. ",
    ),
    SupportAction.RESEND_EMAIL: (
        "resendCustomerEmail",
        "Admins: send the customer the current document's email again",
        "The email of the order's current document (order received, payment received, "
        "cancelled, refunded), with the stored version of the document attached. ",
    ),
}


def _support_action(action: SupportAction, order_id: dict[str, Any]) -> dict[str, Any]:
    operation, summary, description = SUPPORT[action]
    return {
        "post": {
            "operationId": operation,
            "summary": summary,
            "description": description
            + "Admin group only (403 otherwise). 409 while the order has no document yet. "
            "Queued for the document renderer (202). Idempotent with `Idempotency-Key` (a "
            "retry answers the first `requestId` and queues nothing); at most once every "
            f"{action.window_s} s per order, sooner is 429 with `Retry-After`.",
            "security": [{"CognitoIdToken": []}],
            "parameters": [
                order_id,
                _idempotency_key(
                    "A retry with the same key answers the first request's 202 and queues nothing"
                ),
            ],
            "requestBody": {
                "required": False,
                "content": _json_content("SupportActionRequest"),
            },
            "responses": {
                "202": {
                    "description": "Queued for the document renderer",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                    "content": _json_content("SupportActionAccepted"),
                },
                **{
                    **_problems(400, 401, 403, 404, 409, 415, 503),
                    "429": {
                        **_problems(429)["429"],
                        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    },
                },
            },
        }
    }


def _idempotency_key(description: str) -> dict[str, Any]:
    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": description,
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "pattern": "^[\\x21-\\x7e]+$",
        },
    }


def _page_size() -> dict[str, Any]:
    return {
        "name": "pageSize",
        "in": "query",
        "required": False,
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PAGE_SIZE,
            "default": DEFAULT_PAGE_SIZE,
        },
    }


def _start_at() -> dict[str, Any]:
    return {
        "name": "startAt",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "maxLength": MAX_CURSOR_LENGTH},
        "description": "The opaque `nextStartAt` of the previous page "
        f"(valid for {TTL_S // 60} minutes)",
    }


def _period_parameters() -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "query",
            "required": True,
            "schema": {"type": "string", "format": "date", "pattern": DATE_PATTERN},
            "description": f"{what} date of issue (Africa/Johannesburg), included; "
            f"at most {MAX_PERIOD_DAYS} days in all",
        }
        for name, what in (("from", "The first"), ("to", "The last"))
    ]


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.0 document."""
    models: list[type[BaseModel]] = [
        CreateOrderRequest,
        UpdateOrderRequest,
        Order,
        OrderAccepted,
        OrderListResponse,
        InvoiceLink,
        SupportActionRequest,
        SupportActionAccepted,
        DocumentList,
        VatReport,
    ]
    schemas: dict[str, Any] = models_schema(models, ref_prefix=REF)["definitions"]
    schemas["Problem"] = PROBLEM
    secured: list[dict[str, list[str]]] = [{"CognitoIdToken": []}]
    order_id = _path_param("orderId", "The order's id (from the 202 answer)")
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "BBWS Order service",
            "version": "1.0",
            "description": DESCRIPTION,
        },
        "servers": [{"url": "https://api.bbws.io"}, {"url": "http://127.0.0.1:8000"}],
        "components": {
            "securitySchemes": {
                "CognitoIdToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "A Cognito ID token, raw or as `Bearer <token>`",
                }
            },
            "schemas": schemas,
        },
        "paths": {
            "/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Liveness (no auth)",
                    "responses": {"200": {"description": "Up"}},
                }
            },
            "/v1.0/orders": {
                "post": {
                    "operationId": "createOrder",
                    "summary": "Validate and enqueue an order",
                    "security": secured,
                    "parameters": [
                        _idempotency_key(
                            "A retry with the same key and body replays the first 202 "
                            "(the same key with another body is 409). A cart is ordered "
                            "once whatever the key: another key is 409 naming the order."
                        )
                    ],
                    "requestBody": {
                        "required": True,
                        "content": _json_content("CreateOrderRequest"),
                    },
                    "responses": {
                        "202": {
                            "description": "Accepted; the record appears asynchronously",
                            "headers": {"Location": {"schema": {"type": "string"}}},
                            "content": _json_content("OrderAccepted"),
                            "links": {
                                name: {
                                    "operationId": operation,
                                    "parameters": {"orderId": "$response.body#/orderId"},
                                }
                                for name, operation in (
                                    ("GetOrder", "getOrder"),
                                    ("UpdateOrder", "updateOrder"),
                                    ("GetInvoice", "getInvoice"),
                                )
                            },
                        },
                        **_problems(400, 401, 403, 409, 413, 415, 422, 503),
                    },
                }
            },
            "/v1.0/orders/{orderId}": {
                "get": {
                    "operationId": "getOrder",
                    "summary": "One order",
                    "security": secured,
                    "parameters": [order_id],
                    "responses": {
                        "200": {
                            "description": "The order",
                            "headers": _etag_headers(),
                            "content": _json_content("Order"),
                        },
                        **_problems(401, 404, 503),
                    },
                },
                "put": {
                    "operationId": "updateOrder",
                    "summary": "Status / payment update; soft delete (admins)",
                    "description": _update_rules(),
                    "security": secured,
                    "parameters": [
                        order_id,
                        {
                            "name": "If-Match",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string", "pattern": IF_MATCH_PATTERN},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": _json_content("UpdateOrderRequest"),
                    },
                    "responses": {
                        "200": {
                            "description": "The updated order",
                            "headers": _etag_headers(),
                            "content": _json_content("Order"),
                        },
                        **_problems(400, 401, 403, 404, 409, 412, 413, 415, 422, 503),
                    },
                },
            },
            "/v1.0/orders/{orderId}/invoice": {
                "get": {
                    "operationId": "getInvoice",
                    "summary": "A presigned link (5 minutes) to the current document and its kind",
                    "description": "Customers (their own tenant's orders) and admins; 403 for the "
                    "payment system's identity (docs/adr/0026).",
                    "security": secured,
                    "parameters": [order_id],
                    "responses": {
                        "200": {"description": "The link", "content": _json_content("InvoiceLink")},
                        **_problems(401, 403, 404, 503),
                    },
                }
            },
            **{
                f"/v1.0/orders/{{orderId}}/{action.value}": _support_action(action, order_id)
                for action in SupportAction
            },
            "/v1.0/documents": {
                "get": {
                    "operationId": "listDocuments",
                    "summary": "Admins: the documents register, by date of issue, oldest first",
                    "description": "Each document issued once (copies are not documents), "
                    "across tenants; one Query per page. Others: 403.",
                    "security": secured,
                    "parameters": [
                        *_period_parameters(),
                        {
                            "name": "kind",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": [k.value for k in DocumentKind]},
                        },
                        _page_size(),
                        _start_at(),
                    ],
                    "responses": {
                        "200": {
                            "description": "One page",
                            "content": _json_content("DocumentList"),
                        },
                        **_problems(400, 401, 403, 503),
                    },
                }
            },
            "/v1.0/reports/vat": {
                "get": {
                    "operationId": "vatReport",
                    "summary": "Admins: a period's output tax, from the register",
                    "description": "`outputTax = taxInvoices.vat - creditNotes.vat`: exactly the "
                    "register's sums for the same dates, in rand. Others: 403.",
                    "security": secured,
                    "parameters": _period_parameters(),
                    "responses": {
                        "200": {"description": "The report", "content": _json_content("VatReport")},
                        **_problems(400, 401, 403, 503),
                    },
                }
            },
            "/v1.0/tenants/{tenantId}/orders": {
                "get": {
                    "operationId": "listOrders",
                    "summary": "A tenant's orders, newest first",
                    "security": secured,
                    "parameters": [
                        {
                            **_path_param("tenantId", "The tenant (non-admins: their own)"),
                            "schema": {"type": "string", "pattern": TENANT_ID_PATTERN},
                        },
                        _page_size(),
                        _start_at(),
                        {
                            "name": "status",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": [s.value for s in OrderStatus]},
                        },
                        {
                            "name": "orderNumber",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "pattern": ORDER_NUMBER_PATTERN},
                            "description": "Exact match: a page of that one order, or empty "
                            "(numbers are unique per tenant; no `startAt` with it)",
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "One page",
                            "content": _json_content("OrderListResponse"),
                        },
                        **_problems(400, 401, 403, 503),
                    },
                }
            },
        },
    }


def render() -> str:
    """The document as it is committed (stable key order, trailing newline)."""
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    import sys
    from pathlib import Path

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/openapi.json")
    target.write_text(render())
    print(f"wrote {target}")
