"""The mail viewer page (`/mail`, beside the portal page) in headless Chromium: the customer's
email listed, opened in its sandboxed frame, its PDF linked for download."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.api_client import Caller
from tests.e2e.browser import all_by, by_testid, recorded, wait

pytestmark = pytest.mark.e2e


def test_the_viewer_lists_the_customers_email_and_shows_it_with_its_pdf(
    stack: dict[str, Any], browser: tuple[Any, Path]
) -> None:
    driver, _ = browser
    customer = f"viewer+{uuid.uuid4().hex[:8]}@example.com"
    alice = Caller(stack, "alice")
    number = alice.wait_for(alice.create(customerEmail=customer))["orderNumber"]
    portal = stack["mailUrl"].removesuffix("/mail")
    deadline = time.monotonic() + 60
    while not any(
        customer in m["to"] for m in requests.get(f"{portal}/mail/messages.json", timeout=10).json()
    ):
        assert time.monotonic() < deadline, "the customer's email was not sent within 60 s"
        time.sleep(1)

    with recorded(driver, "mail") as steps:
        driver.get(stack["mailUrl"])
        row = wait(
            driver,
            lambda: next(
                (r for r in all_by(driver, "[data-testid='mail']") if customer in r.text), None
            ),
            "the customer's email in the list",
        )
        steps.shoot("list")
        row.find_element("css selector", "a").click()
        wait(driver, lambda: number in by_testid(driver, "subject").text, "the opened email")
        [link] = all_by(driver, "[data-testid='attachment']")
        assert link.get_attribute("download").endswith(".pdf")
        assert link.get_attribute("href").endswith("/attachments/1")
        frame = by_testid(driver, "body")
        assert frame.get_attribute("sandbox") == ""  # no scripts, forms or navigation
        driver.switch_to.frame(frame)
        wait(driver, lambda: number in driver.find_element("tag name", "body").text, "its body")
        driver.switch_to.default_content()
        steps.shoot("open")
