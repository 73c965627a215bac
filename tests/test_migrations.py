"""Migrations: each applies once, and 0005 gives stored runs the report columns ingest now keeps."""
import importlib

from waymark import db, migrations
from waymark.models import Run, RunStep

from .test_reports import NOW, deliver, stream

# The columns after 0005 (0011 adds rolled_up, 0012 pruned_at), and before it (0005 adds state, …).
LATER = {"rolled_up", "pruned_at"}
RUN_COLUMNS_0005 = [f for f in Run._meta.sorted_field_names if f not in LATER]
STEP_COLUMNS_0005 = [f for f in RunStep._meta.sorted_field_names if f not in LATER]
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


def test_the_rollup_migration_counts_a_database_that_already_holds_events(database, make_database_url, store):
    """A database at the schema before the rollups, with events and runs in it, reports the
    same after ``upgrade`` as before it (when reports read the runs) and as ingest keeps them."""
    from datetime import date

    from waymark.models import Event
    from waymark.reports.guides import guide_report
    from waymark.reports.summaries import guide_summaries

    deliver(stream(), 0)
    deliver(stream("other", prefix="o-"), 1)
    asked = [("expense", {}), ("expense", {"version": 1, "role": "employee"}),
             ("expense", {"date_from": date(2026, 11, 22)}), ("other", {"date_to": date(2026, 11, 21)})]
    kept = ([guide_report(g, now=NOW, **f) for g, f in asked], guide_summaries(now=NOW))
    event_fields = [Event._meta.fields[name] for name in Event._meta.sorted_field_names]
    events = list(Event.select(*event_fields).tuples())
    old_runs, old_steps = _rows(Run, RUN_COLUMNS_0005), _rows(RunStep, STEP_COLUMNS_0005)

    older = db.bind(make_database_url(store))
    before_rollups = [name for name in migrations.available() if name < "0011_rollups"]
    migrations.upgrade(older, until=before_rollups[-1])
    with older.connection_context():
        Event.insert_many(events, fields=event_fields).execute()
        _insert(Run, RUN_COLUMNS_0005, old_runs)
        _insert(RunStep, STEP_COLUMNS_0005, old_steps)
        before = [guide_report(g, now=NOW, from_runs=True, **f) for g, f in asked]
    assert [name for name in migrations.upgrade(older) if name >= "0011"] == [
        "0011_rollups", "0012_event_export", "0013_fold_behind_ingest", "0014_rollup_periods", "0015_miss_periods",
        "0016_broken_runs_by_guide", "0017_runs_of_guides_only"]
    with older.connection_context():
        after = ([guide_report(g, now=NOW, **f) for g, f in asked], guide_summaries(now=NOW))
    assert after == kept
    assert after[0] == before


def _insert(model, columns, rows):
    """Rows as read, but the columns the database computes itself (0005: state, time_ms)."""
    keep = [i for i, c in enumerate(columns) if c not in ("state", "time_ms")]
    model.insert_many([tuple(row[i] for i in keep) for row in rows],
                      fields=[model._meta.fields[columns[i]] for i in keep]).execute()


def _poison_rows():
    """Rows ingest accepted before times were bounded: year 1 in a known run, year 9999 in a new one."""
    from datetime import datetime
    from waymark.ingest import event_row
    base = {"type": "target_missing", "guide_id": "expense", "guide_version": 1, "step_id": "step-1",
            "step_index": 1, "user": "u", "role": "employee", "url": "https://x.example.com/",
            "duration_ms": None, "reason": None, "wait_ms": None, "selectors": None}
    return [event_row({**base, "id": "poison-1", "run_id": "A", "at": datetime(1, 1, 1)}, NOW),
            event_row({**base, "id": "poison-2", "run_id": "Z", "at": datetime(9999, 12, 31, 23)}, NOW)]


def test_0006_quarantines_stored_events_outside_the_window(database, make_database_url, store, monkeypatch):
    """Runs come back as if the poison had never been stored; the poison is kept aside."""
    from waymark import ingest
    from waymark import folding
    from waymark.ingest import store_events
    from waymark.reports.guides import guide_report
    from waymark.reports.summaries import guide_summaries
    from waymark.reports.targets import broken_targets
    from waymark.models import Event
    deliver(stream(), 0)
    runs, steps = _rows(Run), _rows(RunStep)
    reports = (guide_report("expense", now=NOW), broken_targets(), guide_summaries(now=NOW))
    # The rows a past ingest kept, poison included, copied into a database at 0005 (today's
    # ingest writes the rollups, which 0005 has not got).
    store_events(_poison_rows())
    folding.catch_up()
    # The event columns 0005 has (the migration's frozen copy): later ones add more.
    frozen = importlib.import_module("waymark.migrations.0006_quarantine_poison_events").EVENT_COLUMNS
    event_fields = [Event._meta.fields[name] for name in frozen]
    events = list(Event.select(*event_fields).tuples())
    old_runs, old_steps = _rows(Run, RUN_COLUMNS_0005), _rows(RunStep, STEP_COLUMNS_0005)

    older = db.bind(make_database_url(store))
    # Every migration before the quarantine (0006_document_kinds gives events the columns
    # today's ingest writes, and sorts before it).
    migrations.upgrade(older, until="0006_document_kinds")
    later = [name for name in migrations.available() if name > "0006_document_kinds"]
    # Columns later migrations add (0010's matched_by, match_score) are not written yet.
    monkeypatch.setattr(ingest, "EVENT_COLUMNS", tuple(
        column for column in ingest.EVENT_COLUMNS if column not in ("matched_by", "match_score")))
    with older.connection_context():
        Event.insert_many(events, fields=event_fields).execute()
        _insert(Run, RUN_COLUMNS_0005, old_runs)
        _insert(RunStep, STEP_COLUMNS_0005, old_steps)
        assert len(_rows(Run, RUN_COLUMNS_0005)) == len(runs) + 1
    assert migrations.upgrade(older, until="0006_quarantine_poison_events") == ["0006_quarantine_poison_events"]
    with older.connection_context():
        assert (_rows(Run, RUN_COLUMNS_0005), _rows(RunStep, STEP_COLUMNS_0005)) == \
            (_pick(runs, Run, RUN_COLUMNS_0005), _pick(steps, RunStep, STEP_COLUMNS_0005))
    migrations.upgrade(older)  # the rollups (0011) count what 0006 left
    with older.connection_context():
        assert (_rows(Run), _rows(RunStep)) == (runs, steps)
        assert (guide_report("expense", now=NOW), broken_targets(), guide_summaries(now=NOW)) == reports
        kept = older.execute_sql("SELECT id, why FROM quarantined_event ORDER BY id").fetchall()
        assert [row[0] for row in kept] == ["poison-1", "poison-2"] and "2000-01-01" in kept[0][1]
    # (The next test's fixture binds the models to its own database again.)


def _pick(rows, model, columns):
    """``rows`` of all the model's columns cut down to ``columns``."""
    names = model._meta.sorted_field_names
    return [tuple(row[names.index(c)] for c in columns) for row in rows]


def test_0013_keeps_every_event_at_its_arrival_position_and_starts_the_fold_after_them(
        database, make_database_url, store):
    """Export cursors handed out before 0013 stay valid; events stored before it were folded
    at ingest, so the fold starts after the last of them (a later one is folded, once)."""
    from tests.folded import ingest_batch
    from waymark import events, folding
    from waymark.models import Event
    deliver(stream(), 0)
    event_fields = [Event._meta.fields[name] for name in Event._meta.sorted_field_names]
    stored = list(Event.select(*event_fields).order_by(Event.id).tuples())

    older = db.bind(make_database_url(store))
    migrations.upgrade(older, until="0012_event_export")
    position = "seq" if db.is_postgres(older) else "rowid"
    with older.connection_context():
        Event.insert_many(stored, fields=event_fields).execute()
        db.execute("DELETE FROM event WHERE id = ?", [stored[3][0]], on=older)  # a gap, as a prune leaves
        before = db.query(f"SELECT {position}, id FROM event ORDER BY {position}", on=older)
        cursor = before[len(before) // 2][0]
        assert migrations.upgrade(older) == ["0013_fold_behind_ingest", "0014_rollup_periods", "0015_miss_periods",
                                             "0016_broken_runs_by_guide", "0017_runs_of_guides_only"]
        assert db.query("SELECT seq, id FROM event ORDER BY seq", on=older) == before
        assert folding.folded_position() == before[-1][0]
        page, _ = events.export_page(cursor=cursor)
        assert [event["id"] for event in page] == [event_id for _, event_id in before[len(before) // 2 + 1:]]
        ingest_batch([{**stream()[0], "id": "after-0013", "run_id": "after-0013"}])
        assert folding.folded_position() > before[-1][0]
        assert Run.select().where(Run.run_id == "after-0013").count() == 1


def test_0014_and_0015_count_by_period_a_database_already_rolled_up_by_day(database, make_database_url, store):
    """A database at 0013, its runs, steps and misses counted by day (rolled_up set, rollup
    rows keyed by day), reports the same after 0014 and 0015 as the database it was copied
    from: guide reports, the guide list and the broken targets."""
    from datetime import date

    from waymark.models import Event, RollupGuideTime, RollupStepTime
    from waymark.reports.guides import guide_report
    from waymark.reports.summaries import guide_summaries
    from waymark.reports.targets import broken_targets

    deliver(stream(), 0)
    deliver(stream("other", prefix="o-"), 1)
    asked = [("expense", {}), ("expense", {"version": 1, "role": "employee"}),
             ("expense", {"date_from": date(2026, 11, 22)}), ("other", {"date_to": date(2026, 11, 21)})]
    ranges = [{}, {"date_from": date(2026, 11, 22)}, {"date_to": date(2026, 11, 21)},
              {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30)}]

    def reported():
        return ([guide_report(g, now=NOW, **f) for g, f in asked], guide_summaries(now=NOW),
                [broken_targets(**r) for r in ranges])

    kept = reported()
    assert any(kept[2])
    copied = {model: _rows_with(model)
              for model in (Event, Run, RunStep, RollupStepTime, RollupGuideTime)}
    by_day = {table: db.query(f"SELECT {columns} FROM {table} WHERE LENGTH(period) = 10")
              for table, columns in _DAY_ROWS.items()}
    assert all(by_day.values())

    older = db.bind(make_database_url(store))
    migrations.upgrade(older, until="0013_fold_behind_ingest")
    with older.connection_context():
        for model, (fields, rows) in copied.items():
            model.insert_many(rows, fields=fields).execute()
        for table, rows in by_day.items():
            columns = _DAY_ROWS[table].replace("period", "day")
            db.execute_many(f"INSERT INTO {table} ({columns}) VALUES {db.markers(len(rows[0]))}", rows)
    assert migrations.upgrade(older) == ["0014_rollup_periods", "0015_miss_periods", "0016_broken_runs_by_guide",
                                         "0017_runs_of_guides_only"]
    with older.connection_context():
        assert reported() == kept
        assert [guide_report(g, now=NOW, from_runs=True, **f) for g, f in asked] == kept[0]
        assert [broken_targets(from_events=True, **r) for r in ranges] == kept[2]


_DAY_ROWS = {"rollup_run": "k, guide_id, guide_version, role, period, state, drop_index, drop_step_id, runs",
             "rollup_step": "k, guide_id, guide_version, role, period, step_index, step_id, reached, completed",
             "rollup_miss": "k, guide_id, guide_version, role, period, step_index, step_id, url, count, latest_at, "
                            "latest_id, latest_detail"}


def _rows_with(model):
    """``(fields, rows)`` of every stored row of ``model`` but the columns the database
    computes itself (state, time_ms)."""
    fields = [field for name, field in model._meta.fields.items() if name not in ("state", "time_ms")]
    return fields, list(model.select(*fields).tuples())


def test_0017_takes_out_the_runs_a_tips_document_was_given_and_keeps_its_misses(database, store):
    """A database where a tip's ``target_missing`` made a broken run of its tips document (the
    fold before 0017) reports after 0017 what today's fold gives: the guides' reports and the
    guide list as they were without that run, and the tip's miss still on the broken targets."""
    from tests.folded import ingest_batch
    from waymark import catalogue, rollups
    from waymark.ingest import EVENT_COLUMNS
    from waymark.reports.guides import guide_report
    from waymark.reports.summaries import guide_summaries
    from waymark.reports.targets import broken_targets
    from waymark.runs import fold, upsert_runs

    from .test_schemas_kinds import TIPS
    deliver(stream(), 0)
    catalogue.publish(TIPS)
    ingest_batch([{"id": "tip-miss", "type": "target_missing", "guide_id": TIPS["id"], "guide_version": 1,
                   "step_id": "amount", "step_index": 0, "run_id": "page-view-1", "user": "u1",
                   "role": "employee", "url": "https://expenses.example.com/reports/new",
                   "at": "2026-11-22T10:00:00Z", "wait_ms": 5000,
                   "selectors": [{"selector": "input[name=amount]", "matches": 0}]}])

    def reported():
        return guide_report("expense", now=NOW), guide_summaries(now=NOW), broken_targets()

    kept = reported()
    assert ("expense-form-help", "amount") in {(line["guide_id"], line["step_id"]) for line in kept[2]}
    # What the fold did before 0017: the tip's events folded as a run.
    names = ", ".join(f'"{column}"' for column in EVENT_COLUMNS)
    rows = [dict(zip(EVENT_COLUMNS, row)) for row in db.query(
        f"SELECT {names} FROM event WHERE guide_id = ?", [TIPS["id"]])]
    with db.write_transaction():
        rollups.count_changes(upsert_runs(*fold(rows)))
    assert TIPS["id"] in [line["guide_id"] for line in guide_summaries(now=NOW)]
    db.execute("DELETE FROM schema_migrations WHERE name = ?", ["0017_runs_of_guides_only"])

    assert migrations.upgrade(database) == ["0017_runs_of_guides_only"]
    assert reported() == kept
    assert db.query("SELECT COUNT(*) FROM run WHERE guide_id = ?", [TIPS["id"]]) == [(0,)]
    assert db.query("SELECT COUNT(*) FROM rollup_run WHERE guide_id = ? AND runs <> 0", [TIPS["id"]]) == [(0,)]
