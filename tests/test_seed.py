"""The demo's synthetic history: valid contract events, deterministic, realistic drop-off."""
from datetime import datetime

from demo import seed
from waymark.reports import guides, targets
from waymark.schemas.event import validate_events

NOW = datetime(2026, 11, 22, 12, 0, 0)

EXPENSE_GUIDE = {
    "id": "seed-expense",
    "title": "Submit an expense",
    "match": {"include": ["*://127.0.0.1:*/acme/expenses*"]},
    "steps": [
        {"id": "new", "target": {"selector": "[data-testid=new-expense]", "text": "New"},
         "title": "Start", "body": "Click **New**.", "advance": {"on": "click"}},
        {"id": "amount", "url": "*/acme/expenses/new*", "target": {"selector": "input[name=amount]"},
         "title": "Amount", "body": "Type it.", "advance": {"on": "input", "pattern": "^[0-9]+$"}},
        {"id": "receipt", "target": {"selector": "#receipt", "fallbacks": ["input[type=file]"]},
         "title": "Receipt", "body": "Optional.", "optional": True, "advance": {"on": "next"}},
        {"id": "done", "title": "Done", "body": "Sent.", "advance": {"on": "next"}},
    ],
}

MANAGER_GUIDE = {
    "id": "seed-approve",
    "title": "Approve a report",
    "match": {"include": ["*/acme/approvals*"]},
    "audience": {"roles": ["manager"]},
    "steps": [{"id": "only", "title": "Approve", "body": "Look.", "advance": {"on": "next"}}],
}


def _plan(runs=200, seed_value=7):
    draft, fragile = seed.older_draft(EXPENSE_GUIDE)
    versions = [seed.GuideVersion("seed-expense", 1, draft, fragile_step=fragile),
                seed.GuideVersion("seed-expense", 2, EXPENSE_GUIDE),
                seed.GuideVersion("seed-approve", 1, MANAGER_GUIDE)]
    return seed.SeedPlan(versions=versions, runs=runs, now=NOW, seed=seed_value,
                         site_origin="http://127.0.0.1:9999")


def test_url_from_glob_keeps_the_path_on_the_demo_origin():
    origin = "http://127.0.0.1:9999"
    assert seed.url_from_glob("*://127.0.0.1:*/acme/expenses*", origin) == origin + "/acme/expenses"
    assert seed.url_from_glob("*/acme/expenses/new*", origin) == origin + "/acme/expenses/new"
    assert seed.url_from_glob("http://localhost:*/acme/#/board", origin) == origin + "/acme/#/board"


def test_older_draft_breaks_the_first_required_target_after_the_first_step():
    draft, index = seed.older_draft(EXPENSE_GUIDE)
    assert index == 1
    assert draft["steps"][1]["target"] == {"selector": "#amount-button"}
    assert EXPENSE_GUIDE["steps"][1]["target"] == {"selector": "input[name=amount]"}  # untouched
    assert seed.older_draft(MANAGER_GUIDE) == (None, None)


def test_the_same_seed_gives_the_same_events_and_another_seed_others():
    first, again = seed.generate_events(_plan()), seed.generate_events(_plan())
    assert first == again
    assert first != seed.generate_events(_plan(seed_value=8))


def test_every_generated_event_is_a_valid_contract_event():
    events = seed.generate_events(_plan())
    problems = [(event, messages) for event, (_, messages) in zip(events, validate_events(events))
                if messages is not None]
    assert problems == []
    assert {event["type"] for event in events} == {
        "guide_started", "step_shown", "step_completed", "step_back", "target_missing",
        "guide_dismissed", "guide_completed"}


def test_runs_respect_the_audience_and_the_time_window():
    events = seed.generate_events(_plan())
    assert {e["role"] for e in events if e["guide_id"] == "seed-approve"} == {"manager"}
    assert {e["role"] for e in events} == {"employee", "manager", "contractor"}
    days = {e["at"][:10] for e in events}
    assert len(days) >= 15
    assert max(e["at"] for e in events) < NOW.isoformat()
    # The older version had the older half of the month.
    latest_v1 = max(e["at"] for e in events if e["guide_id"] == "seed-expense" and e["guide_version"] == 1)
    earliest_v2 = min(e["at"] for e in events if e["guide_id"] == "seed-expense" and e["guide_version"] == 2)
    assert latest_v1 < earliest_v2


def test_seeded_history_gives_realistic_reports(database):
    plan = _plan(runs=300)
    events = seed.generate_events(plan)
    seen = []
    totals = seed.ingest_events(events, progress=lambda done, total: seen.append((done, total)))
    assert totals == {"stored": len(events), "duplicate": 0, "rejected": 0}
    assert seen[-1] == (len(events), len(events))

    all_versions = guides.guide_report("seed-expense", now=NOW)
    old = guides.guide_report("seed-expense", version=1, now=NOW)
    new = guides.guide_report("seed-expense", version=2, now=NOW)
    assert all_versions["runs"] == old["runs"] + new["runs"] > 100
    for report in (old, new):
        assert report["completed"] > 0 and report["dismissed"] > 0 and report["abandoned"] > 0
    # Version 1's renamed target broke runs at step 1; version 2 fixed it.
    assert old["steps"][1]["dropped"]["broken"] > 0.2 * old["steps"][1]["reached"]
    assert new["steps"][1]["dropped"]["broken"] < 0.1 * new["steps"][1]["reached"]
    # Most dismissals happen on the first step.
    assert new["steps"][0]["dropped"]["dismissed"] >= new["steps"][2]["dropped"]["dismissed"]
    for step in new["steps"]:
        if step["time_ms"]["p50"] is not None:
            assert step["time_ms"]["p50"] < step["time_ms"]["p90"]
    missing = {entry["index"] for entry in all_versions["missing_targets"]}
    assert {1, 2} <= missing  # the broken target, and the optional step skipped
    broken = targets.broken_targets()
    assert broken[0]["selectors"] in ([{"selector": "#amount-button", "matches": 0}],
                                      [{"selector": "#receipt", "matches": 0},
                                       {"selector": "input[type=file]", "matches": 0}],
                                      [{"selector": "#receipt", "matches": 0},
                                       {"selector": "input[type=file]", "matches": 2}],
                                      [{"selector": "#receipt", "matches": 0},
                                       {"selector": "input[type=file]", "matches": 3}])


def test_seeding_twice_stores_nothing_new(database):
    events = seed.generate_events(_plan(runs=20))
    seed.ingest_events(events)
    assert seed.ingest_events(events)["duplicate"] == len(events)
