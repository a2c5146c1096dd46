"""Sending email through SES (HTML and text parts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.errors import DependencyFailed
from chalicelib.rendering.emails import Email

if TYPE_CHECKING:
    from mypy_boto3_ses import SESClient


class SesMailer:
    """One SendEmail per message; throttling and outages become retryable failures."""

    def __init__(self, client: SESClient, sender: str) -> None:
        self._client = client
        self._sender = sender

    def send(self, to: list[str], email: Email) -> str:
        """Send; returns SES's message id."""
        try:
            response = self._client.send_email(
                Source=self._sender,
                Destination={"ToAddresses": to},
                Message={
                    "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                    "Body": {
                        "Html": {"Data": email.html, "Charset": "UTF-8"},
                        "Text": {"Data": email.text, "Charset": "UTF-8"},
                    },
                },
            )
        except (BotoCoreError, ClientError) as exc:
            raise DependencyFailed("SES did not accept the email") from exc
        return str(response["MessageId"])
