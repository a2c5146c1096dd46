"""The order emails, each kind sent once per order however often its message is delivered."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from chalicelib import metrics
from chalicelib.log import logger
from chalicelib.models.documents import Document
from chalicelib.models.orders import Order
from chalicelib.ports import Attachment, EmailKind, EmailRefused, Ledger, Mailer, Renderer


class EmailBeingSent(Exception):
    """Another delivery holds the email's lease: retry this one later, never drop it.

    If that delivery dies before SES, its lease lapses and a retry sends the email; if it
    succeeds, the retry finds the email sent.
    """


class NotificationService:
    """Claim → render → send → mark sent; a failure releases the claim and is retried."""

    def __init__(
        self,
        ledger: Ledger,
        renderer: Renderer,
        mailer: Mailer,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._ledger = ledger
        self._renderer = renderer
        self._mailer = mailer
        self._clock = clock

    def send(
        self,
        kind: EmailKind,
        order: Order,
        to: list[str],
        document: Document | None = None,
        attachments: Callable[[], tuple[Attachment, ...]] | None = None,
    ) -> bool:
        """Send this kind of email for the order once; False when it was already sent.

        `attachments` is called only once the email is claimed (a redelivery reads nothing).
        """
        now = int(self._clock())
        claim = self._ledger.claim(order.tenantId, order.id, kind.ledger_name, now)
        if claim == "sent":
            logger.info(
                "Email already sent", extra={"order_id": order.id, "kind": kind.ledger_name}
            )
            return False
        if claim == "sending":
            raise EmailBeingSent(f"the {kind.ledger_name} email of order {order.id} is being sent")
        try:
            email = self._renderer.render(kind, order, document)
            if attachments is not None:
                email = replace(email, attachments=attachments())
            message_id = self._mailer.send(to, email)
        except EmailRefused as refused:
            self._ledger.refuse(order.tenantId, order.id, kind.ledger_name, str(refused), now)
            metrics.count("EmailsRefused")
            logger.error(
                "Email refused for good by SES: not retried "
                "(docs/runbooks/ses-bounces-throttling.md)",
                extra={"order_id": order.id, "kind": kind.ledger_name, "ses_error": refused.code},
            )
            return False
        except Exception:
            self._ledger.release(order.tenantId, order.id, kind.ledger_name)
            raise
        self._ledger.complete(
            order.tenantId, order.id, kind.ledger_name, message_id, int(self._clock())
        )
        metrics.count("EmailsSent")
        logger.info(
            "Email sent",
            extra={"order_id": order.id, "kind": kind.ledger_name, "ses_message_id": message_id},
        )
        return True
