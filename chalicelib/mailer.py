"""Sending email through SES (HTML and text parts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from chalicelib.failures import dependency, error_code
from chalicelib.ports import Email, EmailRefused

if TYPE_CHECKING:
    from mypy_boto3_ses import SESClient


# SES answers that no retry can change: the address or the message itself is refused.
# Throttling, paused sending and configuration errors stay retryable (an operator can fix them
# and redrive the DLQ).
PERMANENT_ERRORS = frozenset({"InvalidParameterValue", "MessageRejected"})


class SesMailer:
    """One SendEmail per message; refusals are permanent, throttling and outages retryable."""

    def __init__(self, client: SESClient, sender: str) -> None:
        self._client = client
        self._sender = sender

    def send(self, to: list[str], email: Email) -> str:
        """Send; returns SES's message id."""
        with dependency("SES did not accept the email"):
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
            except ClientError as exc:
                code = error_code(exc)
                if code in PERMANENT_ERRORS:
                    message = str(exc.response.get("Error", {}).get("Message", ""))
                    raise EmailRefused(code, message) from exc
                raise
        return str(response["MessageId"])
