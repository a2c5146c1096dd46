"""The mail viewer's reading of the emulator's state (orderctl/mail.py) and the emulator's stamp."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from devstack.emulator import stamp_sent_mail
from orderctl import mail
from orderctl.errors import NotFound
from orderctl.mail_commands import text_of
from tests.sample import send_simple_email

PDF = b"%PDF-1.7\n%fake\n"


def raw_state() -> dict[str, Any]:
    message = EmailMessage()
    message["Subject"] = "Your order ORD-EU-0000001"
    message["From"] = "no-reply@bbws.example"
    message["To"] = "jane@example.com"
    message.set_content("Thank you for your order.")
    message.add_alternative("<p>Thank you for your <b>order</b>.</p>", subtype="html")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="../order_o-1.pdf")
    return {
        "ses": {
            "Message": [
                {
                    "id": "0101-simple",
                    "source": "no-reply@bbws.example",
                    "subject": "New order ORD-EU-0000001",
                    "body": "<h1>New order</h1><p>R448,50</p>",
                    "destinations": {"ToAddresses": ["orders@bbws.example"], "CcAddresses": []},
                    "sent_at": "2026-12-01T10:00:00.000+00:00",
                }
            ],
            "RawMessage": [
                {
                    "id": "0102-raw",
                    "source": "no-reply@bbws.example",
                    # moto adds the To header's addresses to the destinations again
                    "destinations": ["jane@example.com", "Jane Doe <jane@example.com>"],
                    "raw_data": message.as_string(),
                    "sent_at": "2026-12-01T10:00:01.000+00:00",
                }
            ],
        }
    }


def test_both_kinds_are_read_newest_first_with_bodies_and_attachments() -> None:
    raw, simple = mail.from_state(raw_state())
    assert (raw.id, simple.id) == ("0102-raw", "0101-simple")
    assert raw.subject == "Your order ORD-EU-0000001"
    assert raw.to == ["jane@example.com"]
    assert raw.html is not None
    assert "<b>order</b>" in raw.html
    assert raw.text is not None
    assert raw.text.strip() == "Thank you for your order."
    [attachment] = raw.attachments
    assert (attachment.filename, attachment.content_type, attachment.data) == (
        "../order_o-1.pdf",
        "application/pdf",
        PDF,
    )
    assert simple.html == "<h1>New order</h1><p>R448,50</p>"
    assert simple.to == ["orders@bbws.example"]
    assert raw.summary()["attachments"] == [
        {"filename": "../order_o-1.pdf", "contentType": "application/pdf", "size": len(PDF)}
    ]


def test_an_email_is_found_by_id_or_unambiguous_prefix() -> None:
    mails = mail.from_state(raw_state())
    assert mail.find(mails, "0102-raw").id == "0102-raw"
    assert mail.find(mails, "0101").id == "0101-simple"
    with pytest.raises(NotFound, match="2 emails with id '010'"):
        mail.find(mails, "010")
    with pytest.raises(NotFound, match="no email"):
        mail.find(mails, "nope")


def test_saving_writes_the_bodies_and_attachments_under_safe_names(tmp_path: Path) -> None:
    [raw, _] = mail.from_state(raw_state())
    written = mail.save(raw, tmp_path / "out")
    assert sorted(p.name for p in written) == ["message.html", "message.txt", "order_o-1.pdf"]
    assert all(p.parent == tmp_path / "out" for p in written)  # nothing escapes the folder
    assert (tmp_path / "out" / "order_o-1.pdf").read_bytes() == PDF


def test_html_becomes_readable_text_for_a_terminal() -> None:
    html = "<style>p{}</style><h1>New order</h1><p>R448,50 &amp; more</p><script>x()</script>"
    assert text_of(html) == "New order\nR448,50 & more"


def test_the_emulator_stamps_each_accepted_email_with_its_time() -> None:
    stamp_sent_mail()
    stamp_sent_mail()  # idempotent: not stamped twice over
    with mock_aws():
        send_simple_email()
        from moto.core.models import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        [sent] = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages
        stamped = datetime.fromisoformat(sent.sent_at)
        assert stamped.utcoffset() == timedelta(0)
        assert abs(datetime.now(UTC) - stamped) < timedelta(minutes=1)
