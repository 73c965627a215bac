"""Folding behind ingest (folding.py): every event gets a position that is never reused,
and ``fold_state`` keeps the position up to which events are folded into runs and rollups.

- SQLite: ``event`` is rebuilt with ``seq INTEGER PRIMARY KEY AUTOINCREMENT`` (the old
  rowid, so export cursors handed out before stay valid) and ``id`` UNIQUE. A plain
  rowid could be reused after the newest event is deleted, or renumbered by VACUUM,
  and an event behind the fold position would never be folded. One writer at a time,
  so ``seq`` follows the commits.
- PostgreSQL: ``event.seq`` exists already (migration 0012, a sequence).
- ``fold_state``: one row; everything stored so far was folded at ingest, so it starts
  at the highest position.
"""
from peewee import SqliteDatabase

# The event table's columns after 0012, in order (frozen: later migrations add their own).
_COLUMNS = (
    '"id" VARCHAR(64) NOT NULL UNIQUE, "type" VARCHAR(32) NOT NULL, "guide_id" VARCHAR(100) NOT NULL, '
    '"guide_version" INTEGER NOT NULL, "step_id" VARCHAR(100), "step_index" INTEGER, '
    '"run_id" VARCHAR(64) NOT NULL, "user" VARCHAR(200) NOT NULL, "role" VARCHAR(100), "url" TEXT, '
    '"at" DATETIME NOT NULL, "duration_ms" INTEGER, "reason" VARCHAR(32), "wait_ms" INTEGER, '
    '"detail" TEXT, "received_at" DATETIME NOT NULL, action_index INTEGER, action_label VARCHAR(200), '
    'answer_choice INTEGER, answer_value INTEGER, answer_text TEXT, source_kind VARCHAR(16), '
    'source_id VARCHAR(100), matched_by VARCHAR(16), match_score REAL')
_NAMES = ('"id", "type", "guide_id", "guide_version", "step_id", "step_index", "run_id", "user", "role", '
          '"url", "at", "duration_ms", "reason", "wait_ms", "detail", "received_at", action_index, '
          'action_label, answer_choice, answer_value, answer_text, source_kind, source_id, matched_by, '
          'match_score')


def _rebuild_sqlite_event_table(db):
    indexes = [sql for (sql,) in db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event' AND sql IS NOT NULL")]
    db.execute_sql(f'CREATE TABLE event_new ("seq" INTEGER PRIMARY KEY AUTOINCREMENT, {_COLUMNS})')
    db.execute_sql(f"INSERT INTO event_new (seq, {_NAMES}) SELECT rowid, {_NAMES} FROM event ORDER BY rowid")
    db.execute_sql("DROP TABLE event")
    db.execute_sql("ALTER TABLE event_new RENAME TO event")
    for sql in indexes:
        db.execute_sql(sql)


def upgrade(db, migrator):
    if isinstance(db, SqliteDatabase):
        _rebuild_sqlite_event_table(db)
    db.execute_sql("CREATE TABLE fold_state (id INTEGER PRIMARY KEY CHECK (id = 1), position BIGINT NOT NULL)")
    db.execute_sql("INSERT INTO fold_state (id, position) SELECT 1, COALESCE(MAX(seq), 0) FROM event")
