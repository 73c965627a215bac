"""Events whose time is outside the window ingest now accepts move to ``quarantined_event``.

Before the bound (schemas/fields.py: 2000-01-01 to 3 days ahead of the clock)
an event at year 1, or at year 9999 with an extreme offset, was stored, and
its run's times then broke date arithmetic in the reports. Such rows are moved,
not deleted (an operator can look at them: docs/reports.md "Limits"), and the
runs they belonged to are folded again from their remaining events, so every
report is a function of rows ingest would accept today.
"""
from datetime import datetime, timedelta, timezone

from peewee import SqliteDatabase

from ..db import execute, markers

# Frozen copies of the window at the time of writing (schemas/fields.py owns the live one).
EARLIEST_TIME = datetime(2000, 1, 1)
FUTURE_SLACK = timedelta(days=3)
EVENT_COLUMNS = ("id", "type", "guide_id", "guide_version", "step_id", "step_index", "run_id",
                 "user", "role", "url", "at", "duration_ms", "reason", "wait_ms", "detail",
                 "received_at")
OUTSIDE = '("at" < ? OR "at" > ?)'


def upgrade(db, migrator):
    timestamp = "DATETIME" if isinstance(db, SqliteDatabase) else "TIMESTAMP"
    columns = ", ".join(f'"{column}"' for column in EVENT_COLUMNS)
    execute(f'CREATE TABLE quarantined_event AS SELECT {columns} FROM "event" WHERE 1 = 0', on=db)
    execute(f"ALTER TABLE quarantined_event ADD COLUMN quarantined_at {timestamp}", on=db)
    execute("ALTER TABLE quarantined_event ADD COLUMN why VARCHAR(200)", on=db)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    window = [EARLIEST_TIME, now + FUTURE_SLACK]
    run_ids = [run_id for (run_id,) in execute(
        f'SELECT DISTINCT run_id FROM "event" WHERE {OUTSIDE}', window, on=db).fetchall()]
    if not run_ids:
        return
    execute(f"INSERT INTO quarantined_event ({columns}, quarantined_at, why) "
            f'SELECT {columns}, ?, ? FROM "event" WHERE {OUTSIDE}',
            [now, "time outside 2000-01-01 .. 3 days ahead (migration 0006)", *window], on=db)
    execute(f'DELETE FROM "event" WHERE {OUTSIDE}', window, on=db)
    _fold_again(db, run_ids)


def _fold_again(db, run_ids):
    """Rebuild the runs (and their steps) of ``run_ids`` from the events they still have."""
    from ..runs import fold, upsert_runs
    columns = ", ".join(f'"{column}"' for column in EVENT_COLUMNS)
    for start in range(0, len(run_ids), 500):
        some = run_ids[start:start + 500]
        execute(f"DELETE FROM run_step WHERE run_id IN {markers(len(some))}", some, on=db)
        execute(f"DELETE FROM run WHERE run_id IN {markers(len(some))}", some, on=db)
        # The frozen columns, not the Event model: later migrations add columns this schema lacks.
        cursor = execute(f'SELECT {columns} FROM "event" WHERE run_id IN {markers(len(some))} '
                         f'ORDER BY id', some, on=db)
        rows = [dict(zip(EVENT_COLUMNS, row)) for row in cursor.fetchall()]
        runs, steps = fold(rows)
        upsert_runs(runs, steps, counted=False)  # no rollups before 0011: it counts every run
