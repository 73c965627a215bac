"""Author mode's element picker in real Chromium with the real extension.

Each test starts the picker the way an author does (the popup's "Pick an
element" button), hovers and clicks an element with the mouse, and reads the
pick the worker stored (``waymark.lastPick``). Then it checks what matters:

- the page never saw the pick's click (the fixture pages log every click,
  pointerdown, mousedown and submit they get);
- the selector avoids generated ids and hashed classes, and the service's
  own validation has no warning for it (positional picks say so themselves);
- the extension's own resolution finds that very element: the target is
  published as a step that advances on a click of it; the tooltip must sit
  below the element, a click on a look-alike must not advance it, and a click
  on the element must.
"""
import json
import re

import pytest
from playwright.sync_api import expect

from e2e.overlay import button, dialog, expect_step, wait_for

PICKER = "[data-waymark=picker]"
RESULT = PICKER + " [role=dialog]"
LABEL = PICKER + " .wp-label"
LAST_PICK = "waymark.lastPick"
GENERATED = (":r3:", "r3", "mui-42", "css-", "Button__root")


@pytest.fixture
def author(configured, demo_site):
    """The configured extension and a tab on the picker fixture page."""
    page = configured.new_page()
    page.goto(demo_site + "/acme/picker")
    return configured, page


def page_log(page):
    return page.locator("#page-log li").all_text_contents()


def start_picker(browser, page):
    """Press the popup's "Pick an element" for ``page``'s tab (the popup closes itself)."""
    browser.worker.evaluate("key => chrome.storage.local.remove(key)", LAST_PICK)
    popup = browser.open_popup(page)
    popup.get_by_role("button", name="Pick an element").click()
    page.bring_to_front()
    expect(page.locator(PICKER + " .wp-hint")).to_be_visible()


def centre(locator):
    """The element's centre in page viewport coordinates (frames included)."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def hover(page, locator):
    x, y = centre(locator)
    page.mouse.move(x - 4, y - 4)
    page.mouse.move(x, y, steps=4)
    expect(page.locator(LABEL)).to_be_visible()
    page.wait_for_timeout(150)  # the label is computed on the next animation frame
    return x, y


def pick(browser, page, locator):
    """Pick ``locator``'s element with the mouse; answers the stored pick and the hover label."""
    start_picker(browser, page)
    x, y = hover(page, locator)
    label = page.locator(LABEL).text_content()
    page.mouse.click(x, y)
    expect(page.locator(RESULT)).to_be_visible()
    stored = wait_for(lambda: browser.storage(LAST_PICK), what="the stored pick")
    shown = json.loads(page.locator(RESULT + " pre").text_content())
    assert shown == stored["target"], "the dialog shows the stored target, ready to paste"
    assert label.startswith(stored["target"]["selector"]), (label, stored)
    assert stored["url"] == page.url and stored["picked_at"]
    return stored


def close_picker(page):
    page.locator(RESULT).get_by_role("button", name="Close", exact=True).click()
    expect(page.locator(PICKER)).to_have_count(0)


def assert_valid_without_warnings(e2e_service, make_guide, target):
    guide = make_guide([{"id": "picked", "title": "Picked", "target": target, "advance": {"on": "click"}}])
    answer = e2e_service.post("/api/v1/guides/validate", guide, token="author")
    assert answer.status == 200 and answer.json["valid"], answer.json
    assert answer.json["warnings"] == [], answer.json["warnings"]


def assert_points_at(page, locator):
    """The step's tooltip sits below the element (placement bottom) and overlaps it horizontally."""
    element = locator.bounding_box()
    box = dialog(page).bounding_box()
    assert box["y"] >= element["y"] + element["height"] - 1, (box, element)
    assert box["x"] < element["x"] + element["width"] and box["x"] + box["width"] > element["x"], (box, element)


def walk_guide(browser, page, make_guide, publish, include, picks):
    """Publish the picked targets as click steps and walk them: ``picks`` is [(target, element, look-alikes)]."""
    steps = [{"id": f"pick-{index}", "title": f"Picked {index}", "target": target, "placement": "bottom",
              "advance": {"on": "click"}} for index, (target, _element, _others) in enumerate(picks)]
    steps.append({"id": "done", "title": "All found", "advance": {"on": "next"}})
    publish(make_guide(steps, include=(include,)))
    browser.worker.evaluate("() => waymark.refreshGuides()")
    page.reload()
    for index, (_target, element, look_alikes) in enumerate(picks):
        expect_step(page, f"Picked {index}")
        assert_points_at(page, element)
        for other in look_alikes:
            other.click()
            page.wait_for_timeout(400)
            expect_step(page, f"Picked {index}")  # a click on the look-alike is not the step's click
        element.click()
    expect_step(page, "All found")
    button(page, "Done").click()


def test_a_test_hook_is_picked_and_the_page_never_sees_the_click(author, make_guide, publish, e2e_service):
    browser, page = author
    new_report = page.get_by_test_id("new-report")
    picked = pick(browser, page, new_report)
    assert picked["target"]["selector"] == '[data-testid="new-report"]'
    assert picked["target"]["text"] == "New report"
    assert picked["warnings"] == []
    assert page_log(page) == [], "the pick's pointerdown, mousedown and click never reached the page"
    close_picker(page)
    assert_valid_without_warnings(e2e_service, make_guide, picked["target"])
    walk_guide(browser, page, make_guide, publish, "{site}/acme/picker", [(picked["target"], new_report, [])])


def test_generated_ids_and_hashed_classes_are_avoided(author, demo_site, make_guide, publish, e2e_service):
    browser, page = author
    save = page.get_by_role("button", name="Save draft")
    amount = page.locator("input[name=amount]")
    picked_save = pick(browser, page, save)
    close_picker(page)
    picked_amount = pick(browser, page, amount)
    close_picker(page)
    assert page_log(page) == [], "no click and no submit reached the page"
    assert page.url == demo_site + "/acme/picker", "the form was not submitted"
    for picked in (picked_save, picked_amount):
        written = json.dumps(picked["target"])
        assert not any(name in written for name in GENERATED), written
        assert_valid_without_warnings(e2e_service, make_guide, picked["target"])
    assert picked_save["target"]["text"] == "Save draft"
    assert picked_amount["target"]["selector"] == 'input[name="amount"]'
    assert "text" not in picked_amount["target"], "a form field has no text: its value is what people type"
    walk_guide(browser, page, make_guide, publish, "{site}/acme/picker",
               [(picked_save["target"], save, []), (picked_amount["target"], amount, [])])


def test_identical_buttons_told_apart_by_text(author, make_guide, publish, e2e_service):
    browser, page = author
    reject = page.get_by_role("button", name="Reject")
    picked = pick(browser, page, reject)
    close_picker(page)
    assert picked["target"]["text"] == "Reject"
    assert picked["warnings"] == []
    assert_valid_without_warnings(e2e_service, make_guide, picked["target"])
    walk_guide(browser, page, make_guide, publish, "{site}/acme/picker",
               [(picked["target"], reject, [page.get_by_role("button", name="Approve")])])


def test_identical_buttons_told_apart_by_ancestor(author, make_guide, publish, e2e_service):
    browser, page = author
    drafts_archive = page.get_by_test_id("drafts-panel").get_by_role("button", name="Archive")
    picked = pick(browser, page, drafts_archive)
    close_picker(page)
    assert picked["target"]["selector"].startswith('[data-testid="drafts-panel"] '), picked
    assert picked["warnings"] == []
    assert_valid_without_warnings(e2e_service, make_guide, picked["target"])
    inbox_archive = page.get_by_test_id("inbox-panel").get_by_role("button", name="Archive")
    walk_guide(browser, page, make_guide, publish, "{site}/acme/picker",
               [(picked["target"], drafts_archive, [inbox_archive])])


def test_positional_only_as_a_last_resort_and_said(author, make_guide, publish, e2e_service):
    browser, page = author
    swatches = page.get_by_test_id("colour-swatches").locator("span")
    picked = pick(browser, page, swatches.nth(1))
    target = picked["target"]
    selectors = {key: value for key, value in target.items() if key != "describe"}
    assert selectors == {"selector": '[data-testid="colour-swatches"] > li:nth-of-type(2) > span'}, target
    assert target["describe"]["tag"] == "span", "the picker records its descriptions beside the selector"
    assert len(picked["warnings"]) == 1 and picked["warnings"][0].startswith("Positional"), picked
    expect(page.locator(RESULT)).to_contain_text("Positional selector")
    assert page_log(page) == []
    close_picker(page)
    walk_guide(browser, page, make_guide, publish, "{site}/acme/picker",
               [(target, swatches.nth(1), [swatches.nth(0), swatches.nth(2)])])


def test_icon_and_label_inside_a_button_pick_the_button(author):
    browser, page = author
    picked = pick(browser, page, page.get_by_test_id("export-drafts").locator(".label"))
    assert picked["target"]["selector"] == '[data-testid="export-drafts"]'
    assert picked["target"]["text"] == "Export"
    assert page_log(page) == []


def test_shadow_root_and_frame_elements(configured, demo_site, make_guide, publish, e2e_service):
    page = configured.new_page()
    page.goto(demo_site + "/acme/cards")
    approve = page.locator("acme-approval-card button.approve")
    expect(approve).to_be_visible()  # the card renders its button a moment late
    attach = page.frame_locator("#receipt-frame").locator("#attach-receipt")
    picked_approve = pick(configured, page, approve)
    close_picker(page)
    picked_attach = pick(configured, page, attach)
    close_picker(page)
    # The card's and the frame's own click handlers never ran.
    expect(page.locator("acme-approval-card .status")).to_have_text("")
    expect(page.frame_locator("#receipt-frame").locator("#attach-status")).to_have_text("")
    # Written as if the element were in the page: no host, no frame path (findTarget searches those).
    selectors = {key: value for key, value in picked_approve["target"].items() if key != "describe"}
    assert selectors == {"selector": '[data-testid="approve-card"]', "text": "Approve",
                         "fallbacks": ["button.approve", "div.box button"]}
    # Its descriptions see past the shadow root: the card's host is one of its ancestors.
    assert "acme-approval-card" in [a["tag"] for a in picked_approve["target"]["describe"]["path"]]
    assert picked_attach["target"]["selector"] == '[data-testid="attach-receipt"]'
    for picked in (picked_approve, picked_attach):
        assert_valid_without_warnings(e2e_service, make_guide, picked["target"])
    # Placement bottom, but the frame sits low on the page: check the frame step by its click only.
    steps = [{"id": "approve", "title": "Picked 0", "target": picked_approve["target"], "placement": "bottom",
              "advance": {"on": "click"}},
             {"id": "attach", "title": "Picked 1", "target": picked_attach["target"], "placement": "left",
              "advance": {"on": "click"}},
             {"id": "done", "title": "All found", "advance": {"on": "next"}}]
    publish(make_guide(steps, include=("{site}/acme/cards",)))
    configured.worker.evaluate("() => waymark.refreshGuides()")
    page.reload()
    expect_step(page, "Picked 0")
    assert_points_at(page, approve)
    approve.click()
    expect_step(page, "Picked 1")
    box, target = dialog(page).bounding_box(), attach.bounding_box()
    assert box["x"] + box["width"] <= target["x"] + 1, (box, target)  # to the left of the framed button
    attach.click()
    expect_step(page, "All found")


def test_closed_shadow_root_elements(author, make_guide, publish, e2e_service):
    # From outside a closed root the pointer seems to be on the host; the picker looks inside
    # (chrome.dom.openOrClosedShadowRoot), as findTarget does.
    browser, page = author
    host = page.locator("acme-pay-button")
    picked = pick(browser, page, host)
    assert picked["target"]["selector"] == "button.pay" and picked["target"]["text"] == "Pay now", picked
    assert page_log(page) == [], "the button's own click handler did not run"
    close_picker(page)
    assert_valid_without_warnings(e2e_service, make_guide, picked["target"])
    walk_guide(browser, page, make_guide, publish, "{site}/acme/picker", [(picked["target"], host, [])])
    assert "click: Pay now" in page_log(page), "after the picker, the button works for the guide"


def test_escape_cancels_without_a_result(author):
    browser, page = author
    start_picker(browser, page)
    hover(page, page.get_by_test_id("new-report"))
    page.keyboard.press("Escape")
    expect(page.locator(PICKER)).to_have_count(0)
    page.wait_for_timeout(300)
    assert browser.storage(LAST_PICK) is None
    page.get_by_test_id("new-report").click()  # the picker's listeners are gone: the page gets clicks again
    assert page_log(page) == ["pointerdown", "mousedown", "click: New report"]


def test_escape_while_picking_over_a_guide_cancels_the_pick_not_the_guide(author, make_guide, publish):
    browser, page = author
    publish(make_guide([{"id": "a", "title": "A guide step", "body": "Shown.", "advance": {"on": "next"}},
                        {"id": "b", "title": "Next one", "body": "x", "advance": {"on": "next"}}],
                       include=("{site}/acme/picker",)))
    browser.worker.evaluate("() => waymark.refreshGuides()")
    page.reload()
    expect_step(page, "A guide step")
    start_picker(browser, page)
    page.keyboard.press("Escape")
    expect(page.locator(PICKER)).to_have_count(0)
    page.wait_for_timeout(300)
    expect_step(page, "A guide step")  # still there: that Esc was the picker's
    page.keyboard.press("Escape")
    expect(dialog(page)).to_have_count(0)  # and the next one is the guide's again


def test_result_dialog_copy_pick_another_and_the_popup(author):
    browser, page = author
    browser.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.url.split("/acme")[0])
    picked = pick(browser, page, page.get_by_role("button", name="Approve"))
    result = page.locator(RESULT)
    assert result.get_attribute("aria-label") == "Waymark target"
    result.get_by_role("button", name="Copy", exact=True).click()
    expect(result.get_by_role("status")).to_have_text(re.compile(r"Copied\.|Press Ctrl\+C"))
    if result.get_by_role("status").text_content() == "Copied.":
        assert json.loads(page.evaluate("navigator.clipboard.readText()")) == picked["target"]
    else:  # the clipboard was refused: the JSON is selected for Ctrl+C
        assert json.loads(page.evaluate("getSelection().toString()")) == picked["target"]
    result.get_by_role("button", name="Pick another", exact=True).click()
    expect(result).to_have_count(0)
    expect(page.locator(PICKER + " .wp-hint")).to_be_visible()
    x, y = hover(page, page.get_by_test_id("new-report"))
    page.mouse.click(x, y)
    expect(page.locator(RESULT + " pre")).to_contain_text('"selector": "[data-testid=\\"new-report\\"]"')
    wait_for(lambda: (browser.storage(LAST_PICK) or {}).get("target", {}).get("text") == "New report",
             what="the second pick stored")
    page.keyboard.press("Escape")  # focus is in the dialog: Esc closes it
    expect(page.locator(PICKER)).to_have_count(0)
    assert page_log(page) == []
    popup = browser.open_popup(page)
    expect(popup.locator("#last-pick-json")).not_to_be_empty()
    in_popup = json.loads(popup.locator("#last-pick-json").text_content())
    assert in_popup == browser.storage(LAST_PICK)["target"]
    assert list(in_popup)[:2] == ["selector", "text"], "in the guide format's order, as the page's dialog shows it"
    expect(popup.locator("#last-pick-source")).to_contain_text(page.url)


@pytest.mark.parametrize("path, element", [("/acme/audit", "[data-testid=download-audit]"),
                                           ("/acme/legacy", "#start-import")])
def test_picker_survives_strict_csp_and_hostile_css(configured, demo_site, path, element):
    page = configured.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "TrustedHTML" in message.text else None)
    page.goto(demo_site + path)
    picked = pick(configured, page, page.locator(element))
    assert picked["target"]["selector"] == f'[data-testid="{page.locator(element).get_attribute("data-testid")}"]'
    usable = page.evaluate("""() => {
        const root = document.querySelector('[data-waymark=picker]').shadowRoot;
        const panel = root.querySelector('[role=dialog]');
        const rect = panel.getBoundingClientRect(), style = getComputedStyle(panel);
        const top = root.elementFromPoint(rect.left + rect.width / 2, rect.top + 20);
        return {width: rect.width, height: rect.height, background: style.backgroundColor,
                visibility: style.visibility, onTop: !!top && panel.contains(top)};
    }""")
    assert usable["width"] >= 200 and usable["height"] >= 100, usable
    assert usable["background"] == "rgb(255, 255, 255)" and usable["visibility"] == "visible", usable
    assert usable["onTop"], usable
    close_picker(page)
    assert violations == []


def test_an_element_inside_the_page_modal_dialog(author, e2e_service, make_guide):
    """A modal <dialog> is in the top layer and makes the rest of the page inert:
    the picker's box, label and result must still show above it and work."""
    browser, page = author
    page.evaluate("""() => {
      const modal = document.createElement('dialog');
      const approve = document.createElement('button');
      approve.setAttribute('data-testid', 'modal-approve');
      approve.textContent = 'Approve';
      modal.append(approve);
      document.body.append(modal);
      modal.showModal();
    }""")
    approve = page.get_by_test_id("modal-approve")
    picked = pick(browser, page, approve)
    assert picked["target"]["selector"] == '[data-testid="modal-approve"]'
    # The result's own buttons are clickable (Playwright refuses a covered or inert one).
    page.locator(RESULT).get_by_role("button", name="Pick another").click(timeout=5000)
    expect(page.locator(RESULT)).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.locator(PICKER)).to_have_count(0)
    assert_valid_without_warnings(e2e_service, make_guide, picked["target"])
