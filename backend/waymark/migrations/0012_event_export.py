"""Retention and export: a mark on pruned runs, and an arrival order of events for export cursors.

- ``run.pruned_at``: when ``waymark events prune`` deleted the run's events (its row,
  steps and rollups stay, so reports over the period do not change; ``reports
  rebuild`` leaves it alone, having no events to fold).
- PostgreSQL: ``event.seq`` (a sequence, indexed). A number is taken at insert
  but seen at commit, so an export page ends at the number up to which every
  inserting transaction has finished (events.py, with ingest's advisory lock):
  nothing can appear behind a cursor. SQLite has one writer at a time, so its
  rowid already is the commit order.
"""
from peewee import SqliteDatabase


def upgrade(db, migrator):
    timestamp = "DATETIME" if isinstance(db, SqliteDatabase) else "TIMESTAMP"
    db.execute_sql(f"ALTER TABLE run ADD COLUMN pruned_at {timestamp}")
    if isinstance(db, SqliteDatabase):
        return
    db.execute_sql("ALTER TABLE event ADD COLUMN seq BIGSERIAL")
    db.execute_sql("CREATE UNIQUE INDEX event_seq ON event (seq)")
