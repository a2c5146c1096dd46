"""Accepting orders over the API and reading them back, within the caller's tenant."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from chalicelib.clock import utc_now
from chalicelib.errors import (
    CartAlreadyOrdered,
    Conflict,
    FieldError,
    OrderNotFound,
    PayloadTooLarge,
    PermissionDenied,
    ValidationFailed,
)
from chalicelib.models import wire
from chalicelib.models.events import OrderCreateRequested
from chalicelib.models.fields import TENANT_ID
from chalicelib.models.lifecycle import MAY_CREATE
from chalicelib.models.money import STATUTORY_VAT_RATE
from chalicelib.models.orders import (
    CreateOrderRequest,
    ListQuery,
    Order,
    OrderAccepted,
    OrderListResponse,
    OrderStatus,
    Pagination,
)
from chalicelib.models.principal import Principal
from chalicelib.ports import (
    Cursors,
    EventPublisher,
    IdempotencyKeys,
    IdempotencyRecord,
    InvalidStartKey,
    OrderStore,
    key_digest,
)
from chalicelib.services.checkout import Checkout, Contents
from chalicelib.services.pricing import price

# Ids are UUIDs; anything else (unicode, 1 KB strings, NULs) cannot name an order.
ORDER_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# A replayed key or cart whose order is still missing after this long is assumed lost in a crash
# between the claim and the enqueue; the stored event is sent again (the writer dedups).
REDELIVER_AFTER = timedelta(minutes=2)


def new_id() -> str:
    """A fresh opaque identifier."""
    return str(uuid.uuid4())


def check_order_id(order_id: str) -> None:
    """An id that cannot exist is simply not found."""
    if not ORDER_ID.fullmatch(order_id):
        raise OrderNotFound(order_id[:64])


class OrderService:
    """The API's order use cases: accept (enqueue), get, list."""

    def __init__(
        self,
        store: OrderStore,
        requests: EventPublisher,
        idempotency: IdempotencyKeys,
        cursors: Cursors,
        *,
        checkout: Checkout | None = None,
        clock: Callable[[], datetime] = utc_now,
        ids: Callable[[], str] = new_id,
        vat_rate: Decimal = STATUTORY_VAT_RATE,
    ) -> None:
        self._store = store
        self._requests = requests
        self._idempotency = idempotency
        self._cursors = cursors
        self._checkout = checkout or Checkout(None, None)
        self._clock = clock
        self._ids = ids
        self._vat_rate = vat_rate

    def accept(
        self,
        principal: Principal,
        request: CreateOrderRequest,
        correlation_id: str,
        idempotency_key: str | None = None,
        authorization: str = "",
    ) -> OrderAccepted:
        """Price the cart (or priced lines) and enqueue `OrderCreateRequested`, once.

        Once per cart: a cart ordered already is 409 naming its order, or (a retry with the same
        `Idempotency-Key`) the first 202 again. Back-office orders are once per key. Nothing is
        enqueued when anything fails.
        """
        if not principal.roles & MAY_CREATE:
            raise PermissionDenied(
                "Your role may not create orders: customers order their carts, administrators "
                "place back-office orders"
            )
        tenant_id = self._tenant_for(principal, request.tenantId)
        contents = self._checkout.contents(principal, tenant_id, request, authorization)
        event = self._request_event(principal, tenant_id, request, contents, correlation_id)
        body = wire.encode(event)
        _refuse_what_could_not_travel(body)
        record = IdempotencyRecord(
            request_hash=hashlib.sha256(
                f"{tenant_id}\n{request.json(sort_keys=True)}".encode()
            ).hexdigest(),
            order_id=event.data.id,
            event=body,
            created_at=event.occurredAt,
            key_digest=key_digest(idempotency_key) if idempotency_key else None,
        )
        release: Callable[[], None]
        if contents.cart_id is not None:  # the cart's claim is its idempotency record too
            holder = self._checkout.claim(tenant_id, contents, record)
            if holder is not None:
                return self._replay_cart(tenant_id, contents.cart_id, holder, record)
            release = partial(self._checkout.release, tenant_id, contents, record.order_id)
        elif idempotency_key is not None:
            existing = self._idempotency.claim(tenant_id, idempotency_key, record)
            if existing is not None:
                return self._replay(tenant_id, existing, record.request_hash)
            release = partial(self._idempotency.release, tenant_id, idempotency_key)
        else:
            release = _nothing
        try:
            self._requests.publish(event, body)
        except Exception:
            release()
            raise
        return _accepted(record.order_id, tenant_id)

    def _request_event(
        self,
        principal: Principal,
        tenant_id: str,
        request: CreateOrderRequest,
        contents: Contents,
        correlation_id: str,
    ) -> OrderCreateRequested:
        now = self._clock()
        totals = price(contents.lines, contents.campaign, self._vat_rate)
        order = Order(
            id=self._ids(),
            tenantId=tenant_id,
            customerEmail=request.customerEmail,
            status=OrderStatus.PENDING,
            currency=contents.currency,
            **totals.order_fields(),
            campaign=contents.campaign,
            billingAddress=request.billingAddress,
            cartId=contents.cart_id,
            dateCreated=now,
            dateLastUpdated=now,
            lastUpdatedBy=principal.subject,
        )
        return OrderCreateRequested(
            id=self._ids(), occurredAt=now, correlationId=correlation_id, data=order
        )

    def _replay(
        self, tenant_id: str, existing: IdempotencyRecord, request_hash: str
    ) -> OrderAccepted:
        if existing.request_hash != request_hash:
            raise Conflict("This Idempotency-Key was used with a different request body")
        self._resend_if_lost(tenant_id, existing)
        return _accepted(existing.order_id, tenant_id)

    def _replay_cart(
        self, tenant_id: str, cart_id: str, holder: IdempotencyRecord, record: IdempotencyRecord
    ) -> OrderAccepted:
        """A cart ordered already: the first 202 again for a retry with its key, else 409."""
        self._resend_if_lost(tenant_id, holder)
        if record.key_digest is not None and holder.key_digest == record.key_digest:
            return self._replay(tenant_id, holder, record.request_hash)
        raise CartAlreadyOrdered(cart_id, holder.order_id)

    def _resend_if_lost(self, tenant_id: str, existing: IdempotencyRecord) -> None:
        """Send the stored event again if its order is still missing long after (a crash
        between the claim and the enqueue); the record writer drops a duplicate."""
        overdue = self._clock() - existing.created_at > REDELIVER_AFTER
        if overdue and existing.event and self._store.get(tenant_id, existing.order_id) is None:
            self._requests.publish(OrderCreateRequested.parse_raw(existing.event))

    def get(self, principal: Principal, order_id: str) -> Order:
        """The order, if the caller may see it; another tenant's order is 'not found'."""
        check_order_id(order_id)
        if principal.reads_any_tenant:  # admins, and the payment system checking an amount
            order = self._store.find_by_id(order_id)
        else:
            order = self._store.get(principal.tenant_id, order_id)
        if order is None:
            raise OrderNotFound(order_id)
        if not order.active and not principal.is_admin:
            raise OrderNotFound(order_id)
        return order

    def list(self, principal: Principal, tenant_id: str, query: ListQuery) -> OrderListResponse:
        """One page of a tenant's orders, newest first; other tenants' lists are forbidden.

        With `orderNumber`, the page holds that order (if it is the tenant's and matches the
        status) or nothing: order numbers are unique per tenant, so there is never a next page.
        """
        if not principal.can_access_tenant(tenant_id):
            raise PermissionDenied("You may only list your own tenant's orders")
        if not TENANT_ID.fullmatch(tenant_id):
            raise ValidationFailed(
                "tenantId is not valid",
                [FieldError("tenantId", "must be 2-63 lower-case letters, digits or hyphens")],
            )
        page_size, start_at, status = query.page_size, query.start_at, query.status
        if query.order_number is not None:
            found = self._store.find_by_number(
                tenant_id, query.order_number, active_only=not principal.is_admin
            )
            items = [found] if found and (status is None or found.status == status) else []
            return OrderListResponse(
                items=items,
                pagination=Pagination(pageSize=page_size, nextStartAt=None, hasMore=False),
            )
        status_key = status.value if status else None
        after = self._cursors.decode(start_at, tenant_id, status_key) if start_at else None
        try:
            page = self._store.list_page(
                tenant_id, page_size, after, status, active_only=not principal.is_admin
            )
        except InvalidStartKey as exc:  # a signed position the table refuses
            raise ValidationFailed(
                "startAt is no longer valid", [FieldError("startAt", "expired")]
            ) from exc
        next_cursor = (
            self._cursors.encode(page.next_position, tenant_id, status_key)
            if page.next_position
            else None
        )
        return OrderListResponse(
            items=page.orders,
            pagination=Pagination(
                pageSize=page_size, nextStartAt=next_cursor, hasMore=next_cursor is not None
            ),
        )

    @staticmethod
    def _tenant_for(principal: Principal, requested: str | None) -> str:
        if requested is None or requested == principal.tenant_id:
            return principal.tenant_id
        if not principal.is_admin:
            raise PermissionDenied("Only administrators may create orders for another tenant")
        return requested


def _nothing() -> None:
    """Nothing to give back."""


def _accepted(order_id: str, tenant_id: str) -> OrderAccepted:
    return OrderAccepted(
        orderId=order_id, tenantId=tenant_id, links={"self": f"/v1.0/orders/{order_id}"}
    )


def _refuse_what_could_not_travel(body: str) -> None:
    """413 for an order whose events would not fit SNS's and SQS's message limit (with room for
    what the order gains later): refused now, never accepted and then dead-lettered."""
    size = wire.utf8_size(body)
    if size > wire.EVENT_BUDGET:
        raise PayloadTooLarge(
            f"The order is {size:,} bytes as an event, over the {wire.EVENT_BUDGET:,} an order "
            "may take through the pipeline: send fewer lines or shorter names and address lines"
        )
