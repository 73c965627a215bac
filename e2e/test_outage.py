"""The service is down for a whole walk, then comes back: every event arrives exactly once.

This test has a service of its own (stopped and restarted on the same port), so
the shared e2e service stays up for the others.
"""
import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from tests.harness import start_service, stop_service, wait_until_healthy
from e2e.overlay import button, expect_no_dialog, expect_step, step_numbers, totals, wait_for


@pytest.fixture
def own_service(tmp_path):
    running = start_service(f"sqlite:///{tmp_path / 'outage.db'}")
    yield running
    stop_service(running)


def take_down(service):
    service.process.send_signal(signal.SIGTERM)
    service.process.wait(timeout=20)


def bring_back(service):
    """Start ``waymark serve`` again on the same port and database (tokens live in the database)."""
    port = service.base_url.rsplit(":", 1)[1]
    with open(service.log_path, "a") as log:
        service.process = subprocess.Popen(
            [sys.executable, "-m", "waymark", "serve", "--host", "127.0.0.1", "--port", port],
            env=dict(os.environ, WAYMARK_DATABASE_URL=service.database_url), stdout=log, stderr=subprocess.STDOUT)
    wait_until_healthy(service.base_url, service.process, log_path=service.log_path)


def stored_event_ids(service, guide_id):
    path = service.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT id FROM event WHERE guide_id = ?", (guide_id,)).fetchall()
    connection.close()
    return [row[0] for row in rows]


def test_service_down_for_the_whole_walk(browser, own_service, demo_site, make_guide, guide_role, unique_id):
    guide = make_guide([{"id": f"s{n}", "title": title, "body": "Offline.", "advance": {"on": "next"}}
                        for n, title in enumerate(["One", "Two", "Three"])], include=("{site}/acme/reports",))
    answer = own_service.put(f"/api/v1/guides/{guide['id']}", guide, token="author")
    assert answer.status in (200, 201), answer.text
    browser.configure(own_service.base_url, own_service.tokens["extension"], f"user-{unique_id}", guide_role)
    page = browser.new_page()
    page.goto(demo_site + "/acme/help")  # no guide here, but the worker fetches and caches the catalogue
    wait_for(lambda: any(g["id"] == guide["id"] for g in (browser.storage("waymark.guideCache") or {}).get("guides", [])),
             what="guides cached")

    take_down(own_service)
    page.goto(demo_site + "/acme/reports")  # the guide comes from the cache
    expect_step(page, "One")
    button(page, "Next").click()
    expect_step(page, "Two")
    button(page, "Next").click()
    expect_step(page, "Three")
    button(page, "Done").click()
    expect_no_dialog(page)
    assert browser.worker.evaluate("() => waymark.flush()") == 8, "a failed send keeps every event"
    queued = browser.queued_events()
    kinds = sorted(event["type"] for event in queued)
    assert kinds == sorted(["guide_started"] + ["step_shown", "step_completed"] * 3 + ["guide_completed"])

    bring_back(own_service)
    browser.flush()
    assert browser.worker.evaluate("() => waymark.flush()") == 0
    stored = stored_event_ids(own_service, guide["id"])
    assert sorted(stored) == sorted(event["id"] for event in queued), "each queued event stored once, none extra"
    answer = own_service.get(f"/api/v1/reports/guides/{guide['id']}", token="admin")
    assert answer.status == 200, answer.text
    assert totals(answer.json) == {"runs": 1, "completed": 1, "dismissed": 0, "abandoned": 0, "broken": 0}
    assert step_numbers(answer.json) == [(1, 1, 0, 0, 0)] * 3
