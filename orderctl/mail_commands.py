"""`orderctl mail list|show`: the emails the local stack sent (orderctl/mail.py)."""

from __future__ import annotations

from pathlib import Path

from orderctl import mail
from orderctl.context import Args, profile_of
from orderctl.errors import UsageError
from orderctl.output import body, emit, say


def mails_of(args: Args) -> list[mail.Mail]:
    profile = profile_of(args)
    if profile.stack is None:
        raise UsageError(
            f"{profile.describe()}: only the local stack keeps the emails it sent (its "
            "emulator's SES); in AWS, follow an email in the SES console or the sender's logs"
        )
    return mail.fetch(str(profile.stack["awsEndpointUrl"]))


def cmd_mail_list(args: Args) -> int:
    """Newest first: when, from, to, subject, attachments."""
    mails = [m for m in mails_of(args) if not args.to or args.to in m.to][: args.limit]
    summaries = [m.summary() for m in mails]
    if args.json:
        body(summaries)
        return 0
    rows = [
        {
            "id": s["id"],
            "sent_at": s["sentAt"],
            "to": ", ".join(s["to"]),
            "subject": s["subject"],
            "attachments": ", ".join(a["filename"] for a in s["attachments"]),
        }
        for s in summaries
    ]
    emit(rows, ["id", "sent_at", "to", "subject", "attachments"], False, f"{len(rows)} email(s)")
    return 0


def cmd_mail_show(args: Args) -> int:
    """One email: its headers and text; --save writes its bodies and attachments to a folder."""
    found = mail.find(mails_of(args), args.id)
    if args.save:
        folder = Path(args.save) / found.id
        for path in mail.save(found, folder):
            say(f"wrote {path}")
    if args.json:
        body({**found.summary(), "html": found.html, "text": found.text})
        return 0
    print(f"From:    {found.sender}")
    print(f"To:      {', '.join(found.to)}")
    print(f"Sent:    {found.sent_at or 'unknown'}")
    print(f"Subject: {found.subject}")
    for attachment in found.attachments:
        size = f"{len(attachment.data):,} bytes"
        print(f"Attached: {attachment.filename} ({attachment.content_type}, {size})")
    print()
    print(found.text if found.text is not None else text_of(found.html or ""))
    return 0


def text_of(html: str) -> str:
    """Readable text of an HTML body, for a terminal."""
    import html as entities
    import re

    without_style = re.sub(r"(?is)<(style|script)[^>]*>.*?</\1>", "", html)
    lines = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|h[1-6]|li)>", "\n", without_style)
    text = entities.unescape(re.sub(r"<[^>]+>", "", lines))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
