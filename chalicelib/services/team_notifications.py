"""The team's email about an order: sent once when the status table says the team is told.

`models/status_effects.py` decides (today: a new order); the recipients are a stage setting; the
email's look is the renderer's (`rendering/emails.INTERNAL_NOTIFICATION`).
"""

from __future__ import annotations

from chalicelib.models.orders import Order
from chalicelib.models.status_effects import effects_of
from chalicelib.ports import EmailKind
from chalicelib.services.notifications import NotificationService


class TeamNotifications:
    """order_internal_notification_sender's rule."""

    def __init__(
        self, notifications: NotificationService, kind: EmailKind, recipients: list[str]
    ) -> None:
        self._notifications = notifications
        self._kind = kind
        self._recipients = recipients

    def send(self, order: Order) -> bool:
        """Tell the team about `order` once, if its status tells the team; False otherwise."""
        if not effects_of(order.status).tells_team:
            return False
        return self._notifications.send(self._kind, order, self._recipients)
