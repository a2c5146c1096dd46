"""BBWS Order service: API routes and SQS processors.

Each handler parses its input, calls one service and serializes the result. Nothing here touches
AWS at import time, and the PDF/template libraries are never imported here.
"""

from __future__ import annotations

from typing import Any, TypeVar

from chalice.app import Request, Response

from chalicelib import SERVICE_NAME, batch, log, metrics, processing, topology, wiring
from chalicelib.api import auth, cors, params
from chalicelib.api.body import parse_json
from chalicelib.api.problems import BoundedChalice, correlation_id_of
from chalicelib.clock import iso, utc_now
from chalicelib.models.base import ApiModel
from chalicelib.models.orders import CreateOrderRequest, Order, UpdateOrderRequest
from chalicelib.models.principal import Principal
from chalicelib.models.support import SupportAction, SupportActionRequest
from chalicelib.settings import get_settings

M = TypeVar("M", bound=ApiModel)
# Every route is inside the error boundary by construction (chalicelib/api/problems.py).
app = BoundedChalice(app_name=SERVICE_NAME)
AUTHORIZER = auth.route_authorizer()
ANY_CONTENT_TYPE = ["*/*"]  # the body parser answers 415 as problem+json, not Chalice


def _json(status: int, model: ApiModel, headers: dict[str, str] | None = None) -> Response:
    # Serialized by pydantic: money stays a two-decimal string, never a float.
    return Response(
        body=model.json(by_alias=True),
        status_code=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _order(order: Order) -> Response:
    return _json(200, order, {"ETag": f'"{order.version}"'})


def _request() -> Request:
    request = app.current_request
    if request is None:  # Chalice sets it for every route call
        raise RuntimeError("no current request outside a route")
    return request


def _body(model: type[M]) -> M:
    request = _request()
    raw = request.raw_body
    return parse_json(
        raw.encode() if isinstance(raw, str) else raw, request.headers.get("content-type"), model
    )


def _caller() -> Principal:
    request = _request()
    caller = auth.principal(request.headers, request.context)
    log.bind(tenant_id=caller.tenant_id)
    return caller


@app.route("/health", methods=["GET"])
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
def create_order() -> Response:
    """Validate and enqueue an order; the record is written asynchronously."""
    caller = _caller()
    headers = _request().headers
    key = params.idempotency_key(headers)
    body = _body(CreateOrderRequest)
    accepted = wiring.order_service().accept(
        caller, body, correlation_id_of(app), key, headers.get("authorization", "")
    )
    log.bind(order_id=accepted.orderId, tenant_id=accepted.tenantId)
    log.logger.info("Order accepted")
    metrics.count("OrdersAccepted")
    return _json(202, accepted, {"Location": accepted.links["self"]})


@app.route("/v1.0/orders/{orderId}", methods=["GET"], authorizer=AUTHORIZER)
def get_order(orderId: str) -> Response:
    """One order of the caller's tenant (admins: any tenant)."""
    caller = _caller()
    log.bind(order_id=orderId[:64])
    return _order(wiring.order_service().get(caller, orderId))


@app.route(
    "/v1.0/orders/{orderId}", methods=["PUT"], authorizer=AUTHORIZER, content_types=ANY_CONTENT_TYPE
)
def update_order(orderId: str) -> Response:
    """Status / payment update (state machine), soft delete by admins; `If-Match` honoured."""
    caller = _caller()
    log.bind(order_id=orderId[:64])
    expected = params.if_match(_request().headers)
    body = _body(UpdateOrderRequest)
    return _order(wiring.order_updater().update(caller, orderId, body, expected))


@app.route("/v1.0/tenants/{tenantId}/orders", methods=["GET"], authorizer=AUTHORIZER)
def list_orders(tenantId: str) -> Response:
    """A tenant's orders, newest first: `pageSize` 1-100, signed `startAt` cursor, `status`,
    `orderNumber` (exact: the one order, or none)."""
    caller = _caller()
    query = params.list_query(_request().query_params)
    return _json(200, wiring.order_service().list(caller, tenantId, query))


@app.route("/v1.0/orders/{orderId}/invoice", methods=["GET"], authorizer=AUTHORIZER)
def get_invoice(orderId: str) -> Response:
    """A presigned link (5 minutes) to the order's current document and its `kind`; 404 before."""
    caller = _caller()
    log.bind(order_id=orderId[:64])
    return _json(200, wiring.document_service().link(wiring.order_service(), caller, orderId))


@app.route("/v1.0/documents", methods=["GET"], authorizer=AUTHORIZER)
def list_documents() -> Response:
    """Admins: the documents register, by date of issue (`from`, `to`, `kind`, `pageSize`,
    signed `startAt`); one Query per page."""
    caller = _caller()
    register = wiring.register_service()
    register.authorize(caller)  # 403 before a parameter is looked at
    return _json(200, register.list(caller, params.register_query(_request().query_params)))


@app.route("/v1.0/reports/vat", methods=["GET"], authorizer=AUTHORIZER)
def vat_report() -> Response:
    """Admins: a period's output tax from the register (`from`, `to`: dates of issue)."""
    caller = _caller()
    register = wiring.register_service()
    register.authorize(caller)
    return _json(200, register.vat_report(caller, params.period(_request().query_params)))


def _support(order_id: str, action: SupportAction) -> Response:
    caller = _caller()
    log.bind(order_id=order_id[:64])
    request = _request()
    if request.raw_body:  # no body, or `{}`: the action has no parameters
        _body(SupportActionRequest)
    accepted = wiring.support_actions().request(
        caller, order_id, action, params.idempotency_key(request.headers), correlation_id_of(app)
    )
    return _json(202, accepted, {"Location": accepted.links["order"]})


def _support_route(action: SupportAction, summary: str) -> None:
    """`POST /v1.0/orders/{orderId}/{action}`: an admin's support action, queued (202).

    Idempotent with `Idempotency-Key`; at most once per order per `action.window_s` (429 with
    `Retry-After` otherwise). ADR 0024."""

    def view(orderId: str) -> Response:
        return _support(orderId, action)

    view.__name__ = action.value.replace("-", "_")
    view.__doc__ = summary
    app.route(
        f"/v1.0/orders/{{orderId}}/{action.value}",
        methods=["POST"],
        authorizer=AUTHORIZER,
        content_types=ANY_CONTENT_TYPE,
    )(view)


_support_route(
    SupportAction.RERENDER_DOCUMENT,
    "Admins: the order's current document rendered afresh as a new version (no email).",
)
_support_route(
    SupportAction.RESEND_EMAIL,
    "Admins: the current document's email sent again, the stored version attached.",
)


def _preflight_route(path: str, methods: list[str]) -> None:
    """`OPTIONS path`: the browser's preflight, answered for listed origins (no authorizer)."""

    def preflight(**_: str) -> Response:
        origin = cors.allowed_origin(_request().headers, get_settings().cors_origins)
        headers: dict[str, str | list[str]] = {**cors.preflight_headers(origin, methods)}
        return Response(body="", status_code=204, headers=headers)

    preflight.__name__ = "preflight_" + "".join(c if c.isalnum() else "_" for c in path).strip("_")
    app.route(path, methods=["OPTIONS"])(preflight)


for _path, _views in list(app.routes.items()):  # every route above has its preflight
    _preflight_route(_path, list(_views))
app.register_middleware(cors.middleware(lambda: get_settings().cors_origins), "http")


@app.on_sqs_message(**topology.ORDER_CREATOR_RECORD.event_source())
def order_creator_record(event: Any) -> dict[str, Any]:
    """Number and write each requested order once, publish OrderCreated; report failures."""
    return batch.handle_batch_together(
        event,
        processing.order_requested,
        lambda requests: wiring.order_recorder().record_batch(requests),
        topology.ORDER_CREATOR_RECORD.function,
    )


@app.on_sqs_message(**topology.ORDER_PDF_CREATOR.event_source())
def order_pdf_creator(event: Any) -> dict[str, Any]:
    """Issue each order's document once per status that calls for one; announce it."""

    def issue(body: str) -> None:
        trigger = processing.document_event(body)
        wiring.document_service().handle(trigger, redelivered=batch.redelivered())

    return batch.handle_batch(event, issue, topology.ORDER_PDF_CREATOR.function)


@app.on_dynamodb_record(**topology.ORDER_STATUS_STREAM.event_source())
def order_status_stream(event: Any) -> dict[str, Any]:
    """The table's stream → one `OrderStatusChanged` per status change, to the renderer's queue."""
    return processing.handle_stream(
        event,
        wiring.renderer_queue().publish,
        topology.ORDER_STATUS_STREAM.function,
        get_settings().aws_region,
    )


@app.on_sqs_message(**topology.INTERNAL_NOTIFICATION_SENDER.event_source())
def order_internal_notification_sender(event: Any) -> dict[str, Any]:
    """Email the internal team about each new order once."""

    def send(body: str) -> None:
        wiring.team_notifications().send(processing.created_order(body))

    return batch.handle_batch(event, send, topology.INTERNAL_NOTIFICATION_SENDER.function)


@app.on_sqs_message(**topology.CUSTOMER_CONFIRMATION_SENDER.event_source())
def customer_order_confirmation_sender(event: Any) -> dict[str, Any]:
    """Email each customer once per document issued, with the document attached."""

    def send(body: str) -> None:
        wiring.customer_emails().send(processing.customer_email_event(body))

    return batch.handle_batch(event, send, topology.CUSTOMER_CONFIRMATION_SENDER.function)
