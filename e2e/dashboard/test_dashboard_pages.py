"""The dashboard in a real Chromium: sign-in and refusals, the guide list and a report checked
against the report API, filters in the URL, the CSV download, and screenshots for the README."""
import csv
import io
import re
import urllib.parse
from datetime import datetime, timedelta, timezone

from e2e.dashboard.conftest import GUIDES
from e2e.dashboard.dashboard_browser import new_page, sign_in

FUNNEL_FIELDS = ("reached", "completed", "dismissed", "abandoned", "broken", "drop_rate", "p50", "p90")


def default_range():
    today = datetime.now(timezone.utc).date()
    return (today - timedelta(days=29)).isoformat(), today.isoformat()


def field_value(row, field):
    return row.locator(f'[data-field="{field}"]').get_attribute("data-value")


def step_table(page):
    """{step index: {field: data-value}} read from the page's step table."""
    table = {}
    for row in page.locator('[data-testid="step-table"] tbody tr').all():
        table[int(row.get_attribute("data-step-index"))] = {f: field_value(row, f) for f in FUNNEL_FIELDS}
    return table


def api_table(report):
    table = {}
    for step in report["steps"]:
        times = step["time_ms"]
        table[step["index"]] = {
            "reached": str(step["reached"]), "completed": str(step["completed"]),
            **{kind: str(step["dropped"][kind]) for kind in ("dismissed", "abandoned", "broken")},
            "drop_rate": str(step["drop_rate"]),
            "p50": "" if times["p50"] is None else str(times["p50"]),
            "p90": "" if times["p90"] is None else str(times["p90"])}
    return table


def query_of(page):
    return {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query,
                                                      keep_blank_values=True).items()}


def test_signed_out_visitor_and_non_admin_tokens_are_refused(dashboard_chromium, dashboard_service):
    context, page, _ = new_page(dashboard_chromium)
    page.goto(f"{dashboard_service.base_url}/dashboard/guides/submit-expense")
    assert urllib.parse.urlsplit(page.url).path == "/dashboard/sign-in"
    assert page.get_by_role("heading", name="Sign in to the dashboard").is_visible()
    for role in ("extension", "author"):
        sign_in(page, dashboard_service.base_url, dashboard_service.tokens[role])
        assert page.get_by_role("alert").inner_text().startswith(f"This is an {role} token")
    page.goto(f"{dashboard_service.base_url}/dashboard/")
    assert urllib.parse.urlsplit(page.url).path == "/dashboard/sign-in"
    assert not [c for c in context.cookies() if c["name"] == "waymark_dashboard" and c["httpOnly"] is False]
    context.close()


def test_guide_list_matches_the_api(admin_page, dashboard_service, screenshots):
    page, watch = admin_page
    assert urllib.parse.urlsplit(page.url).path == "/dashboard/"
    start, end = default_range()
    summaries = {s["guide_id"]: s for s in dashboard_service.get(
        f"/api/v1/reports/guides?from={start}&to={end}").json["guides"]}
    rows = page.locator('[data-testid="guide-list"] tbody tr')
    # A row per document the fixture published (this service's catalogue), no more:
    # documents other tests publish elsewhere (the kind pages) are not counted here.
    assert rows.count() == len(GUIDES)
    shown = {row.get_attribute("data-guide-id"): row for row in rows.all()}
    assert set(shown) == set(GUIDES) and set(summaries) <= set(shown)
    for guide_id, summary in summaries.items():
        row = shown[guide_id]
        assert int(field_value(row, "runs")) == summary["runs"]
        assert float(field_value(row, "completion_rate")) == summary["completion_rate"]
        assert row.locator('[data-field="completion_rate"]').inner_text() == f"{summary['completion_rate'] * 100:.1f}%"
        assert field_value(row, "recently_broken") == str(summary["recently_broken"]).lower()
    assert shown["submit-expense"].get_by_text("⚠ target missing").is_visible()
    assert shown["old-onboarding"].locator('[data-field="status"]').inner_text() == "archived"
    assert shown["approve-trip"].locator('[data-field="latest_version"]').inner_text() == "v1"
    page.screenshot(path=str(screenshots / "guide-list.png"), full_page=True)
    assert watch.problems == []


def test_report_matches_the_api_and_filters_live_in_the_url(admin_page, dashboard_service, screenshots):
    page, watch = admin_page
    page.get_by_role("link", name="Submit your first expense report").click()
    page.wait_for_selector('canvas[data-drawn="true"]')
    start, end = default_range()
    assert query_of(page) == {"from": start, "to": end}
    report = dashboard_service.get(f"/api/v1/reports/guides/submit-expense?from={start}&to={end}").json
    assert step_table(page) == api_table(report)
    assert page.locator('[data-field="runs"]').get_attribute("data-value") == str(report["runs"]) == "80"
    worst = page.get_by_test_id("worst-step").inner_text()
    assert re.fullmatch(r"Most people leave at step 2, Amount: \d+% of those who reach it\.", worst), worst
    assert page.locator("canvas[data-drawn]").count() == 2
    page.screenshot(path=str(screenshots / "guide-report.png"), full_page=True)

    page.get_by_label("Role").select_option("sales")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_selector('canvas[data-drawn="true"]')
    assert query_of(page) == {"version": "", "role": "sales", "from": start, "to": end}
    sales = dashboard_service.get(f"/api/v1/reports/guides/submit-expense?from={start}&to={end}&role=sales").json
    assert step_table(page) == api_table(sales)
    assert sales["runs"] < report["runs"]

    # The URL alone reproduces the view: open it in a new page of the same session.
    shared = page.context.new_page()
    shared.goto(page.url)
    assert step_table(shared) == api_table(sales)
    shared.close()
    assert watch.problems == []


def test_csv_download_is_what_the_page_shows(admin_page, dashboard_service, tmp_path):
    page, _ = admin_page
    page.goto(f"{dashboard_service.base_url}/dashboard/guides/submit-expense?version=1&from=&to=")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    path = tmp_path / "report.csv"
    download_info.value.save_as(path)
    text = path.read_bytes().decode("utf-8")  # keep the CSV's \r\n line ends
    assert text == dashboard_service.get("/api/v1/reports/guides/submit-expense.csv?version=1").text
    shown = step_table(page)
    columns = {"reached": "reached", "completed": "completed", "dropped_dismissed": "dismissed",
               "dropped_abandoned": "abandoned", "dropped_broken": "broken", "drop_rate": "drop_rate",
               "p50_ms": "p50", "p90_ms": "p90"}
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["title"] for r in rows] == ["Start a report", "Amount", "Receipt", "Submit"]
    for row in rows:
        assert {field: row[column] for column, field in columns.items()} == shown[int(row["step_index"])]


def test_broken_targets_link_to_the_guide(admin_page, dashboard_service):
    page, watch = admin_page
    page.get_by_role("link", name="Broken targets").click()
    row = page.locator('[data-testid="broken-targets"] tbody tr').first
    assert row.get_attribute("data-guide-id") == "submit-expense"
    assert row.get_by_text("https://expenses.example.com/submit-expense/2").is_visible()
    found = dashboard_service.get("/api/v1/reports/broken-targets").json["broken_targets"]
    start, end = default_range()
    in_range = dashboard_service.get(f"/api/v1/reports/broken-targets?from={start}&to={end}").json["broken_targets"]
    assert field_value(row, "count") == str(in_range[0]["count"]) == str(found[0]["count"])
    row.get_by_role("link").click()
    assert urllib.parse.urlsplit(page.url).path == "/dashboard/guides/submit-expense"
    assert watch.problems == []


def test_narrow_screen(dashboard_chromium, dashboard_service, screenshots):
    context, page, watch = new_page(dashboard_chromium, width=390, height=844)
    sign_in(page, dashboard_service.base_url, dashboard_service.tokens["admin"])
    page.goto(f"{dashboard_service.base_url}/dashboard/guides/submit-expense")
    page.wait_for_selector('canvas[data-drawn="true"]')
    # The page itself never scrolls sideways; wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.get_by_test_id("worst-step").is_visible()
    page.screenshot(path=str(screenshots / "guide-report-narrow.png"), full_page=True)
    assert watch.problems == []
    context.close()


def test_sign_out(admin_page, dashboard_service):
    page, _ = admin_page
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_text("You are signed out.").is_visible()
    page.goto(f"{dashboard_service.base_url}/dashboard/")
    assert urllib.parse.urlsplit(page.url).path == "/dashboard/sign-in"
