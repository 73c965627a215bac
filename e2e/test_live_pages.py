"""A huge live page (issue 11, defect 4): 20,000 rows, the steps' targets replaced every 100 ms.

The first click on each target advances its step: the click is matched along
its composed path against the step's target description, not against the
element found earlier (the page replaced it since). Timing figures live in
tests/benchmarks/bench_live_page.py, not here.
"""
from e2e.hard_pages import expect_one_run
from e2e.overlay import button, expect_no_dialog, expect_step, wait_for


def click_once(page, selector):
    """One real mouse click at the centre of what ``selector`` shows now (no retries on a replaced node)."""
    x, y = page.evaluate("""s => { const r = document.querySelector(s).getBoundingClientRect();
                                    return [r.left + r.width / 2, r.top + r.height / 2] }""", selector)
    page.mouse.click(x, y)


def test_a_guide_on_a_huge_live_page_advances_with_the_first_click(configured, fixture_pages, make_guide, publish,
                                                                   report):
    guide = make_guide([
        {"id": "approve", "target": {"selector": "button.approve-live", "text": "Approve"}, "title": "Approve it",
         "body": "The row re-renders all the time.", "placement": "right", "advance": {"on": "click"}},
        {"id": "archive", "target": {"selector": "button.archive-live"}, "title": "Archive it",
         "body": "This one too.", "placement": "right", "advance": {"on": "click"}},
        {"id": "done", "title": "All set", "body": "Done.", "advance": {"on": "next"}},
    ], include=(f"{fixture_pages}/live*",))
    publish(guide)
    page = configured.new_page()
    page.goto(f"{fixture_pages}/live")
    assert page.evaluate("document.querySelectorAll('#grid .rows [role=row]').length") == 20000
    expect_step(page, "Approve it")
    # The page keeps replacing the target while the step is shown.
    updates = page.evaluate("fxLive.updates")
    page.wait_for_function("n => fxLive.updates >= n + 3", arg=updates)
    click_once(page, "button.approve-live")
    expect_step(page, "Archive it")
    assert page.evaluate("fxLive.clicks.approve") == 1, "one click, and it advanced the step"
    updates = page.evaluate("fxLive.updates")
    page.wait_for_function("n => fxLive.updates >= n + 3", arg=updates)
    click_once(page, "button.archive-live")
    expect_step(page, "All set")
    assert page.evaluate("fxLive.clicks.archive") == 1
    wait_for(lambda: page.evaluate("fxLive.updates") > updates + 4, what="the page still updating")
    button(page, "Done").click()
    expect_no_dialog(page)
    expect_one_run(configured, report, guide["id"], "completed", [(1, 1, 0, 0, 0)] * 3)
