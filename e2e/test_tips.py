"""Tips, field validation and the help panel, in Chromium with the real extension and service.

The fixture page is /acme/tips (demo/app/pages/tips.html): fields of every kind,
one in an open shadow root, one in a same-origin frame, one the page
re-renders and one it hides. What the extension draws is found by the
contract's names (PRODUCT.md "What the extension draws"): ``data-kind`` tip,
beacon, validation, panel, launcher; dialogs named by their titles.

What the extension sent is read from the worker's own requests (a spy on its
``fetch``, installed before the page loads) and checked as stored by sending
the same events again: the service answers ``duplicate`` for each one it
already holds (events are idempotent by id).
"""
import json
import pathlib

import pytest
from playwright.sync_api import expect

from e2e.overlay import button, expect_no_dialog, expect_step, totals, wait_for

ROOT = pathlib.Path(__file__).resolve().parents[1]
HOST = "[data-waymark]"
BEACON = f"{HOST} [data-kind=beacon]"
TIP = f"{HOST} [data-kind=tip]"
MESSAGE = f"{HOST} [data-kind=validation]"
PANEL = f"{HOST} [data-kind=panel]"
LAUNCHER = f"{HOST} [data-kind=launcher]"

AMOUNT_RULE = {"pattern": "^[0-9]+([.,][0-9]{1,2})?$", "required": True,
               "message": "Use a dot or a comma for cents, e.g. 12.50"}

SPY = """() => {
    if (self.__sent) return;
    self.__sent = [];
    const real = self.fetch.bind(self);
    self.fetch = (url, init) => {
        const events = String(url).endsWith('/api/v1/events') && init && init.body;
        if (events) self.__sent.push(...JSON.parse(init.body).events);
        return real(url, init);
    };
}"""


@pytest.fixture
def spied(configured):
    """The configured extension, with a record of every event its worker sends."""
    configured.worker.evaluate(SPY)
    return configured


def delivered(browser, service):
    """Every event the extension sent so far, each one checked as stored by the service."""
    browser.flush()
    sent = browser.worker.evaluate("() => self.__sent")
    if sent:
        answer = service.post("/api/v1/events", {"events": sent}, token="extension")
        assert answer.status == 200, answer.text
        assert {r["status"] for r in answer.json["results"]} == {"duplicate"}, answer.json["results"]
    return sent


def tip_figures(numbers):
    """Per tip ``(shown, users, validation_failed, validation_passed)`` from the tips report."""
    return {line["tip_id"]: (line["shown"], line["users"], line["validation_failed"], line["validation_passed"])
            for line in numbers["tips"]}


@pytest.fixture
def help_report(e2e_service):
    """The help report (GET /api/v1/reports/help), read with the admin token."""
    def read():
        answer = e2e_service.get("/api/v1/reports/help", token="admin")
        assert answer.status == 200, (answer.status, answer.text)
        return answer.json
    return read


def unfound(numbers, query):
    return [line["count"] for line in numbers["unfound_searches"] if line["query"] == query]


def counts(events, guide_id):
    """``{(type, step_id): n}`` of one document's events."""
    found = {}
    for event in events:
        if event.get("guide_id") == guide_id:
            key = (event["type"], event.get("step_id"))
            found[key] = found.get(key, 0) + 1
    return found


@pytest.fixture
def make_tips(unique_id, guide_role, demo_site):
    """A tips document only this test's role gets; globs may use ``{site}``."""
    def make(tips, suffix="-tips", include=("{site}/acme/tips*",), **fields):
        document = {"id": unique_id + suffix, "kind": "tips", "title": "Mileage help",
                    "match": {"include": [glob.format(site=demo_site) for glob in include]},
                    "audience": {"roles": [guide_role]}, "tips": tips}
        document.update(fields)
        return document
    return make


@pytest.fixture
def make_resources(make_tips, demo_site):
    """A resources document only this test's role gets. Its links stay on the demo site (no internet)."""
    def make(include=("{site}/acme/*",), title="Help with mileage"):
        document = make_tips([], suffix="-links", kind="resources", title=title, include=include,
                             links=resources_links(demo_site))
        document.pop("tips")
        return document
    return make


def resources_links(site):
    return [{"title": "Expense policy FAQ", "url": f"{site}/acme/help", "description": "Limits, receipts, per diem"},
            {"title": "Call the finance hotline", "url": "tel:+33123456789"},
            {"title": "Write to finance", "url": "mailto:finance@example.com",
             "description": "Corrections and refunds"}]


def tip(tip_id, selector, title, **fields):
    return {"id": tip_id, "target": {"selector": selector}, "title": title,
            "body": f"About the **{title.lower()}**.", **fields}


def box(locator):
    found = locator.bounding_box()
    assert found, f"{locator} has no box"
    return found


def overlap(a, b):
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def beside(page, beacon, field):
    """The beacon is drawn next to the field, never over it."""
    field.scroll_into_view_if_needed()  # a beacon is hidden while its field is off screen
    expect(beacon).to_be_visible()
    b, f = wait_for(lambda: _settled(beacon), what="the beacon placed"), box(field)
    assert not overlap(b, f), (b, f)
    assert abs((b["y"] + b["height"] / 2) - (f["y"] + f["height"] / 2)) < 4, (b, f)  # vertically centred on it
    assert 0 <= b["x"] - (f["x"] + f["width"]) <= 12 or 0 <= f["x"] - (b["x"] + b["width"]) <= 12, (b, f)
    return b


def _settled(locator):
    """The element's box once two animation frames passed without it moving."""
    first = box(locator)
    locator.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    second = box(locator)
    return second if first == second else None


def shadow_focus_kind(page):
    """What has focus in the overlay: a beacon's name, else the surface's data-kind."""
    return page.evaluate("() => { const f = document.querySelector('[data-waymark]').shadowRoot.activeElement;"
                         " return f ? f.getAttribute('aria-label') || f.dataset.kind : null }")


def test_beacon_focus_and_hover_tips(spied, demo_site, e2e_service, make_tips, publish, report):
    document = make_tips([
        tip("amount", "#amount", "Amount", show="beacon", placement="right"),
        tip("cost-centre", "#cost-centre", "Cost centre", show="focus", placement="right"),
        tip("merchant", "#merchant", "Merchant", show="hover", placement="bottom"),
    ])
    publish(document)
    page = spied.new_page()
    page.goto(demo_site + "/acme/tips")

    # Only the beacon tip draws a marker; focus and hover tips wait.
    beacon = page.get_by_role("button", name="Tip: Amount", exact=True)
    beside(page, beacon, page.locator("#amount"))
    expect(page.locator(BEACON)).to_have_count(1)
    assert beacon.get_attribute("data-kind") == "beacon"

    beacon.click()
    amount_tip = page.get_by_role("dialog", name="Amount", exact=True)
    expect(amount_tip).to_be_visible()
    assert amount_tip.get_attribute("data-kind") == "tip"
    expect(amount_tip.locator("strong")).to_have_text("amount")  # the service's rendered Markdown
    assert not overlap(box(amount_tip), box(page.locator("#amount")))
    assert not overlap(box(amount_tip), box(beacon))
    assert shadow_focus_kind(page) == "tip", "a tip opened from its beacon takes focus"
    page.keyboard.press("Escape")
    expect(page.locator(TIP)).to_have_count(0)
    assert shadow_focus_kind(page) == "Tip: Amount", "Esc hands focus back to the beacon"
    beacon.click()
    expect(amount_tip).to_be_visible()
    page.click("h1")  # outside
    expect(page.locator(TIP)).to_have_count(0)

    # Focus tip: opens with the field's focus and never takes it; closes on blur.
    page.click("#cost-centre")
    expect(page.get_by_role("dialog", name="Cost centre", exact=True)).to_be_visible()
    page.keyboard.type("CC-1234")
    assert page.evaluate("document.activeElement.id") == "cost-centre"
    assert page.input_value("#cost-centre") == "CC-1234"
    page.click("h1")  # blur
    expect(page.locator(TIP)).to_have_count(0)

    # Hover tip: open while the pointer is on the field.
    page.hover("#merchant")
    merchant_tip = page.get_by_role("dialog", name="Merchant", exact=True)
    expect(merchant_tip).to_be_visible()
    assert box(merchant_tip)["y"] >= box(page.locator("#merchant"))["y"] + box(page.locator("#merchant"))["height"] - 1
    page.mouse.move(1200, 120)
    expect(page.locator(TIP)).to_have_count(0)
    page.hover("#merchant")  # from the field onto the tip: it stays while the pointer reads it, then goes
    tip_box = box(merchant_tip)
    page.mouse.move(tip_box["x"] + tip_box["width"] / 2, tip_box["y"] + tip_box["height"] / 2, steps=5)
    expect(merchant_tip).to_be_visible()
    page.mouse.move(1200, 120, steps=5)
    expect(page.locator(TIP)).to_have_count(0)

    # A new page view may show each tip once more.
    page.reload()
    page.get_by_role("button", name="Tip: Amount", exact=True).click()
    expect(page.get_by_role("dialog", name="Amount", exact=True)).to_be_visible()
    events = delivered(spied, e2e_service)
    assert counts(events, document["id"]) == {("tip_shown", "amount"): 2, ("tip_shown", "cost-centre"): 1,
                                              ("tip_shown", "merchant"): 1}
    shown = [e for e in events if e["type"] == "tip_shown"]
    assert [e["step_index"] for e in shown] == [0, 1, 2, 0]
    assert len({e["run_id"] for e in shown}) == 2, "one run id per page view"
    assert all(e["guide_version"] == 1 and e["user"] for e in shown)
    numbers = report(document["id"])
    assert numbers["kind"] == "tips"
    assert tip_figures(numbers) == {"amount": (2, 1, 0, 0), "cost-centre": (1, 1, 0, 0), "merchant": (1, 1, 0, 0)}


def test_a_bad_value_warns_beside_the_field_and_a_corrected_one_clears(spied, demo_site, e2e_service, make_tips,
                                                                      publish, report):
    document = make_tips([
        tip("amount", "#amount", "Amount", validate=AMOUNT_RULE),
        tip("vehicle", "#vehicle", "Vehicle", show="focus",
            validate={"required": True, "message": "Choose the vehicle you drove"}),
        tip("notes", "#notes", "Notes for finance", show="focus",
            validate={"required": True, "message": "Tell finance who travelled with you"}),
        tip("purpose", "#purpose", "Purpose", show="focus",
            validate={"pattern": "\\S+\\s+\\S+\\s+\\S+", "required": True,
                      "message": "Say in three words or more what the trip was for"}),
    ])
    publish(document)
    page = spied.new_page()
    page.goto(demo_site + "/acme/tips")
    expect(page.get_by_role("button", name="Tip: Amount", exact=True)).to_be_visible()

    page.click("#amount")
    page.keyboard.type("12.505")
    expect(page.locator(MESSAGE)).to_have_count(0)  # nothing while typing a first time
    page.click("#merchant")  # blur
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(AMOUNT_RULE["message"])
    assert alert.get_attribute("data-kind") == "validation"
    message, field = wait_for(lambda: _settled(alert), what="the message placed"), box(page.locator("#amount"))
    beacon = box(page.get_by_role("button", name="Tip: Amount", exact=True))
    assert message["x"] >= field["x"] + field["width"], (message, field)  # beside it, over nothing of it
    assert not overlap(message, beacon) and abs(message["y"] + message["height"] / 2 - beacon["y"] - 9) < 4
    page.click("#amount")  # its tip opens where the message was: the message goes under the tip
    amount_tip = page.get_by_role("dialog", name="Amount", exact=True)
    expect(amount_tip).to_be_visible()
    under = wait_for(lambda: _settled(alert), what="the message under the tip")
    assert not overlap(under, box(amount_tip)) and under["y"] >= box(amount_tip)["y"] + box(amount_tip)["height"]
    page.click("#merchant")
    assert page.input_value("#amount") == "12.505", "the value is never changed"

    # The page's own submit still goes through while a field warns.
    page.click("#submit-claim")
    expect(page.locator("#claim-status")).to_have_text("Submitted 1")

    page.click("#amount")
    page.keyboard.press("Backspace")  # 12.50: checked on every input once it failed
    expect(page.locator(MESSAGE)).to_have_count(0)
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("x")  # passing fields are checked again only on blur
    expect(page.locator(MESSAGE)).to_have_count(0)
    page.click("#merchant")
    expect(alert).to_have_text(AMOUNT_RULE["message"])
    page.fill("#amount", "12")
    page.click("#merchant")
    expect(page.locator(MESSAGE)).to_have_count(0)

    # A select: required, left on "Choose…".
    page.focus("#vehicle")
    page.click("#merchant")
    expect(page.get_by_role("alert")).to_have_text("Choose the vehicle you drove")
    page.select_option("#vehicle", "Own car")
    expect(page.locator(MESSAGE)).to_have_count(0)

    # A textarea.
    page.focus("#notes")
    page.click("#merchant")
    expect(page.get_by_role("alert")).to_have_text("Tell finance who travelled with you")
    page.click("#notes")
    page.keyboard.type("Alone")
    expect(page.locator(MESSAGE)).to_have_count(0)

    # A rich-text editor (contenteditable): its text is what counts.
    page.click("#purpose")
    page.keyboard.type("Client")
    page.click("#merchant")
    expect(page.get_by_role("alert")).to_have_text("Say in three words or more what the trip was for")
    page.click("#purpose")
    page.keyboard.type(" visit in Lyon")
    expect(page.locator(MESSAGE)).to_have_count(0)
    assert page.inner_text("#purpose").replace("\xa0", " ") == "Client visit in Lyon"

    events = delivered(spied, e2e_service)
    found = counts(events, document["id"])
    assert {key: n for key, n in found.items() if key[0] != "tip_shown"} == {
        ("validation_failed", "amount"): 2, ("validation_passed", "amount"): 2,
        ("validation_failed", "vehicle"): 1, ("validation_passed", "vehicle"): 1,
        ("validation_failed", "notes"): 1, ("validation_passed", "notes"): 1,
        ("validation_failed", "purpose"): 1, ("validation_passed", "purpose"): 1}
    sent_text = repr(events)
    for typed in ("12.505", "Client visit", "Own car", "Alone"):
        assert typed not in sent_text, f"the value {typed!r} was sent"
    numbers = report(document["id"])
    assert tip_figures(numbers) == {"amount": (1, 1, 2, 2), "vehicle": (1, 1, 1, 1), "notes": (1, 1, 1, 1),
                                    "purpose": (1, 1, 1, 1)}
    assert [(line["tip_id"], line["fixed_rate"]) for line in numbers["most_failed"]] == [
        ("amount", 1.0), ("vehicle", 1.0), ("notes", 1.0), ("purpose", 1.0)]


def test_tips_in_shadow_roots_and_in_a_same_origin_frame(spied, demo_site, e2e_service, make_tips, publish,
                                                         report):
    document = make_tips([
        tip("vat", "input.vat", "VAT number"),
        tip("code", "input.code", "Approval code", show="focus",
            validate={"pattern": "^[0-9]{6}$", "required": True, "message": "Six digits, from the approval e-mail"}),
        tip("iban", "#iban", "IBAN", validate={"pattern": "^[A-Z]{2}[0-9]{2}", "required": True,
                                              "message": "An IBAN starts with the country code, e.g. FR76"}),
    ])
    publish(document)
    page = spied.new_page()
    page.goto(demo_site + "/acme/tips")
    vat = page.locator("acme-vat-field input.vat")
    vat_beacon = page.get_by_role("button", name="Tip: VAT number", exact=True)
    beside(page, vat_beacon, vat)
    vat_beacon.click()
    expect(page.get_by_role("dialog", name="VAT number", exact=True)).to_be_visible()
    page.keyboard.press("Escape")

    # In a closed shadow root (the extension reaches it through chrome.dom): focus tip and validation.
    page.locator("acme-approval-code").click()
    code_tip = page.get_by_role("dialog", name="Approval code", exact=True)
    expect(code_tip).to_be_visible()
    assert not overlap(box(code_tip), box(page.locator("acme-approval-code")))
    page.keyboard.type("12345")
    page.click("h1")
    expect(page.get_by_role("alert")).to_have_text("Six digits, from the approval e-mail")
    expect(page.locator(TIP)).to_have_count(0)
    page.locator("acme-approval-code").click()
    page.keyboard.type("6")
    expect(page.locator(MESSAGE)).to_have_count(0)
    page.click("h1")

    page.locator("#bank-frame").scroll_into_view_if_needed()
    frame = page.frame_locator("#bank-frame")
    iban_beacon = page.get_by_role("button", name="Tip: IBAN", exact=True)
    beside(page, iban_beacon, frame.locator("#iban"))  # page coordinates on both sides
    frame.locator("#iban").click()  # focus opens a beacon tip too, without taking the focus
    expect(page.get_by_role("dialog", name="IBAN", exact=True)).to_be_visible()
    page.keyboard.type("fr76")
    assert frame.locator("#iban").evaluate("el => el === document.activeElement")
    page.locator("#bank-frame").click(position={"x": 5, "y": 5})  # blur the field, inside the frame
    expect(page.get_by_role("alert")).to_have_text("An IBAN starts with the country code, e.g. FR76")
    expect(page.locator(TIP)).to_have_count(0)
    frame.locator("#iban").fill("FR76 3000")
    expect(page.locator(MESSAGE)).to_have_count(0)

    events = delivered(spied, e2e_service)
    assert counts(events, document["id"]) == {
        ("tip_shown", "vat"): 1, ("tip_shown", "code"): 1, ("tip_shown", "iban"): 1,
        ("validation_failed", "code"): 1, ("validation_passed", "code"): 1,
        ("validation_failed", "iban"): 1, ("validation_passed", "iban"): 1}
    assert tip_figures(report(document["id"])) == {"vat": (1, 1, 0, 0), "code": (1, 1, 1, 1), "iban": (1, 1, 1, 1)}


def test_a_rerendered_target_keeps_its_beacon_a_hidden_one_hides_it(spied, demo_site, e2e_service, make_tips,
                                                                    publish, report):
    document = make_tips([tip("project", "#project", "Project code"), tip("extra", "#extra", "Passengers")])
    publish(document)
    page = spied.new_page()
    page.goto(demo_site + "/acme/tips")
    beacon = page.get_by_role("button", name="Tip: Project code", exact=True)
    beside(page, beacon, page.locator("#project"))
    for renders in (2, 3, 4):
        page.click("#rerender")
        page.wait_for_function("n => window.acmeTips.renders >= n", arg=renders)
        beside(page, beacon, page.locator("#project"))  # the new element
    expect(page.locator(BEACON)).to_have_count(2)

    passengers = page.get_by_role("button", name="Tip: Passengers", exact=True)
    expect(passengers).to_be_visible()
    page.click("#toggle-extra")
    expect(page.locator(f"{BEACON}[aria-label='Tip: Passengers']")).to_be_hidden()
    page.click("#toggle-extra")
    beside(page, passengers, page.locator("#extra"))

    # Following the page's scroll.
    start = page.evaluate("() => { document.getElementById('project').scrollIntoView({block: 'end'}); return scrollY }")
    before = wait_for(lambda: _settled(beacon), what="the beacon placed at the bottom")
    page.mouse.move(640, 400)
    page.mouse.wheel(0, 240)
    page.wait_for_function("start => scrollY >= start + 200", arg=start)
    after = wait_for(lambda: _settled(beacon), what="the beacon placed after scrolling")
    assert after["y"] < before["y"] - 150, (before, after)
    beside(page, beacon, page.locator("#project"))
    beacon.click()
    expect(page.get_by_role("dialog", name="Project code", exact=True)).to_be_visible()
    delivered(spied, e2e_service)
    assert tip_figures(report(document["id"])) == {"project": (1, 1, 0, 0), "extra": (0, 0, 0, 0)}


def test_a_missing_target_draws_nothing_and_is_reported_once_per_page_view(spied, demo_site, e2e_service,
                                                                            make_tips, publish, report):
    document = make_tips([tip("amount", "#amount", "Amount"),
                          tip("gone", "#renamed-field", "Renamed field"),
                          # Its own wait_ms: still looked for when the test is over, so never reported.
                          tip("slow", "#comes-later", "Comes later", wait_ms=60_000)])
    publish(document)
    page = spied.new_page()
    page.goto(demo_site + "/acme/tips")
    expect(page.get_by_role("button", name="Tip: Amount", exact=True)).to_be_visible()
    # Looked for as long as a step's target (5 s), then reported.
    wait_for(lambda: any(e["type"] == "target_missing" for e in spied.worker.evaluate("() => self.__sent")),
             timeout=20, what="target_missing sent")
    for _ in range(3):  # page changes make the tips look again, and report nothing more
        page.click("#rerender")
    page.wait_for_function("() => window.acmeTips.renders >= 4")
    expect(page.locator(BEACON)).to_have_count(1)
    page.reload()
    page.locator("#amount").scroll_into_view_if_needed()  # the reload keeps the scroll where the clicks left it
    expect(page.get_by_role("button", name="Tip: Amount", exact=True)).to_be_visible()
    wait_for(lambda: sum(e["type"] == "target_missing" for e in spied.worker.evaluate("() => self.__sent")) == 2,
             timeout=20, what="the second page view's target_missing")
    page.wait_for_timeout(300)
    events = delivered(spied, e2e_service)
    missing = [e for e in events if e["type"] == "target_missing"]
    assert len(missing) == 2 and len({e["run_id"] for e in missing}) == 2, missing
    assert missing[0]["step_id"] == "gone" and missing[0]["step_index"] == 1 and missing[0]["wait_ms"] == 5000
    assert missing[0]["selectors"] == [{"selector": "#renamed-field", "matches": 0}]
    assert tip_figures(report(document["id"])) == {"amount": (0, 0, 0, 0), "gone": (0, 0, 0, 0),
                                                   "slow": (0, 0, 0, 0)}
    broken = e2e_service.get("/api/v1/reports/broken-targets", token="admin").json["broken_targets"]
    mine = [(line["step_id"], line["count"], line["urls"]) for line in broken if line["guide_id"] == document["id"]]
    assert mine == [("gone", 2, [demo_site + "/acme/tips"])]
    # A broken target, not a guide with broken runs (docs/reports.md "Runs").
    guides = e2e_service.get("/api/v1/reports/guides", token="admin").json["guides"]
    assert document["id"] not in [line["guide_id"] for line in guides]


def test_the_help_panel_lists_guides_tips_and_links_and_starts_a_guide(
        spied, demo_site, e2e_service, make_tips, make_resources, make_guide, publish, report, help_report, unique_id):
    tips = make_tips([tip("amount", "#amount", "Amount"), tip("vat", "input.vat", "VAT number", show="focus")])
    resources = make_resources()
    guide = make_guide([{"id": "only", "title": "Claim in one step", "body": "Fill it in.",
                         "advance": {"on": "next"}}], suffix="-guide", title="Claim your mileage",
                       description="Two minutes", start="manual", include=("{site}/acme/tips*",))
    for document in (tips, resources, guide):
        publish(document)
    before = help_report()
    wanted = f"mileage rates {unique_id[-6:]}"  # the help report is the whole service's: a search only we make
    page = spied.new_page()
    page.goto(demo_site + "/acme/tips")
    launcher = page.get_by_role("button", name="Help", exact=True)
    expect(launcher).to_be_visible()
    assert launcher.get_attribute("data-kind") == "launcher"
    expect(page.get_by_role("button", name="Tip: Amount", exact=True)).to_be_visible()
    launcher.click()
    panel = page.get_by_role("dialog", name="Help with mileage", exact=True)
    expect(panel).to_be_visible()
    assert panel.get_attribute("data-kind") == "panel"
    expect(panel.get_by_role("button", name="Claim your mileage", exact=True)).to_be_visible()
    expect(panel.get_by_role("button", name="Amount", exact=True)).to_be_visible()
    expect(panel.get_by_role("button", name="VAT number", exact=True)).to_be_visible()
    faq = panel.get_by_role("link", name="Expense policy FAQ", exact=True)
    assert faq.get_attribute("href") == demo_site + "/acme/help"
    assert panel.get_by_role("link", name="Call the finance hotline").get_attribute("href") == "tel:+33123456789"

    search = panel.get_by_role("searchbox", name="Search help")
    expect(search).to_be_focused()
    search.fill("per diem")
    expect(panel.get_by_role("link")).to_have_count(1)
    expect(panel.get_by_role("button", name="Amount", exact=True)).to_be_hidden()
    search.fill(wanted)
    search.press("Enter")
    expect(panel.get_by_role("status")).to_have_text(f"Nothing found for \u201c{wanted}\u201d.")
    search.fill("")
    with page.context.expect_page() as opened:
        faq.click()
    opened.value.close()

    # A tip from the panel: its field scrolled to, the tip opened.
    panel.get_by_role("button", name="VAT number", exact=True).click()
    expect(panel).to_have_count(0)
    expect(page.get_by_role("dialog", name="VAT number", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    expect(launcher).to_be_focused()

    # A guide from the panel (a manual one): the panel closes, the guide starts.
    launcher.click()
    page.get_by_role("dialog", name="Help with mileage").get_by_role("button", name="Claim your mileage").click()
    expect_step(page, "Claim in one step")
    button(page, "Done").click()
    expect_no_dialog(page)

    events = delivered(spied, e2e_service)
    assert [e["type"] for e in events if e["type"] == "panel_opened"] == ["panel_opened"] * 2
    searches = [(e["query"], e["results"]) for e in events if e["type"] == "panel_search"]
    # "per diem" counts as a search too if the machine took over a second before the next one was typed.
    assert [search for search in searches if search[1] == 0] == [(wanted, 0)]
    assert set(searches) - {(wanted, 0)} <= {("per diem", 1)}
    assert all("user" not in e for e in events if e["type"] == "panel_search")
    opened_links = [(e["guide_id"], e["step_index"]) for e in events if e["type"] == "resource_opened"]
    assert opened_links == [(resources["id"], 0)]
    assert counts(events, tips["id"]) == {("tip_shown", "vat"): 1}
    assert [e.get("source") for e in events if e["type"] == "guide_started"] == [{"kind": "panel"}]
    assert totals(report(guide["id"])) == {"runs": 1, "completed": 1, "dismissed": 0, "abandoned": 0, "broken": 0}
    assert tip_figures(report(tips["id"])) == {"amount": (0, 0, 0, 0), "vat": (1, 1, 0, 0)}
    after = help_report()
    assert after["panel_opens"] - before["panel_opens"] == 2
    assert after["searches"] - before["searches"] == len(searches)
    assert unfound(after, wanted) == [1]
    assert [(line["index"], line["title"], line["count"]) for line in after["resources_opened"]
            if line["guide_id"] == resources["id"]] == [(0, "Expense policy FAQ", 1)]


def test_keyboard_only(spied, demo_site, e2e_service, make_tips, make_resources, publish, report):
    resources = make_resources()
    document = make_tips([tip("amount", "#amount", "Amount"),
                          tip("cost-centre", "#cost-centre", "Cost centre", show="focus", validate=AMOUNT_RULE)])
    publish(document)
    publish(resources)
    page = spied.new_page()
    page.goto(demo_site + "/acme/tips")
    expect(page.get_by_role("button", name="Tip: Amount", exact=True)).to_be_visible()
    page.focus("#amount")
    expect(page.get_by_role("dialog", name="Amount", exact=True)).to_be_visible()  # focus opens a beacon tip
    page.keyboard.press("Tab")
    expect(page.get_by_role("dialog", name="Cost centre", exact=True)).to_be_visible()
    expect(page.locator(TIP)).to_have_count(1)
    page.keyboard.type("abc")
    page.keyboard.press("Escape")
    expect(page.locator(TIP)).to_have_count(0)
    assert page.evaluate("document.activeElement.id") == "cost-centre", "Esc closes the tip, focus stays"
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("alert")).to_have_text(AMOUNT_RULE["message"])

    # Tab on to the Help button (after the page's own controls), open the panel, use it.
    for _ in range(40):
        page.keyboard.press("Tab")
        if shadow_focus_kind(page) == "launcher":
            break
    assert shadow_focus_kind(page) == "launcher", "Tab reaches the Help button"
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="Help with mileage", exact=True)
    expect(panel.get_by_role("searchbox", name="Search help")).to_be_focused()
    page.keyboard.type("amount")
    page.keyboard.press("Tab")
    expect(panel.get_by_role("button", name="Amount", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Amount", exact=True)).to_be_visible()
    assert shadow_focus_kind(page) == "tip"
    page.keyboard.press("Escape")
    expect(page.locator(TIP)).to_have_count(0)
    assert shadow_focus_kind(page) == "launcher", "focus returns to the Help button"
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    assert shadow_focus_kind(page) == "launcher"
    delivered(spied, e2e_service)
    # The Amount tip opened twice in one page view: shown once.
    assert tip_figures(report(document["id"])) == {"amount": (1, 1, 0, 0), "cost-centre": (1, 1, 1, 0)}


@pytest.mark.parametrize("path, selector, title", [("/acme/audit", "[data-testid=download-audit]", "Download"),
                                                   ("/acme/legacy", "#start-import", "Start the import")])
def test_strict_csp_and_hostile_css_pages(spied, demo_site, e2e_service, make_tips, make_resources, publish,
                                         report, help_report, unique_id, path, selector, title):
    resources = make_resources(include=("{site}" + path,), title="Help here")
    document = make_tips([tip("it", selector, title, placement="bottom")], include=("{site}" + path,))
    publish(document)
    publish(resources)
    page = spied.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "Trusted" in message.text else None)
    page.goto(demo_site + path)
    beacon = page.get_by_role("button", name=f"Tip: {title}", exact=True)
    beside(page, beacon, page.locator(selector))
    beacon.click()  # a real click: Playwright checks nothing of the page covers it
    opened = page.get_by_role("dialog", name=title, exact=True)
    expect(opened).to_be_visible()
    assert opened.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 255, 255)"
    assert opened.evaluate("el => getComputedStyle(el).fontSize") == "14px", "the page's CSS does not reach inside"
    page.get_by_role("button", name="Help", exact=True).click()
    expect(page.get_by_role("dialog", name="Help here", exact=True)).to_be_visible()
    wanted = f"zebra crossing {unique_id[-6:]}"
    page.get_by_role("dialog", name="Help here").get_by_role("searchbox").fill(wanted)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.locator(PANEL)).to_have_count(0)
    events = delivered(spied, e2e_service)
    assert counts(events, document["id"]) == {("tip_shown", "it"): 1}
    assert [e["type"] for e in events if e["type"].startswith("panel")] == ["panel_opened", "panel_search"]
    assert violations == []
    assert tip_figures(report(document["id"])) == {"it": (1, 1, 0, 0)}
    assert unfound(help_report(), wanted) == [1]


def test_the_launcher_follows_its_setting(spied, demo_site, e2e_service, make_tips, publish, report):
    document = make_tips([tip("amount", "#amount", "Amount")])
    publish(document)
    page = spied.new_page()
    page.goto(demo_site + "/acme/tips")
    launcher = page.locator(LAUNCHER)
    expect(launcher).to_be_visible()
    corner = box(launcher)
    assert corner["x"] > 1000 and corner["y"] > 700, corner  # bottom right by default
    options = spied.context.new_page()  # as an employee would: the options page's Help button setting
    options.goto(f"chrome-extension://{spied.extension_id}/options.html")
    expect(options.get_by_label("Help button")).to_have_value("bottom-right")
    options.get_by_label("Help button").select_option("top-left")
    options.get_by_role("button", name="Save").click()
    wait_for(lambda: spied.storage("launcher") == "top-left", what="the setting saved")
    page.reload()
    expect(launcher).to_be_visible()
    corner = box(launcher)
    assert corner["x"] < 100 and corner["y"] < 100, corner
    spied.worker.evaluate("() => chrome.storage.local.set({launcher: 'off'})")
    page.reload()
    expect(page.get_by_role("button", name="Tip: Amount", exact=True)).to_be_visible()  # tips stay
    expect(launcher).to_have_count(0)
    assert delivered(spied, e2e_service) == []
    assert tip_figures(report(document["id"])) == {"amount": (0, 0, 0, 0)}


def test_author_preview_of_a_tips_file_shows_its_tips_and_counts_nothing(spied, demo_site, e2e_service, make_tips,
                                                                        publish, report, tmp_path):
    published = make_tips([tip("amount", "#amount", "Amount")])
    publish(published)
    page = spied.new_page()
    page.goto(demo_site + "/acme/tips")
    expect(page.get_by_role("button", name="Tip: Amount", exact=True)).to_be_visible()

    draft = {**published, "audience": {"roles": ["somebody-else"]},
             "tips": [tip("amount", "#amount", "Amount, as on the receipt", validate=AMOUNT_RULE),
                      tip("cost-centre", "#cost-centre", "Cost centre")]}
    options = spied.context.new_page()
    options.goto(f"chrome-extension://{spied.extension_id}/options.html")
    options.fill("#authorToken", e2e_service.tokens["author"])
    path = tmp_path / "tips.json"
    path.write_text(json.dumps(draft))
    options.set_input_files("#guideFile", str(path))
    options.get_by_role("button", name="Preview").click()
    expect(options.locator("#previewState")).to_contain_text("Shown in 1 open tab")

    # At once in the open tab, in place of the published document, though it is for another role.
    cost_centre = page.get_by_role("button", name="Tip: Cost centre", exact=True)
    expect(cost_centre).to_be_visible()
    expect(page.get_by_role("button", name="Tip: Amount", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Tip: Amount, as on the receipt", exact=True).click()
    previewed = page.get_by_role("dialog", name="Amount, as on the receipt", exact=True)
    expect(previewed.locator(".wm-preview")).to_have_text("Preview")
    expect(previewed.locator("strong")).to_have_text("amount, as on the receipt")  # rendered by the service
    page.click("#amount")
    page.keyboard.type("twelve")
    page.click("h1")
    expect(page.get_by_role("alert")).to_have_text(AMOUNT_RULE["message"])

    options.get_by_role("button", name="Stop preview").click()
    expect(page.get_by_role("button", name="Tip: Amount", exact=True)).to_be_visible()  # the published one is back
    expect(cost_centre).to_have_count(0)
    assert delivered(spied, e2e_service) == [], "a preview reports nothing"
    assert tip_figures(report(published["id"])) == {"amount": (0, 0, 0, 0)}


def test_the_element_picker_gives_a_target_ready_to_paste_into_a_tip(spied, demo_site, e2e_service, make_tips,
                                                                    publish, report):
    from e2e.test_picker import close_picker, pick  # the author's way: the popup's Pick an element

    page = spied.new_page()
    page.goto(demo_site + "/acme/tips")
    fields = {"cost-centre": page.locator("#cost-centre"), "vat": page.locator("acme-vat-field input.vat"),
              "iban": page.frame_locator("#bank-frame").locator("#iban")}
    targets = {}
    for name, field in fields.items():
        targets[name] = pick(spied, page, field)["target"]
        close_picker(page)
    document = make_tips([{"id": name, "target": target, "title": f"Picked {name}", "body": "Picked.",
                           "validate": {"required": True, "message": f"Fill in {name}"}}
                          for name, target in targets.items()])
    checked = e2e_service.post("/api/v1/guides/validate", document, token="author")
    assert checked.status == 200 and checked.json["valid"] and checked.json["warnings"] == [], checked.json
    publish(document)
    spied.worker.evaluate("() => waymark.refreshGuides()")
    page.reload()
    for name, field in fields.items():
        field.scroll_into_view_if_needed()  # the reload keeps the scroll where the last pick left it
        beside(page, page.get_by_role("button", name=f"Tip: Picked {name}", exact=True), field)
    fields["cost-centre"].focus()
    page.click("h1")
    expect(page.get_by_role("alert")).to_have_text("Fill in cost-centre")
    delivered(spied, e2e_service)
    assert tip_figures(report(document["id"])) == {"cost-centre": (1, 1, 1, 0), "vat": (0, 0, 0, 0),
                                                   "iban": (0, 0, 0, 0)}


def test_the_demo_documents_work_on_the_expense_form(spied, demo_site, e2e_service, guide_role, unique_id,
                                                    publish, report):
    """guides/expense-form-tips.json and guides/expenses-help.json, as the demo publishes them (for this role only)."""
    documents = {}
    for name in ("expense-form-tips", "expenses-help"):
        document = json.loads((ROOT / "guides" / f"{name}.json").read_text())
        document.pop("$schema", None)
        document.update(id=f"{unique_id}-{name}"[:100], audience={"roles": [guide_role]})
        publish(document)
        documents[name] = document
    page = spied.new_page()
    page.goto(demo_site + "/acme/reports/new")
    beside(page, page.get_by_role("button", name="Tip: Amount", exact=True), page.locator("input[name=amount]"))
    page.click("input[name=cost_centre]")
    expect(page.get_by_role("dialog", name="Cost centre", exact=True)).to_be_visible()
    page.keyboard.type("fin-12")
    page.click("h1")
    expect(page.get_by_role("alert")).to_contain_text("three capital letters")
    page.fill("input[name=cost_centre]", "FIN-1200")
    expect(page.locator(MESSAGE)).to_have_count(0)
    page.hover("select[name=category]")
    expect(page.get_by_role("dialog", name="Category", exact=True)).to_be_visible()
    page.get_by_role("button", name="Help", exact=True).click()
    panel = page.get_by_role("dialog", name="Help with expenses", exact=True)
    expect(panel.get_by_role("link", name="Call the finance hotline")).to_have_attribute("href", "tel:+33123456789")
    page.keyboard.press("Escape")
    delivered(spied, e2e_service)
    assert tip_figures(report(documents["expense-form-tips"]["id"])) == {
        "amount": (0, 0, 0, 0), "cost-centre": (1, 1, 1, 1), "category": (1, 1, 0, 0)}
