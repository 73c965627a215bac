"""Events v1: what the extension sends, validated one event at a time.

Guides send the types of docs/contract-notes.md "Events"; tips, nudges,
surveys and the help panel send those of "Events of the other kinds" (the same
envelope, with ``action``, ``answer``, ``text``, ``query``/``results`` and
``guide_started.source`` where they apply). Help panel events (``panel_opened``,
``panel_search``) belong to no document, so ``guide_id``, ``guide_version`` and
``run_id`` are optional on them, and a ``panel_search`` never keeps a ``user``:
searches are reported without anyone's id. A validation event must not carry
the value that was checked (``value`` rejects it): the value never leaves the page.

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

from .document import TargetSchema
from .fields import SafeSchema, Timestamp, input_problems

GUIDE_TYPES = ("guide_started", "step_shown", "step_completed", "step_back",
               "target_missing", "guide_dismissed", "guide_completed")
TIP_TYPES = ("tip_shown", "validation_failed", "validation_passed")
NUDGE_TYPES = ("nudge_shown", "nudge_dismissed", "nudge_action")
SURVEY_TYPES = ("survey_shown", "survey_dismissed", "survey_answered")
PANEL_TYPES = ("panel_opened", "panel_search")  # the help panel: no document, no run
HELP_TYPES = (*PANEL_TYPES, "resource_opened")
EVENT_TYPES = (*GUIDE_TYPES, *TIP_TYPES, *NUDGE_TYPES, *SURVEY_TYPES, *HELP_TYPES)
DISMISS_REASONS = ("close_button", "escape", "replaced", "other")
DISMISS_TYPES = ("guide_dismissed", "nudge_dismissed", "survey_dismissed")  # they may carry a reason
# Events about one step must say which; the others may (a dismissal says where it happened).
# A tip's events name the tip as their step, a resource_opened the link's index.
STEP_TYPES = ("step_shown", "step_completed", "step_back", "target_missing", *TIP_TYPES)
# Fields of the envelope that panel events may leave out (they belong to no document).
DOCUMENT_FIELDS = ("guide_id", "guide_version", "run_id")
# Kinds of the fields only some types carry: field → the types that may.
ONLY_ON = {"action": ("nudge_action",), "answer": ("survey_answered",), "text": ("survey_answered",),
           "query": ("panel_search",), "results": ("panel_search",), "source": ("guide_started",)}
REQUIRED_ON = {"nudge_action": ("action",), "panel_search": ("query", "results")}
SOURCE_KINDS = ("nudge", "panel", "tips", "survey", "guide")
MAX_ANSWER_TEXT = 500  # schemas/survey.py: an exit survey's "other" answer
MAX_QUERY = 200
MISSING = "Missing data for required field."

MATCHED_BY = ("selector", "fallback", "healed")
# Events that say how their target was found.
MATCHED_TYPES = ("step_shown", "tip_shown")
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
class _Strict(SafeSchema):
    class Meta:
        unknown = RAISE


class ActionTakenSchema(_Strict):
    """Which of a nudge's actions was taken: its index in ``nudge.actions`` and its label."""
    index = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))


class AnswerSchema(_Strict):
    """A survey's answer: the index of a choice, or a value on the scale (exactly one)."""
    choice = fields.Integer(strict=True, validate=validate.Range(min=0, max=100))
    value = fields.Integer(strict=True, validate=validate.Range(min=0, max=10))

    @validates_schema
    def check_one(self, data, **kwargs):
        if len(data) != 1:
            raise ValidationError("must be {\"choice\": index} or {\"value\": n}", "_schema")


class SourceSchema(_Strict):
    """What started a guide: ``{"kind": "nudge", "id": "travel-policy-2027"}``."""
    kind = fields.String(required=True, validate=validate.OneOf(SOURCE_KINDS))
    id = fields.String(load_default=None, validate=validate.Length(min=1, max=100))


class EventSchema(SafeSchema):
    """One event, as docs/contract-notes.md "Events" defines it (events, version 1)."""

    class Meta:
        unknown = RAISE  # unknown keys are moved to ``extra`` in pre_load first

    id = _client_id(64)
    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    # Required on every type but the panel's (check_envelope_of_the_type).
    guide_id = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    guide_version = fields.Integer(load_default=None, strict=True,
                                   validate=validate.Range(min=1, max=1_000_000))
    step_id = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(min=1, max=100))
    step_index = fields.Integer(load_default=None, allow_none=True, strict=True,
                                validate=validate.Range(min=0, max=1000))
    run_id = fields.String(load_default=None, validate=[
        validate.Length(min=1, max=64),
        validate.Regexp(CLIENT_ID, error="must be letters, digits and . _ : - only")])
    user = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
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
    action = fields.Nested(ActionTakenSchema, load_default=None)
    answer = fields.Nested(AnswerSchema, load_default=None)
    # Free text is stored as text and shown as text: never interpreted.
    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_ANSWER_TEXT))
    query = fields.String(load_default=None, validate=validate.Length(min=1, max=MAX_QUERY))
    results = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=0, max=100000))
    source = fields.Nested(SourceSchema, load_default=None)
    extra = fields.Dict(load_default=None)

    @pre_load
    def move_unknown_fields_to_extra(self, data, **kwargs):
        if not isinstance(data, dict):
            return data  # marshmallow reports "Invalid input type"
        if data.get("type") == "panel_search":
            data = {key: value for key, value in data.items() if key != "user"}  # searches stay anonymous
        known = {name for name in self.fields if name != "extra"}
        extra = {key: value for key, value in data.items() if key not in known}
        data = {key: value for key, value in data.items() if key in known}
        if extra:
            data["extra"] = extra
        return data

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_envelope_of_the_type(self, data, original, **kwargs):
        """The envelope's document fields and user are required, except where the type says not."""
        if not isinstance(original, dict):
            return
        kind = original.get("type")
        needed = [] if kind in PANEL_TYPES else list(DOCUMENT_FIELDS)
        if kind not in PANEL_TYPES:
            needed.append("user")
        errors = {name: [MISSING] for name in needed if original.get(name) is None}
        if kind in TIP_TYPES and "value" in original:
            errors["value"] = ["a validation event never carries the value that was checked: remove it"]
        if errors:
            raise ValidationError(errors)

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
        if kind not in DISMISS_TYPES and data.get("reason") is not None:
            raise ValidationError("only a guide_dismissed, nudge_dismissed or survey_dismissed event "
                                  "carries a reason", "reason")
        if kind == "resource_opened" and data.get("step_index") is None:
            raise ValidationError("required on a resource_opened event: the link's index", "step_index")
        if kind == "survey_answered" and data.get("answer") is None and not data.get("text"):
            raise ValidationError("required on a survey_answered event unless it carries text "
                                  "(an exit survey's 'other' answer is text alone)", "answer")
        for name in REQUIRED_ON.get(kind, ()):
            if data.get(name) is None:
                raise ValidationError(f"required on a {kind} event", name)
        for name, types in ONLY_ON.items():
            if data.get(name) is not None and kind not in types:
                raise ValidationError(f"only a {' or '.join(types)} event carries {name}", name)
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
# defaults and validator objects) and calls the schema's own cross-field rules, so
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
        # The schema's own rules over the fields: which envelope fields the type needs
        # (a panel event has no document), then the rules between fields.
        _event_schema.check_envelope_of_the_type(event, raw)
        _event_schema.check_rules_between_fields(event)
    except (_Slow, ValidationError):
        return None
    return event


def event_id_of(raw):
    """The id a client gave an event, even a rejected one (None if there is no usable one)."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and len(raw["id"]) <= 64:
        return raw["id"]
    return None
