"""The status page in a real browser: headless Chromium (Debian's `chromium`, driven by
Playwright) loads /status and an incident page, reads what is visible, sees no console error
(a Content-Security-Policy refusal would be one), and saves screenshots."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support.statuspage import first_public_update, later_public_update, start_status_page

# The lowest WCAG contrast ratio of any visible text on the page against its background.
LOWEST_CONTRAST = """() => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  let lowest = [99, ""];
  for (const el of document.querySelectorAll("body *")) {
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!text || !el.offsetParent && el.tagName !== "BODY") continue;
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < lowest[0]) lowest = [ratio, el.tagName + " " + el.textContent.trim().slice(0, 40)];
  }
  return lowest;
}"""
CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome")


def _chromium() -> str:
    """The browser binary, else a skip (a failure in CI, which installs it: .ci/run)."""
    for name in CANDIDATES:
        found = name if os.path.isfile(name) else shutil.which(name)
        if found:
            return found
    reason = "Chromium is missing: apt-get install -y chromium"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # the browser, not the database
def test_status_page_in_headless_chromium(make_slack: Any, tmp_path: Path) -> None:
    binary = _chromium()
    playwright = pytest.importorskip("playwright.sync_api")
    slack = start_status_page(make_slack, tmp_path, INCIDENT_STATUS_PAGE_TITLE="Acme status")
    channel = slack.declare("Internal: pg-3 disk full")
    first_public_update(
        slack,
        channel,
        title="Checkout errors for some customers",
        text="We are investigating errors at checkout <b>not bold</b>.",
        impacts={"Payments": "partial_outage"},
    )
    later_public_update(slack, channel, "A fix is being deployed.")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=binary, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))

        page.goto(f"{slack.url}/status")
        assert page.title() == "Acme status"
        main = page.inner_text("main")
        assert "Partial outage" in main
        assert "Checkout errors for some customers" in main
        assert "We are investigating errors at checkout <b>not bold</b>." in main
        assert main.index("A fix is being deployed.") < main.index("We are investigating")
        assert page.locator("header").count() == page.locator("footer").count() == 1
        assert page.locator("h1").count() == 1 and page.locator("h2").count() >= 3
        local = page.locator("time .local")
        assert local.count() >= 2 and "your time" in local.first.inner_text()  # script ran
        ratio, where = page.evaluate(LOWEST_CONTRAST)
        assert ratio >= 4.5, f"contrast {ratio:.1f}:1 at {where}"
        page.screenshot(path=str(tmp_path / "status.png"), full_page=True)

        page.click("text=Checkout errors for some customers")
        page.wait_for_url("**/status/incidents/*")
        detail = page.inner_text("main")
        assert "Ongoing since" in detail and "A fix is being deployed." in detail
        page.screenshot(path=str(tmp_path / "incident.png"), full_page=True)

        page.emulate_media(color_scheme="dark")
        page.goto(f"{slack.url}/status")
        dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert dark == "rgb(18, 18, 18)"
        ratio, where = page.evaluate(LOWEST_CONTRAST)
        assert ratio >= 4.5, f"contrast {ratio:.1f}:1 at {where} (dark)"
        page.screenshot(path=str(tmp_path / "status-dark.png"), full_page=True)
        browser.close()
    assert problems == [], f"console errors: {problems}"
    assert (tmp_path / "status.png").stat().st_size > 10_000
