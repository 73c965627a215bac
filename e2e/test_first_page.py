"""The first guided page after the browser starts shows its step promptly.

Chromium's ``chrome.storage.managed.get`` answers only once the policy service
has initialised, about 3 s after every browser start (with or without a
policy). The worker used to wait for it before fetching guides, so the first
guided page of a fresh profile showed its step 2.1-2.4 s after load (later
pages: ~0.05 s). The bound below is functional, not a benchmark: it fails on
that wait and passes with a wide margin without it.
"""
import shutil
import tempfile
import time

import pytest

BOUND_MS = 1500

# Milliseconds from the page's load event to a positioned, visible dialog; null after ``deadline`` ms.
LOAD_TO_DIALOG = """deadline => new Promise(resolve => {
    const loaded = performance.getEntriesByType('navigation')[0].loadEventEnd;
    const visible = () => {
        const host = document.querySelector('[data-waymark]');
        const box = host && host.shadowRoot && host.shadowRoot.querySelector('[role=dialog]');
        return !!box && box.style.visibility !== 'hidden' && box.getBoundingClientRect().width > 0;
    };
    const tick = () => {
        if (visible()) resolve(performance.now() - loaded);
        else if (performance.now() - loaded > deadline) resolve(null);
        else requestAnimationFrame(tick);
    };
    tick();
})"""


@pytest.fixture
def first_page_guide(make_guide, publish, demo_site):
    """One centred step on /acme/reports, published before the extension is configured."""
    guide = make_guide([{"id": "hello", "title": "Welcome", "body": "First page.", "advance": {"on": "next"}}],
                       include=("{site}/acme/reports*",))
    publish(guide)
    return guide


def load_to_dialog(page, url):
    page.goto(url)
    page.wait_for_load_state("load")
    elapsed = page.evaluate(LOAD_TO_DIALOG, 10000)
    assert elapsed is not None, "no dialog within 10 s of the load"
    return elapsed


def wait_for_storage(worker, key, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = worker.evaluate("async key => (await chrome.storage.local.get(key))[key]", key)
        if value is not None:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{key} never written")


def test_first_page_of_a_freshly_configured_profile(first_page_guide, e2e_service, guide_role, unique_id,
                                                    demo_site, browser):
    # The guide is published before the browser starts (fixture order), so the page loads
    # as soon after the start as a user's first page would.
    browser.configure(e2e_service.base_url, e2e_service.tokens["extension"], f"user-{unique_id}", guide_role)
    page = browser.new_page()
    elapsed = load_to_dialog(page, demo_site + "/acme/reports")
    assert elapsed < BOUND_MS, f"first page: dialog {elapsed:.0f} ms after load (bound {BOUND_MS} ms)"
    # The policy store's late answer (no policy here) is remembered for the next browser start.
    assert wait_for_storage(browser.worker, "waymark.managed") == {}
    later = load_to_dialog(page, demo_site + "/acme/reports?again=1")
    assert later < BOUND_MS, f"second page: dialog {later:.0f} ms after load"


def test_first_page_after_a_browser_restart(first_page_guide, playwright_instance, chromium_executable,
                                            extension_dist, e2e_service, guide_role, unique_id, demo_site):
    # Same flags as conftest's extension_args: the unpacked extension and nothing else.
    args = [f"--disable-extensions-except={extension_dist}", f"--load-extension={extension_dist}",
            "--no-sandbox", "--no-first-run", "--no-default-browser-check"]
    profile = tempfile.mkdtemp(prefix="waymark-e2e-restart-")

    def launch():
        context = playwright_instance.chromium.launch_persistent_context(
            profile, executable_path=chromium_executable, headless=True, args=args,
            viewport={"width": 1280, "height": 800})
        workers = context.service_workers
        return context, (workers[0] if workers else context.wait_for_event("serviceworker", timeout=15000))

    try:
        context, worker = launch()
        worker.evaluate("cfg => chrome.storage.local.set(cfg)",
                        {"backendUrl": e2e_service.base_url, "token": e2e_service.tokens["extension"],
                         "user": f"user-{unique_id}", "role": guide_role})
        load_to_dialog(context.new_page(), demo_site + "/acme/reports")
        wait_for_storage(worker, "waymark.managed")  # the policy store answered once
        context.close()
        context, worker = launch()  # Chromium's policy service starts over
        # Drop the guide cache, so the first page has to fetch, as after a long break.
        worker.evaluate("() => waymark.refreshGuides()")
        page = context.new_page()
        elapsed = load_to_dialog(page, demo_site + "/acme/reports")
        assert elapsed < BOUND_MS, f"first page after a restart: dialog {elapsed:.0f} ms after load"
        context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_options_page_fills_in_before_the_policy_store_answers(browser, e2e_service, unique_id, guide_role):
    # Just after the browser start, chrome.storage.managed.get takes ~3 s to answer;
    # the form used to stay empty until then.
    browser.configure(e2e_service.base_url, e2e_service.tokens["extension"], f"user-{unique_id}", guide_role)
    page = browser.new_page()
    page.goto(f"chrome-extension://{browser.extension_id}/options.html")
    started = time.monotonic()
    page.wait_for_function("url => document.getElementById('options').elements.backendUrl.value === url",
                           arg=e2e_service.base_url, timeout=5000)
    elapsed_ms = (time.monotonic() - started) * 1000
    assert elapsed_ms < 1000, f"options form filled {elapsed_ms:.0f} ms after load (bound 1000 ms)"
    assert page.locator("[name=role]").input_value() == guide_role
    assert page.locator("[data-managed-for=backendUrl]").is_hidden()
