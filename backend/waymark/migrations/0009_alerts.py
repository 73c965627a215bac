"""Alert state and outbox (docs/alerts.md), and an index to count a step's broken runs.

- ``alert_due``: steps ingest saw a ``target_missing`` for, waiting to be
  checked by a background thread (ingest only inserts a row; the count and the
  post happen elsewhere).
- ``alert_state``: one row per step ever checked: ``ok`` or ``alerting``, the
  episode number (each firing is one), and when it last recovered.
- ``alert_outbox``: messages to send, each once (``key`` is unique: one per
  alert and ``channel``, webhook or email), retried with backoff; a process
  claims a row by setting ``claimed_until``.
"""
from peewee import SqliteDatabase


def upgrade(db, migrator):
    sqlite = isinstance(db, SqliteDatabase)
    timestamp = "DATETIME" if sqlite else "TIMESTAMP"
    serial = "INTEGER PRIMARY KEY AUTOINCREMENT" if sqlite else "SERIAL PRIMARY KEY"
    db.execute_sql(f"CREATE TABLE alert_due (guide_id VARCHAR(100) NOT NULL, "
                   f"step_id VARCHAR(100) NOT NULL, due_at {timestamp} NOT NULL, "
                   f"PRIMARY KEY (guide_id, step_id))")
    db.execute_sql(f"CREATE TABLE alert_state (guide_id VARCHAR(100) NOT NULL, "
                   f"step_id VARCHAR(100) NOT NULL, state VARCHAR(16) NOT NULL, "
                   f"episode INTEGER NOT NULL, broken_runs INTEGER, changed_at {timestamp}, "
                   f"recovered_at {timestamp}, PRIMARY KEY (guide_id, step_id))")
    db.execute_sql(f"CREATE TABLE alert_outbox (id {serial}, key VARCHAR(300) NOT NULL UNIQUE, "
                   f"kind VARCHAR(16) NOT NULL, channel VARCHAR(16) NOT NULL, payload TEXT NOT NULL, "
                   f"created_at {timestamp} NOT NULL, next_attempt_at {timestamp} NOT NULL, "
                   f"attempts INTEGER NOT NULL DEFAULT 0, claimed_until {timestamp}, "
                   f"sent_at {timestamp}, failed_at {timestamp}, last_error TEXT)")
    db.execute_sql("CREATE INDEX alert_outbox_pending ON alert_outbox (sent_at, failed_at, next_attempt_at)")
    # A step's broken runs in a window: runs by guide, the step they broke at, when.
    db.execute_sql("CREATE INDEX run_missing_step ON run (guide_id, missing_step_id, missing_at)")
