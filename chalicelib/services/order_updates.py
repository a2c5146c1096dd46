"""Changing an order: who may (the roles), the state machine, payment rules, `If-Match`.

Every change is one conditional write; when DynamoDB refuses it, the item it returns says why,
so the caller gets 404, 409, 412 or 400 without a second read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from chalicelib.clock import iso, utc_now
from chalicelib.errors import (
    Conflict,
    FieldError,
    OrderNotFound,
    OrderServiceError,
    PermissionDenied,
    PreconditionFailed,
    Unprocessable,
    ValidationFailed,
)
from chalicelib.models.lifecycle import (
    ACROSS_TENANTS,
    MAY_SET,
    MAY_SET_ACTIVE,
    ONLY_FROM,
    Role,
    may_do,
)
from chalicelib.models.money import format_money
from chalicelib.models.orders import (
    Order,
    OrderStatus,
    PaymentDetails,
    RefundDetails,
    UpdateOrderRequest,
)
from chalicelib.models.principal import Principal
from chalicelib.ports import OrderChange, OrderStore, UpdateRejected
from chalicelib.services import state_machine
from chalicelib.services.orders import check_order_id

PAYMENT_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.PAYMENT_FAILED})
CLOCK_SKEW = timedelta(minutes=5)  # a payment system's clock may run this far ahead of ours


class OrderUpdater:
    """`PUT /v1.0/orders/{orderId}`."""

    def __init__(self, store: OrderStore, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._clock = clock

    def update(
        self,
        principal: Principal,
        order_id: str,
        request: UpdateOrderRequest,
        if_match: int | None = None,
    ) -> Order:
        """Apply the change atomically, or explain precisely why not."""
        check_order_id(order_id)
        roles = acting_roles(principal, request)
        change = self._change(principal, roles, request, if_match)
        tenant_id = principal.tenant_id
        if roles & ACROSS_TENANTS:
            found = self._store.find_by_id(order_id)
            if found is None:
                raise OrderNotFound(order_id)
            tenant_id = found.tenantId
        for field, moment in _instants(request):
            if moment > change.now + CLOCK_SKEW:
                if not roles & ACROSS_TENANTS and self._store.get(tenant_id, order_id) is None:
                    raise OrderNotFound(order_id)  # a missing order is 404 whatever the body says
                raise Unprocessable(
                    f"{field.rsplit('.', 1)[-1]} is in the future",
                    [FieldError(field, f"must not be after {iso(change.now)}")],
                )
        try:
            return self._store.update(tenant_id, order_id, change)
        except UpdateRejected as rejected:
            raise explain(rejected.current, change, order_id) from None

    def _change(
        self,
        principal: Principal,
        roles: frozenset[Role],
        request: UpdateOrderRequest,
        if_match: int | None,
    ) -> OrderChange:
        status, payment, refund = request.status, request.paymentDetails, request.refundDetails
        _require_details(status, payment, refund)
        paid = payment if status is OrderStatus.PAID else None
        return OrderChange(
            actor=principal.subject,
            now=self._clock(),
            status=status,
            allowed_from=_sources(roles, status) if status else None,
            payment=payment,
            refund=refund,
            require_amount=(
                (format_money(paid.amount), paid.currency)
                if paid is not None
                else (format_money(refund.amount), refund.currency)
                if refund is not None
                else None
            ),
            created_not_after=iso(payment.paidAt) if payment is not None else None,
            paid_not_after=iso(refund.refundedAt) if refund is not None else None,
            active=request.active,
            expected_version=if_match,
            require_active=not roles & MAY_SET_ACTIVE,
        )


def _require_details(
    status: OrderStatus | None, payment: PaymentDetails | None, refund: RefundDetails | None
) -> None:
    """PAID needs payment details, REFUNDED refund details; either only with its statuses."""
    if status is OrderStatus.PAID and payment is None:
        raise ValidationFailed(
            "Marking an order PAID needs its payment details",
            [FieldError("paymentDetails", "required when status is PAID")],
        )
    if payment is not None and status not in PAYMENT_STATUSES:
        raise ValidationFailed(
            "Payment details go with status PAID or PAYMENT_FAILED",
            [FieldError("paymentDetails", "only with status PAID or PAYMENT_FAILED")],
        )
    if status is OrderStatus.REFUNDED and refund is None:
        raise ValidationFailed(
            "Marking an order REFUNDED needs its refund details",
            [FieldError("refundDetails", "required when status is REFUNDED")],
        )
    if refund is not None and status is not OrderStatus.REFUNDED:
        raise ValidationFailed(
            "Refund details go with status REFUNDED",
            [FieldError("refundDetails", "only with status REFUNDED")],
        )


def _instants(request: UpdateOrderRequest) -> list[tuple[str, datetime]]:
    """The instants the request reports (a payment's, a refund's), by field."""
    found = []
    if request.paymentDetails is not None:
        found.append(("paymentDetails.paidAt", request.paymentDetails.paidAt))
    if request.refundDetails is not None:
        found.append(("refundDetails.refundedAt", request.refundDetails.refundedAt))
    return found


def acting_roles(principal: Principal, request: UpdateOrderRequest) -> frozenset[Role]:
    """The caller's roles that allow every part of the change; 403 naming what they allow."""
    roles = principal.roles
    if request.status is not None:
        roles = frozenset(r for r in roles if request.status in MAY_SET[r])
    if request.active is not None:
        roles = roles & MAY_SET_ACTIVE
    if roles:
        return roles
    asked = [f"status {request.status.value}"] if request.status is not None else []
    asked += ["active"] if request.active is not None else []
    allowed = "; ".join(f"as {role.value}: {may_do(role)}" for role in sorted(principal.roles))
    raise PermissionDenied(f"You may not set {' and '.join(asked)}. You may set {allowed}")


def _sources(roles: frozenset[Role], status: OrderStatus) -> frozenset[OrderStatus]:
    """Where `status` may be set from: the state machine, within the acting roles' limits."""
    sources = state_machine.predecessors(status)
    limits = [ONLY_FROM.get((role, status)) for role in roles]
    if all(limit is not None for limit in limits):
        sources &= frozenset().union(*(limit for limit in limits if limit is not None))
    return sources


def explain(current: Order | None, change: OrderChange, order_id: str) -> OrderServiceError:
    """Why a conditional update was refused, from the item as it was."""
    if current is None or (change.require_active and not current.active):
        return OrderNotFound(order_id)
    if change.expected_version is not None and current.version != change.expected_version:
        return PreconditionFailed(
            f"The order is at version {current.version}, not {change.expected_version}; "
            "read it again and retry"
        )
    allowed = change.allowed_from
    if change.status is not None and allowed is not None and current.status not in allowed:
        return state_machine.InvalidTransition(current.status, change.status)
    return _money_mismatch(current, change) or Conflict(
        "The order changed while it was being updated; read it again and retry"
    )


def _money_mismatch(current: Order, change: OrderChange) -> OrderServiceError | None:
    """A payment or refund that does not match the order: its amount, or when it happened."""
    if change.require_amount is not None:
        total, currency = format_money(current.total), current.currency
        if change.require_amount != (total, currency):
            what = "refund" if change.amount_of == "refundDetails" else "payment"
            return Unprocessable(
                f"The {what} does not match the order",
                [
                    FieldError(f"{change.amount_of}.amount", f"must equal the order total {total}"),
                    FieldError(f"{change.amount_of}.currency", f"must be {currency}"),
                ],
            )
    created = iso(current.dateCreated)
    if change.created_not_after is not None and created > change.created_not_after:
        return Unprocessable(
            "paidAt is before the order was created",
            [FieldError("paymentDetails.paidAt", f"must not be before {created}")],
        )
    paid = current.paymentDetails
    if change.paid_not_after is not None and paid and iso(paid.paidAt) > change.paid_not_after:
        return Unprocessable(
            "refundedAt is before the payment",
            [FieldError("refundDetails.refundedAt", f"must not be before {iso(paid.paidAt)}")],
        )
    return None
