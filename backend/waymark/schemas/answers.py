"""Shapes of answers that no request schema describes, for the OpenAPI document only.

The views build these as plain dicts (reports.py documents each with a sample);
these schemas say the same in a form apispec turns into OpenAPI. Unknown fields
raise (marshmallow's default), so the document lists every field an answer has:
tests/test_openapi_answers.py loads real answers through them.
"""
from marshmallow import Schema, fields

from .event import CandidateSchema, SelectorMatchSchema
from .guide import TargetSchema
from .guide_api import ProblemSchema


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"example": "invalid_guide"})
    message = fields.String(required=True)
    details = fields.List(fields.Nested(ProblemSchema))


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})


class UnavailableSchema(Schema):
    status = fields.String(required=True, metadata={"example": "unavailable"})
    error = fields.Nested(ErrorBodySchema, required=True)


class EventResultSchema(Schema):
    id = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={"enum": ["stored", "duplicate", "rejected"]})
    errors = fields.List(fields.Nested(ProblemSchema))


class EventResultsSchema(Schema):
    results = fields.List(fields.Nested(EventResultSchema), required=True)


class EventsRejectedSchema(ErrorSchema):
    """422: ``invalid_events`` (every event was rejected: the error and the same results)
    or ``invalid_batch`` (no results)."""
    results = fields.List(fields.Nested(EventResultSchema))


class DroppedSchema(Schema):
    dismissed = fields.Integer()
    abandoned = fields.Integer()
    broken = fields.Integer()


class StepTimeSchema(Schema):
    p50 = fields.Integer(allow_none=True)
    p90 = fields.Integer(allow_none=True)


class StepReportSchema(Schema):
    step_id = fields.String(allow_none=True)
    index = fields.Integer()
    title = fields.String(allow_none=True)
    reached = fields.Integer()
    completed = fields.Integer()
    dropped = fields.Nested(DroppedSchema)
    drop_rate = fields.Float(metadata={"description": "dropped / reached, 0 when none reached"})
    time_ms = fields.Nested(StepTimeSchema)


class TrendDaySchema(Schema):
    date = fields.String(required=True, metadata={"format": "date"})
    started = fields.Integer()
    completed = fields.Integer()


class MissingTargetSchema(Schema):
    step_id = fields.String(allow_none=True)
    index = fields.Integer(allow_none=True)
    count = fields.Integer()
    urls = fields.List(fields.String())
    last_seen = fields.String(metadata={"format": "date-time"})


class GuideReportSchema(Schema):
    guide_id = fields.String(required=True)
    version = fields.Integer(allow_none=True)
    runs = fields.Integer()
    completed = fields.Integer()
    dismissed = fields.Integer()
    abandoned = fields.Integer()
    broken = fields.Integer()
    in_progress = fields.Integer()
    completion_rate = fields.Float()
    steps = fields.List(fields.Nested(StepReportSchema))
    trend = fields.List(fields.Nested(TrendDaySchema), metadata={"description": "a line per day"})
    missing_targets = fields.List(fields.Nested(MissingTargetSchema))


class GuideSummaryLineSchema(Schema):
    guide_id = fields.String(required=True)
    runs = fields.Integer()
    completed = fields.Integer()
    dismissed = fields.Integer()
    abandoned = fields.Integer()
    broken = fields.Integer()
    in_progress = fields.Integer()
    completion_rate = fields.Float()
    recently_broken = fields.Boolean()


class GuideSummariesSchema(Schema):
    guides = fields.List(fields.Nested(GuideSummaryLineSchema), required=True)


class BrokenTargetSchema(Schema):
    guide_id = fields.String(required=True)
    guide_version = fields.Integer()
    step_id = fields.String(allow_none=True)
    step_index = fields.Integer(allow_none=True)
    count = fields.Integer()
    urls = fields.List(fields.String())
    last_seen = fields.String(metadata={"format": "date-time"})
    selectors = fields.List(fields.Nested(SelectorMatchSchema))
    candidates = fields.List(fields.Nested(CandidateSchema))


class DegradedTargetSchema(Schema):
    """A step shown only thanks to a fallback or to healing (reports.degraded_targets)."""
    guide_id = fields.String(required=True)
    guide_version = fields.Integer()
    step_id = fields.String(allow_none=True)
    step_index = fields.Integer(allow_none=True)
    count = fields.Integer()
    fallback = fields.Integer()
    healed = fields.Integer()
    urls = fields.List(fields.String())
    first_seen = fields.String()
    last_seen = fields.String()
    matched_by = fields.String()
    score = fields.Float(allow_none=True)
    candidate = fields.Nested(TargetSchema, allow_none=True)


class BrokenTargetsSchema(Schema):
    broken_targets = fields.List(fields.Nested(BrokenTargetSchema), required=True)
    degraded = fields.List(fields.Nested(DegradedTargetSchema), required=True)


class AdoptedTargetSchema(Schema):
    """The version published by adopting a step's healed target."""
    id = fields.String(required=True)
    version = fields.Integer(required=True)
    created = fields.Boolean(required=True)
    step_id = fields.String(required=True)
    target = fields.Nested(TargetSchema, required=True)


class ExportedEventSchema(Schema):
    """A stored event as the export gives it (``waymark events export`` writes the same)."""
    id = fields.String(required=True)
    type = fields.String(required=True)
    guide_id = fields.String(required=True)
    guide_version = fields.Integer(required=True)
    step_id = fields.String(allow_none=True)
    step_index = fields.Integer(allow_none=True)
    run_id = fields.String(required=True)
    user = fields.String(required=True, metadata={"description": "empty once the run was pruned"})
    role = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    at = fields.String(required=True, metadata={"example": "2026-11-22T10:31:07.123Z"})
    duration_ms = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    wait_ms = fields.Integer(allow_none=True)
    detail = fields.Dict(allow_none=True, metadata={"description": "selectors and unknown fields"})
    received_at = fields.String(required=True)
    matched_by = fields.String(allow_none=True, metadata={"description": "step_shown: selector, fallback or healed"})
    match_score = fields.Float(allow_none=True, metadata={"description": "step_shown healed: the healing score"})
    action_index = fields.Integer(allow_none=True, metadata={"description": "nudge_action: the action's index"})
    action_label = fields.String(allow_none=True, metadata={"description": "nudge_action: the action's label"})
    answer_choice = fields.Integer(allow_none=True, metadata={"description": "survey_answered: the choice's index"})
    answer_value = fields.Integer(allow_none=True, metadata={"description": "survey_answered: the scale's value"})
    answer_text = fields.String(allow_none=True, metadata={"description": "survey_answered: the free text"})
    source_kind = fields.String(allow_none=True, metadata={"description": "guide_started: what started it"})
    source_id = fields.String(allow_none=True, metadata={"description": "guide_started: the nudge's id"})


class EventExportPageSchema(Schema):
    events = fields.List(fields.Nested(ExportedEventSchema), required=True)
    next_cursor = fields.Integer(allow_none=True, metadata={
        "description": "ask again with it for the events after this page (also once more arrive)"})
    more = fields.Boolean(required=True, metadata={"description": "a full page: more may follow now"})
