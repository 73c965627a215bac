"""The demo's history of tips, the help panel, the nudge and the surveys: valid events,
deterministic, and every kind page has something to show. Both stores."""
import json
from datetime import datetime
from pathlib import Path

from demo import seed, seed_kinds
from waymark import catalogue
from waymark.reports import help_panel, kinds
from waymark.schemas.event import validate_events

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 30, 12, 0, 0)
ORIGIN = "http://127.0.0.1:9999"


def examples():
    return [(json.loads(path.read_text()), 1) for path in sorted((ROOT / "guides").glob("*.json"))]


def history(documents):
    # The expense guide first, as the demo does: it is the one people use most.
    guides = sorted((seed.GuideVersion(document["id"], version, document) for document, version in documents
                     if document.get("kind", "guide") == "guide"),
                    key=lambda item: (item.guide_id != "submit-expense", item.guide_id))
    plan = seed.SeedPlan(versions=guides, runs=400, now=NOW, site_origin=ORIGIN)
    return seed_kinds.with_kind_history(documents, seed.generate_events(plan), ORIGIN)


def test_the_history_is_valid_and_deterministic():
    events = history(examples())
    assert events == history(examples())
    problems = [messages for _, messages in validate_events(events) if messages]
    assert problems == []
    types = {event["type"] for event in events}
    assert {"tip_shown", "validation_failed", "validation_passed", "panel_opened", "panel_search",
            "resource_opened", "nudge_shown", "nudge_action", "nudge_dismissed", "survey_shown",
            "survey_answered", "survey_dismissed"} <= types
    assert all("user" not in event for event in events if event["type"] == "panel_search")


def test_every_kind_report_has_something_to_show(database):
    documents = examples()
    for document, _ in documents:
        catalogue.publish(document)
    events = history(catalogue.latest_documents())
    assert seed.ingest_events(events) == {"stored": len(events), "duplicate": 0, "rejected": 0}
    tips = kinds.document_report("expense-form-tips")
    assert tips["most_failed"][0]["tip_id"] == "cost-centre"  # the rule people do not know
    assert all(tip["shown"] > 0 for tip in tips["tips"])
    nudge = kinds.document_report("travel-policy-2027", now=NOW)
    assert nudge["shown"] > nudge["guides_started"] > nudge["guides_completed"] > 0
    pulse = kinds.document_report("report-pulse")
    assert pulse["answered"] > 0 and pulse["scale"]["mean"] and pulse["texts"]["total"] > 0
    guide = kinds.document_report("submit-expense", now=NOW)
    reasons = sum(line["count"] for step in guide["steps"] for line in step["exit_reasons"])
    assert reasons > 0 and guide["exit_survey"]["texts"]["total"] > 0
    helped = help_panel.help_report()
    assert helped["unfound_searches"][0]["query"] == "per diem" and helped["resources_opened"]
