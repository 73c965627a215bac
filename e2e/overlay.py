"""What the e2e tests look at on a page: the contract's names for the overlay.

The overlay is one ``[data-waymark]`` host with an open shadow root holding a
``role="dialog"`` with buttons Next / Back / Done and Close (PRODUCT.md).
Playwright's CSS engine pierces open shadow roots, so plain selectors reach it.
"""
import time
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

HOST = "[data-waymark]"
DIALOG = "[data-waymark] [role=dialog]"


def dialog(page):
    return page.locator(DIALOG)


def expect_step(page, title, timeout=10000):
    """Wait until exactly one dialog shows the step titled ``title``."""
    expect(dialog(page)).to_have_count(1, timeout=timeout)
    expect(dialog(page).locator("h2")).to_have_text(title, timeout=timeout)


def expect_no_dialog(page, timeout=10000):
    expect(dialog(page)).to_have_count(0, timeout=timeout)


def button(page, name):
    return dialog(page).get_by_role("button", name=name, exact=True)


def later_than_abandonment(minutes=31):
    """An ISO ``now`` past the service's 30-minute inactivity window, for ``?now=``."""
    moment = datetime.now(timezone.utc) + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def step_numbers(report):
    """Per step ``(reached, completed, dismissed, abandoned, broken)``, for exact comparisons."""
    return [(s["reached"], s["completed"], s["dropped"]["dismissed"], s["dropped"]["abandoned"],
             s["dropped"]["broken"]) for s in report["steps"]]


def totals(report):
    return {key: report[key] for key in ("runs", "completed", "dismissed", "abandoned", "broken")}


def overlay_scripts(page):
    """URLs of the extension's scripts parsed in this page (CDP Debugger.scriptParsed)."""
    session = page.context.new_cdp_session(page)
    seen = []
    session.on("Debugger.scriptParsed", lambda event: seen.append(event.get("url", "")))
    session.send("Debugger.enable")  # replays every script already parsed
    time.sleep(0.2)
    session.send("Debugger.disable")
    session.detach()
    return [url for url in seen if url.startswith("chrome-extension://")]


def dialog_geometry(page):
    """Computed visibility and geometry of the host and the dialog, and what is on top at its centre."""
    return page.evaluate("""() => {
        const host = document.querySelector('[data-waymark]');
        const box = host.shadowRoot.querySelector('[role=dialog]');
        const rect = box.getBoundingClientRect();
        const hostStyle = getComputedStyle(host), style = getComputedStyle(box);
        const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
        const topmost = host.shadowRoot.elementFromPoint(x, y);
        return {
            left: rect.left, top: rect.top, width: rect.width, height: rect.height,
            viewport: {width: innerWidth, height: innerHeight},
            host: {display: hostStyle.display, visibility: hostStyle.visibility,
                   opacity: hostStyle.opacity, zIndex: hostStyle.zIndex, position: hostStyle.position},
            dialog: {display: style.display, visibility: style.visibility, opacity: style.opacity,
                     fontSize: style.fontSize},
            onTop: !!topmost && box.contains(topmost),
        };
    }""")


def assert_usable_dialog(page):
    """The dialog is on screen, opaque, readable and above everything the page draws."""
    geometry = dialog_geometry(page)
    assert geometry["width"] >= 150 and geometry["height"] >= 60, geometry
    assert 0 <= geometry["left"] and geometry["left"] + geometry["width"] <= geometry["viewport"]["width"], geometry
    assert 0 <= geometry["top"] and geometry["top"] + geometry["height"] <= geometry["viewport"]["height"], geometry
    assert geometry["host"]["visibility"] == "visible" and geometry["host"]["opacity"] == "1", geometry
    assert geometry["host"]["display"] != "none" and geometry["host"]["zIndex"] == "2147483647", geometry
    assert geometry["dialog"]["visibility"] == "visible" and geometry["dialog"]["opacity"] == "1", geometry
    assert geometry["onTop"], geometry
    return geometry


def wait_for(predicate, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
