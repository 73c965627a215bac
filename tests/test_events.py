"""Stored events after ingest: rebuild, prune and export (events.py), on both stores."""
import csv
import io
import json
import random
import subprocess
import sys
import threading
from datetime import date, datetime

import pytest

from tests.folded import ingest_batch
from waymark import db, events
from waymark.db import database, query
from waymark.models import Event, Run
from waymark.reports.guides import guide_report
from waymark.reports.summaries import guide_summaries
from waymark.reports.targets import broken_targets

from .test_reports import NOW, deliver, stream
from .test_rollups import assert_report_matches_runs, random_stream, rollup_rows

ASKED = [{}, {"version": 1}, {"role": "sales"}, {"date_from": date(2026, 11, 22)}]


def reports():
    return ([guide_report("expense", now=NOW, **filters) for filters in ASKED],
            guide_summaries(now=NOW), broken_targets())


# -- rebuild ---------------------------------------------------------------------

def test_rebuild_folds_the_stored_events_again(database):
    deliver(stream(), 0)
    expected = reports()
    # As if a bug had folded runs wrongly: a run's end lost, the rollups of a step gone.
    db.execute("UPDATE run SET completed_at = NULL WHERE run_id = 'A'")
    db.execute("UPDATE rollup_step SET reached = reached + 5")
    db.execute("DELETE FROM rollup_step_time WHERE step_index = 0")
    assert reports() != expected
    assert events.rebuild(chunk=2) == 7
    assert reports() == expected
    for filters in ASKED:
        assert_report_matches_runs("expense", NOW, **filters)


def test_rebuild_of_one_guide_leaves_the_others(database):
    deliver(stream(), 0)
    deliver(stream("other", prefix="o-"), 0)
    db.execute("UPDATE rollup_run SET runs = runs + 1 WHERE guide_id = 'other'")
    broken_other = guide_report("other", now=NOW)["runs"]
    assert events.rebuild("expense") == 7
    assert guide_report("other", now=NOW)["runs"] == broken_other  # not touched
    events.rebuild("other")
    assert guide_report("other", now=NOW)["runs"] == guide_report("other", now=NOW, from_runs=True)["runs"] == 7


def test_rebuild_runs_online_while_events_arrive(database, database_url):
    rng = random.Random(5)
    stream_events = random_stream(rng, runs_count=80)
    rng.shuffle(stream_events)
    first, rest = stream_events[:len(stream_events) // 2], stream_events[len(stream_events) // 2:]
    ingest_batch(first)
    failures = []

    def keep_sending():
        try:
            database.connect(reuse_if_open=True)
            for start in range(0, len(rest), 7):
                ingest_batch(rest[start:start + 7])
        except Exception as error:  # reported by the assertion below
            failures.append(error)
        finally:
            database.close()

    sender = threading.Thread(target=keep_sending)
    sender.start()
    events.rebuild(chunk=5)
    sender.join()
    assert failures == []
    now = datetime(2026, 11, 2, 23, 0)
    for guide_id in ("hot", "cold"):
        assert_report_matches_runs(guide_id, now)
    kept = rollup_rows()
    events.rebuild()
    assert rollup_rows() == kept


# -- prune -----------------------------------------------------------------------

def test_prune_deletes_old_events_and_reports_stay_as_they_were(database):
    deliver(stream(), 0)
    expected = reports()
    everything = query("SELECT COUNT(*) FROM event")[0][0]
    # Before 10:30 on the 22nd: every run but E (in progress at NOW, last event 11:50).
    pruned_runs, pruned_events = events.prune(datetime(2026, 11, 22, 10, 30), NOW, 30, chunk=2)
    assert pruned_runs == 6
    left = query("SELECT run_id, type, \"user\" FROM event ORDER BY run_id")
    assert {run_id for run_id, kind, _ in left if kind != "target_missing"} == {"E"}
    # The misses stay, without their user, for the broken-targets reports.
    assert sorted((run_id, user) for run_id, kind, user in left if kind == "target_missing") == \
        [("D", ""), ("F", "")]
    assert pruned_events == everything - len(left)
    assert reports() == expected
    assert Run.get(Run.run_id == "A").user == "" and Run.get(Run.run_id == "E").user == "user-E"
    # Pruned runs have nothing left to fold: a rebuild leaves their figures alone.
    events.rebuild()
    assert reports() == expected
    # Nothing more to prune; and a run still in progress is never pruned, whatever the date.
    assert events.prune(datetime(2027, 1, 1), NOW, 30) == (0, 0)
    assert query("SELECT COUNT(*) FROM event WHERE run_id = 'E'")[0][0] == 2


def test_a_late_event_of_a_pruned_run_still_moves_its_counts(database):
    deliver(stream(), 0)
    events.prune(datetime(2026, 11, 22, 10, 30), NOW, 30)
    # C was abandoned at step 3; it completes after all.
    ingest_batch([{"id": "late-C", "type": "guide_completed", "guide_id": "expense", "guide_version": 1,
                   "run_id": "C", "user": "user-C", "step_index": 3, "step_id": "step-3",
                   "at": "2026-11-22T10:40:00Z"}])
    report = guide_report("expense", version=1, now=NOW)
    assert (report["completed"], report["abandoned"]) == (3, 0)
    assert_report_matches_runs("expense", NOW, version=1)


def _other_kinds(at, prefix):
    """Events of tips, nudges, surveys, resources and the help panel at ``at``."""
    from .test_ingest_kinds import event
    made = [event("tip_shown", step_id="amount", step_index=0),
            event("nudge_action", action={"index": 1, "label": "Read the policy"}),
            event("survey_answered", answer={"value": 4}, text="Faster please"),
            event("resource_opened", step_index=1),
            event("target_missing", step_id="amount", step_index=0, run_id=f"{prefix}-run",
                  selectors=[{"selector": "#amount", "matches": 0}]),
            event("panel_search", guide_id=None, guide_version=None, run_id=None, query="per diem", results=0)]
    return [{**made_event, "id": f"{prefix}-{n}", "at": at} for n, made_event in enumerate(made)]


def test_prune_of_the_other_kinds_is_opt_in_and_leaves_guide_reports_as_they_were(database):
    from waymark.models import HelpEvent
    deliver(stream(), 0)
    stored = ingest_batch(_other_kinds("2026-11-20T09:00:00Z", "old") + _other_kinds("2026-11-22T12:00:00Z", "new"))
    assert {result["status"] for result in stored} == {"stored"}
    expected = reports()
    events.prune(datetime(2026, 11, 21), NOW, 30)
    assert Event.select().where(Event.id.startswith("old-")).count() == 5  # prune alone keeps them
    assert events.prune_other_kinds(datetime(2026, 11, 21), chunk=2) == (4, 1)
    assert sorted(e.id for e in Event.select().where(Event.id.startswith("old-"))) == ["old-4"]  # the miss
    assert sorted(e.id for e in Event.select().where(Event.id.startswith("new-"))) == [f"new-{n}" for n in range(5)]
    assert [h.id for h in HelpEvent.select()] == ["new-5"]
    assert reports() == expected
    assert events.prune_other_kinds(datetime(2026, 11, 21)) == (0, 0)


def test_retention_days_make_the_default_cutoff():
    assert events.retention_cutoff(datetime(2026, 11, 22, 15, 0), 30) == datetime(2026, 10, 23)
    assert events.retention_cutoff(datetime(2026, 11, 22, 15, 0), None) is None


# -- export ----------------------------------------------------------------------

def all_pages(limit, **filters):
    found, cursor = [], None
    while True:
        page, cursor = events.export_page(cursor=cursor, limit=limit, **filters)
        found += page
        if len(page) < limit:
            return found


def test_export_gives_every_event_once_in_arrival_order(database):
    batches = [stream()[i:i + 9] for i in range(0, len(stream()), 9)]
    for batch in batches:
        ingest_batch(batch)
    arrival = [event["id"] for batch in batches for event in sorted(batch, key=lambda e: e["id"])]
    exported = all_pages(limit=4)
    assert [event["id"] for event in exported] == arrival
    assert exported[0]["at"].endswith("Z") and exported[0]["user"] == "user-A"
    days = all_pages(limit=5, since=datetime(2026, 11, 22), until=datetime(2026, 11, 22, 10, 2))
    assert [e["id"] for e in days] == [i for i in arrival
                                       if next(e for e in stream() if e["id"] == i)["at"] < "2026-11-22T10:02"
                                       and not i.startswith("G")]


def test_export_cursor_is_stable_while_events_arrive(database):
    rng = random.Random(9)
    arriving = random_stream(rng, runs_count=60)
    ingest_batch(arriving[:50])
    failures, seen, cursor = [], [], None

    def keep_sending():
        try:
            database.connect(reuse_if_open=True)
            for start in range(50, len(arriving), 5):
                ingest_batch(arriving[start:start + 5])
        except Exception as error:  # reported by the assertion below
            failures.append(error)
        finally:
            database.close()

    sender = threading.Thread(target=keep_sending)
    sender.start()
    while sender.is_alive():
        page, cursor = events.export_page(cursor=cursor, limit=7)
        seen += [event["id"] for event in page]
    sender.join()
    while True:  # after the last arrival, the same cursor brings the rest
        page, cursor = events.export_page(cursor=cursor, limit=7)
        seen += [event["id"] for event in page]
        if not page:
            break
    assert failures == []
    assert len(seen) == len(set(seen)) == len(arriving)
    assert seen == [event["id"] for event in all_pages(limit=1000)]


def test_export_as_csv_guards_formulas_and_ndjson_is_a_line_per_event(database):
    ingest_batch([{"id": "x1", "type": "guide_started", "guide_id": "g", "guide_version": 1, "run_id": "r",
                   "user": "=HYPERLINK(\"http://evil\")", "role": "@SUM(A1)", "at": "2026-11-22T10:00:00Z"}])
    rows = list(csv.reader(io.StringIO("".join(events.as_csv(events.export_all())))))
    assert rows[0][:3] == ["id", "type", "guide_id"]
    assert rows[1][7:9] == ["'=HYPERLINK(\"http://evil\")", "'@SUM(A1)"]
    [line] = list(events.as_ndjson(events.export_all()))
    assert json.loads(line)["user"] == "=HYPERLINK(\"http://evil\")"


def test_the_command_line_rebuilds_prunes_and_exports(database, database_url):
    deliver(stream(), 0)
    env = {"WAYMARK_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}

    def waymark(*args):
        done = subprocess.run([sys.executable, "-m", "waymark", *args], env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "rebuilt 7 run(s)" in waymark("reports", "rebuild", "--guide", "expense")
    lines = waymark("events", "export", "--since", "2026-11-22", "--format", "ndjson").splitlines()
    assert len(lines) == len([e for e in stream() if e["at"] >= "2026-11-22"])
    assert waymark("events", "export", "--format", "csv").startswith("id,type,guide_id")
    assert "pruned" in waymark("events", "prune", "--before", "2026-11-22")
    assert query("SELECT COUNT(*) FROM event WHERE run_id = 'G'")[0][0] == 0
    assert {result["status"] for result in ingest_batch(_other_kinds("2026-11-20T09:00:00Z", "old"))} == {"stored"}
    assert "other kinds" not in waymark("events", "prune", "--before", "2026-11-22")
    assert "pruned 4 event(s) of other kinds and 1 help-panel event(s)" in \
        waymark("events", "prune", "--before", "2026-11-22", "--other-kinds")
