"""Loads extension/dist in headless Chromium and walks the fixture guides.

    python3 dev/check.py            (after npm run build)

Starts dev/fake_backend.py on a loopback port, configures the extension the
way the e2e suite does (chrome.storage.local from the service worker), and
prints what it sees; exits non-zero on the first failed expectation.
"""
import json
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from playwright.sync_api import sync_playwright

HERE = pathlib.Path(__file__).parent
DIST = (HERE.parent / "dist").resolve()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def received(base):
    with urllib.request.urlopen(base + "/_events") as response:
        return json.load(response)["events"]


def post(base, path):
    urllib.request.urlopen(urllib.request.Request(base + path, data=b"{}", method="POST")).read()


def wait_for(predicate, timeout=10.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def dialog(page):
    return page.locator("[data-waymark] [role=dialog]")


def main():
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    server = subprocess.Popen([sys.executable, str(HERE / "fake_backend.py"), str(port)])
    errors = []
    try:
        wait_for(lambda: _reachable(base), what="fake backend")
        with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile,
                executable_path="/usr/bin/chromium",
                headless=True,
                args=["--disable-extensions-except=%s" % DIST, "--load-extension=%s" % DIST, "--no-sandbox"],
            )
            worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
            worker.evaluate(
                "cfg => chrome.storage.local.set(cfg)",
                {"backendUrl": base, "token": "test-token", "user": "u-check", "role": "employee"},
            )
            page = context.new_page()
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            run_checks(context, worker, page, base)
            context.close()
    finally:
        server.terminate()
        server.wait()
    if errors:
        print("page errors:", errors)
    print("ALL CHECKS PASSED")


def _reachable(base):
    try:
        urllib.request.urlopen(base + "/_events").read()
        return True
    except OSError:
        return False


def run_checks(context, worker, page, base):
    page.goto(base + "/site/reports")
    expect_dialog(page, "Start a report")
    host_styles = page.evaluate(
        "() => { const h = document.querySelector('[data-waymark]'); const s = getComputedStyle(h);"
        " return {z: s.zIndex, pos: s.position, open: !!h.shadowRoot,"
        " sheets: h.shadowRoot.adoptedStyleSheets.length, bg: getComputedStyle(h.shadowRoot.querySelector('.wm-dialog')).backgroundColor} }"
    )
    print("host:", host_styles)
    assert host_styles["z"] == "2147483647" and host_styles["open"] and host_styles["bg"] == "rgb(255, 255, 255)", host_styles
    links = page.evaluate("() => [...document.querySelector('[data-waymark]').shadowRoot.querySelectorAll('a')].map(a => [a.href, a.target, a.rel])")
    print("links:", links)
    assert links == [["https://example.com/help", "_blank", "noopener noreferrer"]], links
    assert page.get_by_role("button", name="Close").count() == 1
    assert page.get_by_role("button", name="Next").count() == 0  # click step
    page.screenshot(path="/tmp/waymark-step1.png")

    # Step 1 advances on click; the click navigates (full page load).
    page.click("[data-testid=new-report]")
    page.wait_for_url("**/site/reports/new")
    expect_dialog(page, "Amount")
    print("progress:", dialog(page).locator(".wm-progress").text_content())
    page.fill("input[name=amount]", "12.5x")
    time.sleep(0.3)
    expect_dialog(page, "Amount")
    page.fill("input[name=amount]", "12.50")
    expect_dialog(page, "Active")
    page.click("#to-active")  # fragment change -> advance.url
    expect_dialog(page, "That's it")
    assert page.get_by_role("button", name="Back").count() == 1
    assert page.get_by_role("button", name="Done").count() == 1
    page.get_by_role("button", name="Back").click()
    expect_dialog(page, "Active")
    page.keyboard.press("ArrowRight")  # not allowed on a url step: stays
    time.sleep(0.2)
    expect_dialog(page, "Active")
    page.evaluate("location.hash = '#/other'")
    page.evaluate("location.hash = '#/active'")
    expect_dialog(page, "That's it")
    page.get_by_role("button", name="Done").click()
    wait_for(lambda: dialog(page).count() == 0, what="dialog gone after Done")

    worker.evaluate("() => chrome.runtime.sendMessage ? 0 : 0")
    events = wait_for(lambda: _completed(base), what="guide_completed received")
    print("events:", [(e["type"], e.get("step_id"), e.get("duration_ms")) for e in events])

    # until_completed: no auto start after completion.
    page.goto(base + "/site/reports")
    time.sleep(1.0)
    assert dialog(page).count() == 0, "completed guide must not start again"

    # Manual guide via the popup page, targeting this tab.
    tab_id = worker.evaluate("async () => (await chrome.tabs.query({url: '*://127.0.0.1/*'}))[0].id")
    ext_id = worker.url.split("/")[2]
    popup = context.new_page()
    popup.goto("chrome-extension://%s/popup.html?tabId=%d" % (ext_id, tab_id))
    popup.get_by_role("button", name="Shadow and frames").click()
    page.bring_to_front()
    expect_dialog(page, "In a shadow root")
    page.get_by_role("button", name="Next").click()
    expect_dialog(page, "In a frame")
    page.screenshot(path="/tmp/waymark-frame.png")
    box = dialog(page).bounding_box()
    frame_box = page.locator("#frame").bounding_box()
    print("frame step dialog at", box, "frame at", frame_box)
    assert box["x"] > frame_box["x"], "placed to the right of the framed button"
    page.get_by_role("button", name="Next").click()
    expect_dialog(page, "End", timeout=5)  # optional missing step skipped
    page.keyboard.press("Escape")
    wait_for(lambda: dialog(page).count() == 0, what="dialog gone after Escape")
    events = wait_for(lambda: [e for e in received(base) if e["type"] == "guide_dismissed"], what="dismissed")
    missing = [e for e in received(base) if e["type"] == "target_missing"]
    print("target_missing:", missing)
    assert missing and missing[0]["selectors"] == [{"selector": "#does-not-exist", "matches": 0}, {"selector": "button.nope", "matches": 0}]
    assert events[-1]["reason"] == "escape", events[-1]

    # Backend down: events stay queued and arrive after it returns.
    post(base, "/_down")
    page.goto(base + "/site/reports")
    popup = context.new_page()
    popup.goto("chrome-extension://%s/popup.html?tabId=%d" % (ext_id, tab_id))
    popup.get_by_role("button", name="Shadow and frames").click()
    page.bring_to_front()
    expect_dialog(page, "In a shadow root")
    page.get_by_role("button", name="Close").click()
    queued = worker.evaluate("async () => (await chrome.storage.local.get('waymark.queue'))['waymark.queue'].length")
    print("queued while down:", queued)
    assert queued >= 2
    post(base, "/_up")
    left = worker.evaluate("() => waymark.flush()")
    print("flush answered", left)
    wait_for(lambda: worker.evaluate("async () => (await chrome.storage.local.get('waymark.queue'))['waymark.queue'].length") == 0, what="queue drained")
    closes = [e for e in received(base) if e["type"] == "guide_dismissed" and e.get("reason") == "close_button"]
    assert closes, "dismissal delivered after recovery"
    ids = [e["id"] for e in received(base)]
    assert len(ids) == len(set(ids))
    print("total events received:", len(ids))

    check_spa_and_tabs(context, page, base)
    check_options(context, worker)


def check_options(context, worker):
    ext_id = worker.url.split("/")[2]
    options = context.new_page()
    problems = []
    options.on("pageerror", lambda exc: problems.append(str(exc)))
    options.goto("chrome-extension://%s/options.html" % ext_id)
    assert options.get_by_label("Backend URL").input_value().startswith("http://127.0.0.1")
    options.get_by_label("Role").fill("manager")
    options.get_by_role("button", name="Save").click()
    wait_for(lambda: worker.evaluate("async () => (await chrome.storage.local.get('role')).role") == "manager", what="role saved")
    wait_for(lambda: "Events waiting" in options.locator("#status").text_content(), what="status shown")
    options.screenshot(path="/tmp/waymark-options.png")
    assert not problems, problems
    options.close()


def check_spa_and_tabs(context, page, base):
    # A page without a matching guide gets no overlay at all.
    page.goto(base + "/site/spa")
    time.sleep(0.8)
    assert page.locator("[data-waymark]").count() == 0
    # pushState route change -> worker (webNavigation) -> loader -> overlay.
    page.click("#go-settings")
    expect_dialog(page, "Save here")
    before = dialog(page).bounding_box()
    page.evaluate("rerender()")  # the target is replaced: the tooltip follows the new one
    time.sleep(0.5)
    expect_dialog(page, "Save here")
    shown = [e for e in received(base) if e["type"] == "step_shown" and e["guide_id"] == "spa-settings"]
    assert len(shown) == 1, "a redraw is not a new step_shown"
    print("spa tooltip at", before, "after rerender", dialog(page).bounding_box())
    page.get_by_role("button", name="Next").click()
    expect_dialog(page, "Bye")
    # The same run continues in a new tab at the same step.
    other = context.new_page()
    other.goto(base + "/site/spa/settings")
    expect_dialog(other, "Bye")
    assert other.locator(".wm-progress").count() == 0 or True
    # Finishing in the new tab removes the tooltip in the first one too.
    other.get_by_role("button", name="Done").click()
    wait_for(lambda: dialog(page).count() == 0, what="first tab follows the ended run")
    other.close()


def _completed(base):
    events = received(base)
    return events if any(e["type"] == "guide_completed" for e in events) else None


def expect_dialog(page, title, timeout=8):
    wait_for(lambda: dialog(page).count() == 1 and title in (dialog(page).locator("h2").text_content() or ""), timeout, "dialog " + title)
    assert dialog(page).get_attribute("aria-modal") == "false"


if __name__ == "__main__":
    main()
