"""Targets that survive a redesign, in Chromium.

- The drift corpus (tests/drift/corpus.py): targets picked with the real picker
  on fixture and demo pages, resolved after each redesign mutation by today's
  matching and by the new one: the new one never finds a wrong element and
  finds at least 90% right; today's is printed beside it.
- An ambiguous page (two look-alikes where the target was): missing, with the
  candidates' scores.
- With the real extension: a step picked with the picker, its page redesigned
  so that no selector finds it, is healed, shown and advanced; its step_shown
  says ``matched_by: healed``, the degraded-targets report and page list it;
  adopting the healed target publishes a version that matches by selector.
"""
import json
import sqlite3

import pytest
from playwright.sync_api import expect

from e2e.overlay import button, expect_step, wait_for
from e2e.test_picker import author, close_picker, pick  # noqa: F401  (author: the fixture)
from tests.drift import corpus
from tests.test_dashboard import Visitor


@pytest.fixture(scope="module")
def plain_chromium(playwright_instance, chromium_executable):
    """Chromium without the extension; pages get the corpus's script (CSP bypassed for it)."""
    browser = playwright_instance.chromium.launch(executable_path=chromium_executable, headless=True)
    context = browser.new_context(bypass_csp=True)
    yield context
    context.close()
    browser.close()


@pytest.fixture(scope="module")
def fixtures_base():
    server = corpus.serve_fixtures()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_drift_corpus_finds_no_wrong_element(plain_chromium, fixtures_base, demo_site):
    answers = corpus.run(plain_chromium, fixtures_base, demo_site)
    print("\n" + corpus.format_tables(answers))
    wrong = [a for a in answers if a.new == "wrong"]
    assert wrong == [], "healing must never take another element"
    right = sum(a.new == "right" for a in answers)
    assert right >= 0.9 * len(answers), corpus.format_tables(answers)
    originals = [a for a in answers if a.mutation == "original"]
    assert all(a.new == "right" and a.matched_by == "selector" for a in originals), \
        "on the page it was picked on, every target is found by its own selector"
    healed = [a for a in answers if a.matched_by == "healed"]
    assert healed and all(a.score is not None for a in healed)


def test_the_picker_prefers_what_lasts_on_an_admin_template(plain_chromium, fixtures_base):
    """Behaviour attributes, titles and icons over positions; no count in the text."""
    page = corpus.open_page(plain_chromium, fixtures_base + "/drift/admin.html")
    try:
        picked = page.evaluate("specs => waymarkDrift.pick(specs)", corpus.PAGES["/drift/admin.html"])
    finally:
        page.close()
    assert picked["navbar-search"]["selector"] == 'a[data-widget="navbar-search"]'
    assert picked["notifications"]["selector"] == "a:has(> i.bi-bell-fill)"
    assert "text" not in picked["notifications"], "its badge '15' is a count, not a name"
    assert picked["layout-options"]["text"] == "Layout Options"
    assert picked["messages"]["selector"] == 'a[data-bs-toggle="dropdown"][title="Messages"]'
    assert not any("nth-of-type" in t["selector"] or "nth-child" in t["selector"] for t in picked.values())


def test_two_look_alikes_where_the_target_was_leave_it_missing_with_their_scores(plain_chromium, fixtures_base):
    page = corpus.open_page(plain_chromium, fixtures_base + "/drift/form.html")
    try:
        targets = page.evaluate("specs => waymarkDrift.pick(specs)", [["save", "button[type=submit]"]])
        page.evaluate("""() => {
            const save = document.querySelector('button[type=submit]');
            const twin = () => Object.assign(document.createElement('button'), {type: 'button', textContent: 'Save'});
            save.replaceWith(twin(), twin());
        }""")
        found = page.evaluate("targets => waymarkDrift.resolve(targets)", targets)["save"]
    finally:
        page.close()
    assert found["new"] == "missing" and found["old"] == "missing"
    scores = [candidate["score"] for candidate in found["candidates"]]
    assert len(scores) >= 2 and abs(scores[0] - scores[1]) < 0.05, found["candidates"]
    assert [c["label"] for c in found["candidates"][:2]] == ['button[type="button"]'] * 2


# -- with the extension ---------------------------------------------------------------

# The redesign: test id and classes gone, the label reworded, the button wrapped.
REDESIGN = """() => {
    const button = [...document.querySelectorAll('.toolbar button')].find(b => b.textContent === 'New report');
    button.removeAttribute('data-testid');
    button.className = 'Btn_x7Kq9';
    button.textContent = 'New expense report';
    const wrapper = document.createElement('div');
    button.replaceWith(wrapper);
    wrapper.append(button);
}"""


def stored_shows(service, guide_id, step_id):
    """The step_shown events the service stored for this step, oldest first, as the service keeps them."""
    path = service.database_url.removeprefix("sqlite:///")
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT guide_version, matched_by, match_score, detail FROM event WHERE guide_id = ? "
            "AND step_id = ? AND type = 'step_shown' ORDER BY at", (guide_id, step_id)).fetchall()
    finally:
        connection.close()
    return [{"guide_version": version, "matched_by": matched_by, "score": score,
             "healed_target": json.loads(detail).get("healed_target") if detail else None}
            for version, matched_by, score, detail in rows]


def walk_redesigned(browser, page, service, guide_id):
    """Reload, redesign the page under the first step, walk the healed step by clicking it;
    answers the step's stored step_shown events."""
    page.reload()
    expect_step(page, "Welcome")
    page.evaluate(REDESIGN)
    button(page, "Next").click()
    try:
        expect_step(page, "Start a report")
    except AssertionError:
        browser.flush()
        found = service.get("/api/v1/reports/broken-targets?limit=1000").json
        raise AssertionError(f"the healed step was not shown; reports: {found}") from None
    page.get_by_role("button", name="New expense report").click()
    expect_step(page, "Done")
    browser.flush()
    return stored_shows(service, guide_id, "new-report")


def test_a_healed_step_is_shown_reported_and_adopted(author, make_guide, publish, e2e_service, unique_id):
    browser, page = author
    picked = pick(browser, page, page.get_by_test_id("new-report"))
    close_picker(page)
    target = picked["target"]
    assert target["describe"]["v"] == 1 and target["describe"]["attrs"]["data-testid"] == "new-report"
    publish(make_guide([
        {"id": "welcome", "title": "Welcome", "advance": {"on": "next"}},
        {"id": "new-report", "title": "Start a report", "target": target, "advance": {"on": "click"},
         "wait_ms": 3000},
        {"id": "done", "title": "Done", "advance": {"on": "next"}},
    ], include=("{site}/acme/picker",)))
    browser.worker.evaluate("() => waymark.refreshGuides()")

    [shown] = walk_redesigned(browser, page, e2e_service, unique_id)
    assert shown["matched_by"] == "healed" and 0 < shown["score"] <= 1, shown
    fresh = shown["healed_target"]
    assert fresh["selector"] and fresh["describe"]["text"] == "New expense report", fresh

    answer = e2e_service.get("/api/v1/reports/broken-targets?limit=1000").json
    [degraded] = [d for d in answer["degraded"] if d["guide_id"] == unique_id]
    assert (degraded["step_id"], degraded["matched_by"], degraded["healed"]) == ("new-report", "healed", 1)
    assert degraded["candidate"] == fresh and degraded["score"] == shown["score"]
    assert not [b for b in answer["broken_targets"] if b["guide_id"] == unique_id]

    visitor = Visitor(e2e_service)
    visitor.sign_in(e2e_service.tokens["admin"])
    status, _, html = visitor.get("/dashboard/broken-targets")
    assert status == 200 and f'data-guide-id="{unique_id}" data-step-id="new-report"' in html

    adopted = e2e_service.post(f"/api/v1/guides/{unique_id}/steps/new-report/adopt-target", token="author")
    assert adopted.status == 201, adopted.text
    assert adopted.json["version"] == 2 and adopted.json["target"] == fresh
    browser.worker.evaluate("() => waymark.refreshGuides()")
    shown_again = [e for e in walk_redesigned(browser, page, e2e_service, unique_id) if e["guide_version"] == 2]
    assert [(e["matched_by"], e["healed_target"]) for e in shown_again] == [("selector", None)], shown_again


def test_an_ambiguous_page_reports_the_target_missing_with_scores(author, make_guide, publish, e2e_service,
                                                                  unique_id):
    browser, page = author
    picked = pick(browser, page, page.get_by_role("button", name="Approve"))
    close_picker(page)
    publish(make_guide([
        {"id": "welcome", "title": "Welcome", "advance": {"on": "next"}},
        {"id": "approve", "title": "Approve it", "target": picked["target"], "advance": {"on": "click"},
         "wait_ms": 1000},
    ], include=("{site}/acme/picker",)))
    browser.worker.evaluate("() => waymark.refreshGuides()")
    page.reload()
    expect_step(page, "Welcome")
    # Approve is gone; in its place two identical buttons, either of which could be it.
    page.evaluate("""() => {
        const decision = document.querySelector('.decision');
        decision.replaceChildren(...['Accept', 'Accept'].map(text =>
            Object.assign(document.createElement('button'), {type: 'button', className: 'btn', textContent: text})));
    }""")
    button(page, "Next").click()

    def reported_missing():
        browser.flush()
        answer = e2e_service.get("/api/v1/reports/broken-targets?limit=1000").json
        return [b for b in answer["broken_targets"] if b["guide_id"] == unique_id]
    [missing] = wait_for(reported_missing, what="the target_missing in the report")
    expect(page.locator("[data-waymark] [role=dialog]")).to_have_count(0)
    scores = [candidate["score"] for candidate in missing["candidates"]]
    assert len(scores) >= 2 and scores[0] - scores[1] < 0.05, missing["candidates"]
    assert stored_shows(e2e_service, unique_id, "approve") == [], "never a guess between two look-alikes"
