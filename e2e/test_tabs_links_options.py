"""What the retired extension/dev/check.py checked and no other e2e test did, now against the real
service and the demo app: a run shared by two tabs, ``until_completed``, links in a step's body,
and saving the options page."""
from e2e.overlay import button, dialog, expect_no_dialog, expect_step, step_numbers, totals
from playwright.sync_api import expect


def next_steps(site, *titles):
    return [{"id": f"s{index + 1}", "url": f"{site}/acme/reports", "title": title, "body": f"About {title}.",
             "advance": {"on": "next"}} for index, title in enumerate(titles)]


def stays_without_dialog(page, milliseconds=1500):
    """No dialog appears for a while (the guide list is fetched and matched within it)."""
    for _ in range(milliseconds // 250):
        assert dialog(page).count() == 0, "a dialog appeared"
        page.wait_for_timeout(250)


def test_a_run_continues_in_a_second_tab_and_ends_in_both(configured, demo_site, make_guide, publish, report):
    guide = make_guide(next_steps(demo_site, "Here", "There", "Bye"))
    publish(guide)
    first = configured.new_page()
    first.goto(demo_site + "/acme/reports")
    expect_step(first, "Here")
    button(first, "Next").click()
    expect_step(first, "There")
    second = configured.new_page()
    second.goto(demo_site + "/acme/reports")
    expect_step(second, "There")  # the same run, at the same step: not a new run from step 1
    button(second, "Next").click()
    expect_step(second, "Bye")
    button(second, "Done").click()
    expect_no_dialog(second)
    expect_no_dialog(first)  # the run ended, so the first tab's tooltip goes too
    configured.flush()
    numbers = report(guide["id"])
    assert totals(numbers) == {"runs": 1, "completed": 1, "dismissed": 0, "abandoned": 0, "broken": 0}
    assert step_numbers(numbers) == [(1, 1, 0, 0, 0)] * 3


def test_until_completed_does_not_start_again_after_completion(configured, demo_site, make_guide, publish):
    guide = make_guide(next_steps(demo_site, "Only step"), frequency="until_completed")
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports")
    expect_step(page, "Only step")
    button(page, "Done").click()
    expect_no_dialog(page)
    page.goto(demo_site + "/acme/reports")
    stays_without_dialog(page)


def test_links_in_a_step_body_open_safely_and_a_script_link_is_inert(configured, demo_site, make_guide,
                                                                         publish):
    guide = make_guide([{"id": "links", "url": f"{demo_site}/acme/reports", "title": "Links",
                         "body": "Read [the help](https://example.com/help), not [this](javascript:alert(1)).",
                         "advance": {"on": "next"}}])
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/reports")
    expect_step(page, "Links")
    links = dialog(page).locator("a")
    expect(links).to_have_count(1)
    assert links.get_attribute("href") == "https://example.com/help"
    assert links.get_attribute("target") == "_blank"
    assert set(links.get_attribute("rel").split()) >= {"noopener", "noreferrer"}
    assert "this" in dialog(page).inner_text()  # the script link's text stays, as plain text


def test_options_page_saves_the_role_and_shows_the_queue(browser, e2e_service, unique_id, guide_role):
    browser.configure(e2e_service.base_url, e2e_service.tokens["extension"], f"user-{unique_id}", guide_role)
    options = browser.new_page(errors := [])
    options.goto(f"chrome-extension://{browser.extension_id}/options.html")
    expect(options.get_by_label("Backend URL")).to_have_value(e2e_service.base_url)
    options.get_by_label("Role").fill(guide_role + "-new")
    options.get_by_role("button", name="Save").click()
    expect(options.locator("#status")).to_contain_text("Events waiting")
    for _ in range(50):  # the save is asynchronous: chrome.storage.local answers shortly
        if browser.storage("role") == guide_role + "-new":
            break
        options.wait_for_timeout(100)
    assert browser.storage("role") == guide_role + "-new"
    assert not errors, errors


def test_arrow_keys_do_not_skip_a_step_that_waits_for_a_url(configured, demo_site, make_guide, publish):
    guide = make_guide([
        {"id": "start", "url": f"{demo_site}/acme/app/inbox", "title": "Start", "body": "Begin.",
         "advance": {"on": "next"}},
        {"id": "team", "url": f"{demo_site}/acme/app/inbox", "target": {"selector": "#route-team"},
         "title": "Team spend", "body": "Open it.", "placement": "right",
         "advance": {"on": "url", "url": "*/acme/app/team"}},
        {"id": "end", "url": f"{demo_site}/acme/app/team", "title": "End", "body": "Done.",
         "advance": {"on": "next"}},
    ])
    publish(guide)
    page = configured.new_page()
    page.goto(demo_site + "/acme/app/inbox")
    expect_step(page, "Start")
    button(page, "Next").click()
    expect_step(page, "Team spend")
    expect(button(page, "Back")).to_have_count(1)
    expect(button(page, "Next")).to_have_count(0)  # it advances when the URL changes, not on Next
    dialog(page).focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    expect_step(page, "Team spend")
    page.click("#route-team")
    expect_step(page, "End")
