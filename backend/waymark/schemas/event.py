"""Events v1: what the extension sends, validated one event at a time.

A batch is ``{"events": [...]}``. The batch's shape is checked first
(``EventBatchSchema``); then each event is validated on its own
(``validate_events``), so one bad event never drops the good ones beside it.

Unknown fields: a newer extension may send a field this service does not know
yet. Rejecting the event would lose it for good (rejected events are never
retried), so unknown fields are accepted and kept in ``extra`` as long as they
are small (``MAX_EXTRA_FIELDS`` keys, ``MAX_EXTRA_BYTES`` of JSON); anything
bigger rejects the event. Known fields are strict: wrong types, unknown event
types and oversize strings reject the event with the path of the problem.
"""
import json
import re

from marshmallow import (EXCLUDE, RAISE, Schema, ValidationError, fields, post_load, pre_load, validate,
                         validates_schema)

from .fields import SafeSchema, Timestamp, input_problems

from .guide import TargetSchema

EVENT_TYPES = ("guide_started", "step_shown", "step_completed", "step_back",
               "target_missing", "guide_dismissed", "guide_completed")
DISMISS_REASONS = ("close_button", "escape", "replaced", "other")
# Events about one step must say which; the others may (a dismissal says where it happened).
STEP_TYPES = ("step_shown", "step_completed", "step_back", "target_missing")

MATCHED_BY = ("selector", "fallback", "healed")
# Events that say how their target was found (tip_shown too, once tips exist).
MATCHED_TYPES = ("step_shown",)
MAX_CANDIDATES = 5

MAX_EXTRA_FIELDS = 20
MAX_EXTRA_BYTES = 4096
MAX_SELECTORS = 20

CLIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")


def _client_id(max_length):
    return fields.String(required=True, validate=[
        validate.Length(min=1, max=max_length),
        validate.Regexp(CLIENT_ID, error="must be letters, digits and . _ : - only")])


class SelectorMatchSchema(SafeSchema):
    """How many elements one selector matched when the target was looked for."""

    class Meta:
        unknown = RAISE

    selector = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    matches = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100000))


class HealedTarget(fields.Field):
    """The healed element's fresh target, in the guide format; one this service cannot
    read (a newer describe version, a selector it refuses) is dropped, not the event:
    the step was shown either way, and only adopting it needs the target."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return TargetSchema().load(value)
        except ValidationError:
            return None


class CandidateSchema(SafeSchema):
    """One element a target_missing considered and turned down, with its healing score."""

    class Meta:
        unknown = RAISE

    score = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0, max=1))
    label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class EventSchema(SafeSchema):
    """One event, as docs/contract-notes.md "Events" defines it (events, version 1)."""

    class Meta:
        unknown = RAISE  # unknown keys are moved to ``extra`` in pre_load first

    id = _client_id(64)
    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    guide_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    guide_version = fields.Integer(required=True, strict=True,
                                   validate=validate.Range(min=1, max=1_000_000))
    step_id = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(min=1, max=100))
    step_index = fields.Integer(load_default=None, allow_none=True, strict=True,
                                validate=validate.Range(min=0, max=1000))
    run_id = _client_id(64)
    user = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    url = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4096))
    at = Timestamp(required=True)
    duration_ms = fields.Integer(load_default=None, allow_none=True, strict=True,
                                 validate=validate.Range(min=0, max=2_000_000_000))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(DISMISS_REASONS))
    wait_ms = fields.Integer(load_default=None, allow_none=True, strict=True,
                             validate=validate.Range(min=0, max=2_000_000_000))
    selectors = fields.List(fields.Nested(SelectorMatchSchema), load_default=None, allow_none=True,
                            validate=validate.Length(max=MAX_SELECTORS))
    # How the target was found (PRODUCT.md "Targets that survive a redesign").
    matched_by = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(MATCHED_BY))
    score = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                         validate=validate.Range(min=0, max=1))
    healed_target = HealedTarget(load_default=None, allow_none=True)
    candidates = fields.List(fields.Nested(CandidateSchema), load_default=None, allow_none=True,
                             validate=validate.Length(max=MAX_CANDIDATES))
    extra = fields.Dict(load_default=None)

    @pre_load
    def move_unknown_fields_to_extra(self, data, **kwargs):
        if not isinstance(data, dict):
            return data  # marshmallow reports "Invalid input type"
        known = {name for name in self.fields if name != "extra"}
        extra = {key: value for key, value in data.items() if key not in known}
        data = {key: value for key, value in data.items() if key in known}
        if extra:
            data["extra"] = extra
        return data

    @validates_schema
    def check_rules_between_fields(self, data, **kwargs):
        kind = data.get("type")
        if kind in STEP_TYPES:
            for name in ("step_id", "step_index"):
                if data.get(name) is None:
                    raise ValidationError(f"required on a {kind} event", name)
        if kind == "guide_dismissed" and data.get("reason") is None:
            raise ValidationError("required on a guide_dismissed event: one of "
                                  + ", ".join(DISMISS_REASONS), "reason")
        if kind != "guide_dismissed" and data.get("reason") is not None:
            raise ValidationError("only a guide_dismissed event carries a reason", "reason")
        self._check_matching_fields(kind, data)
        extra = data.get("extra") or {}
        if len(extra) > MAX_EXTRA_FIELDS:
            raise ValidationError(f"at most {MAX_EXTRA_FIELDS} fields beyond the contract's", "_schema")
        if extra and len(json.dumps(extra)) > MAX_EXTRA_BYTES:
            raise ValidationError(
                f"fields beyond the contract's ({', '.join(sorted(extra))[:200]}) "
                f"exceed {MAX_EXTRA_BYTES} bytes", "_schema")

    @staticmethod
    def _check_matching_fields(kind, data):
        matched_by = data.get("matched_by")
        if matched_by is not None and kind not in MATCHED_TYPES:
            raise ValidationError(f"only a {', '.join(MATCHED_TYPES)} event says how its target "
                                  "was found", "matched_by")
        if matched_by == "healed" and data.get("score") is None:
            raise ValidationError("required when matched_by is healed", "score")
        for name in ("score", "healed_target"):
            if data.get(name) is not None and matched_by != "healed":
                raise ValidationError("only when matched_by is healed", name)
        if data.get("candidates") is not None and kind != "target_missing":
            raise ValidationError("only a target_missing event lists candidates", "candidates")

    @post_load
    def drop_empty_extra(self, data, **kwargs):
        if not data.get("extra"):
            data.pop("extra", None)
        return data


class EventBatchSchema(Schema):
    """The batch envelope; each event in it is validated on its own by ``validate_events``.

    Not a SafeSchema: a bad text in one event rejects that event, not the batch.
    """

    class Meta:
        unknown = EXCLUDE  # room for batch-level metadata later (client version, …)

    events = fields.List(fields.Raw(), required=True)


class BatchTooLarge(ValidationError):
    """More events in a batch than the service takes at once (the API answers 413)."""


_event_schema = EventSchema()
_batch_schema = EventBatchSchema()


def load_batch(data, max_events):
    """Check the batch envelope; return the raw events or raise ValidationError with paths
    (BatchTooLarge when it holds more than ``max_events``)."""
    batch = _batch_schema.load(data)
    events = batch["events"]
    if len(events) > max_events:
        raise BatchTooLarge({"events": [f"a batch holds at most {max_events} events; "
                                        f"this one has {len(events)}: send it in parts"]})
    return events


def validate_events(raw_events):
    """Validate each event on its own: a list of ``(event or None, messages or None)``.

    An event goes through ``fast_load`` first; whatever it does not accept (a bad
    event, selectors, unknown fields) goes through the schema, which alone words errors.
    """
    checked = []
    for raw in raw_events:
        event = fast_load(raw)
        if event is not None:
            checked.append((event, None))
            continue
        try:
            checked.append((_event_schema.load(raw), None))
        except ValidationError as error:
            checked.append((None, error.messages))
    return checked


# -- the fast path -------------------------------------------------------------
# marshmallow's Schema.load costs ~65 µs an event, as long as storing it; this path ~23.
# It is made from EventSchema's own fields (their types, required/allow_none,
# defaults and validator objects) and calls the schema's own cross-field rule, so
# there is no second definition of an event: it only ever *accepts* what the schema
# would load, with the same result, and hands everything else to the schema.
# tests/test_schemas_event.py holds the two equal on a corpus of good and bad events.

class _Slow(Exception):
    """Not for the fast path: let the schema decide (and word the errors)."""


def _field_check(name, field):
    """A function of the raw value (or ``missing``) returning the loaded value, or raising _Slow."""
    validators = list(field.validators)
    if isinstance(field, Timestamp):
        def convert(value):
            try:
                return field._deserialize(value, name, None)
            except ValidationError:
                raise _Slow from None
    elif type(field) is fields.Integer and field.strict:
        def convert(value):
            if type(value) is not int:  # bool and float go to the schema
                raise _Slow
            return value
    elif type(field) is fields.String:
        def convert(value):
            if type(value) is not str:
                raise _Slow
            return value
    else:
        convert = None  # lists, dicts, other field classes: only their absence is fast
    default = field.load_default

    def check(value):
        if value is _MISSING:
            if field.required or callable(default):
                raise _Slow
            return default
        if value is None:
            if not field.allow_none:
                raise _Slow
            return None
        if convert is None:
            raise _Slow
        loaded = convert(value)
        for validator in validators:
            try:
                validator(loaded)
            except ValidationError:
                raise _Slow from None
        return loaded
    return check


_MISSING = object()
# ``extra`` is not a field an event sends: the schema's pre_load fills it from unknown keys.
_CHECKS = {name: _field_check(name, field) for name, field in _event_schema.fields.items() if name != "extra"}


def fast_load(raw):
    """``raw`` loaded as ``EventSchema().load`` would, or None when the schema must decide."""
    if type(raw) is not dict or not raw.keys() <= _CHECKS.keys() or input_problems(raw):
        return None  # (input_problems: SafeSchema's text and depth rules, before any field)
    try:
        event = {name: check(raw.get(name, _MISSING)) for name, check in _CHECKS.items()}
        _event_schema.check_rules_between_fields(event)
    except (_Slow, ValidationError):
        return None
    return event


def event_id_of(raw):
    """The id a client gave an event, even a rejected one (None if there is no usable one)."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and len(raw["id"]) <= 64:
        return raw["id"]
    return None
