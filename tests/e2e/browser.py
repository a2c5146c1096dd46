"""Headless Chromium for the browser tests: the driver, the console check, step screenshots.

Debian's `chromium` and `chromium-driver` packages (`.ci/run` installs them as root when they are
missing). Where they are absent and cannot be installed, the browser tests skip saying so.

Every step of a browser test is photographed in memory; when the test fails, the pictures, the
page's HTML and the browser console go to `build/browser/<test>/` (`BROWSER_SCREENSHOTS=always`
keeps them for a passing test too, e.g. for a review).
"""

from __future__ import annotations

import base64
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from devstack.stage import PROJECT_DIR

SCREENSHOTS = PROJECT_DIR / "build" / "browser"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver",)
_NETWORK_STATUS = re.compile(
    r"^(\S+) - Failed to load resource: the server responded with a status of (\d{3})"
)


def binaries() -> tuple[str, str] | None:
    """(browser, chromedriver) on PATH (or /usr/lib/chromium), or None."""
    browser = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    driver = next((path for name in DRIVERS if (path := shutil.which(name))), None)
    if driver is None and Path("/usr/lib/chromium/chromedriver").exists():
        driver = "/usr/lib/chromium/chromedriver"
    return (browser, driver) if browser and driver else None


def chromium(downloads: Path) -> Any:
    """A headless Chromium session that saves downloads (PDFs too) to `downloads`."""
    found = binaries()
    if found is None:
        pytest.skip(
            "no headless Chromium: install Debian's `chromium` and `chromium-driver` "
            "(`.ci/run` does, as root) to run the browser tests"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = found
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1280,1400", "--lang=en-ZA"):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "plugins.always_open_pdf_externally": True,  # download a PDF instead of showing it
        },
    )
    return webdriver.Chrome(service=Service(driver), options=options)


@dataclass
class Console:
    """The browser console, read after each step: any error fails the test.

    An API answer the page is meant to handle (the 404s while it polls a new order, the 404 of a
    lookup) is logged by Chromium as a failed resource; `expect` names those. A CORS refusal, a
    script error or any other failed load is an error.
    """

    driver: Any
    expected: set[tuple[str, int]] = field(default_factory=set)
    seen: list[dict[str, Any]] = field(default_factory=list)

    def expect(self, url: str, status: int) -> None:
        self.expected.add((url, status))

    def errors(self) -> list[str]:
        """The console's errors since the last call, less the expected API answers."""
        entries = self.driver.get_log("browser")
        self.seen.extend(entries)
        errors = []
        for entry in entries:
            if entry["level"] != "SEVERE":
                continue
            match = _NETWORK_STATUS.match(entry["message"])
            if (
                entry["source"] == "network"
                and match is not None
                and (match.group(1), int(match.group(2))) in self.expected
            ):
                continue
            errors.append(f"{entry['source']}: {entry['message']}")
        return errors

    def assert_clean(self) -> None:
        errors = self.errors()
        assert not errors, "the browser console has errors:\n" + "\n".join(errors)


@dataclass
class Steps:
    """Screenshots of each step, written out when the test fails."""

    driver: Any
    console: Console
    taken: list[tuple[str, bytes]] = field(default_factory=list)

    def shoot(self, name: str) -> None:
        """Photograph the page after a step, then check the console."""
        self._take(name)
        self.console.assert_clean()

    def _take(self, name: str) -> None:
        self.taken.append((f"{len(self.taken) + 1:02d}-{name}", full_page(self.driver)))

    def write(self, directory: Path, failed: bool) -> None:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        if failed:
            self._take("failure")
            (directory / "page.html").write_text(self.driver.page_source)
        for name, png in self.taken:
            (directory / f"{name}.png").write_bytes(png)
        self.console.errors()  # what was logged since the last step
        (directory / "console.txt").write_text(
            "\n".join(f"{e['level']} {e['source']}: {e['message']}" for e in self.console.seen)
        )


def full_page(driver: Any) -> bytes:
    """A PNG of the whole page, not only the window (Chrome DevTools' captureBeyondViewport)."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    return base64.b64decode(shot["data"])


@contextmanager
def recorded(driver: Any, name: str, root: Path = SCREENSHOTS) -> Iterator[Steps]:
    """The steps of one browser test; on failure their screenshots go to `root/name/`."""
    steps = Steps(driver, Console(driver))
    try:
        yield steps
    except BaseException:
        steps.write(root / name, failed=True)
        raise
    if os.environ.get("BROWSER_SCREENSHOTS") == "always":
        steps.write(root / name, failed=False)


def wait(driver: Any, condition: Callable[[], Any], what: str, timeout_s: float = 30) -> Any:
    """The condition's first truthy value within the time, else a failure naming what."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout_s, poll_frequency=0.2).until(lambda _: condition())
    except TimeoutException:
        raise AssertionError(f"timed out after {timeout_s}s waiting for {what}") from None


def by_testid(driver: Any, testid: str) -> Any:
    """The element of `data-testid` (the pages' handles for tests)."""
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f"[data-testid='{testid}']")


def all_by(driver: Any, css: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, css))
