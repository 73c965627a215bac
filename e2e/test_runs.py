"""A run's whole life through the real extension, ending in the drop-off report.

Each test publishes its own guide (its own id and audience role), walks it in
Chromium with the extension loaded, flushes the extension's queue and reads
``GET /api/v1/reports/guides/<id>`` with the admin token.
"""
from e2e.overlay import (button, dialog, expect_no_dialog, expect_step, later_than_abandonment,
                         step_numbers, totals)


def next_steps(*titles, url="{site}/acme/reports"):
    """Steps that advance with the Next button, all centred on one page."""
    return [{"id": f"s{index + 1}", "url": url, "title": title, "body": f"About {title}.",
             "advance": {"on": "next"}} for index, title in enumerate(titles)]


def with_site(steps, site):
    for step in steps:
        if "url" in step:
            step["url"] = step["url"].format(site=site)
    return steps


def test_completed_across_a_page_load_and_a_route_change(configured, demo_site, make_guide, publish, report):
    steps = with_site([
        {"id": "new-report", "url": "{site}/acme/reports",
         "target": {"selector": "[data-testid=new-report]", "text": "New report"},
         "title": "Start a report", "body": "Click **New report**.", "placement": "bottom",
         "advance": {"on": "click"}},
        {"id": "amount", "url": "{site}/acme/reports/new*", "target": {"selector": "input[name=amount]"},
         "title": "Amount", "body": "Type the amount.", "advance": {"on": "input", "pattern": "^[0-9]+([.,][0-9]{1,2})?$"}},
        {"id": "team", "url": "{site}/acme/app/inbox*", "target": {"selector": "#route-team", "text": "Team spend"},
         "title": "Team spend", "body": "Open it.", "placement": "right", "advance": {"on": "url", "url": "*/acme/app/team"}},
        {"id": "export", "url": "{site}/acme/app/team", "target": {"selector": "[data-testid=export-team]"},
         "title": "Export", "body": "Done soon.", "advance": {"on": "next"}},
    ], demo_site)
    guide = make_guide(steps)
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports")
    expect_step(page, "Start a report")
    page.click("[data-testid=new-report]")  # a full page load
    page.wait_for_url("**/acme/reports/new")
    expect_step(page, "Amount")
    page.fill("input[name=amount]", "12.5x")
    page.wait_for_timeout(300)
    expect_step(page, "Amount")  # the pattern does not match yet
    page.fill("input[name=amount]", "12.50")
    expect_no_dialog(page)  # the next step lives on another page
    page.goto(demo_site + "/acme/app/inbox")
    expect_step(page, "Team spend")
    page.click("#route-team")  # history.pushState, no page load
    page.wait_for_url("**/acme/app/team")
    expect_step(page, "Export")
    button(page, "Done").click()
    expect_no_dialog(page)
    configured.flush()
    numbers = report(guide["id"])
    assert totals(numbers) == {"runs": 1, "completed": 1, "dismissed": 0, "abandoned": 0, "broken": 0}
    assert step_numbers(numbers) == [(1, 1, 0, 0, 0)] * 4
    assert numbers["completion_rate"] == 1.0


def test_dismissed_at_step_2(configured, demo_site, make_guide, publish, report):
    guide = make_guide(with_site(next_steps("One", "Two", "Three"), demo_site))
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports")
    expect_step(page, "One")
    button(page, "Next").click()
    expect_step(page, "Two")
    assert dialog(page).locator(".wm-progress").text_content().strip() == "2 of 3"
    button(page, "Close").click()
    expect_no_dialog(page)
    configured.flush()
    numbers = report(guide["id"])
    assert totals(numbers) == {"runs": 1, "completed": 0, "dismissed": 1, "abandoned": 0, "broken": 0}
    assert step_numbers(numbers) == [(1, 1, 0, 0, 0), (1, 0, 1, 0, 0), (0, 0, 0, 0, 0)]


def test_abandoned_at_step_3(configured, demo_site, make_guide, publish, report):
    guide = make_guide(with_site(next_steps("One", "Two", "Three", "Four"), demo_site))
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports")
    expect_step(page, "One")
    button(page, "Next").click()
    expect_step(page, "Two")
    button(page, "Next").click()
    expect_step(page, "Three")
    page.close()  # the employee walks away: no dismissal, no completion
    configured.flush()
    in_progress = report(guide["id"])
    assert totals(in_progress) == {"runs": 1, "completed": 0, "dismissed": 0, "abandoned": 0, "broken": 0}
    numbers = report(guide["id"], now=later_than_abandonment())
    assert totals(numbers) == {"runs": 1, "completed": 0, "dismissed": 0, "abandoned": 1, "broken": 0}
    assert step_numbers(numbers) == [(1, 1, 0, 0, 0), (1, 1, 0, 0, 0), (1, 0, 0, 1, 0), (0, 0, 0, 0, 0)]


def test_target_missing_is_reported_broken_with_selector_counts(configured, demo_site, e2e_service,
                                                                 make_guide, publish, report):
    steps = with_site(next_steps("Welcome"), demo_site) + [
        {"id": "renamed", "target": {"selector": "#approve-all", "text": "Approve all",
                                     "fallbacks": ["a.btn", "button.approve-all"]},
         "title": "Approve everything", "body": "Gone.", "wait_ms": 1000, "advance": {"on": "click"}},
        {"id": "after", "title": "After", "body": "Never seen.", "advance": {"on": "next"}},
    ]
    guide = make_guide(steps)
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports")
    expect_step(page, "Welcome")
    button(page, "Next").click()
    page.wait_for_timeout(1600)  # past wait_ms: the step is missing, the run breaks
    expect_no_dialog(page)
    configured.flush()
    numbers = report(guide["id"])
    assert totals(numbers) == {"runs": 1, "completed": 0, "dismissed": 0, "abandoned": 0, "broken": 1}
    assert step_numbers(numbers) == [(1, 1, 0, 0, 0), (1, 0, 0, 0, 1), (0, 0, 0, 0, 0)]
    broken = e2e_service.get("/api/v1/reports/broken-targets", token="admin").json["broken_targets"]
    mine = [line for line in broken if line["guide_id"] == guide["id"]]
    assert len(mine) == 1, broken
    assert mine[0]["step_id"] == "renamed"
    # Two links carry class "btn" on the reports page (Export, New report): found, but not with that text.
    assert mine[0]["selectors"] == [{"selector": "#approve-all", "matches": 0}, {"selector": "a.btn", "matches": 2},
                                    {"selector": "button.approve-all", "matches": 0}]
    assert mine[0]["count"] == 1 and mine[0]["urls"] == [demo_site + "/acme/reports"], mine[0]


def test_resume_after_reload(configured, demo_site, make_guide, publish, report):
    guide = make_guide(with_site(next_steps("One", "Two", "Three"), demo_site))
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports")
    expect_step(page, "One")
    button(page, "Next").click()
    expect_step(page, "Two")
    page.reload()
    expect_step(page, "Two")  # the run kept its place across the full page load
    assert dialog(page).locator(".wm-progress").text_content().strip() == "2 of 3"
    button(page, "Next").click()
    expect_step(page, "Three")
    button(page, "Done").click()
    expect_no_dialog(page)
    configured.flush()
    numbers = report(guide["id"])
    assert totals(numbers) == {"runs": 1, "completed": 1, "dismissed": 0, "abandoned": 0, "broken": 0}
    assert step_numbers(numbers) == [(1, 1, 0, 0, 0)] * 3
