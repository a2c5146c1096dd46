"""The local mail viewer against the running stack: `orderctl mail` and the portal's `/mail`."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.api_client import Caller, orderctl
from tests.e2e.stack_process import RunningStack

pytestmark = pytest.mark.e2e


def test_the_emails_of_an_order_can_be_listed_read_and_their_pdf_saved(
    running: tuple[RunningStack, dict[str, Any]], stack: dict[str, Any], tmp_path: Path
) -> None:
    env = {"LOCAL_STATE_DIR": str(running[0].state_dir)}
    customer = f"mail+{uuid.uuid4().hex[:8]}@example.com"
    alice = Caller(stack, "alice")
    order_id = alice.create(customerEmail=customer)
    number = alice.wait_for(order_id)["orderNumber"]

    deadline = time.monotonic() + 60
    while True:  # the customer's email follows the record, the PDF and the stream
        listed = orderctl("mail", "list", "--to", customer, "--json", env=env)
        assert listed.returncode == 0, listed.stderr
        mails = json.loads(listed.stdout)
        if mails:
            break
        assert time.monotonic() < deadline, "no email to the customer within 60 s"
        time.sleep(1)
    [sent] = mails
    assert number in sent["subject"]
    assert sent["sentAt"] is not None
    assert [a["contentType"] for a in sent["attachments"]] == ["application/pdf"]

    shown = orderctl("mail", "show", sent["id"][:12], "--save", str(tmp_path), env=env)
    assert shown.returncode == 0, shown.stderr
    assert f"To:      {customer}" in shown.stdout
    assert "Attached: " in shown.stdout
    [pdf] = (tmp_path / sent["id"]).glob("*.pdf")  # the name made safe for a file system
    assert pdf.name == sent["attachments"][0]["filename"].replace(" ", "_")
    assert f"wrote {pdf}" in shown.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    assert (tmp_path / sent["id"] / "message.html").exists()
    assert orderctl("mail", "show", "no-such-mail", env=env).returncode == 4

    # The same in the browser's viewer, beside the portal page.
    portal = stack["mailUrl"].removesuffix("/mail")
    page = requests.get(stack["mailUrl"], timeout=10)
    assert page.status_code == 200
    assert 'src="/mail.js"' in page.text
    messages = requests.get(f"{portal}/mail/messages.json", timeout=10).json()
    assert sent["id"] in [m["id"] for m in messages]
    body = requests.get(f"{portal}/mail/messages/{sent['id']}/body", timeout=10)
    assert body.status_code == 200
    assert body.headers["Content-Security-Policy"].startswith("sandbox;")
    attachment = requests.get(f"{portal}/mail/messages/{sent['id']}/attachments/1", timeout=10)
    assert attachment.headers["Content-Type"] == "application/pdf"
    assert attachment.headers["Content-Disposition"].startswith("attachment;")
    assert attachment.content == pdf.read_bytes()
    missing = requests.get(f"{portal}/mail/messages/{sent['id']}/attachments/9", timeout=10)
    assert missing.status_code == 404


def test_mail_is_the_local_stacks_only(tmp_path: Path) -> None:
    result = orderctl(
        "mail",
        "list",
        "--base-url",
        "https://api-dev.bbws.io",
        env={"LOCAL_STATE_DIR": str(tmp_path)},
    )
    assert result.returncode == 2
    assert "only the local stack keeps the emails it sent" in result.stderr
