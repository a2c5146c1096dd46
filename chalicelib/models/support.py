"""Admins' support actions on one order: re-render its document, resend the customer's email."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from chalicelib.models.base import ApiModel


class SupportAction(StrEnum):
    """What an operator can ask for (the last segment of the route)."""

    RERENDER_DOCUMENT = "rerender-document"
    RESEND_EMAIL = "resend-email"

    @property
    def window_s(self) -> int:
        """The same action on the same order runs at most once in this many seconds (else 429)."""
        return WINDOWS_S[self]


WINDOWS_S: dict[SupportAction, int] = {
    # A render is a few hundred ms of CPU and a new S3 version: once a minute per order.
    SupportAction.RERENDER_DOCUMENT: 60,
    # Each resend reaches a customer's inbox: once in five minutes per order.
    SupportAction.RESEND_EMAIL: 300,
}


class SupportActionRequest(ApiModel):
    """The optional body of a support action: nothing, or `{}` (unknown fields are 400)."""


class SupportActionAccepted(ApiModel):
    """Body of the 202 answer to a support action: queued for the document renderer."""

    orderId: str
    tenantId: str
    action: SupportAction
    requestId: str = Field(
        ..., description="The request's id; an `Idempotency-Key` retry answers the same one"
    )
    document: str = Field(
        ...,
        description="The document concerned: proforma, proforma-cancelled, tax-invoice or "
        "credit-note",
    )
    links: dict[str, str]
