"""The tables. Serialisation lives in schemas/, queries in the modules that own them."""
from datetime import datetime, timezone

from peewee import (AutoField, CharField, CompositeKey, DateTimeField, FloatField, ForeignKeyField,
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
    """One step event as the extension sent it; ``id`` is the client's and makes delivery idempotent.

    The table also has ``seq``, the event's arrival position (migration 0013), which the
    database assigns and folding.py and the export read; the model leaves it out."""
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
    detail = TextField(null=True)  # JSON: selector match counts, healed target, other extras
    # How a step_shown found its target (migration 0010): selector | fallback | healed.
    matched_by = CharField(max_length=16, null=True)
    match_score = FloatField(null=True)
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
    """One employee's pass through one guide version, folded from its events (folding.py).

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
    # The rollup key the run is counted under (JSON; rollups.py, migration 0011).
    rolled_up = TextField(null=True)
    # When its events were pruned (events.py, migration 0012): nothing left to fold again.
    pruned_at = DateTimeField(null=True)

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
    # The rollup key and time the step is counted under (JSON; rollups.py, migration 0011).
    rolled_up = TextField(null=True)

    class Meta:
        primary_key = CompositeKey("run_id", "step_index")
        indexes = (
            (("guide_id", "step_index", "step_id", "time_ms", "started_at", "guide_version", "role"), False),
        )


# -- alerts (migration 0009, docs/alerts.md; queries in alerts.py) -------------

class AlertDue(BaseModel):
    """A step ingest saw a target_missing for, until a background check takes it."""
    guide_id = CharField(max_length=100)
    step_id = CharField(max_length=100)
    due_at = DateTimeField()

    class Meta:
        primary_key = CompositeKey("guide_id", "step_id")


class AlertState(BaseModel):
    """Whether a step is alerting; ``episode`` counts its firings (one post each)."""
    guide_id = CharField(max_length=100)
    step_id = CharField(max_length=100)
    state = CharField(max_length=16)  # ok | alerting
    episode = IntegerField()
    broken_runs = IntegerField(null=True)
    changed_at = DateTimeField(null=True)
    recovered_at = DateTimeField(null=True)

    class Meta:
        primary_key = CompositeKey("guide_id", "step_id")


class AlertOutbox(BaseModel):
    """One post to make once (``key`` unique), retried with backoff until sent."""
    id = AutoField()
    key = CharField(max_length=300, unique=True)
    kind = CharField(max_length=16)  # failing | recovered
    channel = CharField(max_length=16)  # webhook | email
    payload = TextField()
    created_at = DateTimeField()
    next_attempt_at = DateTimeField()
    attempts = IntegerField(default=0)
    claimed_until = DateTimeField(null=True)
    sent_at = DateTimeField(null=True)
    failed_at = DateTimeField(null=True)
    last_error = TextField(null=True)


# -- rollups (rollups.py owns them; created by migrations 0011 and 0014) ----------------
# ``k`` is the key columns as JSON: one unique column, since the key's NULLs (no role, no
# drop step) would make a unique index over the columns themselves never conflict.

class RollupRun(BaseModel):
    """Runs per guide, version, role, period started (day, month or 'all'; migration 0014),
    clock-free state and drop step."""
    k = TextField(primary_key=True)
    guide_id = CharField(max_length=100)
    guide_version = IntegerField()
    role = CharField(max_length=100, null=True)
    period = CharField(max_length=10)
    state = CharField(max_length=16)
    drop_index = IntegerField(null=True)
    drop_step_id = CharField(max_length=100, null=True)
    runs = IntegerField(default=0)


class RollupStep(BaseModel):
    """Runs that reached and that completed a step, per guide, version, role, period started
    (day, month or 'all'), step."""
    k = TextField(primary_key=True)
    guide_id = CharField(max_length=100)
    guide_version = IntegerField()
    role = CharField(max_length=100, null=True)
    period = CharField(max_length=10)
    step_index = IntegerField()
    step_id = CharField(max_length=100, null=True)
    reached = IntegerField(default=0)
    completed = IntegerField(default=0)


class RollupDay(BaseModel):
    """Runs started and runs completed per guide, version, role and day started (migration 0014)."""
    k = TextField(primary_key=True)
    guide_id = CharField(max_length=100)
    guide_version = IntegerField()
    role = CharField(max_length=100, null=True)
    day = CharField(max_length=10)
    started = IntegerField(default=0)
    completed = IntegerField(default=0)


class RollupStepTime(BaseModel):
    """A bucket of the time-on-step histogram of a period (day, month or 'all')."""
    k = TextField(primary_key=True)
    period = CharField(max_length=10)
    guide_id = CharField(max_length=100)
    guide_version = IntegerField()
    role = CharField(max_length=100, null=True)
    step_index = IntegerField()
    step_id = CharField(max_length=100, null=True)
    bucket = IntegerField()
    count = IntegerField(default=0)
    least_ms = IntegerField(null=True)
    greatest_ms = IntegerField(null=True)


class RollupGuideTime(BaseModel):
    """rollup_step_time summed over versions and roles (a report filtered by neither)."""
    k = TextField(primary_key=True)
    guide_id = CharField(max_length=100)
    period = CharField(max_length=10)
    step_index = IntegerField()
    step_id = CharField(max_length=100, null=True)
    bucket = IntegerField()
    count = IntegerField(default=0)
    least_ms = IntegerField(null=True)
    greatest_ms = IntegerField(null=True)


class RollupMiss(BaseModel):
    """``target_missing`` events per guide, version, role, period (day, month or all), step
    and URL, with the latest one."""
    k = TextField(primary_key=True)
    guide_id = CharField(max_length=100)
    guide_version = IntegerField()
    role = CharField(max_length=100, null=True)
    period = CharField(max_length=10)
    step_index = IntegerField(null=True)
    step_id = CharField(max_length=100, null=True)
    url = TextField(null=True)
    count = IntegerField(default=0)
    latest_at = DateTimeField()
    latest_id = CharField(max_length=64)
    latest_detail = TextField(null=True)
