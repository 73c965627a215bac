"""Retention and export: a mark on pruned runs, and an arrival order of events for export cursors.

- ``run.pruned_at``: when ``waymark events prune`` deleted the run's events (its row,
  steps and rollups stay, so reports over the period do not change; ``reports
  rebuild`` leaves it alone, having no events to fold).
- PostgreSQL: ``event.seq`` (a sequence) and ``event.txid`` (the inserting
  transaction). A sequence number is taken at insert but becomes visible at
  commit, so a later number can be seen before an earlier one; an export page
  therefore ends before the oldest transaction still running
  (``pg_snapshot_xmin``), and pages follow ``(txid, seq)``: nothing can appear
  behind a cursor. SQLite has one writer at a time, so its rowid already is the
  commit order.
"""
from peewee import SqliteDatabase


def upgrade(db, migrator):
    timestamp = "DATETIME" if isinstance(db, SqliteDatabase) else "TIMESTAMP"
    db.execute_sql(f"ALTER TABLE run ADD COLUMN pruned_at {timestamp}")
    if isinstance(db, SqliteDatabase):
        return
    db.execute_sql("ALTER TABLE event ADD COLUMN seq BIGSERIAL")
    db.execute_sql("ALTER TABLE event ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id()")
    db.execute_sql("CREATE INDEX event_arrival ON event (txid, seq)")
