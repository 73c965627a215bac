"""Fixtures for the dashboard's browser tests: plain Chromium (no extension) against a real service.

Reuses ``playwright_instance`` and ``chromium_executable`` from e2e/conftest.py.
The service (SQLite) is seeded through the public API with a known history
relative to today, so the default "last 30 days" view has data:

- ``submit-expense`` (4 steps): 80 runs over the last 14 days, dropping most at
  step 2 (Amount), a few broken at step 3 (Receipt) whose target went missing;
- ``approve-trip`` (3 steps): 24 runs, no missing targets;
- ``old-onboarding``: published, then archived, with a few runs.
"""
import os
import pathlib
import random
from datetime import datetime, timedelta, timezone

import pytest

from tests.harness import start_service, stop_service
from e2e.dashboard.dashboard_browser import new_page, sign_in

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Written where git does not look, so a test run leaves the tree clean;
# `make screenshots` points this at docs/screenshots/ to refresh the README's pictures.
SCREENSHOTS = pathlib.Path(os.environ.get("WAYMARK_SCREENSHOTS_DIR", ROOT / "e2e" / "artifacts" / "screenshots"))


GUIDES = {
    "submit-expense": ("Submit your first expense report",
                       ["Start a report", "Amount", "Receipt", "Submit"]),
    "approve-trip": ("Approve a trip request", ["Open the request", "Check the budget", "Approve"]),
    "old-onboarding": ("Old onboarding tour", ["Welcome", "Profile"]),
}


def guide_document(guide_id):
    title, steps = GUIDES[guide_id]
    return {"id": guide_id, "title": title,
            "match": {"include": [f"https://expenses.example.com/{guide_id}/*"]},
            "steps": [{"id": f"step-{i}", "title": t, "body": f"Step {i + 1} of {title}.",
                       "target": {"selector": f"#{guide_id}-{i}"}} for i, t in enumerate(steps)]}


def run_events(rng, guide_id, run_number, started, fate, stop):
    """The events of one run as the extension sends them; ``fate``: completed, dismissed, abandoned, broken."""
    steps = len(GUIDES[guide_id][1])
    run_id = f"{guide_id}-run-{run_number}"
    role = ("employee", "manager", "sales")[run_number % 3]
    events, at = [], started

    def add(kind, index=None, **extra):
        event = {"id": f"{run_id}-{len(events)}", "type": kind, "guide_id": guide_id, "guide_version": 1,
                 "run_id": run_id, "user": f"user-{run_number % 17}", "role": role,
                 "url": f"https://expenses.example.com/{guide_id}/{index or 0}",
                 "at": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"), **extra}
        if index is not None:
            event.update(step_index=index, step_id=f"step-{index}")
        events.append(event)

    add("guide_started")
    for index in range(steps):
        at += timedelta(seconds=1)
        if fate == "broken" and index == stop:
            add("target_missing", index, wait_ms=5000,
                selectors=[{"selector": f"#{guide_id}-{index}", "matches": 0}])
            return events
        add("step_shown", index)
        if fate in ("dismissed", "abandoned") and index == stop:
            if fate == "dismissed":
                at += timedelta(seconds=4)
                add("guide_dismissed", index, reason="close_button")
            return events
        duration = int(rng.lognormvariate(8.3 + index * 0.2, 0.5))
        at += timedelta(milliseconds=duration)
        add("step_completed", index, duration_ms=duration)
    add("guide_completed", steps - 1)
    return events


def history():
    """A deterministic mix of runs over the last 14 days, each started at least two hours ago."""
    rng = random.Random(4)
    now = datetime.now(timezone.utc)
    plan = {"submit-expense": (80, [("completed", 0.5), ("dismissed", 0.25), ("abandoned", 0.15), ("broken", 0.1)]),
            "approve-trip": (24, [("completed", 0.7), ("dismissed", 0.2), ("abandoned", 0.1)]),
            "old-onboarding": (6, [("completed", 0.5), ("abandoned", 0.5)])}
    events = []
    for guide_id, (runs, fates) in plan.items():
        for number in range(runs):
            started = now - timedelta(days=rng.randrange(0, 14), hours=2 + rng.random() * 20)
            fate = rng.choices([f for f, _ in fates], [w for _, w in fates])[0]
            # Most who leave do so at step 2 (Amount); breaks happen at step 3 (Receipt).
            stop = 2 if fate == "broken" else rng.choices(range(len(GUIDES[guide_id][1])), [2, 5, 1, 1][:len(GUIDES[guide_id][1])])[0]
            events.extend(run_events(rng, guide_id, number, started, fate, stop))
    return events


def seed(service):
    for guide_id in GUIDES:
        answer = service.put(f"/api/v1/guides/{guide_id}", guide_document(guide_id), token="author")
        assert answer.status in (200, 201), answer.text
    assert service.post("/api/v1/guides/old-onboarding/archive", {}, token="author").status == 200
    events = history()
    for start in range(0, len(events), 200):
        answer = service.post("/api/v1/events", {"events": events[start:start + 200]}, token="extension")
        assert answer.status == 200, answer.text
        assert all(r["status"] == "stored" for r in answer.json["results"]), answer.text


@pytest.fixture(scope="session")
def dashboard_service(tmp_path_factory):
    """A real ``waymark serve`` on SQLite, seeded with the known history."""
    database = tmp_path_factory.mktemp("dashboard-db") / "waymark.db"
    running = start_service(f"sqlite:///{database}")
    seed(running)
    yield running
    stop_service(running)


@pytest.fixture(scope="session")
def dashboard_chromium(playwright_instance, chromium_executable):
    """Plain headless Chromium: the dashboard needs no extension."""
    browser = playwright_instance.chromium.launch(executable_path=chromium_executable, headless=True,
                                                  args=["--no-sandbox"])
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def screenshots():
    """Where the suite saves its screenshots (see SCREENSHOTS); the README shows docs/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def admin_page(dashboard_chromium, dashboard_service):
    """A signed-in admin's page at 1280 px, and its console watch."""
    context, page, watch = new_page(dashboard_chromium)
    sign_in(page, dashboard_service.base_url, dashboard_service.tokens["admin"])
    yield page, watch
    context.close()
