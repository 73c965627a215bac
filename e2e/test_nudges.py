"""Nudges, pulse surveys and exit surveys through the real extension and service.

Each test publishes its own documents (its own ids and audience role), acts
in Chromium with the extension loaded, flushes the queue and checks what the
service stored: the report API's numbers (by kind) and the stored events.
What the extension draws is named as PRODUCT.md says ("What the extension
draws"): ``data-kind=nudge|survey``, ``role=dialog`` named by its title,
buttons named by their labels, Send / Skip / Close.
"""
import json
import sqlite3
import time
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from e2e.overlay import HOST, button, expect_no_dialog, expect_step, wait_for
from e2e.test_author_preview import choose_file, options_page
from e2e.test_outage import take_down
from tests.harness import start_service, stop_service

NUDGE = "[data-waymark] [role=dialog][data-kind=nudge]"
SURVEY = "[data-waymark] [role=dialog][data-kind=survey]"


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def now_plus(**delta):
    return iso(datetime.now(timezone.utc) + timedelta(**delta))


@pytest.fixture
def make_doc(unique_id, guide_role, demo_site):
    """A nudge or survey for this test: its own id and audience; globs may use ``{site}``."""
    def make(kind, body, suffix="", include=("{site}/acme/*",), frequency="until_completed", **fields):
        doc = {"id": f"{unique_id}-{kind}{suffix}", "kind": kind, "title": fields.pop("title", f"E2E {kind}"),
               "match": {"include": [glob.format(site=demo_site) for glob in include]},
               "audience": {"roles": [guide_role]}, "frequency": frequency, kind: body}
        doc.update(fields)
        return doc
    return make


def stored_events(service, document_id):
    """The events the service stored for a document, oldest first, as the extension sent them."""
    path = service.database_url.removeprefix("sqlite:///")
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            'SELECT type, "at", run_id, step_id, step_index, reason, action_index, action_label, answer_choice, '
            'answer_value, answer_text, source_kind, source_id FROM event WHERE guide_id = ? ORDER BY "at", id',
            (document_id,)).fetchall()
    finally:
        connection.close()
    events = []
    for (kind, at, run_id, step_id, step_index, reason, action_index, action_label, choice, value, text,
         source_kind, source_id) in rows:
        event = {"type": kind, "at": at, "run_id": run_id, "step_id": step_id, "step_index": step_index, "reason": reason}
        if action_index is not None:
            event["action"] = {"index": action_index, "label": action_label}
        if choice is not None or value is not None:
            event["answer"] = {"choice": choice} if choice is not None else {"value": value}
        if text is not None:
            event["text"] = text
        if source_kind is not None:
            event["source"] = {"kind": source_kind, "id": source_id}
        events.append(event)
    return events


def delivered(browser, service, document_id, *expected):
    """Flush until the service stored at least the ``expected`` event types of the document.

    A click's events reach the worker in a message after the surface is gone, so a
    flush right after the click may run before they are queued: wait on the result."""
    def arrived():
        browser.flush()
        stored = [event["type"] for event in stored_events(service, document_id)]
        return all(stored.count(kind) >= list(expected).count(kind) for kind in expected)
    wait_for(arrived, timeout=20, what=f"{expected} stored for {document_id}")


def types(events):
    """The events' types in time order; events of one click (an action and the dismissal
    it causes) share a millisecond, so those come in a fixed order: action before dismissal."""
    rank = {"nudge_action": 0, "nudge_dismissed": 1}
    ordered = sorted(enumerate(events), key=lambda pair: (pair[1]["at"], rank.get(pair[1]["type"], 0), pair[0]))
    return [event["type"] for _, event in ordered]


def expect_surface(page, selector, name):
    """Exactly one surface of this kind, named ``name`` (its title)."""
    surface = page.locator(selector)
    expect(surface).to_have_count(1, timeout=10000)
    expect(page.get_by_role("dialog", name=name)).to_have_count(1)
    return surface


def on_top(page, selector):
    """The surface's centre is the surface (nothing of the page paints over it)."""
    return page.evaluate("""sel => {
        const host = document.querySelector('[data-waymark]');
        const box = document.querySelector('[data-waymark]').shadowRoot.querySelector(sel.replace('[data-waymark] ', ''));
        const r = box.getBoundingClientRect();
        const hit = host.shadowRoot.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return !!hit && box.contains(hit) && r.width > 100 && r.height > 30;
    }""", selector)


def focus_in_surface(page):
    return page.evaluate("""() => {
        const host = document.querySelector('[data-waymark]');
        return !!host && document.activeElement === host && !!host.shadowRoot.activeElement;
    }""")


def focused_name(page):
    return page.evaluate("""() => {
        const host = document.querySelector('[data-waymark]');
        const active = host && host.shadowRoot.activeElement;
        return active ? (active.getAttribute('aria-label') || active.textContent.trim()) : null;
    }""")


def announcement(target=None, **extra):
    body = {"style": "banner", "title": "New travel policy from 1 January",
            "body": "Hotels are capped at **150 EUR** a night.",
            "actions": [{"label": "Read the policy", "url": "https://intranet.example.com/travel"},
                        {"label": "Not now", "dismiss": True}]}
    body.update(extra)
    return body


def read_report(service, doc_id):
    """``GET /api/v1/reports/guides/<id>``: the report of the document's kind."""
    answer = service.get(f"/api/v1/reports/guides/{doc_id}", token="admin")
    assert answer.status == 200, (answer.status, answer.text)
    return answer.json


def funnel(service, doc_id):
    """A nudge's numbers: (shown, dismissed, [count per action], guides started, guides completed)."""
    report = read_report(service, doc_id)
    assert report["kind"] == "nudge", report
    return (report["shown"], report["dismissed"], [action["count"] for action in report["actions"]],
            report["guides_started"], report["guides_completed"])


def survey_totals(service, doc_id):
    report = read_report(service, doc_id)
    assert report["kind"] == "survey", report
    return report, (report["shown"], report["answered"], report["dismissed"])


def exit_reasons(report, index):
    return [(reason["label"], reason["count"]) for reason in report["steps"][index]["exit_reasons"]]


# ---------------------------------------------------------------- nudge styles

HEADER_UNDER_BANNER = """() => {
    const box = document.querySelector('[data-waymark]').shadowRoot.querySelector('[data-kind=nudge]').getBoundingClientRect();
    const header = document.getElementById('fixed-header').getBoundingClientRect();
    const search = document.getElementById('header-search').getBoundingClientRect();
    const hit = document.elementFromPoint(search.left + search.width / 2, search.top + search.height / 2);
    return {bannerTop: box.top, bannerBottom: box.bottom, bannerWidth: box.width, headerTop: header.top,
            searchHit: hit && hit.id, width: innerWidth};
}"""


def assert_header_below_banner(page):
    geometry = page.evaluate(HEADER_UNDER_BANNER)
    assert geometry["bannerTop"] == 0 and geometry["bannerWidth"] >= geometry["width"] - 20, geometry
    assert geometry["headerTop"] >= geometry["bannerBottom"] - 1, geometry
    assert geometry["searchHit"] == "header-search", geometry


@pytest.mark.parametrize("header", ["fixed", "sticky"])
def test_banner_pushes_the_page_and_its_header_down(configured, demo_site, make_doc, publish, e2e_service, header):
    policy = demo_site + "/acme/help"
    nudge = make_doc("nudge", announcement(actions=[{"label": "Read the policy", "url": policy},
                                                    {"label": "Not now", "dismiss": True}]),
                     include=("{site}/acme/news*",))
    publish(nudge)
    page = configured.new_page()
    page.goto(demo_site + "/acme/news" + ("?sticky" if header == "sticky" else ""))
    banner = expect_surface(page, NUDGE, "New travel policy from 1 January")
    expect(banner.locator("strong")).to_have_text("150 EUR")  # body_nodes, rendered as DOM
    expect(banner.get_by_role("button", name="Read the policy")).to_be_visible()
    wait_for(lambda: page.evaluate("getComputedStyle(document.documentElement).marginTop") != "0px",
             what="the page pushed down")
    assert_header_below_banner(page)
    page.mouse.wheel(0, 1200)  # scrolled: a sticky header sticks, below the banner
    wait_for(lambda: page.evaluate("scrollY") > 500, what="scrolled")
    assert_header_below_banner(page)
    page.locator("#header-search").click()  # the page's own header control still works
    expect(page.locator("#header-clicks")).to_have_text("Search clicked 1")
    assert not focus_in_surface(page), "a banner does not take focus"

    with configured.context.expect_page() as opened:
        banner.get_by_role("button", name="Read the policy").click()
    opened.value.wait_for_load_state()
    assert opened.value.url == policy
    opened.value.close()
    expect(page.locator(NUDGE)).to_have_count(0)
    wait_for(lambda: page.evaluate("getComputedStyle(document.documentElement).marginTop") == "0px",
             what="the page back in place")
    delivered(configured, e2e_service, nudge["id"], "nudge_action")
    events = stored_events(e2e_service, nudge["id"])
    assert types(events) == ["nudge_shown", "nudge_action"]
    assert events[1]["action"] == {"index": 0, "label": "Read the policy"}
    assert events[0]["run_id"] == events[1]["run_id"]
    assert funnel(e2e_service, nudge["id"]) == (1, 0, [1, 0], 0, 0)

    # Acted on (an action other than dismiss): until_completed keeps it away.
    page.reload()
    page.wait_for_load_state("load")
    time.sleep(1.0)  # give a wrong nudge every chance to appear
    expect(page.locator(HOST)).to_have_count(0)


def test_modal_dims_traps_focus_and_returns_it(configured, demo_site, make_doc, publish, e2e_service):
    nudge = make_doc("nudge", announcement(style="modal", title="Receipts are now required"),
                     include=("{site}/acme/app/team",))
    publish(nudge)
    page = configured.new_page()
    page.goto(demo_site + "/acme/app/inbox")  # nothing here
    page.locator("#route-team").focus()
    page.keyboard.press("Enter")  # a single-page route change to where the nudge is
    modal = expect_surface(page, NUDGE, "Receipts are now required")
    expect(modal).to_have_attribute("aria-modal", "true")
    wait_for(lambda: focus_in_surface(page), what="focus in the modal")
    assert on_top(page, NUDGE)
    dimmed = page.evaluate("""() => {
        const root = document.querySelector('[data-waymark]').shadowRoot;
        const hit = root.elementFromPoint(20, innerHeight - 20);
        return !!hit && hit.classList.contains('wm-backdrop') && getComputedStyle(hit).backgroundColor;
    }""")
    assert dimmed and dimmed != "rgba(0, 0, 0, 0)", dimmed
    names = []
    for _ in range(5):  # Close, Read the policy, Not now, then round again
        page.keyboard.press("Tab")
        names.append(focused_name(page))
    assert focus_in_surface(page), "Tab never leaves the modal"
    assert names[:3] == ["Close", "Read the policy", "Not now"] and names[3:] == ["Close", "Read the policy"], names
    page.keyboard.press("Shift+Tab")
    assert focused_name(page) == "Close"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused_name(page) == "Not now"
    page.keyboard.press("Enter")
    expect(page.locator(NUDGE)).to_have_count(0)
    expect(page.locator("#route-team")).to_be_focused()  # focus back where it was
    delivered(configured, e2e_service, nudge["id"], "nudge_dismissed")
    events = stored_events(e2e_service, nudge["id"])
    assert types(events) == ["nudge_shown", "nudge_action", "nudge_dismissed"]
    assert [e["action"] for e in events if e["type"] == "nudge_action"] == [{"index": 1, "label": "Not now"}]
    assert [e["reason"] for e in events if e["type"] == "nudge_dismissed"] == ["other"]
    assert funnel(e2e_service, nudge["id"]) == (1, 1, [0, 1], 0, 0)


def test_toast_never_takes_focus(configured, demo_site, make_doc, publish, e2e_service):
    nudge = make_doc("nudge", announcement(style="toast", title="Mileage rates updated"),
                     include=("{site}/acme/reports",))
    publish(nudge)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports")
    search = page.get_by_role("searchbox", name="Search reports")
    search.focus()
    toast = expect_surface(page, NUDGE, "Mileage rates updated")
    box = toast.bounding_box()
    viewport = page.viewport_size
    assert box["x"] + box["width"] > viewport["width"] - 40 and box["y"] + box["height"] > viewport["height"] - 40, box
    page.keyboard.type("taxi")
    expect(search).to_have_value("taxi")  # typing went on in the page's field
    assert not focus_in_surface(page)
    toast.get_by_role("button", name="Close").click()
    expect(page.locator(NUDGE)).to_have_count(0)
    delivered(configured, e2e_service, nudge["id"], "nudge_dismissed")
    events = stored_events(e2e_service, nudge["id"])
    assert types(events) == ["nudge_shown", "nudge_dismissed"]
    assert events[1]["reason"] == "close_button"
    assert funnel(e2e_service, nudge["id"]) == (1, 1, [0, 0], 0, 0)


def test_pointer_sits_beside_its_target_and_starts_a_guide_that_completes(
        configured, demo_site, make_doc, make_guide, publish, e2e_service):
    guide = make_guide([{"id": "intro", "title": "Reports live here", "body": "One.", "advance": {"on": "next"}},
                        {"id": "end", "title": "That's it", "body": "Two.", "advance": {"on": "next"}}],
                       suffix="-guide", include=("{site}/acme/reports",), start="manual",
                       frequency="until_completed")
    publish(guide)
    nudge = make_doc("nudge", {"style": "pointer", "target": {"selector": "[data-testid=new-report]"},
                               "placement": "bottom", "title": "New: faster reports", "body": "Try it.",
                               "actions": [{"label": "Show me how", "start": guide["id"]},
                                           {"label": "Not now", "dismiss": True}]},
                     include=("{site}/acme/reports",))
    publish(nudge)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports")
    pointer = expect_surface(page, NUDGE, "New: faster reports")
    target = page.locator("[data-testid=new-report]").bounding_box()
    wait_for(lambda: pointer.bounding_box()["y"] >= target["y"] + target["height"], what="placed below the target")
    box = pointer.bounding_box()
    assert box["y"] - (target["y"] + target["height"]) < 40, (box, target)
    assert box["x"] < target["x"] + target["width"] and box["x"] + box["width"] > target["x"], (box, target)
    pointer.get_by_role("button", name="Show me how").click()
    expect(page.locator(NUDGE)).to_have_count(0)
    expect_step(page, "Reports live here")
    button(page, "Next").click()
    expect_step(page, "That's it")
    button(page, "Done").click()
    expect_no_dialog(page)
    delivered(configured, e2e_service, guide["id"], "guide_completed")
    delivered(configured, e2e_service, nudge["id"], "nudge_action")

    started = [e for e in stored_events(e2e_service, guide["id"]) if e["type"] == "guide_started"]
    assert len(started) == 1 and started[0]["source"] == {"kind": "nudge", "id": nudge["id"]}, started
    assert types(stored_events(e2e_service, nudge["id"])) == ["nudge_shown", "nudge_action"]
    assert funnel(e2e_service, nudge["id"]) == (1, 0, [1, 0], 1, 1)
    guide_report = read_report(e2e_service, guide["id"])
    assert (guide_report["runs"], guide_report["completed"]) == (1, 1), guide_report

    page.reload()  # acted on: it does not come back (and the guide is done)
    page.wait_for_load_state("load")
    time.sleep(1.0)
    # The host stays for the help panel's Help button (the page has a manual guide to list);
    # nothing else is drawn in it: no nudge, no step.
    expect(page.locator(f"{HOST} [data-kind]:not([data-kind=launcher])")).to_have_count(0)
    expect(page.locator(f"{HOST} [data-kind=launcher]")).to_have_count(1)


def test_one_at_a_time_across_tabs_and_none_while_a_guide_runs(configured, demo_site, make_doc, make_guide,
                                                                publish, e2e_service):
    nudge = make_doc("nudge", announcement(style="toast", title="One at a time"), frequency="always",
                     include=("{site}/acme/reports", "{site}/acme/help"))
    publish(nudge)
    first = configured.new_page()
    first.goto(demo_site + "/acme/reports")
    toast = expect_surface(first, NUDGE, "One at a time")
    second = configured.new_page()
    second.goto(demo_site + "/acme/help")
    second.wait_for_load_state("load")
    time.sleep(1.0)  # give a second nudge every chance to appear
    expect(second.locator(NUDGE)).to_have_count(0)
    toast.get_by_role("button", name="Close").click()
    expect(first.locator(NUDGE)).to_have_count(0)
    second.reload()
    expect_surface(second, NUDGE, "One at a time").get_by_role("button", name="Close").click()
    expect(second.locator(NUDGE)).to_have_count(0)

    # While a guide runs (here in the first tab) no nudge shows anywhere.
    guide = make_guide([{"id": "away", "url": "{site}/acme/settings".format(site=demo_site), "title": "Over here",
                         "body": "Settings.", "advance": {"on": "next"}}],
                       include=("{site}/acme/settings",), start="auto")
    publish(guide)
    configured.worker.evaluate("() => waymark.refreshGuides()")  # past the worker's 60 s cache
    first.goto(demo_site + "/acme/settings")
    expect_step(first, "Over here")
    second.goto(demo_site + "/acme/reports")
    second.wait_for_load_state("load")
    time.sleep(1.0)
    expect(second.locator(HOST)).to_have_count(0)
    button(first, "Done").click()
    expect_no_dialog(first)
    second.reload()
    expect_surface(second, NUDGE, "One at a time")
    delivered(configured, e2e_service, nudge["id"], "nudge_shown", "nudge_shown", "nudge_shown", "nudge_dismissed", "nudge_dismissed")
    assert funnel(e2e_service, nudge["id"]) == (3, 2, [0, 0], 0, 0)


def test_pointer_follows_a_re_rendered_target(configured, demo_site, make_doc, publish, e2e_service):
    nudge = make_doc("nudge", {"style": "pointer", "target": {"selector": ".feed .view-report", "text": "View"},
                               "placement": "left", "title": "New: report details", "body": "Open one.",
                               "actions": [{"label": "Got it", "dismiss": True}]},
                     include=("{site}/acme/activity*",))
    publish(nudge)
    page = configured.new_page()
    page.goto(demo_site + "/acme/activity?delay=1500&rerender=600")
    pointer = expect_surface(page, NUDGE, "New: report details")
    first_render = page.evaluate("window.acmeActivity.renders")
    page.wait_for_function("n => window.acmeActivity.renders >= n", arg=first_render + 2)  # replaced twice

    def beside_the_new_target():
        target = page.locator(".feed li").first.locator(".view-report").bounding_box()
        box = pointer.bounding_box()
        return (box and target and box["x"] + box["width"] <= target["x"] + 1
                and abs((box["y"] + box["height"] / 2) - (target["y"] + target["height"] / 2)) < 60)
    wait_for(beside_the_new_target, what="the pointer beside the re-rendered target")
    pointer.get_by_role("button", name="Got it").click()
    expect(page.locator(NUDGE)).to_have_count(0)
    delivered(configured, e2e_service, nudge["id"], "nudge_dismissed")
    assert types(stored_events(e2e_service, nudge["id"])) == ["nudge_shown", "nudge_action", "nudge_dismissed"]
    assert funnel(e2e_service, nudge["id"]) == (1, 1, [1], 0, 0)


def test_a_guide_started_from_the_popup_replaces_the_nudge(configured, demo_site, make_doc, make_guide,
                                                            publish, e2e_service):
    nudge = make_doc("nudge", announcement(style="toast", title="Replaced soon"), include=("{site}/acme/reports",))
    guide = make_guide([{"id": "only", "title": "Started by hand", "body": "Hi.", "advance": {"on": "next"}}],
                       include=("{site}/acme/reports",), start="manual", title="Manual tour")
    publish(nudge)
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports")
    expect_surface(page, NUDGE, "Replaced soon")
    popup = configured.open_popup(page)
    popup.get_by_role("button", name="Manual tour").click()
    page.bring_to_front()
    expect_step(page, "Started by hand")
    expect(page.locator(NUDGE)).to_have_count(0)
    button(page, "Done").click()
    expect_no_dialog(page)
    delivered(configured, e2e_service, nudge["id"], "nudge_dismissed")
    assert [e["reason"] for e in stored_events(e2e_service, nudge["id"]) if e["type"] == "nudge_dismissed"] == ["replaced"]
    page.reload()  # not the person's dismissal: until_completed shows it again
    expect_surface(page, NUDGE, "Replaced soon")
    delivered(configured, e2e_service, nudge["id"], "nudge_shown", "nudge_shown")
    assert funnel(e2e_service, nudge["id"]) == (2, 1, [0, 0], 0, 0)


# ---------------------------------------------------------------- schedule

def test_a_schedule_outside_now_is_never_drawn(configured, demo_site, make_doc, publish, e2e_service):
    ended = make_doc("nudge", announcement(title="Old news"), suffix="-ended",
                     schedule={"from": "2025-01-01T00:00:00Z", "until": "2025-02-01T00:00:00Z"})
    future = make_doc("nudge", announcement(title="Future news"), suffix="-future",
                      schedule={"from": now_plus(days=30), "until": now_plus(days=60)})
    current = make_doc("nudge", announcement(title="Current news", style="toast"), suffix="-now",
                       schedule={"from": now_plus(days=-1), "until": now_plus(days=1)}, frequency="always")
    for doc in (ended, future, current):
        publish(doc)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports")
    expect_surface(page, NUDGE, "Current news")
    cached = [doc["id"] for doc in configured.storage("waymark.guideCache")["guides"]]
    assert current["id"] in cached and ended["id"] not in cached and future["id"] not in cached
    delivered(configured, e2e_service, current["id"], "nudge_shown")
    assert [funnel(e2e_service, doc["id"])[0] for doc in (ended, future, current)] == [0, 0, 1]


def test_a_cached_nudge_stops_at_its_until_with_the_service_down(browser, demo_site, make_doc, guide_role, unique_id,
                                                                 tmp_path):
    service = start_service(f"sqlite:///{tmp_path / 'schedule.db'}")
    try:
        until = datetime.now(timezone.utc) + timedelta(seconds=20)  # room for a slow first page
        nudge = make_doc("nudge", announcement(style="toast", title="Ends soon"), frequency="always",
                         schedule={"from": now_plus(days=-1), "until": iso(until)})
        answer = service.put(f"/api/v1/guides/{nudge['id']}", nudge, token="author")
        assert answer.status in (200, 201), answer.text
        browser.configure(service.base_url, service.tokens["extension"], f"user-{unique_id}", guide_role)
        page = browser.new_page()
        page.goto(demo_site + "/acme/reports")
        expect_surface(page, NUDGE, "Ends soon")
        take_down(service)
        page.goto(demo_site + "/acme/help")  # from the cache: still within its schedule
        expect_surface(page, NUDGE, "Ends soon")
        # At its until, the one on screen leaves by itself, and none is drawn from the cache after.
        expect(page.locator(NUDGE)).to_have_count(0, timeout=max(1000, (until - datetime.now(timezone.utc)).total_seconds() * 1000 + 5000))
        wait_for(lambda: datetime.now(timezone.utc) > until, timeout=30, what="past until")
        page.goto(demo_site + "/acme/reports")
        page.wait_for_load_state("load")
        time.sleep(1.0)
        expect(page.locator(HOST)).to_have_count(0)
        cached = browser.storage("waymark.guideCache")["guides"]
        assert [doc["id"] for doc in cached] == [nudge["id"]], "the cache still holds it: the extension chose not to draw it"
        assert browser.worker.evaluate("() => waymark.flush()") == 1, "only the first showing, while up"
    finally:
        stop_service(service)


# ---------------------------------------------------------------- surveys

EXIT = {"question": "What stopped you?",
        "choices": ["Not now", "I don't understand this step", "The page looks different", "I already know how"],
        "other": True}


def three_steps():
    return [{"id": f"s{n}", "title": title, "body": "Go on.", "advance": {"on": "next"}}
            for n, title in enumerate(["One", "Two", "Three"])]


@pytest.fixture
def walkthrough(configured, demo_site, make_guide, publish):
    """A three-step guide with an exit survey, published, and a page showing its first step."""
    guide = make_guide(three_steps(), include=("{site}/acme/reports",), title="Expense walkthrough",
                       exit_survey=EXIT)
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports")
    expect_step(page, "One")
    return guide, page


def test_exit_survey_answered_with_a_choice_at_the_step_left(configured, walkthrough, e2e_service):
    guide, page = walkthrough
    button(page, "Next").click()
    expect_step(page, "Two")
    button(page, "Close").click()
    survey = expect_surface(page, SURVEY, "Expense walkthrough")
    expect(survey).to_contain_text("What stopped you?")
    for label in EXIT["choices"]:
        expect(survey.get_by_role("button", name=label, exact=True)).to_be_visible()
    expect(survey.get_by_role("textbox", name="Other reason")).to_be_visible()
    survey.get_by_role("button", name="I don't understand this step").click()  # one click answers
    expect(page.locator(SURVEY)).to_have_count(0)
    delivered(configured, e2e_service, guide["id"], "survey_answered")
    events = stored_events(e2e_service, guide["id"])
    run_id = events[0]["run_id"]
    answered = [e for e in events if e["type"] == "survey_answered"]
    assert len(answered) == 1 and answered[0]["answer"] == {"choice": 1} and "text" not in answered[0], answered
    assert (answered[0]["run_id"], answered[0]["step_id"], answered[0]["step_index"]) == (run_id, "s1", 1)
    report = read_report(e2e_service, guide["id"])
    assert (report["runs"], report["dismissed"], report["steps"][1]["dropped"]["dismissed"]) == (1, 1, 1)
    assert exit_reasons(report, 1) == [("Not now", 0), ("I don't understand this step", 1),
                                       ("The page looks different", 0), ("I already know how", 0), ("Other", 0)]
    assert all(count == 0 for _, count in exit_reasons(report, 0) + exit_reasons(report, 2))
    survey = report["exit_survey"]
    assert (survey["shown"], survey["answered"], survey["dismissed"], survey["texts"]["total"]) == (1, 1, 0, 0)


def test_exit_survey_answered_with_free_text(configured, walkthrough, e2e_service):
    guide, page = walkthrough
    page.keyboard.press("Escape")
    survey = expect_surface(page, SURVEY, "Expense walkthrough")
    field = survey.get_by_role("textbox", name="Other reason")
    send = survey.get_by_role("button", name="Send")
    expect(send).to_be_disabled()
    text = "The amount field rejects my receipt <b>total</b> =1+1 " + "x" * 600
    field.fill(text)
    assert len(field.input_value()) == 500, "at most 500 characters"
    send.click()
    expect(page.locator(SURVEY)).to_have_count(0)
    delivered(configured, e2e_service, guide["id"], "survey_answered")
    answered = [e for e in stored_events(e2e_service, guide["id"]) if e["type"] == "survey_answered"]
    assert len(answered) == 1 and answered[0]["text"] == text[:500].strip() and "answer" not in answered[0], answered
    assert (answered[0]["step_id"], answered[0]["step_index"]) == ("s0", 0)
    report = read_report(e2e_service, guide["id"])
    assert exit_reasons(report, 0)[-1] == ("Other", 1) and sum(c for _, c in exit_reasons(report, 0)) == 1
    assert [(t["text"], t["step_id"]) for t in report["exit_survey"]["texts"]["items"]] == [(text[:500].strip(), "s0")]


def test_pulse_survey_answered_on_a_scale_with_text(configured, demo_site, make_doc, publish, e2e_service):
    survey_doc = make_doc("survey", {"style": "toast", "question": "How easy was it to file this expense?",
                                     "scale": {"min": 1, "max": 5, "min_label": "Very hard", "max_label": "Very easy"},
                                     "text": "What would make it easier?"},
                          title="Filing an expense", frequency="once", include=("{site}/acme/reports/submitted*",))
    publish(survey_doc)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports/submitted")
    survey = expect_surface(page, SURVEY, "Filing an expense")
    assert not focus_in_surface(page), "a toast does not take focus"
    for value in range(1, 6):
        expect(survey.get_by_role("button", name=str(value), exact=True)).to_be_visible()
    expect(survey).to_contain_text("Very hard")
    send = survey.get_by_role("button", name="Send")
    expect(send).to_be_disabled()
    survey.get_by_role("button", name="4", exact=True).click()
    expect(survey.get_by_role("button", name="4", exact=True)).to_have_attribute("aria-pressed", "true")
    survey.get_by_role("textbox", name="What would make it easier?").fill("Fewer fields")
    send.click()
    expect(page.locator(SURVEY)).to_have_count(0)
    delivered(configured, e2e_service, survey_doc["id"], "survey_answered")
    events = stored_events(e2e_service, survey_doc["id"])
    assert types(events) == ["survey_shown", "survey_answered"]
    assert events[1]["answer"] == {"value": 4} and events[1]["text"] == "Fewer fields"
    report, totals = survey_totals(e2e_service, survey_doc["id"])
    assert totals == (1, 1, 0), report
    assert [(v["value"], v["count"]) for v in report["scale"]["values"]] == [(1, 0), (2, 0), (3, 0), (4, 1), (5, 0)]
    assert report["scale"]["mean"] == 4 and report["scale"]["nps"] is None, report
    assert [t["text"] for t in report["texts"]["items"]] == ["Fewer fields"]
    page.reload()  # once: never again
    page.wait_for_load_state("load")
    time.sleep(1.0)
    expect(page.locator(HOST)).to_have_count(0)


def test_a_second_survey_the_same_day_is_not_shown(configured, demo_site, make_doc, publish, e2e_service):
    first = make_doc("survey", {"style": "modal", "question": "Was this page useful?", "choices": ["Yes", "No"]},
                     suffix="-a", title="Page check", frequency="always", include=("{site}/acme/reports",))
    second = make_doc("survey", {"style": "modal", "question": "How is the new layout?", "choices": ["Good", "Bad"]},
                      suffix="-b", title="Layout check", frequency="always", include=("{site}/acme/settings",))
    publish(first)
    publish(second)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports")
    survey = expect_surface(page, SURVEY, "Page check")
    survey.get_by_role("button", name="Skip").click()
    expect(page.locator(SURVEY)).to_have_count(0)
    for path in ("/acme/settings", "/acme/reports"):
        page.goto(demo_site + path)
        page.wait_for_load_state("load")
        time.sleep(1.0)
        expect(page.locator(HOST)).to_have_count(0)
    delivered(configured, e2e_service, first["id"], "survey_dismissed")
    assert types(stored_events(e2e_service, first["id"])) == ["survey_shown", "survey_dismissed"]
    assert stored_events(e2e_service, second["id"]) == []
    assert survey_totals(e2e_service, first["id"])[1] == (1, 0, 1)
    assert survey_totals(e2e_service, second["id"])[1] == (0, 0, 0)
    # The gap is a setting (options page or policy): with 0 days the other survey may come.
    configured.worker.evaluate("() => chrome.storage.local.set({surveyGapDays: '0'})")
    page.goto(demo_site + "/acme/settings")
    expect_surface(page, SURVEY, "Layout check")


# ---------------------------------------------------------------- keyboard, CSP, hostile CSS

def test_keyboard_only(configured, demo_site, make_doc, make_guide, publish, e2e_service):
    guide = make_guide(three_steps(), include=("{site}/acme/settings",), title="Settings tour", exit_survey=EXIT)
    publish(guide)
    nudge = make_doc("nudge", announcement(style="modal", title="Keyboard news",
                                           actions=[{"label": "Go to settings", "url": "https://intranet.example.com/s"},
                                                    {"label": "Not now", "dismiss": True}]),
                     include=("{site}/acme/reports",))
    publish(nudge)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports")
    expect_surface(page, NUDGE, "Keyboard news")
    wait_for(lambda: focus_in_surface(page), what="focus in the modal")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused_name(page) == "Not now"
    page.keyboard.press("Enter")
    expect(page.locator(NUDGE)).to_have_count(0)

    page.goto(demo_site + "/acme/settings")
    expect_step(page, "One")
    page.keyboard.press("ArrowRight")
    expect_step(page, "Two")
    page.keyboard.press("Escape")
    try:
        expect_surface(page, SURVEY, "Settings tour")
    except AssertionError:
        configured.flush()
        print("exit survey not shown; stored:", types(stored_events(e2e_service, guide["id"])), configured.storage("waymark.onScreen"), configured.storage("waymark.outreach"), configured.storage("waymark.activeRun"))
        raise
    wait_for(lambda: focus_in_surface(page), what="focus in the exit survey")
    page.keyboard.press("Tab")  # Close
    page.keyboard.press("Tab")  # the first choice
    assert focused_name(page) == "Not now"
    page.keyboard.press("Tab")
    assert focused_name(page) == "I don't understand this step"
    page.keyboard.press("Enter")
    expect(page.locator(SURVEY)).to_have_count(0)
    delivered(configured, e2e_service, nudge["id"], "nudge_dismissed")
    delivered(configured, e2e_service, guide["id"], "survey_answered")
    assert types(stored_events(e2e_service, nudge["id"])) == ["nudge_shown", "nudge_action", "nudge_dismissed"]
    answered = [e for e in stored_events(e2e_service, guide["id"]) if e["type"] == "survey_answered"]
    assert [(a["answer"], a["step_id"]) for a in answered] == [({"choice": 1}, "s1")]
    assert funnel(e2e_service, nudge["id"]) == (1, 1, [0, 1], 0, 0)
    assert exit_reasons(read_report(e2e_service, guide["id"]), 1)[1] == ("I don't understand this step", 1)


def test_a_banner_is_reached_with_tab_and_closed_with_esc(configured, demo_site, make_doc, publish, e2e_service):
    nudge = make_doc("nudge", announcement(), include=("{site}/acme/settings",))
    publish(nudge)
    page = configured.new_page()
    page.goto(demo_site + "/acme/settings")
    expect_surface(page, NUDGE, "New travel policy from 1 January")
    assert not focus_in_surface(page)
    page.keyboard.press("Escape")  # focus is in the page: the page's Esc, not ours
    expect(page.locator(NUDGE)).to_have_count(1)
    for _ in range(60):  # after the page's own controls, Tab reaches the banner
        page.keyboard.press("Tab")
        if focus_in_surface(page):
            break
    assert focus_in_surface(page) and focused_name(page) == "Close", focused_name(page)
    page.keyboard.press("Tab")
    assert focused_name(page) == "Read the policy"
    page.keyboard.press("Escape")
    expect(page.locator(NUDGE)).to_have_count(0)
    delivered(configured, e2e_service, nudge["id"], "nudge_dismissed")
    assert [e["reason"] for e in stored_events(e2e_service, nudge["id"]) if e["type"] == "nudge_dismissed"] == ["escape"]
    assert funnel(e2e_service, nudge["id"]) == (1, 1, [0, 0], 0, 0)


def test_an_authors_preview_of_a_survey_shows_past_the_gap_and_reports_nothing(
        configured, demo_site, make_doc, publish, e2e_service, tmp_path):
    seen = make_doc("survey", {"style": "modal", "question": "Useful?", "choices": ["Yes", "No"]},
                    suffix="-seen", title="Seen today", frequency="always", include=("{site}/acme/reports",))
    publish(seen)
    app = configured.new_page()
    app.goto(demo_site + "/acme/reports")
    expect_surface(app, SURVEY, "Seen today").get_by_role("button", name="Skip").click()  # the gap starts
    draft = make_doc("survey", {"style": "toast", "question": "Clear?", "choices": ["Yes", "No"]},
                     suffix="-draft", title="Draft survey", include=("{site}/acme/help",),
                     schedule={"from": now_plus(days=30), "until": now_plus(days=60)})
    options = options_page(configured)
    options.fill("#authorToken", e2e_service.tokens["author"])
    choose_file(options, tmp_path, "draft.json", json.dumps(draft))
    options.get_by_role("button", name="Preview").click()
    expect(options.locator("#previewState")).to_contain_text("Draft survey")
    app.goto(demo_site + "/acme/help")
    expect_surface(app, SURVEY, "Draft survey").get_by_role("button", name="Yes").click()
    expect(app.locator(SURVEY)).to_have_count(0)
    options.get_by_role("button", name="Stop preview").click()
    delivered(configured, e2e_service, seen["id"], "survey_dismissed")
    assert configured.queued_count() == 0
    assert stored_events(e2e_service, draft["id"]) == []
    record = configured.storage("waymark.outreach")
    assert draft["id"] not in next(iter(record.values()))["docs"]


@pytest.mark.parametrize("path", ["/acme/audit", "/acme/legacy"])
def test_strict_csp_and_hostile_css(configured, demo_site, make_doc, publish, e2e_service, path):
    nudge = make_doc("nudge", announcement(), include=("{site}" + path,))
    survey_doc = make_doc("survey", {"style": "modal", "question": "Useful?", "choices": ["Yes", "No"]},
                          title="Quick check", frequency="once", include=("{site}" + path,))
    publish(nudge)
    publish(survey_doc)
    errors = []
    page = configured.new_page(errors)
    page.goto(demo_site + path)
    banner = expect_surface(page, NUDGE, "New travel policy from 1 January")
    assert on_top(page, NUDGE)
    expect(banner.get_by_role("button", name="Not now")).to_be_visible()
    banner.get_by_role("button", name="Not now").click()
    expect(page.locator(NUDGE)).to_have_count(0)
    page.reload()  # the nudge was dismissed (a day's rest): the survey may come now
    survey = expect_surface(page, SURVEY, "Quick check")
    assert on_top(page, SURVEY)
    survey.get_by_role("button", name="Yes").click()
    expect(page.locator(SURVEY)).to_have_count(0)
    delivered(configured, e2e_service, nudge["id"], "nudge_dismissed")
    delivered(configured, e2e_service, survey_doc["id"], "survey_answered")
    assert types(stored_events(e2e_service, nudge["id"])) == ["nudge_shown", "nudge_action", "nudge_dismissed"]
    assert types(stored_events(e2e_service, survey_doc["id"])) == ["survey_shown", "survey_answered"]
    assert funnel(e2e_service, nudge["id"]) == (1, 1, [0, 1], 0, 0)
    report, totals = survey_totals(e2e_service, survey_doc["id"])
    assert totals == (1, 1, 0) and [(c["label"], c["count"]) for c in report["choices"]] == [("Yes", 1), ("No", 0)]
    assert errors == []
