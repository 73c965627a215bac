"""Misses per period (rollups.py): ``target_missing`` events counted by month and for all
time as well as by day, as runs, steps and times on step are since 0014.

The missing targets of a report over "All time" are then one row per version, role,
step and URL instead of one per day as well: their cost stops growing with the days
a guide has been used (docs/reports.md "Rollups").

- ``rollup_miss.day`` becomes ``period``: a day, a month or ``all`` (the event's own).
- Its indexes are by period: a guide's rows of some periods, and every guide's.
- The stored ``target_missing`` events are counted again (``rollups.recount_misses``):
  a database that already holds events reports the same after the upgrade
  (tests/test_migrations.py). Migration 0011 counted them by day until this one.
"""
from .. import rollups

INDEXES = {
    "rollup_miss_guide_period": "rollup_miss (guide_id, period)",
    "rollup_miss_period": "rollup_miss (period)",
}


def upgrade(db, migrator):
    for index in ("rollup_miss_guide_day", "rollup_miss_day"):
        db.execute_sql(f"DROP INDEX {index}")
    db.execute_sql("ALTER TABLE rollup_miss RENAME COLUMN day TO period")
    db.execute_sql("DELETE FROM rollup_miss")
    for name, target in INDEXES.items():
        db.execute_sql(f"CREATE INDEX {name} ON {target}")
    rollups.recount_misses()
