"""What 50 tips cost a page, measured in Debian's Chromium (prints figures, asserts nothing).

The page is the tips fixture with 50 more fields (``/acme/tips?many=50``); a
published tips document puts a beacon beside each of them.

1. load -> every beacon drawn: from the page's load event until the overlay's
   shadow root holds 50 beacons and each has been placed (beside its field,
   or hidden because the field is off screen), and until the ones on screen
   are visible; median and max over LOADS loads;
2. the same page without the extension, loads alternating with the ones
   above: its load event (after navigation start) next to the extension's,
   and script time per scroll frame: the page scrolled by 12 px per
   animation frame for FRAMES frames, down and back up, CDP
   ``Performance.getMetrics`` ScriptDuration over that span divided by the
   frames; medians over LOADS loads;
3. what the extension listens to with the 50 tips drawn: scroll and resize
   listeners on window and document (CDP ``DOMDebugger.getEventListeners``
   in the extension's isolated world) and its live MutationObservers (CDP
   ``Runtime.queryObjects`` on that world's MutationObserver prototype).

    .venv/bin/python tests/benchmarks/bench_tips.py [LOADS] [FRAMES]
"""
import pathlib
import shutil
import statistics
import sys
import tempfile
import threading
import time

from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[2]


sys.path.insert(0, str(ROOT))
from e2e import conftest as e2e  # noqa: E402  (its browser, site and service helpers)

TIPS = 50
ROLE = "bench-tips"

# Milliseconds from the load event to (all beacons placed, the on-screen ones visible); null after ``deadline``.
LOAD_TO_BEACONS = """([count, deadline]) => new Promise(resolve => {
    const loaded = performance.getEntriesByType('navigation')[0].loadEventEnd;
    let placed = null;
    const tick = () => {
        const host = document.querySelector('[data-waymark]');
        const beacons = host && host.shadowRoot ? [...host.shadowRoot.querySelectorAll('[data-kind=beacon]')] : [];
        const now = performance.now() - loaded;
        if (beacons.length === count && beacons.every(b => b.style.visibility)) {
            if (placed === null) placed = now;
            const onScreen = beacons.filter(b => b.style.visibility === 'visible');
            if (onScreen.every(b => b.style.left)) return resolve([placed, now, onScreen.length]);
        }
        if (now > deadline) return resolve(null);
        requestAnimationFrame(tick);
    };
    tick();
})"""

SCROLL = """frames => new Promise(resolve => {
    let n = 0;
    const step = () => {
        window.scrollBy(0, n < frames / 2 ? 12 : -12);
        n += 1;
        if (n < frames) requestAnimationFrame(step); else resolve(scrollY);
    };
    requestAnimationFrame(step);
})"""


def publish_tips(service, site):
    tips = [{"id": f"f-{n}", "target": {"selector": f"#f-{n}"}, "title": f"Field {n}",
             "body": f"What goes in field {n}.", "placement": "right"} for n in range(1, TIPS + 1)]
    document = {"id": "bench-fifty-tips", "kind": "tips", "title": "Fifty tips",
                "match": {"include": [f"{site}/acme/tips*"]}, "audience": {"roles": [ROLE]}, "tips": tips}
    answer = service.put(f"/api/v1/guides/{document['id']}", document, token="author")
    assert answer.status in (200, 201), answer.text


def script_ms(session):
    return {m["name"]: m["value"] for m in session.send("Performance.getMetrics")["metrics"]}["ScriptDuration"] * 1000


def one_load(context, url, frames, with_beacons):
    """One load of ``url``: (load event ms after navigation start, beacons drawn or None,
    script ms per scroll frame)."""
    page = context.new_page()
    session = context.new_cdp_session(page)
    session.send("Performance.enable")
    page.goto(url)
    loaded = page.evaluate("() => new Promise(r => { const t = () => { const n = performance"
                           ".getEntriesByType('navigation')[0]; n.loadEventEnd ? r(n.loadEventEnd) : setTimeout(t, 20) };"
                           " t() })")
    drawn = page.evaluate(LOAD_TO_BEACONS, [TIPS, 15000]) if with_beacons else None
    page.wait_for_timeout(300)
    before = script_ms(session)
    page.evaluate(SCROLL, frames)
    per_frame = (script_ms(session) - before) / frames
    session.detach()
    page.close()
    return loaded, drawn, per_frame


def listeners(context, url):
    """Scroll and resize listeners on window and document once the beacons are drawn, and the
    MutationObservers, in the extension's world (CDP lists a node's listeners per world)."""
    page = context.new_page()
    session = context.new_cdp_session(page)
    worlds = []
    session.on("Runtime.executionContextCreated", lambda event: worlds.append(event["context"]))
    session.send("Runtime.enable")
    page.goto(url)
    page.evaluate(LOAD_TO_BEACONS, [TIPS, 15000])
    ours = [c["id"] for c in worlds if c.get("origin", "").startswith("chrome-extension://")]
    found = {"MutationObservers": 0}
    for context_id in ours:  # the top frame's world, and the frame's (where the extension looked)
        for name in ("window", "document"):
            handle = session.send("Runtime.evaluate", {"expression": name, "contextId": context_id})["result"]
            found_here = session.send("DOMDebugger.getEventListeners", {"objectId": handle["objectId"]})
            for listener in found_here["listeners"]:
                if listener["type"] in ("scroll", "resize"):
                    key = f"{name} {listener['type']}"
                    found[key] = found.get(key, 0) + 1
        prototype = session.send("Runtime.evaluate", {"expression": "MutationObserver.prototype",
                                                      "contextId": context_id})["result"]["objectId"]
        observers = session.send("Runtime.queryObjects", {"prototypeObjectId": prototype})["objects"]["objectId"]
        found["MutationObservers"] += session.send("Runtime.callFunctionOn", {
            "objectId": observers, "functionDeclaration": "function () { return this.length }",
            "returnByValue": True})["result"]["value"]
    session.detach()
    page.close()
    return found


def main(loads=7, frames=120):
    site_server = e2e.make_server("127.0.0.1", 0)
    threading.Thread(target=site_server.serve_forever, daemon=True).start()
    site = site_server.url.removesuffix("/acme/")
    url = f"{site}/acme/tips?many={TIPS}"
    database = tempfile.mkdtemp(prefix="waymark-bench-tips-")
    service = e2e.start_service(f"sqlite:///{database}/waymark.db")
    try:
        publish_tips(service, site)
        with sync_playwright() as playwright:
            profile = tempfile.mkdtemp(prefix="waymark-bench-profile-")
            browser = e2e.launch_extension_browser(playwright, e2e.chromium_path(), e2e.DIST, profile)
            browser.configure(service.base_url, service.tokens["extension"], "bench-user", ROLE)
            warm = browser.new_page()
            warm.goto(url)
            warm.evaluate(LOAD_TO_BEACONS, [TIPS, 15000])  # the worker's guide cache filled
            warm.close()
            print("listeners with the beacons drawn:", listeners(browser.context, url))
            plain_profile = tempfile.mkdtemp(prefix="waymark-bench-plain-")
            plain = playwright.chromium.launch_persistent_context(
                plain_profile, executable_path=e2e.chromium_path(), headless=True, args=["--no-sandbox"],
                viewport={"width": 1280, "height": 800})
            # Loads alternate between the two browsers, so a busy moment of the machine hits both alike.
            with_ext, without = [], []
            for _ in range(loads):
                with_ext.append(one_load(browser.context, url, frames, True))
                without.append(one_load(plain, url, frames, False))
            plain.close()
            shutil.rmtree(plain_profile, ignore_errors=True)
            browser.context.close()
            shutil.rmtree(profile, ignore_errors=True)
        drawn = [d for _, d, _ in with_ext if d]
        median = statistics.median
        print(f"{TIPS} tips on {url.split('/acme/')[1]} ({loads} loads each, alternating):")
        print(f"  load event -> all {TIPS} beacons placed ({len(drawn)} of {loads} loads): "
              f"median {median(d[0] for d in drawn):.0f} ms, max {max(d[0] for d in drawn):.0f} ms; "
              f"the {drawn[0][2]} on screen visible: median {median(d[1] for d in drawn):.0f} ms")
        print(f"  load event after navigation start: {median(w[0] for w in with_ext):.0f} ms with the extension, "
              f"{median(w[0] for w in without):.0f} ms without")
        per_with, per_without = median(w[2] for w in with_ext), median(w[2] for w in without)
        print(f"  script time per scroll frame ({frames} frames of 12 px): {per_with:.3f} ms with the extension "
              f"and {TIPS} beacons, {per_without:.3f} ms without ({per_with - per_without:+.3f} ms)")
    finally:
        e2e.stop_service(service)
        site_server.shutdown()
        site_server.server_close()
        shutil.rmtree(database, ignore_errors=True)
    return 0


if __name__ == "__main__":
    started = time.monotonic()
    arguments = [int(value) for value in sys.argv[1:3]]
    code = main(*arguments)
    print(f"({time.monotonic() - started:.0f} s)")
    sys.exit(code)
