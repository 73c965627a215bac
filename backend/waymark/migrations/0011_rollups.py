"""Rollup tables (rollups.py): reports read counts per guide, version, role, day and step
instead of scanning a guide's runs, and time-on-step percentiles from histograms.

Adds ``rolled_up`` to run and run_step (what the rollups count the row as), the
five rollup tables, and a partial index of open runs by last activity (the
few still inside the abandonment window are subtracted from the open counts).
Counts nothing itself: the runs and steps are counted by migration 0014 and the
stored ``target_missing`` events by 0015, which give the tables the shape
rollups.py writes today (``rollups.recount``, ``rollups.recount_misses``): a
database that already holds events reports the same figures after the upgrade
(tests/test_migrations.py).
"""
from peewee import SqliteDatabase

KEY_COLUMNS = "k TEXT PRIMARY KEY, guide_id VARCHAR(100) NOT NULL, guide_version INTEGER NOT NULL, role VARCHAR(100)"
TABLES = {
    "rollup_run": f"{KEY_COLUMNS}, day VARCHAR(10) NOT NULL, state VARCHAR(16) NOT NULL, "
                  "drop_index INTEGER, drop_step_id VARCHAR(100), runs INTEGER NOT NULL DEFAULT 0",
    "rollup_step": f"{KEY_COLUMNS}, day VARCHAR(10) NOT NULL, step_index INTEGER NOT NULL, "
                   "step_id VARCHAR(100), reached INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0",
    "rollup_step_time": f"{KEY_COLUMNS}, period VARCHAR(10) NOT NULL, step_index INTEGER NOT NULL, "
                        "step_id VARCHAR(100), bucket INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 0, "
                        "least_ms INTEGER, greatest_ms INTEGER",
    "rollup_guide_time": "k TEXT PRIMARY KEY, guide_id VARCHAR(100) NOT NULL, period VARCHAR(10) NOT NULL, "
                         "step_index INTEGER NOT NULL, step_id VARCHAR(100), bucket INTEGER NOT NULL, "
                         "count INTEGER NOT NULL DEFAULT 0, least_ms INTEGER, greatest_ms INTEGER",
    "rollup_miss": f"{KEY_COLUMNS}, day VARCHAR(10) NOT NULL, step_index INTEGER, step_id VARCHAR(100), "
                   "url TEXT, count INTEGER NOT NULL DEFAULT 0, latest_at {timestamp} NOT NULL, "
                   "latest_id VARCHAR(64) NOT NULL, latest_detail TEXT",
}
INDEXES = {
    # A guide's rows of a date range (or of some periods), covering what reports read:
    # SQLite answers from the index alone, in the order the reports group by.
    "rollup_run_guide_day": "rollup_run (guide_id, day, guide_version, role, state, drop_index, "
                            "drop_step_id, runs)",
    "rollup_step_guide_day": "rollup_step (guide_id, day, guide_version, role, step_index, step_id, "
                             "reached, completed)",
    "rollup_step_time_guide_period": "rollup_step_time (guide_id, period, step_index, step_id, bucket, "
                                     "guide_version, role, count, least_ms, greatest_ms)",
    "rollup_guide_time_guide_period": "rollup_guide_time (guide_id, period, step_index, step_id, bucket, "
                                      "count, least_ms, greatest_ms)",
    "rollup_miss_guide_day": "rollup_miss (guide_id, day)",
    "rollup_miss_day": "rollup_miss (day)",
}


def upgrade(db, migrator):
    sqlite = isinstance(db, SqliteDatabase)
    for table in ("run", "run_step"):
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN rolled_up TEXT")
    timestamp = "DATETIME" if sqlite else "TIMESTAMP"
    for table, columns in TABLES.items():
        db.execute_sql(f"CREATE TABLE {table} ({columns.replace('{timestamp}', timestamp)})"
                       + (" WITHOUT ROWID" if sqlite else ""))
    for name, target in INDEXES.items():
        db.execute_sql(f"CREATE INDEX {name} ON {target}")
    # Open runs by their last event: the in-progress ones are the newest few.
    db.execute_sql("CREATE INDEX run_open_last_at ON run (last_at) WHERE state = 'open'")
