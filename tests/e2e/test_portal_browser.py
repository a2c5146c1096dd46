"""The reference portal page in a real browser (headless Chromium) against the running stack.

sign-in → cart → order (progress polled with backoff) → document download → list with paging →
a 404's problem shown → cancel; any console error (a CORS refusal above all) fails the test.
Screenshots of every step go to `build/browser/` when it fails (tests/e2e/browser.py).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from pypdf import PdfReader

from chalicelib.models.orders import OrderStatus
from devstack import portal
from tests.e2e.api_client import Caller
from tests.e2e.browser import Steps, all_by, by_testid, recorded, wait


def problem(driver: Any) -> str:
    box = by_testid(driver, "problem")
    return str(box.text) if box.is_displayed() else ""


def open_page(driver: Any, url: str) -> None:
    driver.get(url)
    wait(driver, lambda: driver.execute_script("return document.body.dataset.ready"), "the page")


def sign_in(driver: Any, steps: Steps, username: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(by_testid(driver, "username")).select_by_value(username)
    by_testid(driver, "sign-in").click()
    wait(driver, lambda: all_by(driver, "[data-testid^='quantity-']") or problem(driver), "sign-in")
    steps.shoot("signed-in")
    assert problem(driver) == ""


def idle(driver: Any) -> bool:
    return not driver.execute_script("return document.body.dataset.busy")


def rows(driver: Any) -> list[tuple[str, str]]:
    """(order id, status) of each row of the list."""
    return [
        (row.get_attribute("data-order-id"), row.get_attribute("data-status"))
        for row in all_by(driver, "[data-testid='order-list'] tbody tr")
    ]


def poll_gaps(driver: Any, url: str) -> list[float]:
    """Seconds between the page's successive requests of one URL (Resource Timing)."""
    starts = driver.execute_script(
        "return performance.getEntriesByType('resource')"
        ".filter(e => e.name === arguments[0]).map(e => e.startTime)",
        url,
    )
    return [(b - a) / 1000 for a, b in itertools.pairwise(starts)]


def test_a_customer_orders_downloads_pages_and_cancels_in_the_portal(
    stack: dict[str, Any], browser: tuple[Any, Path]
) -> None:
    driver, downloads = browser
    alice = Caller(stack, "alice")
    with recorded(driver, "portal") as steps:
        open_page(driver, f"{stack['portalUrl']}/")
        assert "Not signed in" in by_testid(driver, "who").text
        steps.shoot("page")

        sign_in(driver, steps, "alice@tenant-a.example")
        assert "alice@tenant-a.example, tenant tenant-a" in by_testid(driver, "who").text

        # The cart: 2 x WordPress Pro Hosting with SUMMER25, priced by the Cart service.
        for product, quantity in (("wp-starter", 0), ("wp-pro", 2)):
            field = by_testid(driver, f"quantity-{product}")
            field.clear()
            field.send_keys(str(quantity))
        by_testid(driver, "campaign").send_keys("SUMMER25")
        by_testid(driver, "create-cart").click()
        wait(driver, lambda: "Cart c-" in by_testid(driver, "cart").text or problem(driver), "cart")
        assert problem(driver) == ""
        assert "2 \u00d7 WordPress Pro Hosting at R299,00" in by_testid(driver, "cart").text
        steps.shoot("cart")

        # The order: 202, then the page polls until the record and the document exist.
        by_testid(driver, "place-order").click()
        wait(driver, lambda: "Accepted: order" in by_testid(driver, "progress").text, "the 202")
        order_id = by_testid(driver, "progress").text.split("Accepted: order ", 1)[1].split()[0]
        order_url = f"{stack['apiUrl']}/v1.0/orders/{order_id}"
        steps.console.expect(order_url, 404)  # the record is written asynchronously
        steps.shoot("accepted")
        wait(
            driver,
            lambda: all_by(driver, "[data-testid='download-link']") or problem(driver),
            "the document",
            timeout_s=90,
        )
        assert problem(driver) == ""
        progress = [
            (item.get_attribute("data-state"), item.text)
            for item in all_by(driver, "[data-testid='progress'] li")
        ]
        assert [state for state, _ in progress] == ["done", "done", "done"]
        assert "Order record written: ORD-" in progress[1][1]
        assert "R448,50" in progress[1][1]
        gaps = poll_gaps(driver, order_url)
        assert gaps, "the page did not poll"
        assert min(gaps) >= 0.45, gaps  # never a tight loop: 0.5 s first, then backing off
        assert all(b >= min(a * 1.3, 4.5) for a, b in itertools.pairwise(gaps)), gaps
        steps.shoot("document-ready")

        # The download: the presigned S3 URL, fetched by the browser itself.
        link = by_testid(driver, "download-link")
        assert "pro forma invoice" in link.text
        link.click()
        pdf = wait(driver, lambda: next(downloads.glob("order_*.pdf"), None), "the PDF download")
        wait(driver, lambda: not list(downloads.glob("*.crdownload")), "the download's end")
        text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert "PRO FORMA INVOICE" in text.upper()
        assert "R448,50" in text
        driver.switch_to.window(driver.window_handles[0])
        steps.shoot("downloaded")

        # The list, a page at a time: a second order (through the API) makes two pages of one.
        other = alice.create()
        alice.wait_for(other, limit_s=30)
        # The status filter offers exactly the contract's statuses (from the OpenAPI document).
        offered = [o.text for o in all_by(driver, "[data-testid=status-filter] option")]
        assert offered == ["any", *(s.value for s in OrderStatus)]
        page_size = by_testid(driver, "page-size")
        page_size.clear()
        page_size.send_keys("1")
        by_testid(driver, "refresh").click()
        wait(driver, lambda: idle(driver) and rows(driver) == [(other, "PENDING")], "page 1")
        assert by_testid(driver, "next").is_enabled()
        assert not by_testid(driver, "previous").is_enabled()
        steps.shoot("list-page-1")
        by_testid(driver, "next").click()
        wait(driver, lambda: idle(driver) and rows(driver) == [(order_id, "PENDING")], "page 2")
        assert by_testid(driver, "page").text == "Page 2"
        assert by_testid(driver, "previous").is_enabled()
        assert not by_testid(driver, "next").is_enabled()  # the last page says so
        steps.shoot("list-page-2")
        by_testid(driver, "previous").click()
        wait(driver, lambda: idle(driver) and rows(driver) == [(other, "PENDING")], "back")
        by_testid(driver, "next").click()
        wait(driver, lambda: idle(driver) and rows(driver) == [(order_id, "PENDING")], "page 2")

        # An API error in the page: the problem's title and detail (CORS on errors too).
        missing = "00000000-0000-4000-8000-000000000000"
        steps.console.expect(f"{stack['apiUrl']}/v1.0/orders/{missing}", 404)
        by_testid(driver, "lookup-id").send_keys(missing)
        by_testid(driver, "lookup").click()
        wait(driver, lambda: problem(driver), "the 404's problem")
        assert "Resource not found (404)" in problem(driver)
        assert f"Order '{missing}' was not found" in problem(driver)
        assert "Request id: " in problem(driver)
        steps.shoot("problem-404")

        # Cancel (a customer may, while it is PENDING), confirmed in a dialog, sent with If-Match.
        [cancel] = all_by(driver, f"tr[data-order-id='{order_id}'] [data-testid='cancel']")
        cancel.click()
        driver.switch_to.alert.accept()
        wait(driver, lambda: idle(driver) and rows(driver) == [(order_id, "CANCELLED")], "cancel")
        assert problem(driver) == ""  # the next action clears the last problem
        assert not all_by(driver, "[data-testid='cancel']")
        steps.shoot("cancelled")
    assert alice.request("GET", f"/v1.0/orders/{order_id}").json()["status"] == "CANCELLED"


@pytest.fixture
def stranger_origin(stack: dict[str, Any]) -> Iterator[str]:
    """The same portal page served from an origin that is on no list."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), portal.handler_for(portal.config_for(stack)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_from_an_unlisted_origin_the_browser_refuses_and_the_console_check_catches_it(
    stack: dict[str, Any], browser: tuple[Any, Path], stranger_origin: str, tmp_path: Path
) -> None:
    driver, _ = browser
    allowed = requests.options(
        f"{stack['apiUrl']}/v1.0/orders",
        headers={"Origin": stack["portalUrl"], "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert allowed.headers["Access-Control-Allow-Origin"] == stack["portalUrl"]
    refused = requests.options(
        f"{stack['apiUrl']}/v1.0/orders",
        headers={"Origin": stranger_origin, "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert "Access-Control-Allow-Origin" not in refused.headers

    def sign_in_from_the_stranger() -> None:
        with recorded(driver, "stranger", root=tmp_path) as steps:
            open_page(driver, f"{stranger_origin}/")
            steps.shoot("page")
            sign_in(driver, steps, "alice@tenant-a.example")  # Cognito answers; the Cart does not

    with pytest.raises(AssertionError, match="blocked by CORS policy"):
        sign_in_from_the_stranger()
    assert "(CORS: is " + stranger_origin in problem(driver)
    # The failure's screenshots, page and console are kept for whoever reads the failure.
    written = sorted(p.name for p in (tmp_path / "stranger").iterdir())
    assert written == [
        "01-page.png", "02-signed-in.png", "03-failure.png", "console.txt", "page.html"
    ]  # fmt: skip
    assert (tmp_path / "stranger" / "03-failure.png").read_bytes().startswith(b"\x89PNG")
    assert "blocked by CORS policy" in (tmp_path / "stranger" / "console.txt").read_text()
