"""The example guides in guides/ work on the demo app, as published (only id and audience
are changed, so no other test sees them)."""
import json
import pathlib

from e2e.overlay import button, expect_no_dialog, expect_step, step_numbers, totals

GUIDES = pathlib.Path(__file__).resolve().parents[1] / "guides"


def example(name, unique_id, role):
    guide = json.loads((GUIDES / f"{name}.json").read_text())
    guide["id"] = f"{name}-{unique_id}"[:100]
    guide["audience"] = {"roles": [role]}
    return guide


def test_manual_approvals_tour_from_the_popup(configured, demo_site, unique_id, guide_role, publish, report):
    guide = example("approvals-tour", unique_id, guide_role)
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/app/inbox")
    page.wait_for_selector("#inbox-table")
    page.wait_for_timeout(500)
    expect_no_dialog(page, timeout=1000)  # start: manual never shows by itself
    popup = configured.open_popup(page)
    popup.get_by_role("button", name=guide["title"]).click()
    page.bring_to_front()
    expect_step(page, "What you approved")
    page.click("#tab-approved")  # hash route: advance on url *#/approved
    expect_step(page, "Your team's spend")
    page.click("#route-team")  # pushState; advance when #team-list becomes visible
    expect_step(page, "Take it to a spreadsheet")
    button(page, "Done").click()
    expect_no_dialog(page)
    configured.flush()
    numbers = report(guide["id"])
    assert totals(numbers) == {"runs": 1, "completed": 1, "dismissed": 0, "abandoned": 0, "broken": 0}
    assert step_numbers(numbers) == [(1, 1, 0, 0, 0)] * 3


def test_card_receipts_skips_its_optional_step(configured, demo_site, unique_id, guide_role, publish, report):
    guide = example("card-receipts", unique_id, guide_role)
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/cards")
    expect_step(page, "Approve the payment")
    page.locator("acme-approval-card button.approve").click()
    expect_step(page, "Attach the receipt")
    page.frame_locator("#receipt-frame").locator("#attach-receipt").click()
    expect_step(page, "All set")  # the optional preview step was missing and skipped
    button(page, "Done").click()
    expect_no_dialog(page)
    page.goto(demo_site + "/acme/cards")  # frequency: once
    page.wait_for_timeout(1500)
    expect_no_dialog(page, timeout=100)
    configured.flush()
    numbers = report(guide["id"])
    assert totals(numbers) == {"runs": 1, "completed": 1, "dismissed": 0, "abandoned": 0, "broken": 0}
    assert [(s["step_id"], s["reached"], s["completed"]) for s in numbers["steps"]] == [
        ("approve", 1, 1), ("attach", 1, 1), ("preview", 1, 0), ("done", 1, 1)]
