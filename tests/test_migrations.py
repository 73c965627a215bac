"""Migrations: each applies once, and 0005 gives stored runs the report columns ingest now keeps."""
from waymark import db, migrations
from waymark.models import Run, RunStep

from .test_reports import NOW, deliver, stream

OLD_RUN_COLUMNS = [f for f in Run._meta.sorted_field_names if f != "state"]
OLD_STEP_COLUMNS = ["run_id", "step_index", "step_id", "reached_at", "shown_at", "completed_at", "duration_ms"]


def _rows(model, columns=None):
    fields = [model._meta.fields[name] for name in (columns or model._meta.sorted_field_names)]
    order = [model.run_id] + ([model.step_index] if model is RunStep else [])
    return [tuple(row) for row in model.select(*fields).order_by(*order).tuples()]


def test_upgrade_applies_each_migration_once(make_database_url, store):
    real = db.bind(make_database_url(store))
    assert migrations.upgrade(real, until="0002_catalogue") == ["0001_initial", "0002_catalogue"]
    assert migrations.upgrade(real) == migrations.available()[2:]
    assert migrations.upgrade(real) == []


def test_0005_fills_the_report_columns_as_ingest_keeps_them(database, make_database_url, store):
    """Runs stored before 0005 get the state, step times and run columns ingest now writes."""
    deliver(stream(), 0)
    runs, steps = _rows(Run), _rows(RunStep)
    old_runs, old_steps = _rows(Run, OLD_RUN_COLUMNS), _rows(RunStep, OLD_STEP_COLUMNS)

    older = db.bind(make_database_url(store))
    migrations.upgrade(older, until="0004_dashboard_sessions")
    with older.connection_context():
        Run.insert_many(old_runs, fields=[Run._meta.fields[c] for c in OLD_RUN_COLUMNS]).execute()
        RunStep.insert_many(old_steps, fields=[RunStep._meta.fields[c] for c in OLD_STEP_COLUMNS]).execute()
    assert migrations.upgrade(older, until="0005_report_columns") == ["0005_report_columns"]
    with older.connection_context():
        assert (_rows(Run), _rows(RunStep)) == (runs, steps)
    # (The next test's fixture binds the models to its own database again.)


def test_0005_keeps_a_frozen_copy_of_the_run_state_rule_that_runs_py_owns():
    """The migration's copy must say what runs.state_sql says, inside a row and in a trigger."""
    import importlib

    from waymark import runs
    frozen = importlib.import_module("waymark.migrations.0005_report_columns").RUN_STATE
    for prefix in ("", "NEW."):
        assert frozen.format(p=prefix) == runs.state_sql(prefix)


def _poison_rows():
    """Rows ingest accepted before times were bounded: year 1 in a known run, year 9999 in a new one."""
    from datetime import datetime
    from waymark.ingest import event_row
    base = {"type": "target_missing", "guide_id": "expense", "guide_version": 1, "step_id": "step-1",
            "step_index": 1, "user": "u", "role": "employee", "url": "https://x.example.com/",
            "duration_ms": None, "reason": None, "wait_ms": None, "selectors": None}
    return [event_row({**base, "id": "poison-1", "run_id": "A", "at": datetime(1, 1, 1)}, NOW),
            event_row({**base, "id": "poison-2", "run_id": "Z", "at": datetime(9999, 12, 31, 23)}, NOW)]


def test_0006_quarantines_stored_events_outside_the_window(database, make_database_url, store):
    """Runs come back as if the poison had never been stored; the poison is kept aside."""
    from waymark.ingest import store_events
    from waymark.reports.guides import guide_report
    from waymark.reports.summaries import guide_summaries
    from waymark.reports.targets import broken_targets
    deliver(stream(), 0)
    runs, steps = _rows(Run), _rows(RunStep)
    reports = (guide_report("expense", now=NOW), broken_targets(), guide_summaries(now=NOW))

    older = db.bind(make_database_url(store))
    # Every migration before the quarantine (0006_document_kinds gives events the columns
    # today's ingest writes, and sorts before it).
    migrations.upgrade(older, until="0006_document_kinds")
    with older.connection_context():
        deliver(stream(), 0)
        store_events(_poison_rows())
        assert len(_rows(Run)) == len(runs) + 1
    assert migrations.upgrade(older) == ["0006_quarantine_poison_events"]
    with older.connection_context():
        assert (_rows(Run), _rows(RunStep)) == (runs, steps)
        assert (guide_report("expense", now=NOW), broken_targets(), guide_summaries(now=NOW)) == reports
        kept = older.execute_sql("SELECT id, why FROM quarantined_event ORDER BY id").fetchall()
        assert [row[0] for row in kept] == ["poison-1", "poison-2"] and "2000-01-01" in kept[0][1]
    # (The next test's fixture binds the models to its own database again.)
