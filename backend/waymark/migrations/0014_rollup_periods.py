"""Rollups per period (rollups.py): runs and steps counted by month and for all time as
well as by day, as times on step already were, and the daily trend in a table of its own.

A report over "All time" then reads one row per version, role and outcome (or step)
instead of one per day as well, and a date range whole months plus its edge days:
its cost stops growing with the guide's events (docs/reports.md "Rollups").

- ``rollup_run.day`` and ``rollup_step.day`` become ``period``: a day, a month or ``all``.
- ``rollup_day``: runs started and completed per guide, version, role and day (the trend).
- Every stored run and step is counted again with the rule rollups.py holds today
  (``rollups.recount``, after clearing what they were counted as): a database that already
  holds events reports the same figures after the upgrade (tests/test_migrations.py).
  ``rollup_miss`` counts events, not runs, and stays as it is.
"""
from peewee import SqliteDatabase

from .. import rollups

ROLLUP_DAY = ("k TEXT PRIMARY KEY, guide_id VARCHAR(100) NOT NULL, guide_version INTEGER NOT NULL, "
              "role VARCHAR(100), day VARCHAR(10) NOT NULL, started INTEGER NOT NULL DEFAULT 0, "
              "completed INTEGER NOT NULL DEFAULT 0")
INDEXES = {
    # A guide's rows of some periods, covering what reports read (SQLite answers from the
    # index alone, in the order the reports group by).
    "rollup_run_guide_period": "rollup_run (guide_id, period, guide_version, role, state, drop_index, "
                               "drop_step_id, runs)",
    # Every guide's rows of some periods: the guide list.
    "rollup_run_period": "rollup_run (period, guide_id, state, runs)",
    "rollup_step_guide_period": "rollup_step (guide_id, period, guide_version, role, step_index, step_id, "
                                "reached, completed)",
    "rollup_day_guide_day": "rollup_day (guide_id, day, guide_version, role, started, completed)",
    # The first and last day with runs of any guide (a date range is cut to them).
    "rollup_day_day": "rollup_day (day)",
}
COUNTED_AGAIN = ("rollup_run", "rollup_step", "rollup_step_time", "rollup_guide_time")


def upgrade(db, migrator):
    for table in ("rollup_run", "rollup_step"):
        db.execute_sql(f"DROP INDEX {table}_guide_day")
        db.execute_sql(f"ALTER TABLE {table} RENAME COLUMN day TO period")
    db.execute_sql(f"CREATE TABLE rollup_day ({ROLLUP_DAY})"
                   + (" WITHOUT ROWID" if isinstance(db, SqliteDatabase) else ""))
    for name, target in INDEXES.items():
        db.execute_sql(f"CREATE INDEX {name} ON {target}")
    for table in ("run", "run_step"):
        db.execute_sql(f"UPDATE {table} SET rolled_up = NULL WHERE rolled_up IS NOT NULL")
    for table in COUNTED_AGAIN:
        db.execute_sql(f"DELETE FROM {table}")
    rollups.recount()
