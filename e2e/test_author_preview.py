"""Author mode: preview a guide from a file, from the options page, on the real page.

The file goes to the worker, which has the service check it with the author
token and answer it as served; the preview then replaces the published guide
of the same id in the open tab, reports nothing, and ends with its run.
"""
import json

from playwright.sync_api import expect

from e2e.overlay import button, dialog, expect_no_dialog, expect_step, totals


def one_step(title, body):
    return [{"id": "only", "title": title, "body": body, "advance": {"on": "next"}}]


def options_page(browser):
    page = browser.context.new_page()
    page.goto(f"chrome-extension://{browser.extension_id}/options.html")
    return page


def choose_file(options, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    options.set_input_files("#guideFile", str(path))


def test_preview_replaces_the_published_guide_sends_nothing_and_ends_with_its_run(
        configured, demo_site, e2e_service, make_guide, publish, report, tmp_path):
    published = make_guide(one_step("Published step", "As published."))
    publish(published)
    app = configured.new_page()
    app.goto(demo_site + "/acme/reports")
    expect_step(app, "Published step")

    draft = {**published, "audience": {"roles": ["somebody-else"]}, "start": "manual",
             "steps": one_step("Draft step", "A **bold** change.")}
    options = options_page(configured)
    options.fill("#authorToken", e2e_service.tokens["author"])
    choose_file(options, tmp_path, "draft.json", json.dumps(draft))
    options.get_by_role("button", name="Preview").click()
    expect(options.locator("#previewState")).to_contain_text("Previewing “E2E guide”")
    expect(options.locator("#previewState")).to_contain_text("Shown in 1 open tab")

    # At once in the open tab, though the draft is manual and for another role.
    expect_step(app, "Draft step")
    expect(dialog(app).locator(".wm-preview")).to_have_text("Preview")
    expect(dialog(app).locator(".wm-body strong")).to_have_text("bold")  # Markdown rendered by the service
    button(app, "Done").click()
    expect_no_dialog(app)
    assert configured.storage("waymark.preview") is None
    expect(options.locator("#previewState")).to_have_text("The preview ended.")
    expect(options.get_by_role("button", name="Stop preview")).to_be_hidden()

    app.reload()
    expect_step(app, "Published step")  # the published guide is back
    configured.flush()
    assert {e["guide_version"] for e in configured.storage("waymark.queue") or []} <= {1}
    numbers = report(published["id"])
    # Two published runs: the one the preview replaced, and the one after it. The preview's is not there.
    assert totals(numbers)["runs"] == 2
    assert numbers["dismissed"] == 1
    assert [step["reached"] for step in numbers["steps"]] == [2]


def test_stop_preview_takes_it_off_the_page(configured, demo_site, e2e_service, make_guide, tmp_path):
    draft = make_guide(one_step("Draft step", "Unpublished."))
    app = configured.new_page()
    app.goto(demo_site + "/acme/reports")
    options = options_page(configured)
    options.fill("#authorToken", e2e_service.tokens["author"])
    choose_file(options, tmp_path, "draft.json", json.dumps(draft))
    options.get_by_role("button", name="Preview").click()
    expect_step(app, "Draft step")
    options.get_by_role("button", name="Stop preview").click()
    expect(options.locator("#previewState")).to_have_text("Preview stopped.")
    app.reload()
    expect_no_dialog(app, timeout=2000)
    assert configured.storage("waymark.activeRun") is None


def test_a_bad_file_gets_every_problem_with_its_path_and_nothing_is_previewed(
        configured, e2e_service, make_guide, tmp_path):
    options = options_page(configured)
    choose_file(options, tmp_path, "draft.json", "{}")
    options.get_by_role("button", name="Preview").click()
    expect(options.locator("#previewProblems")).to_contain_text("author token")

    options.fill("#authorToken", e2e_service.tokens["author"])
    choose_file(options, tmp_path, "broken.json", '{"id": "x",\n "steps": [}')
    options.get_by_role("button", name="Preview").click()
    expect(options.locator("#previewProblems li")).to_have_count(1)
    expect(options.locator("#previewProblems")).to_contain_text("broken.json is not JSON")

    guide = make_guide(one_step("Draft", "x"), start="sometimes")
    guide["steps"][0]["target"] = {"selector": "a >"}
    choose_file(options, tmp_path, "invalid.json", json.dumps(guide))
    options.get_by_role("button", name="Preview").click()
    problems = options.locator("#previewProblems li.error")
    expect(problems).to_have_count(2)
    expect(problems.locator("code")).to_have_text(["start", "steps[0].target.selector"])
    expect(options.locator("#previewState")).to_have_text("invalid.json: 2 error(s); nothing is previewed.")
    assert configured.storage("waymark.preview") is None
