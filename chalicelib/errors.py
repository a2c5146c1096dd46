"""Domain errors. They carry no HTTP: `chalicelib.api.problems` maps them to responses.

OrderServiceError
├── ValidationFailed          input breaks the contract (field-level details)
│   └── Unprocessable         well-formed, but cannot apply to this resource as it is now
├── AuthenticationFailed      no identity, or one that cannot be trusted
├── PermissionDenied          a known caller acting outside its rights
├── NotFound
│   └── OrderNotFound         absent, inactive, or another tenant's
├── Conflict                  the request clashes with current state
│   ├── InvalidTransition     (services.state_machine) a status that cannot follow
│   └── CartAlreadyOrdered    the cart is an order already (names it)
├── PreconditionFailed        `If-Match` names a version that is no longer current
├── TooManyRequests           the same action on the same order ran a moment ago (Retry-After)
├── PayloadTooLarge           body over the accepted size
├── UnsupportedMediaType      body is not JSON
├── DependencyFailed          an AWS service or the Cart service failed after retries
│   └── CartServiceUnavailable  the Cart service is down, slow or failing (breaker open)
└── StoredDataUnreadable      a stored item no longer parses (`orderctl repair`)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field (`field` is a dotted/indexed path)."""

    field: str
    message: str


class OrderServiceError(Exception):
    """Root of every error the service raises on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def members(self) -> dict[str, str]:
        """Extra members of the problem document (RFC 9457 extensions), e.g. `orderId`."""
        return {}


class ValidationFailed(OrderServiceError):
    """The input breaks the contract."""

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class Unprocessable(ValidationFailed):
    """Well-formed input that cannot apply to the resource as it is now (HTTP 422).

    E.g. a payment whose amount is not the order's total: no schema can say that, so the
    answer differs from a contract violation (400).
    """


class AuthenticationFailed(OrderServiceError):
    """No identity, or one that cannot be trusted."""


class PermissionDenied(OrderServiceError):
    """A known caller acting outside its rights."""


class NotFound(OrderServiceError):
    """The resource does not exist for this caller."""


class OrderNotFound(NotFound):
    """The order is absent, inactive, or belongs to another tenant."""

    def __init__(self, order_id: str) -> None:
        super().__init__(f"Order {order_id!r} was not found")
        self.order_id = order_id


class Conflict(OrderServiceError):
    """The request clashes with the current state."""


class PreconditionFailed(OrderServiceError):
    """A conditional request's precondition (`If-Match`) no longer holds."""


class TooManyRequests(OrderServiceError):
    """The same support action on the same order ran too recently (HTTP 429, `Retry-After`)."""

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = max(1, retry_after_s)


class PayloadTooLarge(OrderServiceError):
    """The body is larger than the service accepts."""


class UnsupportedMediaType(OrderServiceError):
    """The body is not in a media type the service accepts."""


class DependencyFailed(OrderServiceError):
    """An AWS service failed after botocore's retries."""

    retry_after_s = 5  # the `Retry-After` of the 503: a retry soon may well succeed


class CartServiceUnavailable(DependencyFailed):
    """The Cart service is down, slow or failing; nothing was enqueued."""

    def __init__(self, detail: str, retry_after_s: int = 5) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class CartAlreadyOrdered(Conflict):
    """The cart was ordered already: the problem names that order."""

    def __init__(self, cart_id: str, order_id: str) -> None:
        super().__init__(f"Cart {cart_id!r} was ordered already, as order {order_id}")
        self.order_id = order_id

    @property
    def members(self) -> dict[str, str]:
        """The order the cart became."""
        return {"orderId": self.order_id}


class StoredDataUnreadable(OrderServiceError):
    """A stored item does not parse into its model: a defect to repair, never the caller's fault."""
