"""Steps inside a CSS framework's modal (issue 11, defect 1): Bootstrap 5 from npm, served locally.

Bootstrap builds its modal as a div with aria-modal="true" and traps focus with
script: whenever focus leaves the modal's subtree it pulls it back. The overlay
treats a displayed [aria-modal="true"] as the topmost modal (as it does a modal
<dialog>), lives inside it, and takes focus only after the modal focused itself.
"""
from playwright.sync_api import expect

from e2e.hard_pages import expect_one_run, focus_in_dialog, host_parent_id, tab_to, wait_focus_in_dialog
from e2e.overlay import assert_usable_dialog, button, dialog, expect_no_dialog, expect_step, wait_for


def modal_is_open(page, modal_id):
    return page.evaluate("id => document.getElementById(id).classList.contains('show')", modal_id)


def focus_in(page, element_id):
    return page.evaluate("id => document.getElementById(id).contains(document.activeElement)", element_id)


# Every guide here starts on the page's button that opens the settings modal.
OPEN_SETTINGS = {"id": "open", "target": {"selector": "#open-settings"}, "title": "Open your settings",
                 "body": "Click it.", "advance": {"on": "click"}}


def open_modal_page(browser, fixture_pages, make_guide, publish, steps):
    """Publish a guide of OPEN_SETTINGS then ``steps``; open the page at its first step. Answers (guide, page)."""
    guide = make_guide([OPEN_SETTINGS, *steps], include=(f"{fixture_pages}/modal",))
    publish(guide)
    page = browser.new_page()
    page.goto(f"{fixture_pages}/modal")
    expect_step(page, "Open your settings")
    return guide, page


def test_keyboard_only_walk_of_a_step_inside_a_bootstrap_modal(configured, fixture_pages, make_guide, publish, report):
    guide, page = open_modal_page(configured, fixture_pages, make_guide, publish, [
        {"id": "name", "target": {"selector": "#display-name"}, "title": "Your name",
         "body": "As it shows on reports.", "placement": "bottom", "advance": {"on": "next"}},
        {"id": "save", "target": {"selector": "#save-settings"}, "title": "Save it",
         "body": "When you are done.", "placement": "top", "advance": {"on": "next"}},
    ])
    page.focus("#open-settings")
    page.keyboard.press("Enter")  # Bootstrap opens the modal; the click advances the step
    expect_step(page, "Your name")
    expect(page.locator("#settings.show")).to_have_count(1)
    wait_for(lambda: host_parent_id(page) == "settings", what="the overlay inside the open modal")
    # The step takes focus once the modal has focused itself, and the trap lets it stay.
    wait_focus_in_dialog(page)
    assert page.locator("#settings").evaluate("m => m.getAnimations({subtree: true}).length") == 0
    assert focus_in_dialog(page), "Bootstrap's focus trap did not pull focus back"
    assert_usable_dialog(page)
    tab_to(page, "Next")
    assert focus_in_dialog(page), "Tab moves within the step while the modal traps focus"
    page.keyboard.press("Enter")
    expect_step(page, "Save it")
    wait_focus_in_dialog(page, "focus in the next step")
    page.keyboard.press("Escape")
    expect_no_dialog(page)
    assert modal_is_open(page, "settings"), "Esc in the step dismisses the guide, not the page's modal"
    wait_for(lambda: focus_in(page, "settings"), what="focus back in the modal")
    expect_one_run(configured, report, guide["id"], "dismissed",
                   [(1, 1, 0, 0, 0), (1, 1, 0, 0, 0), (1, 0, 1, 0, 0)])


def test_stacked_modals_and_modals_that_close(configured, fixture_pages, make_guide, publish, report):
    guide, page = open_modal_page(configured, fixture_pages, make_guide, publish, [
        {"id": "danger", "target": {"selector": "#open-danger"}, "title": "The danger zone",
         "body": "Click it.", "placement": "bottom", "advance": {"on": "click"}},
        {"id": "confirm", "target": {"selector": "#confirm-delete"}, "title": "Think twice",
         "body": "In the second modal.", "placement": "bottom", "advance": {"on": "next"}},
        {"id": "save", "target": {"selector": "#save-settings"}, "title": "Save instead",
         "body": "Back in the first modal.", "placement": "top", "advance": {"on": "click"}},
        {"id": "done", "title": "All set", "body": "No modal any more.", "advance": {"on": "next"}},
    ])
    page.click("#open-settings")
    expect_step(page, "The danger zone")
    wait_for(lambda: host_parent_id(page) == "settings", what="the overlay inside the first modal")
    page.click("#open-danger")  # opens the second modal over the first
    expect_step(page, "Think twice")
    expect(page.locator("#danger.show")).to_have_count(1)
    assert modal_is_open(page, "settings"), "the first modal stays open under the second"
    wait_for(lambda: host_parent_id(page) == "danger", what="the overlay inside the topmost modal")
    wait_focus_in_dialog(page)
    assert_usable_dialog(page)
    button(page, "Next").click(timeout=5000)
    expect_step(page, "Save instead")
    page.click("#keep-account")  # the second modal closes; the first is topmost again
    expect(page.locator("#danger.show")).to_have_count(0)
    wait_for(lambda: host_parent_id(page) == "settings", what="the overlay back in the first modal")
    wait_for(lambda: dialog(page).evaluate("d => d.style.visibility") == "visible", what="the step drawn")
    assert_usable_dialog(page)
    page.click("#save-settings")  # closes the first modal too
    expect_step(page, "All set")
    expect(page.locator("#saved")).to_have_text("Saved: Dana")
    wait_for(lambda: host_parent_id(page) == "html", what="the overlay back on the page")
    assert_usable_dialog(page)
    button(page, "Done").click(timeout=5000)
    expect_no_dialog(page)
    expect_one_run(configured, report, guide["id"], "completed")
