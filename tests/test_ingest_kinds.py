"""Events of tips, nudges, surveys and the help panel: validated, stored once, no runs made,
no typed value anywhere, no user on a search. Both stores."""
import uuid

import pytest

from tests.folded import ingest_batch
from waymark.db import database as db, is_postgres
from waymark.models import Event, HelpEvent, Run, RunStep


def event(type, **fields):
    base = {"id": uuid.uuid4().hex, "type": type, "guide_id": "doc", "guide_version": 1,
            "run_id": "view-1", "user": "u1", "role": "employee",
            "url": "https://app.example.com/reports/new?x=1", "at": "2026-11-22T10:00:00Z"}
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def statuses(results):
    return [result["status"] for result in results]


def rejected_paths(result):
    return [error["path"] for error in result["errors"]]


GOOD = [
    event("tip_shown", step_id="amount", step_index=0),
    event("validation_failed", step_id="amount", step_index=0),
    event("validation_passed", step_id="amount", step_index=0),
    event("nudge_shown"),
    event("nudge_dismissed", reason="close_button"),
    event("nudge_action", action={"index": 1, "label": "Read the policy"}),
    event("survey_shown"),
    event("survey_dismissed"),
    event("survey_answered", answer={"value": 4}, text="Faster please"),
    event("survey_answered", answer={"choice": 2}),
    event("resource_opened", step_index=1),
    event("panel_opened", guide_id=None, guide_version=None, run_id=None),
    event("panel_search", guide_id=None, guide_version=None, query="Per  Diem ", results=0),
    event("guide_started", source={"kind": "nudge", "id": "travel-policy-2027"}),
]


def test_every_new_type_is_stored_once(database):
    assert statuses(ingest_batch(GOOD)) == ["stored"] * len(GOOD)
    assert statuses(ingest_batch(GOOD)) == ["duplicate"] * len(GOOD)
    assert Event.select().count() == len(GOOD) - 2
    assert HelpEvent.select().count() == 2


def test_the_fields_they_carry_are_columns(database):
    ingest_batch(GOOD)
    action = Event.get(Event.type == "nudge_action")
    assert (action.action_index, action.action_label) == (1, "Read the policy")
    answered = {row.answer_value: row for row in Event.select().where(Event.type == "survey_answered")}
    assert (answered[4].answer_text, answered[None].answer_choice) == ("Faster please", 2)
    started = Event.get(Event.type == "guide_started")
    assert (started.source_kind, started.source_id) == ("nudge", "travel-policy-2027")
    search = HelpEvent.get(HelpEvent.type == "panel_search")
    assert (search.query, search.results, search.url) == ("per diem", 0, "https://app.example.com/reports/new")


def test_free_text_is_stored_as_text_never_interpreted(database):
    texts = ["=HYPERLINK(\"http://x\")", "<script>alert(1)</script>", "'; DROP TABLE event; --",
             "é ünïcode ✓", "x" * 500]
    ingest_batch([event("survey_answered", answer={"choice": 0}, text=text) for text in texts])
    assert sorted(row.answer_text for row in Event.select()) == sorted(texts)
    [result] = ingest_batch([event("survey_answered", answer={"choice": 0}, text="x" * 501)])
    assert rejected_paths(result) == ["events[0].text"]


def test_a_search_never_keeps_a_user_id(database):
    search = event("panel_search", query="mileage", results=0, user="dana@example.com")
    assert statuses(ingest_batch([search])) == ["stored"]
    assert "user" not in HelpEvent._meta.fields
    for table in ("event", "help_event", "run", "run_step"):
        assert not _tables_holding(table, "dana@example.com")


def test_a_validation_event_with_the_value_is_rejected_and_the_value_stored_nowhere(database):
    typed = "4111 1111 1111 1111"
    results = ingest_batch([event("validation_failed", step_id="amount", step_index=0, value=typed),
                            event("validation_passed", step_id="amount", step_index=0, value=typed),
                            event("tip_shown", step_id="amount", step_index=0, value=typed),
                            event("validation_failed", step_id="amount", step_index=0)])
    assert statuses(results) == ["rejected", "rejected", "rejected", "stored"]
    assert rejected_paths(results[0]) == ["events[0].value"]
    for table in ("event", "help_event", "run", "run_step"):
        assert not _tables_holding(table, typed)


@pytest.mark.parametrize("fields, path", [
    ({"type": "nudge_action"}, "action"),
    ({"type": "nudge_action", "action": {"index": -1, "label": "x"}}, "action.index"),
    ({"type": "nudge_action", "action": {"index": 0}}, "action.label"),
    ({"type": "survey_answered"}, "answer"),
    ({"type": "survey_answered", "answer": {}}, "answer"),
    ({"type": "survey_answered", "answer": {"choice": 0, "value": 3}}, "answer"),
    ({"type": "survey_answered", "answer": {"value": 11}}, "answer.value"),
    ({"type": "survey_shown", "text": "hi"}, "text"),
    ({"type": "panel_search", "results": 0}, "query"),
    ({"type": "panel_search", "query": "x"}, "results"),
    ({"type": "nudge_shown", "query": "x"}, "query"),
    ({"type": "tip_shown"}, "step_id"),
    ({"type": "resource_opened"}, "step_index"),
    ({"type": "nudge_shown", "guide_id": None}, "guide_id"),
    ({"type": "nudge_shown", "user": None}, "user"),
    ({"type": "nudge_shown", "reason": "escape"}, "reason"),
    ({"type": "nudge_dismissed", "reason": "bored"}, "reason"),
    ({"type": "step_shown", "step_id": "a", "step_index": 0, "source": {"kind": "nudge"}}, "source"),
    ({"type": "guide_started", "source": {"kind": "email", "id": "x"}}, "source.kind"),
])
def test_bad_events_are_rejected_with_the_path(database, fields, path):
    [result] = ingest_batch([event(**{"type": "x", **fields})])
    assert result["status"] == "rejected"
    assert f"events[0].{path}" in rejected_paths(result), rejected_paths(result)


def test_only_a_guides_own_events_make_runs(database):
    """Tips, nudges, surveys (an exit survey too, on the guide's run) fold into no run."""
    ingest_batch([event(t, run_id="view-9", step_id="s", step_index=0) if t.startswith(("tip", "valid"))
                  else event(t, run_id="view-9") for t in ("tip_shown", "validation_failed", "nudge_shown",
                                                          "survey_shown")])
    assert Run.select().count() == 0 and RunStep.select().count() == 0
    guide = [event("guide_started", guide_id="g", run_id="run-1"),
             event("guide_dismissed", guide_id="g", run_id="run-1", step_id="b", step_index=1,
                   reason="close_button", at="2026-11-22T10:01:00Z"),
             event("survey_answered", guide_id="g", run_id="run-1", step_id="b", step_index=1,
                   answer={"choice": 1}, at="2026-11-22T10:02:00Z")]
    ingest_batch(guide)
    [run] = Run.select()
    assert (run.guide_id, run.state, run.dismissed_step_index, run.last_at.minute) == ("g", "dismissed", 1, 1)


def _tables_holding(table, text):
    """Rows of ``table`` with ``text`` in any column."""
    names = [column.name for column in db.get_columns(table)]
    marker = "%s" if is_postgres() else "?"
    clause = " OR ".join(f'CAST("{name}" AS TEXT) LIKE {marker}' for name in names)
    return db.execute_sql(f'SELECT * FROM "{table}" WHERE {clause}', [f"%{text}%"] * len(names)).fetchall()
