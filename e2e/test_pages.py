"""The overlay on difficult pages: hostile CSS, a strict CSP, shadow roots, frames, late and
re-rendered targets, keyboard only, and pages no guide matches."""
from e2e.overlay import (assert_usable_dialog, button, dialog, expect_no_dialog, expect_step, overlay_scripts,
                         step_numbers, totals)
from playwright.sync_api import expect


def finish_and_read(browser, report, guide_id):
    browser.flush()
    return report(guide_id)


def test_keyboard_only(configured, demo_site, make_guide, publish, report):
    # The first step lives on the team route, so the guide waits until the employee goes there
    # by keyboard; focus then moves into the dialog, and back to the link when the run ends.
    steps = [{"id": f"k{n}", "url": f"{demo_site}/acme/app/team", "title": title, "body": "Keys only.",
              "target": {"selector": "[data-testid=export-team]"}, "placement": "bottom",
              "advance": {"on": "next"}} for n, title in enumerate(["First", "Second", "Third"])]
    guide = make_guide(steps)
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/app/inbox")
    page.focus("#route-team")
    page.keyboard.press("Enter")  # pushState to /acme/app/team
    expect_step(page, "First")
    assert _focus_in_dialog(page), "focus moves into the dialog when a step arrives"
    assert dialog(page).get_attribute("aria-labelledby"), "the dialog is labelled by its title"
    page.keyboard.press("ArrowRight")
    expect_step(page, "Second")
    page.keyboard.press("ArrowLeft")
    expect_step(page, "First")
    page.keyboard.press("ArrowRight")
    expect_step(page, "Second")
    _tab_to(page, "Next")
    page.keyboard.press("Enter")
    expect_step(page, "Third")
    page.keyboard.press("Escape")
    expect_no_dialog(page)
    assert page.evaluate("document.activeElement.id") == "route-team", "focus returns where it was"
    numbers = finish_and_read(configured, report, guide["id"])
    assert totals(numbers) == {"runs": 1, "completed": 0, "dismissed": 1, "abandoned": 0, "broken": 0}
    # Back from the second step: it was reached, then completed on the second visit.
    assert step_numbers(numbers) == [(1, 1, 0, 0, 0), (1, 1, 0, 0, 0), (1, 0, 1, 0, 0)]


def _focus_in_dialog(page):
    return page.evaluate("""() => {
        const host = document.querySelector('[data-waymark]');
        const focused = host.shadowRoot.activeElement;
        return document.activeElement === host && !!focused && !!focused.closest('[role=dialog]');
    }""")


def _tab_to(page, name):
    """Press Tab until the dialog's button ``name`` has focus (at most 10 presses)."""
    for _ in range(10):
        page.keyboard.press("Tab")
        label = page.evaluate("""() => {
            const focused = document.querySelector('[data-waymark]').shadowRoot.activeElement;
            return focused ? focused.textContent.trim() : null }""")
        if label == name:
            return
    raise AssertionError(f"Tab never reached the {name} button")


def test_hostile_css_page_still_gets_a_usable_dialog(configured, demo_site, make_guide, publish, report):
    guide = make_guide([
        {"id": "import", "target": {"selector": "#start-import", "text": "Start import"}, "title": "Start the import",
         "body": "Upload the **CSV**.", "placement": "right", "spotlight": True, "advance": {"on": "next"}},
        {"id": "chat", "target": {"selector": "#chat-widget"}, "title": "Ask support",
         "body": "Under the page's own max z-index overlay.", "placement": "top", "advance": {"on": "next"}},
    ], include=("{site}/acme/legacy",))
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/legacy")
    expect_step(page, "Start the import")
    geometry = assert_usable_dialog(page)
    target = page.locator("#start-import").bounding_box()
    assert geometry["left"] >= target["x"] + target["width"] - 1, (geometry, target)  # placed to its right
    assert geometry["dialog"]["fontSize"] != "40px", "the page's button rule does not reach inside"
    button(page, "Next").click()  # a real click: Playwright checks nothing covers the button
    expect_step(page, "Ask support")
    assert_usable_dialog(page)
    # A page that sweeps away nodes it did not make (a framework's root re-render,
    # a "remove injected elements" script) gets the tooltip back at once.
    page.evaluate("() => document.querySelector('[data-waymark]').remove()")
    expect_step(page, "Ask support")
    button(page, "Done").click()
    expect_no_dialog(page)
    numbers = finish_and_read(configured, report, guide["id"])
    assert totals(numbers) == {"runs": 1, "completed": 1, "dismissed": 0, "abandoned": 0, "broken": 0}


def test_strict_csp_page_still_gets_a_usable_dialog(configured, demo_site, make_guide, publish, report):
    guide = make_guide([
        {"id": "download", "target": {"selector": "[data-testid=download-audit]", "text": "Download"},
         "title": "Keep the log", "body": "Download it, *then* file it.", "placement": "bottom-end",
         "advance": {"on": "click"}},
        {"id": "end", "title": "Filed", "body": "A centred step.", "spotlight": True, "advance": {"on": "next"}},
    ], include=("{site}/acme/audit",))
    publish(guide)
    page = configured.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "TrustedHTML" in message.text else None)
    response = page.goto(demo_site + "/acme/audit")
    assert "require-trusted-types-for" in response.headers["content-security-policy"]
    expect_step(page, "Keep the log")
    assert_usable_dialog(page)
    assert page.evaluate("getComputedStyle(document.querySelector('[data-waymark]').shadowRoot"
                         ".querySelector('[role=dialog]')).backgroundColor") == "rgb(255, 255, 255)", \
        "the overlay's stylesheet applies under the page's CSP"
    page.click("[data-testid=download-audit]")
    expect_step(page, "Filed")
    assert_usable_dialog(page)
    button(page, "Done").click()
    expect_no_dialog(page)
    assert violations == []
    numbers = finish_and_read(configured, report, guide["id"])
    assert totals(numbers) == {"runs": 1, "completed": 1, "dismissed": 0, "abandoned": 0, "broken": 0}


def test_shadow_root_and_iframe_targets(configured, demo_site, make_guide, publish, report):
    guide = make_guide([
        {"id": "approve", "target": {"selector": "button.approve", "text": "Approve"}, "title": "Approve it",
         "body": "In the card's shadow root.", "placement": "bottom", "advance": {"on": "click"}},
        {"id": "attach", "target": {"selector": "#attach-receipt"}, "title": "Attach the receipt",
         "body": "In the frame.", "placement": "left", "advance": {"on": "click"}},
        {"id": "done", "title": "All set", "body": "Thanks.", "advance": {"on": "next"}},
    ], include=("{site}/acme/cards",))
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/cards")
    expect_step(page, "Approve it")
    approve = page.locator("acme-approval-card button.approve").bounding_box()
    box = dialog(page).bounding_box()
    assert box["y"] >= approve["y"] + approve["height"] - 1, (box, approve)  # below the shadow button
    page.locator("acme-approval-card button.approve").click()
    expect(page.locator("acme-approval-card .status")).to_have_text("Approved.")
    expect_step(page, "Attach the receipt")
    frame = page.frame_locator("#receipt-frame")
    attach = frame.locator("#attach-receipt").bounding_box()  # page coordinates
    box = dialog(page).bounding_box()
    assert box["x"] + box["width"] <= attach["x"] + 1, (box, attach)  # to the left of the framed button
    frame.locator("#attach-receipt").click()
    expect(frame.locator("#attach-status")).to_contain_text("attached")
    expect_step(page, "All set")
    button(page, "Done").click()
    numbers = finish_and_read(configured, report, guide["id"])
    assert totals(numbers) == {"runs": 1, "completed": 1, "dismissed": 0, "abandoned": 0, "broken": 0}
    assert step_numbers(numbers) == [(1, 1, 0, 0, 0)] * 3


def test_late_and_rerendered_targets(configured, demo_site, make_guide, publish, report):
    guide = make_guide([
        {"id": "latest", "target": {"selector": ".feed .view-report", "text": "View"}, "title": "The latest event",
         "body": "Rendered late, then re-rendered.", "placement": "left", "wait_ms": 4000, "advance": {"on": "next"}},
        {"id": "refresh", "target": {"selector": "#refresh-feed"}, "title": "Refresh",
         "body": "Click it.", "placement": "left", "advance": {"on": "click"}},
    ], include=("{site}/acme/activity*",))
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/activity?delay=1500&rerender=600")
    expect_step(page, "The latest event")
    first_render = page.evaluate("window.acmeActivity.renders")
    page.wait_for_function("n => window.acmeActivity.renders >= n", arg=first_render + 2)  # its target was replaced twice
    expect_step(page, "The latest event")
    target = page.locator(".feed li").first.locator(".view-report").bounding_box()
    box = dialog(page).bounding_box()
    assert box["x"] + box["width"] <= target["x"] + 1, (box, target)  # still anchored, left of the new node
    assert abs((box["y"] + box["height"] / 2) - (target["y"] + target["height"] / 2)) < 60, (box, target)
    button(page, "Next").click()
    expect_step(page, "Refresh")
    page.click("#refresh-feed")
    expect_no_dialog(page)
    numbers = finish_and_read(configured, report, guide["id"])
    assert totals(numbers) == {"runs": 1, "completed": 1, "dismissed": 0, "abandoned": 0, "broken": 0}
    assert step_numbers(numbers) == [(1, 1, 0, 0, 0), (1, 1, 0, 0, 0)]


def test_a_page_without_a_matching_guide_gets_no_overlay_script(configured, demo_site, make_guide, publish, report):
    guide = make_guide([{"id": "only", "title": "Reports only", "body": "Here.", "advance": {"on": "next"}}],
                       include=("{site}/acme/reports",))
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/help")
    page.wait_for_timeout(800)
    scripts = overlay_scripts(page)
    assert [url.rsplit("/", 1)[-1] for url in scripts] == ["loader.js"], scripts
    assert page.locator("[data-waymark]").count() == 0
    page.goto(demo_site + "/acme/reports")  # the control: a matching page gets the overlay
    expect_step(page, "Reports only")
    assert sorted(url.rsplit("/", 1)[-1] for url in overlay_scripts(page)) == ["loader.js", "overlay.js"]
    button(page, "Done").click()
    numbers = finish_and_read(configured, report, guide["id"])
    assert totals(numbers) == {"runs": 1, "completed": 1, "dismissed": 0, "abandoned": 0, "broken": 0}


# The page's own modal <dialog> (showModal): it sits in the browser's top layer,
# above any z-index, and makes everything outside it inert. Added by the test
# (the demo pages' CSP allows no inline script; Playwright's evaluate is not bound by it).
ADD_MODAL_APP = """() => {
  const open = document.createElement('button');
  open.id = 'open-approval';
  open.textContent = 'Request approval';
  open.addEventListener('click', () => {
    const modal = document.createElement('dialog');
    modal.id = 'approval-modal';
    const approve = document.createElement('button');
    approve.id = 'modal-approve';
    approve.textContent = 'Approve';
    approve.addEventListener('click', () => { approve.textContent = 'Approved'; });
    modal.append(approve);
    document.body.append(modal);
    modal.showModal();
  });
  document.body.prepend(open);
}"""


def test_page_modal_dialogs_do_not_cover_or_disable_the_step(configured, demo_site, make_guide, publish, report):
    guide = make_guide([
        {"id": "open", "target": {"selector": "#open-approval"}, "title": "Ask for approval",
         "body": "Click it.", "advance": {"on": "click"}},
        {"id": "approve", "target": {"selector": "#modal-approve", "text": "Approve"}, "title": "Approve it",
         "body": "In the page's modal dialog.", "placement": "bottom", "advance": {"on": "click"}},
        {"id": "read", "target": {"selector": "#modal-approve", "text": "Approved"}, "title": "Read this",
         "body": "Then go on.", "advance": {"on": "next"}},
        {"id": "done", "title": "All set", "body": "Thanks.", "advance": {"on": "next"}},
    ], include=("{site}/acme/help",))
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/help")
    page.evaluate(ADD_MODAL_APP)
    expect_step(page, "Ask for approval")
    page.click("#open-approval")
    expect_step(page, "Approve it")
    page.click("#modal-approve")  # the page's own control in its modal still works
    expect_step(page, "Read this")
    # Clickable: Playwright's click fails when another element (the modal, its
    # backdrop) would receive it, or when the button is inert.
    box = dialog(page).bounding_box()
    assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).hasAttribute('data-waymark')",
                         [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    button(page, "Next").click(timeout=5000)
    expect_step(page, "All set")
    page.evaluate("() => document.getElementById('approval-modal').close()")
    expect(dialog(page)).to_be_visible()  # not shut away in the closed dialog
    # A modal the page opens over a step already shown does not cover it either.
    page.evaluate("() => { const d = document.createElement('dialog'); d.textContent = 'Session expires soon';"
                  " document.body.append(d); d.showModal(); }")
    button(page, "Done").click(timeout=5000)
    expect_no_dialog(page)
    numbers = finish_and_read(configured, report, guide["id"])
    assert totals(numbers) == {"runs": 1, "completed": 1, "dismissed": 0, "abandoned": 0, "broken": 0}


# A web component with a *closed* shadow root (no element.shadowRoot from outside),
# defined by the test in the page's own world.
ADD_CLOSED_COMPONENT = """() => {
  class AcmePay extends HTMLElement {
    constructor() {
      super();
      const root = this.attachShadow({ mode: 'closed' });
      const pay = document.createElement('button');
      pay.className = 'pay';
      pay.textContent = 'Pay now';
      pay.addEventListener('click', () => { this.setAttribute('paid', ''); });
      root.append(pay);
    }
  }
  customElements.define('acme-pay', AcmePay);
  document.body.prepend(document.createElement('acme-pay'));
}"""


def test_targets_inside_a_closed_shadow_root(configured, demo_site, make_guide, publish, report):
    guide = make_guide([
        {"id": "pay", "target": {"selector": "button.pay", "text": "Pay now"}, "title": "Pay it",
         "body": "Inside a closed shadow root.", "placement": "bottom", "advance": {"on": "click"}},
        {"id": "done", "title": "Paid", "body": "Thanks.", "advance": {"on": "next"}},
    ], include=("{site}/acme/help",))
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/help")
    page.evaluate(ADD_CLOSED_COMPONENT)
    expect_step(page, "Pay it")
    widget = page.locator("acme-pay").bounding_box()
    box = dialog(page).bounding_box()
    assert box["y"] >= widget["y"] + widget["height"] - 1, (box, widget)  # below the hidden button
    page.mouse.click(widget["x"] + widget["width"] / 2, widget["y"] + widget["height"] / 2)
    expect(page.locator("acme-pay[paid]")).to_have_count(1)
    expect_step(page, "Paid")  # the click inside the closed root was heard
    button(page, "Done").click()
    numbers = finish_and_read(configured, report, guide["id"])
    assert step_numbers(numbers) == [(1, 1, 0, 0, 0)] * 2


def test_input_step_on_a_rich_text_editor(configured, demo_site, make_guide, publish, report):
    guide = make_guide([
        {"id": "comment", "target": {"selector": "#comment-editor"}, "title": "Say why",
         "body": "A sentence will do.", "advance": {"on": "input", "pattern": "\\w{3,} \\w{3,}"}},
        {"id": "done", "title": "Thanks", "body": "Saved.", "advance": {"on": "next"}},
    ], include=("{site}/acme/help",))
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/help")
    page.evaluate("() => { const e = document.createElement('div'); e.id = 'comment-editor';"
                  " e.contentEditable = 'true'; e.style.minHeight = '40px'; document.body.prepend(e); }")
    expect_step(page, "Say why")
    page.click("#comment-editor")
    page.keyboard.type("Too")
    page.wait_for_timeout(300)
    expect_step(page, "Say why")  # not a sentence yet
    page.keyboard.type(" expensive")
    expect_step(page, "Thanks")
    button(page, "Done").click()
    numbers = finish_and_read(configured, report, guide["id"])
    assert step_numbers(numbers) == [(1, 1, 0, 0, 0)] * 2
