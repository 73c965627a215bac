"""Migrations: each applies once, and 0005 gives stored runs the report columns ingest now keeps."""
from waymark import db, migrations
from waymark.models import Run, RunStep

from .test_reports import NOW, deliver, stream

# The columns as 0011 found them (it adds rolled_up), and before 0005 (which adds state, time_ms, …).
RUN_COLUMNS_0005 = [f for f in Run._meta.sorted_field_names if f != "rolled_up"]
STEP_COLUMNS_0005 = [f for f in RunStep._meta.sorted_field_names if f != "rolled_up"]
OLD_RUN_COLUMNS = [f for f in RUN_COLUMNS_0005 if f != "state"]
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
    runs, steps = _rows(Run, RUN_COLUMNS_0005), _rows(RunStep, STEP_COLUMNS_0005)
    old_runs, old_steps = _rows(Run, OLD_RUN_COLUMNS), _rows(RunStep, OLD_STEP_COLUMNS)

    older = db.bind(make_database_url(store))
    migrations.upgrade(older, until="0004_dashboard_sessions")
    with older.connection_context():
        Run.insert_many(old_runs, fields=[Run._meta.fields[c] for c in OLD_RUN_COLUMNS]).execute()
        RunStep.insert_many(old_steps, fields=[RunStep._meta.fields[c] for c in OLD_STEP_COLUMNS]).execute()
    assert migrations.upgrade(older, until="0005_report_columns") == ["0005_report_columns"]
    with older.connection_context():
        assert (_rows(Run, RUN_COLUMNS_0005), _rows(RunStep, STEP_COLUMNS_0005)) == (runs, steps)
    # (The next test's fixture binds the models to its own database again.)


def test_0005_keeps_a_frozen_copy_of_the_run_state_rule_that_runs_py_owns():
    """The migration's copy must say what runs.state_sql says, inside a row and in a trigger."""
    import importlib

    from waymark import runs
    frozen = importlib.import_module("waymark.migrations.0005_report_columns").RUN_STATE
    for prefix in ("", "NEW."):
        assert frozen.format(p=prefix) == runs.state_sql(prefix)
