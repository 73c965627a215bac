"""Runs folded at ingest (``run``, ``run_step``) and an index for missing targets.

Reports read these instead of scanning every event: see docs/reports.md for
the decision and the benchmark behind it. (No release stored events before
this migration, so there is nothing to fold here.)
"""
from peewee import CharField, CompositeKey, DateTimeField, IntegerField, Model, SqliteDatabase


def upgrade(db, migrator):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Run(Base):
        run_id = CharField(primary_key=True, max_length=64)
        guide_id = CharField(max_length=100)
        guide_version = IntegerField()
        user = CharField(max_length=200)
        role = CharField(max_length=100, null=True)
        started_at = DateTimeField()
        last_at = DateTimeField()
        step_at = DateTimeField(null=True)
        step_index = IntegerField(null=True)
        step_id = CharField(max_length=100, null=True)
        completed_at = DateTimeField(null=True)
        dismissed_at = DateTimeField(null=True)
        dismissed_step_index = IntegerField(null=True)
        dismissed_step_id = CharField(max_length=100, null=True)
        dismiss_reason = CharField(max_length=32, null=True)
        missing_at = DateTimeField(null=True)
        missing_step_index = IntegerField(null=True)
        missing_step_id = CharField(max_length=100, null=True)
        progress_at = DateTimeField(null=True)

        class Meta:
            indexes = ((("guide_id", "started_at"), False), (("started_at",), False))

    class RunStep(Base):
        run_id = CharField(max_length=64)
        step_index = IntegerField()
        step_id = CharField(max_length=100, null=True)
        reached_at = DateTimeField()
        shown_at = DateTimeField(null=True)
        completed_at = DateTimeField(null=True)
        duration_ms = IntegerField(null=True)

        class Meta:
            primary_key = CompositeKey("run_id", "step_index")
            # Reports join a guide's runs to their steps: on SQLite, rows kept in
            # primary-key order save a lookup per step (PostgreSQL has no such option).
            without_rowid = isinstance(db, SqliteDatabase)

    db.create_tables([Run, RunStep])
    # Missing targets are a small share of events: partial indexes keep their
    # reports fast without indexing every event again. Same SQL on both stores.
    db.execute_sql("CREATE INDEX IF NOT EXISTS event_target_missing_at "
                   "ON event (at) WHERE type = 'target_missing'")
    db.execute_sql("CREATE INDEX IF NOT EXISTS event_target_missing_guide "
                   "ON event (guide_id, at) WHERE type = 'target_missing'")
