"""What the events of tips, nudges, surveys and the help panel carry (docs/contract-notes.md
"Events of the other kinds"), as columns the kind reports group by.

- ``event``: ``action_index``/``action_label`` (nudge_action), ``answer_choice``/
  ``answer_value``/``answer_text`` (survey_answered: the free text is stored
  as text, never interpreted), ``source_kind``/``source_id`` (guide_started
  from a nudge: the nudge's funnel follows its guides through them).
- ``help_event``: the help panel's events, which belong to no document and no
  run; it has no user column, because searches are reported without anyone's
  id (panel_opened keeps none either: opens are counted, not attributed).
- Partial indexes, so the kind reports read few rows: guides started from a
  source, and the answers of a document.
"""
from peewee import SqliteDatabase


def upgrade(db, migrator):
    sqlite = isinstance(db, SqliteDatabase)
    timestamp = "DATETIME" if sqlite else "TIMESTAMP"
    for column in ("action_index INTEGER", "action_label VARCHAR(200)", "answer_choice INTEGER",
                   "answer_value INTEGER", "answer_text TEXT", "source_kind VARCHAR(16)",
                   "source_id VARCHAR(100)"):
        db.execute_sql(f"ALTER TABLE event ADD COLUMN {column}")
    db.execute_sql(
        f"CREATE TABLE help_event (id VARCHAR(64) PRIMARY KEY, type VARCHAR(32) NOT NULL, "
        f"role VARCHAR(100), url TEXT, at {timestamp} NOT NULL, query VARCHAR(200), results INTEGER, "
        f"received_at {timestamp} NOT NULL)")
    db.execute_sql("CREATE INDEX help_event_type_at ON help_event (type, at)")
    db.execute_sql("CREATE INDEX event_started_from ON event (source_kind, source_id, at) "
                   "WHERE source_id IS NOT NULL")
    # The kind reports: one document's events of one type over a date range.
    db.execute_sql("CREATE INDEX event_guide_type_at ON event (guide_id, type, at)")
