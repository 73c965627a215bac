"""Columns and indexes that let the reports answer from indexes alone.

At 10^6 events the hot guide's all-time report spent ~260 ms reading its ~90k
run steps into Python for the percentiles, and the all-time guide list ~180 ms
working out every run's outcome with a CASE over five timestamps. So:

- ``run.state``: the outcome that does not depend on the clock: 'completed',
  'dismissed', 'broken' or 'open' (open becomes abandoned or in progress by
  ``last_at`` at query time).
- ``run_step.time_ms``: time on step (the duration the extension reported, else
  first shown or reached → first completed; NULL until completed).
- ``run_step.guide_id, guide_version, role, started_at``: copies of the run's,
  kept equal by ingest (runs.upsert_runs), so a guide's step figures and their
  filters need no join.
- Indexes on those, in the order the reports group and sort: a percentile is
  then an ``ORDER BY time_ms LIMIT 1 OFFSET k`` walk over one index range.

``state`` and ``time_ms`` are kept by the database, whatever path writes a row:
on PostgreSQL as generated (STORED) columns; on SQLite as plain columns kept
by triggers, because SQLite (3.40) does not read an index on a generated column
as covering when the expression uses columns outside the index, and went back
to the table for every step (the hot guide's report got slower, 260 → 330 ms).
"""
from peewee import SqliteDatabase

# ``{p}`` prefixes every column: "" inside the row, "NEW." in a trigger.
# A frozen copy of runs.state_sql (a migration must not change when the code does);
# tests/test_migrations.py fails if the two ever say different things.
RUN_STATE = ("CASE WHEN {p}completed_at IS NOT NULL AND ({p}dismissed_at IS NULL "
             "OR {p}completed_at <= {p}dismissed_at) THEN 'completed' "
             "WHEN {p}dismissed_at IS NOT NULL THEN 'dismissed' "
             "WHEN {p}missing_at IS NOT NULL AND ({p}progress_at IS NULL OR {p}progress_at <= {p}missing_at) "
             "THEN 'broken' ELSE 'open' END")
RUN_STATE_INPUTS = ("completed_at", "dismissed_at", "missing_at", "progress_at")
STEP_TIME_INPUTS = ("completed_at", "shown_at", "reached_at", "duration_ms")


def _step_time_ms(sqlite, p=""):
    start = f"COALESCE({p}shown_at, {p}reached_at)"
    if sqlite:
        elapsed = f"CAST(ROUND((julianday({p}completed_at) - julianday({start})) * 86400000) AS INTEGER)"
        greatest = "max"
    else:
        elapsed = f"CAST(EXTRACT(EPOCH FROM ({p}completed_at - {start})) * 1000 AS INTEGER)"
        greatest = "GREATEST"
    return (f"CASE WHEN {p}completed_at IS NULL THEN NULL "
            f"ELSE {greatest}(0, COALESCE({p}duration_ms, {elapsed})) END")


def _add_postgres_generated_columns(db):
    db.execute_sql(f"ALTER TABLE run ADD COLUMN state VARCHAR(16) "
                   f"GENERATED ALWAYS AS ({RUN_STATE.format(p='')}) STORED")
    db.execute_sql(f"ALTER TABLE run_step ADD COLUMN time_ms INTEGER "
                   f"GENERATED ALWAYS AS ({_step_time_ms(False)}) STORED")


def _add_sqlite_kept_columns(db):
    _add_kept_column(db, "run", "run_id = NEW.run_id", "state VARCHAR(16)", RUN_STATE.format,
                     RUN_STATE_INPUTS)
    _add_kept_column(db, "run_step", "run_id = NEW.run_id AND step_index = NEW.step_index",
                     "time_ms INTEGER", lambda p: _step_time_ms(True, p), STEP_TIME_INPUTS)


def _add_kept_column(db, table, same_row, column, expression, inputs):
    """A column filled now and kept equal to ``expression`` by triggers after every write."""
    name = column.split()[0]
    db.execute_sql(f"ALTER TABLE {table} ADD COLUMN {column}")
    db.execute_sql(f"UPDATE {table} SET {name} = {expression(p='')}")
    keep = (f"WHEN ({expression(p='NEW.')}) IS NOT NEW.{name} "
            f"BEGIN UPDATE {table} SET {name} = {expression(p='')} WHERE {same_row}; END")
    db.execute_sql(f"CREATE TRIGGER {table}_{name}_on_insert AFTER INSERT ON {table} {keep}")
    db.execute_sql(f"CREATE TRIGGER {table}_{name}_on_update "
                   f"AFTER UPDATE OF {', '.join(inputs)} ON {table} {keep}")


def upgrade(db, migrator):
    sqlite = isinstance(db, SqliteDatabase)
    if sqlite:
        _add_sqlite_kept_columns(db)
    else:
        _add_postgres_generated_columns(db)
    timestamp = "DATETIME" if sqlite else "TIMESTAMP"
    for column in ("guide_id VARCHAR(100)", "guide_version INTEGER", "role VARCHAR(100)",
                   f"started_at {timestamp}"):
        db.execute_sql(f"ALTER TABLE run_step ADD COLUMN {column}")
    db.execute_sql(
        "UPDATE run_step SET guide_id = r.guide_id, guide_version = r.guide_version, role = r.role, "
        "started_at = r.started_at FROM run r WHERE r.run_id = run_step.run_id")
    # A guide's runs by start (date filters, the trend) with what the outcome
    # counts need; it replaces the narrower (guide_id, started_at) index.
    db.execute_sql("DROP INDEX IF EXISTS run_guide_id_started_at")
    db.execute_sql("CREATE INDEX run_report ON run "
                   "(guide_id, started_at, state, last_at, guide_version, role)")
    # A guide's steps grouped by step, each ordered by time on step.
    db.execute_sql("CREATE INDEX run_step_report ON run_step "
                   "(guide_id, step_index, step_id, time_ms, started_at, guide_version, role)")
