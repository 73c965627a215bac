"""Ingest: idempotent by event id, one bad event never drops the good ones, URLs stripped."""
import json
import threading
import uuid
from datetime import timedelta

import pytest

from tests.folded import ingest_batch
from waymark import db
from waymark.ingest import strip_url
from waymark.models import Event, Run, RunStep
from waymark.runs import abandon_cutoff, drop_step_sql, fold, outcome, outcome_sql, upsert_runs

from .test_runs import OUTCOME_CASES, T0, WINDOW, ev


def event(**fields):
    base = {"id": uuid.uuid4().hex, "type": "step_shown", "guide_id": "g", "guide_version": 1,
            "step_id": "a", "step_index": 0, "run_id": "run-1", "user": "u1",
            "url": "https://app.example.com/page?token=secret#top", "at": "2026-11-22T10:00:00Z"}
    base.update(fields)
    return base


def statuses(results):
    return [result["status"] for result in results]


def test_stores_each_event_once(database):
    first, second = event(), event()
    assert statuses(ingest_batch([first, second])) == ["stored", "stored"]
    assert statuses(ingest_batch([second, first, event()])) == ["duplicate", "duplicate", "stored"]
    assert Event.select().count() == 3


def test_same_id_twice_in_one_batch_is_stored_once(database):
    same = event()
    assert statuses(ingest_batch([same, same])) == ["stored", "duplicate"]
    assert Event.select().count() == 1


def test_a_bad_event_does_not_drop_the_good_ones(database):
    results = ingest_batch([event(id="ok-1"), event(id="bad-1", type="exploded"), "junk", event(id="ok-2")])
    assert statuses(results) == ["stored", "rejected", "rejected", "stored"]
    assert results[1]["id"] == "bad-1"
    assert results[1]["errors"][0]["path"] == "events[1].type"
    assert results[2] == {"id": None, "status": "rejected",
                          "errors": [{"path": "events[2]", "message": "Invalid input type."}]}
    assert {row.id for row in Event.select()} == {"ok-1", "ok-2"}


def test_url_is_stored_without_query_and_fragment_unless_kept(database):
    ingest_batch([event(id="plain")])
    ingest_batch([event(id="kept")], keep_url_query=True)
    assert Event.get_by_id("plain").url == "https://app.example.com/page"
    assert Event.get_by_id("kept").url == "https://app.example.com/page?token=secret#top"
    assert strip_url(None) is None


def test_sql_looking_strings_are_stored_as_data(database):
    nasty = "x'); DROP TABLE event; --"
    ingest_batch([event(id="sql-1", user=nasty, step_id=nasty, guide_id="g' OR '1'='1")])
    row = Event.get_by_id("sql-1")
    assert (row.user, row.step_id, row.guide_id) == (nasty, nasty, "g' OR '1'='1")


def test_selectors_and_extras_are_kept_in_detail(database):
    ingest_batch([event(id="m", type="target_missing", wait_ms=5000, client="1.0",
                        selectors=[{"selector": "#go", "matches": 0}])])
    row = Event.get_by_id("m")
    assert row.wait_ms == 5000
    assert json.loads(row.detail) == {"selectors": [{"selector": "#go", "matches": 0}],
                                      "extra": {"client": "1.0"}}


def run_stream():
    """One run with every kind of column: steps, a miss and its recovery, a dismissal."""
    at = "2026-11-22T10:00:{:02d}Z".format
    return [
        event(id="s", type="guide_started", step_id=None, step_index=None, at=at(0), role="sales"),
        event(id="a0", step_index=0, step_id="a", at=at(1)),
        event(id="c0", type="step_completed", step_index=0, step_id="a", at=at(5), duration_ms=4000),
        event(id="c0b", type="step_completed", step_index=0, step_id="a", at=at(9), duration_ms=9000),
        event(id="m1", type="target_missing", step_index=1, step_id="b", at=at(10)),
        event(id="a1", step_index=1, step_id="b", at=at(12)),
        event(id="m2", type="target_missing", step_index=2, step_id="c", at=at(20)),
        event(id="d", type="guide_dismissed", step_index=2, step_id="c", reason="escape", at=at(30)),
        event(id="d2", type="guide_dismissed", step_index=2, step_id="c", reason="other", at=at(31)),
    ]


def stored_runs():
    return (list(Run.select().dicts()),
            list(RunStep.select().order_by(RunStep.step_index).dicts()))


def test_runs_do_not_depend_on_arrival_order_or_batching(database):
    import random
    stream = run_stream()
    ingest_batch(stream)
    expected = stored_runs()
    run = expected[0][0]
    assert (run["dismiss_reason"], run["dismissed_step_index"], run["missing_step_index"]) == ("escape", 2, 2)
    assert run["role"] == "sales"
    assert expected[1][0]["duration_ms"] == 4000
    for seed in range(5):
        Event.delete().execute(), Run.delete().execute(), RunStep.delete().execute()
        shuffled = stream[:]
        random.Random(seed).shuffle(shuffled)
        for start in range(0, len(shuffled), 1 + seed):
            ingest_batch(shuffled[start:start + 1 + seed])
        ingest_batch(stream)  # all resent: changes nothing
        assert stored_runs() == expected


def test_concurrent_overlapping_batches_store_each_event_once(database, database_url):
    stream = [event(id=f"c{i:03d}", step_index=i % 5, step_id=f"s{i % 5}", run_id=f"run-{i % 7}",
                    at=f"2026-11-22T10:{i // 60:02d}:{i % 60:02d}Z") for i in range(200)]
    results = []

    def send(part):
        db.database.connect(reuse_if_open=True)
        try:
            for start in range(0, len(part), 25):
                results.extend(ingest_batch(part[start:start + 25]))
        finally:
            db.database.close()

    threads = [threading.Thread(target=send, args=(stream[:150],)),
               threading.Thread(target=send, args=(stream[50:][::-1],))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses(results).count("stored") == 200
    assert Event.select().count() == 200
    assert Run.select().count() == 7
    assert RunStep.select().count() == 7 * 5 - 0  # each run reaches its steps (i%7, i%5 cover all pairs)


@pytest.mark.parametrize("events, expected", OUTCOME_CASES + [
    # Open: in progress within the window, abandoned after it.
    ([ev("step_shown", 0, 0), ev("step_completed", 3, 0), ev("step_shown", 4, 1)], ("in_progress", None)),
    ([ev("step_shown", -3600, 0)], ("abandoned", 0)),
])
def test_stored_outcome_agrees_with_the_python_one(database, events, expected):
    """reports read outcomes through SQL over the stored ``state``; runs.outcome is the reference."""
    with database.atomic():
        upsert_runs(*fold(events))
    now = T0 + timedelta(minutes=10)
    [(index, stored)] = db.query(f'SELECT {drop_step_sql()}, {outcome_sql()} FROM "run"',
                                 [abandon_cutoff(now, WINDOW.total_seconds() / 60)])
    assert (stored, None if stored in ("completed", "in_progress") else index) == expected
    assert outcome(Run.select().dicts().get(), now, WINDOW) == expected


def test_time_on_step_is_the_reported_duration_else_shown_to_completed(database):
    ingest_batch([
        event(id="s0", step_index=0, at="2026-11-22T10:00:00Z"),
        event(id="c0", type="step_completed", step_index=0, at="2026-11-22T10:00:02.250Z", duration_ms=900),
        event(id="s1", step_index=1, at="2026-11-22T10:00:03Z"),
        event(id="c1", type="step_completed", step_index=1, at="2026-11-22T10:00:05.500Z"),
        event(id="s2", step_index=2, at="2026-11-22T10:00:06Z"),
    ])
    assert [s.time_ms for s in RunStep.select().order_by(RunStep.step_index)] == [900, 2500, None]
    # An earlier completion that came late wins, with its duration.
    ingest_batch([event(id="c0-early", type="step_completed", step_index=0, at="2026-11-22T10:00:01Z",
                        duration_ms=400)])
    assert RunStep.get(RunStep.step_index == 0).time_ms == 400


def test_steps_carry_their_runs_columns_when_a_late_event_changes_them(database):
    ingest_batch([event(id="s1", step_index=1, at="2026-11-23T00:00:05Z", role=None)])
    ingest_batch([event(id="started", type="guide_started", step_id=None, step_index=None,
                        at="2026-11-22T23:59:59Z", role="sales")])
    run = Run.get()
    step = RunStep.get()
    assert (step.guide_id, step.guide_version, step.role, step.started_at) == \
        (run.guide_id, run.guide_version, "sales", run.started_at)
    assert str(step.started_at).startswith("2026-11-22 23:59:59")
