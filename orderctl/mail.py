"""The emails the local stack sent, as a person reads them (`orderctl mail`, the portal's `/mail`).

The dev stack's SES is the emulator's. It keeps every accepted email, and its state document
(`/moto-api/data.json`, read for SES only with `?service=ses`) holds them: `Message` for
SendEmail (the internal notification: subject and HTML body) and `RawMessage` for SendRawEmail
(the customer's email: MIME with the PDF attached). The dev stack's emulator stamps each with
`sent_at` and keeps that document readable while the stack runs (devstack/emulator.py). Only
the local stack has this: in AWS, SES keeps no copy of what it sent.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from orderctl.errors import NotFound, RemoteFailure

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Mail:
    """One sent email."""

    id: str
    sent_at: str | None
    sender: str
    to: list[str]
    subject: str
    html: str | None = None
    text: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    reply_to: str | None = None  # a raw message's Reply-To (the emulator keeps no other's)

    def summary(self) -> dict[str, Any]:
        """What a listing shows (no bodies)."""
        return {
            "id": self.id,
            "sentAt": self.sent_at,
            "from": self.sender,
            "to": self.to,
            "subject": self.subject,
            "attachments": [
                {"filename": a.filename, "contentType": a.content_type, "size": len(a.data)}
                for a in self.attachments
            ],
        }


def from_simple(message: dict[str, Any]) -> Mail:
    """A SendEmail message: its body is the HTML (or text) as sent."""
    destinations = message.get("destinations") or {}
    to = [
        a
        for kind in ("ToAddresses", "CcAddresses", "BccAddresses")
        for a in destinations.get(kind, [])
    ]
    body = str(message.get("body") or "")
    looks_html = body.lstrip().startswith("<")
    return Mail(
        id=str(message["id"]),
        sent_at=message.get("sent_at"),
        sender=str(message.get("source") or ""),
        to=to,
        subject=str(message.get("subject") or ""),
        html=body if looks_html else None,
        text=None if looks_html else body,
    )


def from_raw(message: dict[str, Any]) -> Mail:
    """A SendRawEmail message: the MIME document, its parts and attachments decoded."""
    parsed = email.message_from_string(str(message["raw_data"]), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    html = text = None
    attachments = []
    for part in parsed.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            attachments.append(Attachment(filename or "attachment", part.get_content_type(), data))
        elif part.get_content_type() == "text/html" and html is None:
            html = data.decode(part.get_content_charset() or "utf-8", errors="replace")
        elif part.get_content_type() == "text/plain" and text is None:
            text = data.decode(part.get_content_charset() or "utf-8", errors="replace")
    return Mail(
        id=str(message["id"]),
        sent_at=message.get("sent_at"),
        sender=str(message.get("source") or parsed.get("From") or ""),
        to=addresses(str(d) for d in message.get("destinations") or []),
        subject=str(parsed.get("Subject") or ""),
        html=html,
        text=text,
        attachments=attachments,
        reply_to=str(parsed["Reply-To"]) if parsed["Reply-To"] else None,
    )


def addresses(destinations: Iterable[str]) -> list[str]:
    """Each address once, without display names (moto lists the To header's again)."""
    found: list[str] = []
    for destination in destinations:
        address = parseaddr(destination)[1] or destination
        if address not in found:
            found.append(address)
    return found


def from_state(state: dict[str, Any]) -> list[Mail]:
    """Every sent email in the emulator's state document, newest first."""
    ses = state.get("ses", {})
    found = [from_simple(m) for m in ses.get("Message", [])]
    found += [from_raw(m) for m in ses.get("RawMessage", [])]
    return sorted(found, key=lambda m: m.sent_at or "", reverse=True)


def fetch(emulator_url: str, timeout_s: float = 30) -> list[Mail]:
    """The local stack's sent emails, from its emulator."""
    import requests

    url = f"{emulator_url.rstrip('/')}/moto-api/data.json?service=ses"
    try:
        response = requests.get(url, timeout=timeout_s)
        response.raise_for_status()
    except requests.RequestException as error:
        raise RemoteFailure(
            f"cannot read the emulator's mail at {url} ({error}): is the local stack running?"
        ) from None
    return from_state(response.json())


def find(mails: list[Mail], reference: str) -> Mail:
    """An email by its id, or an unambiguous prefix of it."""
    matches = [m for m in mails if m.id == reference] or [
        m for m in mails if m.id.startswith(reference)
    ]
    if len(matches) != 1:
        what = "no email" if not matches else f"{len(matches)} emails"
        raise NotFound(f"{what} with id {reference!r} (orderctl mail list shows the ids)")
    return matches[0]


def save(mail: Mail, folder: Path) -> list[Path]:
    """The email's bodies and attachments as files in `folder`; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, body in (("message.html", mail.html), ("message.txt", mail.text)):
        if body is not None:
            (folder / name).write_text(body)
            written.append(folder / name)
    for index, attachment in enumerate(mail.attachments, start=1):
        name = (
            SAFE_NAME.sub("_", Path(attachment.filename).name).strip("._") or f"attachment-{index}"
        )
        target = folder / name
        if target in written:  # two attachments of one name
            target = folder / f"{index}-{name}"
        target.write_bytes(attachment.data)
        written.append(target)
    return written
