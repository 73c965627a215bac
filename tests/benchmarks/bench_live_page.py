"""The overlay on a huge live page (issue 11), in Debian's Chromium: prints figures, asserts nothing.

The page is e2e/fixtures/pages/live.html: 20,000 table rows, updated every
100 ms by a chained timer (each update replaces the step's target and
rewrites 40 cells), so a busy main thread shows as fewer updates. Figures:

1. the page's own update rate over 3 s windows and its event-loop lag p95
   (a 20 ms timer's lateness), with a step shown on it and without the
   extension (goal: with a step, >= 90% of the rate without);
2. tooltip catch-up after a move (``?move``: the target is put in another row
   on every update): time from the update to the first animation frame in
   which the tooltip is beside the new element, p50 / p95, in ms and frames
   (goal: p95 within two frames);
3. navigation -> tooltip visible (ms after navigation start, median of
   LOADS loads) on the 20,000-row page and on a 50-row one, and the part of
   it after the page's load event: the overlay is injected at document_idle,
   so what comes before is the page's own loading (building 20,000 rows takes
   seconds on a loaded 2-core machine, with or without the extension). Goal:
   within 200 ms of the small page.

    .venv/bin/python tests/benchmarks/bench_live_page.py [WINDOWS] [LOADS] [--dist PATH]

``--dist`` measures another build of the extension (an older one, to compare).
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
from e2e import conftest as e2e  # noqa: E402  (its browser and service helpers)
from e2e.fixtures import server as fixtures  # noqa: E402

WINDOW_MS = 3000
MOVES = 60

# Updates and lag samples of the page over one window.
MEASURE_WINDOW = """ms => new Promise(resolve => {
    const startUpdates = fxLive.updates, start = performance.now();
    setTimeout(() => resolve({
        updates: fxLive.updates - startUpdates,
        lags: fxLive.lags.filter(([at]) => at >= start).map(([, lag]) => lag),
    }), ms);
})"""

# For each move of the target: ms and animation frames until the tooltip is beside the new element.
MEASURE_CATCH_UP = """count => new Promise(resolve => {
    const results = [];
    let seen = fxLive.moves.length, pending = null;
    const beside = () => {
        const host = document.querySelector('[data-waymark]');
        const box = host && host.shadowRoot.querySelector('[role=dialog]');
        const target = document.querySelector('button.approve-live');
        if (!box || !target || box.style.visibility !== 'visible') return false;
        const d = box.getBoundingClientRect(), t = target.getBoundingClientRect();
        const gap = d.left - t.right;
        return gap >= 0 && gap <= 40 && d.top <= t.bottom && d.bottom >= t.top;
    };
    const frame = now => {
        if (fxLive.moves.length > seen) {
            seen = fxLive.moves.length;
            pending = {at: fxLive.moves[seen - 1], frames: 0};
        }
        if (pending) {
            pending.frames += 1;
            if (beside()) {
                results.push({ms: performance.now() - pending.at, frames: pending.frames});
                pending = null;
            }
        }
        if (results.length >= count) resolve(results);
        else requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
})"""

# Installed before the page's scripts: the time (ms after navigation start) the tooltip is first positioned.
RECORD_TOOLTIP = """(() => {
    const look = () => {
        const host = document.querySelector('[data-waymark]');
        const box = host && host.shadowRoot && host.shadowRoot.querySelector('[role=dialog]');
        if (box && box.style.visibility === 'visible' && box.getBoundingClientRect().width > 0) {
            window.__tooltipAt = performance.now();
            return;
        }
        requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
})()"""


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def publish_guide(service, pages, role):
    guide = {"id": "bench-live-page", "title": "Live page", "start": "auto", "frequency": "always",
             "match": {"include": [f"{pages}/live*"]}, "audience": {"roles": [role]},
             "steps": [{"id": "approve", "target": {"selector": "button.approve-live", "text": "Approve"},
                        "title": "Approve it", "body": "Replaced every 100 ms.", "placement": "right",
                        "wait_ms": 60000, "advance": {"on": "click"}}]}
    answer = service.put(f"/api/v1/guides/{guide['id']}", guide, token="author")
    assert answer.status in (200, 201), answer.text


def wait_for_tooltip(page, timeout_ms=30000):
    page.wait_for_function("() => window.__tooltipAt !== undefined", timeout=timeout_ms, polling=100)
    return page.evaluate("window.__tooltipAt")


def page_rate(page, url, windows, with_step):
    """(updates per window, lag samples) over ``windows`` windows of WINDOW_MS."""
    page.goto(url)
    if with_step:
        wait_for_tooltip(page)
    page.wait_for_function("() => fxLive.updates > 5", polling=100)
    updates, lags = [], []
    for _ in range(windows):
        answer = page.evaluate(MEASURE_WINDOW, WINDOW_MS)
        updates.append(answer["updates"])
        lags.extend(answer["lags"])
    return updates, lags


def navigation_to_tooltip(context, url, loads):
    """[(navigation -> tooltip, navigation -> load event)] in ms, one per fresh load."""
    timings = []
    for _ in range(loads):
        page = context.new_page()
        page.add_init_script(RECORD_TOOLTIP)
        page.goto(url)
        shown = wait_for_tooltip(page)
        loaded = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        timings.append((shown, loaded))
        page.close()
    return timings


def describe_navigation(label, timings):
    shown = statistics.median(t for t, _ in timings)
    after_load = statistics.median(t - loaded for t, loaded in timings)
    print(f"  {label:<12} navigation -> tooltip {shown:6.0f} ms, of which after the load event {after_load:5.0f} ms"
          f" (loads: {', '.join(f'{t:.0f}/{t - loaded:.0f}' for t, loaded in timings)})")
    return shown, after_load


def describe_rate(label, updates, lags):
    per_window = statistics.mean(updates)
    print(f"  {label:<28} {per_window:5.1f} updates / 3 s (windows: {', '.join(map(str, updates))}),"
          f" event-loop lag p95 {percentile(lags, 0.95):6.1f} ms, max {max(lags):6.1f} ms")
    return per_window


def main(windows=5, loads=5, dist=None):
    dist = pathlib.Path(dist) if dist else e2e.DIST
    print(f"extension build: {dist}")
    pages_server = fixtures.make_server()
    threading.Thread(target=pages_server.serve_forever, daemon=True).start()
    pages = pages_server.url
    database = tempfile.mkdtemp(prefix="waymark-bench-live-")
    service = e2e.start_service(f"sqlite:///{database}/waymark.db")
    role = "bench-live"
    profiles = []
    try:
        publish_guide(service, pages, role)
        with sync_playwright() as playwright:
            plain_profile = tempfile.mkdtemp(prefix="waymark-bench-plain-")
            profiles.append(plain_profile)
            plain = playwright.chromium.launch_persistent_context(
                plain_profile, executable_path=e2e.chromium_path(), headless=True, args=["--no-sandbox"],
                viewport={"width": 1280, "height": 800})
            without = page_rate(plain.new_page(), f"{pages}/live", windows, with_step=False)
            plain.close()

            profile = tempfile.mkdtemp(prefix="waymark-bench-profile-")
            profiles.append(profile)
            browser = e2e.launch_extension_browser(playwright, e2e.chromium_path(), dist, profile)
            browser.configure(service.base_url, service.tokens["extension"], "bench-user", role)
            page = browser.new_page()
            page.add_init_script(RECORD_TOOLTIP)
            with_step = page_rate(page, f"{pages}/live", windows, with_step=True)
            page.goto(f"{pages}/live?move")
            wait_for_tooltip(page)
            catch_up = page.evaluate(MEASURE_CATCH_UP, MOVES)
            page.close()
            big = navigation_to_tooltip(browser.context, f"{pages}/live", loads)
            small = navigation_to_tooltip(browser.context, f"{pages}/live?rows=50", loads)
            browser.context.close()

        print("page's own updates (every 100 ms: ~30 per 3 s when the main thread is free), 20,000 rows:")
        rate_without = describe_rate("without the extension:", *without)
        rate_with = describe_rate("with a step shown:", *with_step)
        print(f"  rate with a step / without: {100 * rate_with / rate_without:5.1f}% (goal >= 90%)")
        ms = [entry["ms"] for entry in catch_up]
        frames = [entry["frames"] for entry in catch_up]
        print(f"tooltip catch-up after the target moves ({len(ms)} moves): p50 {percentile(ms, 0.5):5.1f} ms"
              f" / {percentile(frames, 0.5)} frame(s), p95 {percentile(ms, 0.95):5.1f} ms"
              f" / {percentile(frames, 0.95)} frame(s), max {max(ms):5.1f} ms (goal p95 within 2 frames)")
        print(f"navigation -> tooltip visible, median of {loads} loads:")
        big_shown, big_after = describe_navigation("20,000 rows:", big)
        small_shown, small_after = describe_navigation("50 rows:", small)
        print(f"  difference: {big_shown - small_shown:+.0f} ms from navigation (the page's own loading included),"
              f" {big_after - small_after:+.0f} ms after the load event (goal within 200 ms)")
    finally:
        try:
            e2e.stop_service(service)
        except FileNotFoundError:
            pass  # its log file was already removed from /tmp

        pages_server.shutdown()
        pages_server.server_close()
        for folder in [database, *profiles]:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    started = time.monotonic()
    args = sys.argv[1:]
    dist_arg = None
    if "--dist" in args:
        at = args.index("--dist")
        dist_arg = args[at + 1]
        del args[at:at + 2]
    code = main(*[int(value) for value in args[:2]], dist=dist_arg)
    print(f"({time.monotonic() - started:.0f} s)")
    sys.exit(code)
