"""When a step may take focus (issue 11, defect 2), on a page with a web-component select.

The select's popup closes as soon as focus leaves the component, as most
component libraries' do. A step that appears while it is open must not take
focus (that would close it); it is announced in a live region instead, and
Alt+Shift+G moves focus into it and back. The page's fx-late component
attaches its shadow root 800 ms after insertion (a late root must be found).
"""
from playwright.sync_api import expect

from e2e.hard_pages import announced, expect_one_run, focus_in_dialog, tab_to, wait_focus_in_dialog
from e2e.overlay import expect_no_dialog, expect_step, wait_for

DEEP_FOCUS = """() => { let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a ? (a.className || a.localName) : null }"""


def test_a_step_never_closes_the_select_the_employee_opened(configured, fixture_pages, make_guide, publish, report):
    guide = make_guide([
        {"id": "late", "target": {"selector": "button.late-ready", "text": "Widget ready"}, "title": "A late widget",
         "body": "Its shadow root came late.", "placement": "right", "wait_ms": 8000, "advance": {"on": "next"}},
        {"id": "open", "target": {"selector": "button.trigger"}, "title": "Pick a destination",
         "body": "Open the list.", "placement": "right", "advance": {"on": "click"}},
        {"id": "lisbon", "target": {"selector": "[role=option]", "text": "Lisbon"}, "title": "Choose Lisbon",
         "body": "In the open list.", "placement": "right", "advance": {"on": "click"}},
        {"id": "done", "title": "All set", "body": "Trip saved.", "advance": {"on": "next"}},
    ], include=(f"{fixture_pages}/select",))
    publish(guide)
    page = configured.new_page()
    page.goto(f"{fixture_pages}/select")
    expect_step(page, "A late widget")  # found inside a closed root attached 800 ms after insertion
    # Arrived with the page load: the step takes focus, and Next by keyboard works.
    wait_focus_in_dialog(page)
    tab_to(page, "Next")
    page.keyboard.press("Enter")
    expect_step(page, "Pick a destination")
    page.click("fx-select button.trigger")
    expect_step(page, "Choose Lisbon")
    # The step arrived while the employee uses the select: announced, focus left where it is.
    wait_for(lambda: (announced(page) or "").startswith("Guide step 3 of 4: Choose Lisbon"), what="the announcement")
    assert "Alt+Shift+G" in announced(page)
    expect(page.locator("fx-select [role=option]")).to_have_count(3)
    assert page.evaluate(DEEP_FOCUS) == "trigger", "focus stays on the select"
    assert not focus_in_dialog(page)
    page.locator("fx-select [role=option]", has_text="Lisbon").click()
    expect(page.locator("#chosen")).to_have_text("Lisbon")
    expect_step(page, "All set")  # the option click advanced
    wait_for(lambda: (announced(page) or "").startswith("Guide step 4 of 4"), what="the last step announced")
    assert page.evaluate(DEEP_FOCUS) == "trigger"
    # The shortcut moves focus into the step, and back where the employee was.
    page.keyboard.press("Alt+Shift+KeyG")
    wait_focus_in_dialog(page, "focus moved in by the shortcut")
    page.keyboard.press("Alt+Shift+KeyG")
    wait_for(lambda: page.evaluate(DEEP_FOCUS) == "trigger", what="focus back on the select")
    page.keyboard.press("Alt+Shift+KeyG")
    wait_focus_in_dialog(page)
    tab_to(page, "Done")
    page.keyboard.press("Enter")
    expect_no_dialog(page)
    expect_one_run(configured, report, guide["id"], "completed", [(1, 1, 0, 0, 0)] * 4)
    assert page.evaluate("document.getElementById('city').opens") == 1, "the list opened once and stayed open"
