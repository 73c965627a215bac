"""The tables. Serialisation lives in schemas/, queries in the modules that own them."""
from datetime import datetime, timezone

from peewee import (AutoField, CharField, CompositeKey, DateTimeField, ForeignKeyField,
                    IntegerField, Model, TextField)

from .db import database


def utcnow():
    """Naive UTC: both stores keep timestamps without a zone, always in UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Setting(BaseModel):
    """Small shared values every process must agree on (secret key, catalogue revision)."""
    key = CharField(primary_key=True, max_length=100)
    value = TextField()


class Token(BaseModel):
    id = AutoField()
    role = CharField(max_length=20)
    # sha256 of the token: the token itself is printed once and never stored.
    token_hash = CharField(max_length=64, unique=True)
    prefix = CharField(max_length=16, index=True)
    label = CharField(max_length=200, default="")
    created_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)


class DashboardSession(BaseModel):
    """A signed-in dashboard visitor; the cookie holds the id, the table only its sha256."""
    session_hash = CharField(primary_key=True, max_length=64)
    token_id = IntegerField(index=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(index=True)


class Guide(BaseModel):
    id = CharField(primary_key=True, max_length=100)
    status = CharField(max_length=20, default="published")  # published | archived
    latest_version = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


class GuideVersion(BaseModel):
    id = AutoField()
    guide = ForeignKeyField(Guide, backref="versions", column_name="guide_id", on_delete="CASCADE")
    version = IntegerField()
    document = TextField()  # the guide JSON as published
    served = TextField(null=True)  # as GET /api/v1/guides serves it (rendered bodies); NULL: render on read
    published_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("guide", "version"), True),)


class Event(BaseModel):
    """One step event as the extension sent it; ``id`` is the client's and makes delivery idempotent."""
    id = CharField(primary_key=True, max_length=64)
    type = CharField(max_length=32)
    guide_id = CharField(max_length=100)
    guide_version = IntegerField()
    step_id = CharField(max_length=100, null=True)
    step_index = IntegerField(null=True)
    run_id = CharField(max_length=64)
    user = CharField(max_length=200)
    role = CharField(max_length=100, null=True)
    url = TextField(null=True)
    at = DateTimeField()
    duration_ms = IntegerField(null=True)
    reason = CharField(max_length=32, null=True)
    wait_ms = IntegerField(null=True)
    detail = TextField(null=True)  # JSON: selector match counts and other extras
    received_at = DateTimeField(default=utcnow)
    # Migration 0006: what tips, nudges and surveys events carry (schemas/event.py).
    action_index = IntegerField(null=True)     # nudge_action
    action_label = CharField(max_length=200, null=True)
    answer_choice = IntegerField(null=True)    # survey_answered
    answer_value = IntegerField(null=True)
    answer_text = TextField(null=True)         # free text, stored as text, never interpreted
    source_kind = CharField(max_length=16, null=True)  # guide_started.source
    source_id = CharField(max_length=100, null=True)

    class Meta:
        indexes = (
            (("guide_id", "at"), False),
            (("run_id", "at"), False),
            (("guide_id", "type", "at"), False),
        )


class HelpEvent(BaseModel):
    """A help panel event (panel_opened, panel_search): no document, no run, and no user."""
    id = CharField(primary_key=True, max_length=64)
    type = CharField(max_length=32)
    role = CharField(max_length=100, null=True)
    url = TextField(null=True)
    at = DateTimeField()
    query = CharField(max_length=200, null=True)  # panel_search: the words, normalised
    results = IntegerField(null=True)             # panel_search: how many it found
    received_at = DateTimeField(default=utcnow)


class Run(BaseModel):
    """One employee's pass through one guide version, folded from its events at ingest.

    Every column is a merge that does not depend on arrival order (earliest,
    latest, or "the fields of the earliest/latest such event"), so events may
    arrive late, out of order, from several processes: see ingest.py and runs.py.
    """
    run_id = CharField(primary_key=True, max_length=64)
    guide_id = CharField(max_length=100)
    guide_version = IntegerField()
    user = CharField(max_length=200)
    role = CharField(max_length=100, null=True)
    started_at = DateTimeField()          # earliest event of the run
    last_at = DateTimeField()             # latest event of the run (abandonment clock)
    step_at = DateTimeField(null=True)    # latest event that names a step …
    step_index = IntegerField(null=True)  # … and that step: where the run is (or stopped)
    step_id = CharField(max_length=100, null=True)
    completed_at = DateTimeField(null=True)   # earliest guide_completed
    dismissed_at = DateTimeField(null=True)   # earliest guide_dismissed …
    dismissed_step_index = IntegerField(null=True)  # … and its step and reason
    dismissed_step_id = CharField(max_length=100, null=True)
    dismiss_reason = CharField(max_length=32, null=True)
    missing_at = DateTimeField(null=True)     # latest target_missing …
    missing_step_index = IntegerField(null=True)  # … and its step
    missing_step_id = CharField(max_length=100, null=True)
    progress_at = DateTimeField(null=True)    # latest step_shown/step_completed (recovery)
    # Generated by the database (migration 0005): 'completed', 'dismissed', 'broken'
    # or 'open', the outcome as far as it does not depend on the clock.
    state = CharField(max_length=16, null=True)

    class Meta:
        # Created by the migrations (0003, 0005), listed here as documentation.
        indexes = (
            (("guide_id", "started_at", "state", "last_at", "guide_version", "role"), False),
            (("started_at",), False),
        )


class RunStep(BaseModel):
    """One step a run reached: when first, when first completed, and how long that took."""
    run_id = CharField(max_length=64)
    step_index = IntegerField()
    step_id = CharField(max_length=100, null=True)
    reached_at = DateTimeField()              # earliest event naming this step
    shown_at = DateTimeField(null=True)       # earliest step_shown
    completed_at = DateTimeField(null=True)   # earliest step_completed …
    duration_ms = IntegerField(null=True)     # … and the duration it reported
    # Generated by the database (migration 0005): time on step, NULL until completed.
    time_ms = IntegerField(null=True)
    # The run's, copied by ingest so that reports need no join (runs.upsert_runs).
    guide_id = CharField(max_length=100, null=True)
    guide_version = IntegerField(null=True)
    role = CharField(max_length=100, null=True)
    started_at = DateTimeField(null=True)

    class Meta:
        primary_key = CompositeKey("run_id", "step_index")
        indexes = (
            (("guide_id", "step_index", "step_id", "time_ms", "started_at", "guide_version", "role"), False),
        )
