"""BBWS Order service: API routes and SQS processors.

Each handler parses its input, calls one service and serializes the result. Nothing here touches
AWS at import time, and the PDF/template libraries are never imported here.
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Response

from chalicelib import container, log, metrics, processing, processors, topology
from chalicelib.api import auth, params
from chalicelib.api.body import parse_json
from chalicelib.api.problems import api_boundary, correlation_id_of
from chalicelib.clock import iso, utc_now
from chalicelib.models.base import ApiModel
from chalicelib.models.orders import CreateOrderRequest, Order, UpdateOrderRequest
from chalicelib.models.principal import Principal
from chalicelib.settings import get_settings

app = Chalice(app_name="bbws-order-lambda")
errors_as_problems = api_boundary(app)
AUTHORIZER = auth.route_authorizer()
ANY_CONTENT_TYPE = ["*/*"]  # the body parser answers 415 as problem+json, not Chalice


def _json(status: int, model: ApiModel, headers: dict[str, str] | None = None) -> Response:
    # Serialized by pydantic: money stays a two-decimal string, never a float.
    return Response(
        body=model.json(),
        status_code=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _order(order: Order) -> Response:
    return _json(200, order, {"ETag": f'"{order.version}"'})


def _caller() -> Principal:
    request = app.current_request
    caller = auth.principal(request.headers, request.context, get_settings())
    log.bind(tenant_id=caller.tenant_id)
    return caller


@app.route("/health", methods=["GET"])
@errors_as_problems
def health() -> dict[str, Any]:
    """Liveness for the Route 53 failover check: no auth, no dependencies."""
    settings = get_settings()
    return {
        "status": "ok",
        "service": settings.service_name,
        "environment": settings.environment,
        "region": settings.aws_region,
        "time": iso(utc_now()),
    }


@app.route("/v1.0/orders", methods=["POST"], authorizer=AUTHORIZER, content_types=ANY_CONTENT_TYPE)
@errors_as_problems
def create_order() -> Response:
    """Validate and enqueue an order; the record is written asynchronously."""
    caller = _caller()
    request = app.current_request
    key = params.idempotency_key(request.headers)
    body = parse_json(request.raw_body, request.headers.get("content-type"), CreateOrderRequest)
    accepted = container.order_service().accept(caller, body, correlation_id_of(app), key)
    log.bind(order_id=accepted.orderId, tenant_id=accepted.tenantId)
    log.logger.info("Order accepted")
    metrics.count("OrdersAccepted")
    return _json(202, accepted, {"Location": accepted.links["self"]})


@app.route("/v1.0/orders/{orderId}", methods=["GET"], authorizer=AUTHORIZER)
@errors_as_problems
def get_order(orderId: str) -> Response:
    """One order of the caller's tenant (admins: any tenant)."""
    caller = _caller()
    log.bind(order_id=orderId[:64])
    return _order(container.order_service().get(caller, orderId))


@app.route(
    "/v1.0/orders/{orderId}", methods=["PUT"], authorizer=AUTHORIZER, content_types=ANY_CONTENT_TYPE
)
@errors_as_problems
def update_order(orderId: str) -> Response:
    """Status / payment update (state machine), soft delete by admins; `If-Match` honoured."""
    caller = _caller()
    log.bind(order_id=orderId[:64])
    request = app.current_request
    expected = params.if_match(request.headers)
    body = parse_json(request.raw_body, request.headers.get("content-type"), UpdateOrderRequest)
    return _order(container.order_updater().update(caller, orderId, body, expected))


@app.route("/v1.0/tenants/{tenantId}/orders", methods=["GET"], authorizer=AUTHORIZER)
@errors_as_problems
def list_orders(tenantId: str) -> Response:
    """A tenant's orders, newest first, `pageSize` 1-100, signed `startAt` cursor, `status`."""
    caller = _caller()
    page_size, start_at, status = params.list_query(app.current_request.query_params)
    page = container.order_service().list(caller, tenantId, page_size, start_at, status)
    return _json(200, page)


@app.route("/v1.0/orders/{orderId}/invoice", methods=["GET"], authorizer=AUTHORIZER)
@errors_as_problems
def get_invoice(orderId: str) -> Response:
    """A presigned link (5 minutes) to the order's PDF invoice; 404 until it is rendered."""
    caller = _caller()
    log.bind(order_id=orderId[:64])
    return _json(200, container.invoice_service().link(container.order_service(), caller, orderId))


@app.on_sqs_message(**topology.ORDER_CREATOR_RECORD.event_source())
def order_creator_record(event: Any) -> dict[str, Any]:
    """Number and write each requested order once, publish OrderCreated; report failures."""
    return processing.handle_batch_together(
        event,
        processors.parse_request,
        processors.record_orders,
        topology.ORDER_CREATOR_RECORD.function,
    )


@app.on_sqs_message(**topology.ORDER_PDF_CREATOR.event_source())
def order_pdf_creator(event: Any) -> dict[str, Any]:
    """Render and store each order's PDF invoice once."""
    return processing.handle_batch(
        event, processors.create_invoice, topology.ORDER_PDF_CREATOR.function
    )


@app.on_sqs_message(**topology.INTERNAL_NOTIFICATION_SENDER.event_source())
def order_internal_notification_sender(event: Any) -> dict[str, Any]:
    """Email the internal team about each new order once."""
    return processing.handle_batch(
        event, processors.send_internal_notification, topology.INTERNAL_NOTIFICATION_SENDER.function
    )


@app.on_sqs_message(**topology.CUSTOMER_CONFIRMATION_SENDER.event_source())
def customer_order_confirmation_sender(event: Any) -> dict[str, Any]:
    """Email each customer their order confirmation once."""
    return processing.handle_batch(
        event, processors.send_customer_confirmation, topology.CUSTOMER_CONFIRMATION_SENDER.function
    )
