"""The pages of tips, nudges, surveys, exit surveys and the help panel in a real Chromium:
the API's figures on the page, charts drawn, readable at 390 px, and answer texts from the
XSS corpus that run nothing (no dialog, no console error, no CSP violation)."""
import copy
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from e2e.dashboard.dashboard_browser import new_page, sign_in
from tests.harness import start_service, stop_service
from waymark.ingest import normalised_query
from tests.test_schemas_kinds import GUIDE, NUDGE, SURVEY, TIPS

PAYLOADS = [line.replace("\\n", "\n")[:500] for line in
            (Path(__file__).resolve().parents[2] / "tests" / "data" / "xss_payloads.txt")
            .read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
PAGES = ("tips", "nudge", "survey", "guide")


def at(minutes_ago):
    moment = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event(type, guide_id, n, **fields):
    return {"id": uuid.uuid4().hex, "type": type, "guide_id": guide_id, "guide_version": 1,
            "run_id": f"view-{uuid.uuid4().hex[:8]}", "user": f"u{n % 9}", "role": "employee",
            "at": at(60 + n), **fields}


@pytest.fixture(scope="module")
def kinds_service(tmp_path_factory):
    """A service of its own: the shared dashboard_service's guide list is counted by other tests."""
    running = start_service(f"sqlite:///{tmp_path_factory.mktemp('kinds-db') / 'waymark.db'}")
    yield running
    stop_service(running)


@pytest.fixture(scope="module")
def kinds(kinds_service):
    """Documents of every kind with a known history, their ids by kind."""
    dashboard_service = kinds_service
    stem = "kinds-" + uuid.uuid4().hex[:6]
    documents = {}
    for base in (TIPS, NUDGE, SURVEY, GUIDE):
        document = copy.deepcopy(base)
        kind = document.get("kind", "guide")
        document["id"] = f"{stem}-{kind}"
        document.pop("schedule", None)
        documents[kind] = document
    documents["nudge"]["nudge"]["actions"][0]["start"] = documents["guide"]["id"]
    documents["guide"]["steps"] = [{"id": "amount", "title": "Amount"}, {"id": "review", "title": "Review"}]
    for document in documents.values():
        answer = dashboard_service.put(f"/api/v1/guides/{document['id']}", document, token="author")
        assert answer.status == 201, answer.text
    ids = {kind: document["id"] for kind, document in documents.items()}
    events = []
    for n in range(12):
        tip = ("amount", 0) if n % 3 else ("cost-centre", 1)
        events += [event("tip_shown", ids["tips"], n, step_id=tip[0], step_index=tip[1]),
                   event("validation_failed", ids["tips"], n, step_id=tip[0], step_index=tip[1])]
        if n % 2:
            events.append(event("validation_passed", ids["tips"], n, step_id=tip[0], step_index=tip[1]))
        events.append(event("nudge_shown", ids["nudge"], n))
        if n % 4 == 0:
            run = f"run-{uuid.uuid4().hex[:8]}"
            events += [event("nudge_action", ids["nudge"], n, action={"index": 0, "label": "Show me how"}),
                       event("guide_started", ids["guide"], n, run_id=run,
                             source={"kind": "nudge", "id": ids["nudge"]})]
    for n, text in enumerate(PAYLOADS):
        events += [event("survey_shown", ids["survey"], n),
                   event("survey_answered", ids["survey"], n, answer={"value": 1 + n % 5}, text=text)]
    for n, text in enumerate(PAYLOADS[:20]):
        run, step = f"run-{uuid.uuid4().hex[:8]}", {"step_id": "review", "step_index": 1} if n % 2 else \
            {"step_id": "amount", "step_index": 0}
        events += [event("guide_started", ids["guide"], n, run_id=run),
                   event("guide_dismissed", ids["guide"], n, run_id=run, reason="close_button", **step),
                   event("survey_answered", ids["guide"], n, run_id=run, **step,
                         **({"answer": {"choice": n % 2}} if n % 3 else {"text": text}))]
    events += [{"id": uuid.uuid4().hex, "type": "panel_search", "query": text[:200], "results": 0, "at": at(30)}
               for text in PAYLOADS[:10]]
    for start in range(0, len(events), 200):
        answer = dashboard_service.post("/api/v1/events", {"events": events[start:start + 200]}, token="extension")
        assert {r["status"] for r in answer.json["results"]} == {"stored"}, answer.text
    return ids


@pytest.mark.parametrize("width", [1280, 390])
def test_kind_pages_show_the_api_figures_and_run_nothing(dashboard_chromium, kinds_service, kinds,
                                                         screenshots, width):
    dashboard_service = kinds_service
    context, page, _ = new_page(dashboard_chromium, width=width, height=900)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # The browser's own favicon request (the dashboard has none) is the one error allowed.
    problems = []
    page.on("console", lambda message: message.type == "error"
            and not message.location.get("url", "").endswith("/favicon.ico") and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, dashboard_service.base_url, dashboard_service.tokens["admin"])
    base = dashboard_service.base_url
    for kind in PAGES:
        guide_id = kinds[kind]
        page.goto(f"{base}/dashboard/guides/{guide_id}?from=&to=")
        page.wait_for_selector('canvas[data-drawn="true"]')
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), kind
        report = dashboard_service.get(f"/api/v1/reports/guides/{guide_id}", token="admin").json
        if kind == "tips":
            row = page.locator('[data-testid="tip-table"] tbody tr[data-tip-id="amount"]')
            assert row.locator('[data-field="validation_failed"]').get_attribute("data-value") == \
                str(report["tips"][0]["validation_failed"]) == "8"
            assert page.get_by_test_id("most-failed").is_visible()
        elif kind == "nudge":
            assert page.locator('[data-field="shown"]').get_attribute("data-value") == str(report["shown"]) == "12"
            assert page.locator('[data-field="guides_started"]').get_attribute("data-value") == "3"
        elif kind == "survey":
            assert page.locator('[data-field="answered"]').get_attribute("data-value") == str(len(PAYLOADS))
            shown = page.locator('[data-testid="texts"] blockquote').all_text_contents()
            assert shown == [item["text"] for item in report["texts"]["items"]]
        else:
            assert page.get_by_test_id("exit-reasons").is_visible()
            other = [step["exit_reasons"][-1]["count"] for step in report["steps"]]
            assert sum(other) == 7
        suffix = "-narrow" if width == 390 else ""
        if kind == "guide":
            page.get_by_test_id("exit-reasons").screenshot(path=str(screenshots / f"exit-reasons{suffix}.png"))
        else:
            page.screenshot(path=str(screenshots / f"{kind}-report{suffix}.png"),
                            full_page=kind in ("tips", "nudge") and width != 390)
    page.goto(f"{base}/dashboard/help?from=&to=")
    rows = page.locator('[data-testid="unfound-searches"] tbody tr')
    assert rows.count() == len({normalised_query(text[:200]) for text in PAYLOADS[:10]})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if width == 1280:
        page.screenshot(path=str(screenshots / "help-panel.png"))
    page.wait_for_timeout(300)  # any timer-based payload would have fired by now
    assert dialogs == []
    assert problems == []  # CSP violations and script errors are console errors
    context.close()
