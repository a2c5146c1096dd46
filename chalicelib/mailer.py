"""Sending email through SES: HTML and text parts, and PDF attachments as raw MIME.

An email without attachments is a `SendEmail`; one with attachments is built with the standard
library's `email` package (multipart/mixed: an alternative text/HTML part, then each file) and
sent with `SendRawEmail`. The text part is the plain-text template's output as it is: never
HTML-escaped.
"""

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
    """One SendEmail (or SendRawEmail) per message; refusals permanent, throttling retryable."""

    def __init__(self, client: SESClient, sender: str, reply_to: str | None = None) -> None:
        self._client = client
        self._sender = sender  # `Name <address>` or an address (Settings.email_from)
        self._reply_to = reply_to

    def send(self, to: list[str], email: Email) -> str:
        """Send; returns SES's message id."""
        with dependency("SES did not accept the email"):
            try:
                if email.attachments:
                    response = self._client.send_raw_email(
                        Source=self._sender,
                        Destinations=to,
                        RawMessage={"Data": mime_message(self._sender, to, email, self._reply_to)},
                    )
                else:
                    response = self._client.send_email(
                        Source=self._sender,
                        Destination={"ToAddresses": to},
                        ReplyToAddresses=[self._reply_to] if self._reply_to else [],
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


def mime_message(sender: str, to: list[str], email: Email, reply_to: str | None = None) -> bytes:
    """The email as RFC 5322 bytes: text and HTML alternatives, then the attachments."""
    from email.message import EmailMessage
    from email.policy import SMTP

    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = ", ".join(to)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = email.subject
    message.set_content(email.text, charset="utf-8")
    message.add_alternative(email.html, subtype="html", charset="utf-8")
    for attachment in email.attachments:
        maintype, subtype = attachment.content_type.split("/", 1)
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message.as_bytes()
