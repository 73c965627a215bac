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
import math
import re

from marshmallow import (EXCLUDE, RAISE, Schema, ValidationError, fields, missing, post_load, pre_load,
                         validate, validates_schema)

from .document import TargetSchema
from .fields import SafeSchema, Timestamp, find_unsafe_character

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
# Fields dropped from the types that never keep them: searches are reported without anyone's id.
DROPPED_ON = {"panel_search": ("user",)}
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


def dropped_fields(raw):
    """The fields ``DROPPED_ON`` the type of the raw event ``raw``, if it has one."""
    kind = raw.get("type")
    return DROPPED_ON.get(kind, ()) if type(kind) is str else ()


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
        dropped = dropped_fields(data)
        if dropped:
            data = {key: value for key, value in data.items() if key not in dropped}
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
    # What the schema loads from a batch that is right (a list of events, no null among
    # them, and whatever it excludes), taken without it: a load walks every event through
    # fields.Raw (~100 µs). Anything else is the schema's to word.
    events = data.get("events") if type(data) is dict else None
    if type(events) is list and None not in events:
        events = list(events)
    else:
        events = _batch_schema.load(data)["events"]
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
# marshmallow's Schema.load costs ~65 µs an event, more than storing it; this path ~13
# (a typical event, 2026-12-01 on the shared machine). It is built from the schemas' own
# fields (their types, required/allow_none, defaults and validator objects, nested
# schemas alike) and runs the schemas' own @validates_schema rules, so there is no
# second definition of an event: it only ever *accepts* what the schema would load, with
# the same result, and hands everything else (any error, unknown fields, a field kind or
# hook it does not know) to the schema.
# tests/test_schemas_event.py holds the two equal on a corpus of good and bad events.

class _Slow(Exception):
    """Not for the fast path: let the schema decide (and word the errors)."""


def _tests_of(field):
    """``field``'s validators as ``(low, high, choices, patterns, others)``: marshmallow's
    bounds, choices and patterns as plain tests (a length's bounds for a text or list, else a
    value's; the patterns' ``match``), and a predicate for each other validator, true exactly
    when it lets a value through."""
    low, high, choices, patterns, others = -math.inf, math.inf, None, [], []
    sized = type(field) in (fields.String, fields.List)
    for validator in field.validators:
        kind = type(validator)
        if kind is validate.Length and sized and validator.equal is None:
            low, high = max(low, validator.min or 0), min(high, math.inf if validator.max is None
                                                            else validator.max)
        elif (kind is validate.Range and not sized and validator.min_inclusive
              and validator.max_inclusive):
            low = low if validator.min is None else max(low, validator.min)
            high = high if validator.max is None else min(high, validator.max)
        elif (kind is validate.OneOf and choices is None and type(field) is fields.String
              and all(type(choice) is str for choice in validator.choices)):
            choices = frozenset(validator.choices)
        elif kind is validate.Regexp and type(field) is fields.String:
            patterns.append(validator.regex.match)
        else:
            others.append(_passes(validator))
    return low, high, choices, tuple(patterns), tuple(others)


def _passes(validator):
    def passes(value):
        try:
            validator(value)
        except ValidationError:
            return False
        return True
    return passes


def _check_of(field):
    """A function of a present raw value returning it as ``field`` loads and validates it, or
    raising _Slow; None when the fast path leaves any present value of ``field`` to the schema.

    One function a field, its type and bounds tested inline: a batch of 50 events makes
    some 500 of these calls.
    """
    if field.data_key is not None or field.attribute is not None or field.pre_load or field.post_load:
        return None
    allow_none = field.allow_none
    low, high, choices, patterns, others = _tests_of(field)
    kind = type(field)
    if kind is fields.String:
        def check(value):
            if type(value) is not str:
                if value is None and allow_none:
                    return None
                raise _Slow
            # The text rule (SafeSchema's) for every string the fast path takes.
            if (find_unsafe_character(value) or not low <= len(value) <= high
                    or (choices is not None and value not in choices)):
                raise _Slow
            for match in patterns:
                if match(value) is None:
                    raise _Slow
            for passes in others:
                if not passes(value):
                    raise _Slow
            return value
        return check
    if kind is fields.Integer and field.strict:
        def check(value):
            if type(value) is not int:  # bool and float go to the schema
                if value is None and allow_none:
                    return None
                raise _Slow
            if not low <= value <= high:
                raise _Slow
            for passes in others:
                if not passes(value):
                    raise _Slow
            return value
        return check
    convert = _convert_of(field)
    if convert is None:
        return None

    def check(value):
        if value is None:
            if allow_none:
                return None
            raise _Slow
        loaded = convert(value)
        if kind is fields.List:
            if not low <= len(loaded) <= high:
                raise _Slow
        elif kind is fields.Float and not low <= loaded <= high:
            raise _Slow
        for passes in others:
            if not passes(loaded):
                raise _Slow
        return loaded
    return check


def _convert_of(field):
    """A function of a present, non-null raw value returning it as ``field`` loads it, or raising
    _Slow, for the field kinds other than text and integers; None for a kind the fast path
    leaves to the schema."""
    kind = type(field)
    if kind is Timestamp:
        def convert(value):
            try:
                return field._deserialize(value, None, None)
            except ValidationError:
                raise _Slow from None
        return convert
    if kind is fields.Float and not field.allow_nan:
        def convert(value):
            if type(value) is not int and type(value) is not float:  # bool, str: the schema
                raise _Slow
            try:
                value = float(value)
            except OverflowError:
                raise _Slow from None
            if not math.isfinite(value):
                raise _Slow
            return value
        return convert
    if kind is fields.Nested and not field.many:
        return _loader_of(field.schema)
    if kind is fields.List:
        inner = _check_of(field.inner)
        if inner is None:
            return None

        def convert(value):
            if type(value) is not list:
                raise _Slow
            return [inner(item) for item in value]
        return convert
    return None


def _slow(_value):
    raise _Slow


def _loader_of(schema, filled=(), mirrored=()):
    """A function of a raw dict returning it as ``schema.load`` would, or raising _Slow;
    None when the schema loads in a way this path does not follow (its own ``load``, or a
    pre_load, post_load or field @validates hook). ``mirrored``: hooks the caller does the
    work of itself; ``filled``: fields such a hook fills."""
    hooks = getattr(schema, "_hooks", None)  # marshmallow's register of a schema's hooks
    if hooks is None or type(schema).load not in (Schema.load, SafeSchema.load):
        return None
    if any(name not in mirrored for tag in ("pre_load", "post_load", "validates")
           for name, _, _ in hooks.get(tag, ())):
        return None
    present = {name: _check_of(field) or _slow
               for name, field in schema.fields.items() if name not in filled}
    defaults = {}
    required = set()
    for name, field in schema.fields.items():
        if name in filled:
            continue
        if field.required or callable(field.load_default):
            required.add(name)  # (a callable default: let the schema call it)
        elif field.load_default is not missing:
            defaults[name] = field.load_default
    # marshmallow runs the collection validators first, then the others; with one item
    # both see the item itself.
    rules = [(getattr(schema, name), options.get("pass_original", False))
             for many in (True, False)
             for name, hook_many, options in hooks.get("validates_schema", ()) if hook_many is many]
    unknown = schema.unknown
    known = present.keys()

    def load(raw):
        if type(raw) is not dict or not required <= raw.keys() <= known:
            raise _Slow
        data = defaults | {name: present[name](value) for name, value in raw.items()}
        try:
            for rule, pass_original in rules:
                if pass_original:
                    rule(data, raw, partial=None, many=False, unknown=unknown)
                else:
                    rule(data, partial=None, many=False, unknown=unknown)
        except ValidationError:
            raise _Slow from None
        return data
    return load


# ``extra`` is not a field an event sends: the schema's pre_load fills it from unknown keys.
_load_event = _loader_of(_event_schema, filled=("extra",),
                         mirrored=("move_unknown_fields_to_extra", "drop_empty_extra"))


def fast_load(raw):
    """``raw`` loaded as ``EventSchema().load`` would, or None when the schema must decide.

    The event schema's own hooks, mirrored: ``move_unknown_fields_to_extra`` (an event
    with unknown fields, or with a field its type drops, is the schema's) and
    ``drop_empty_extra`` (nothing fills ``extra`` here). SafeSchema's text rule
    is checked on every string taken (field names are the schema's own); its depth rule
    holds by construction (only the schemas' nesting is taken, no free-form dict or list).
    """
    if _load_event is None or type(raw) is not dict:
        return None
    if any(name in raw for name in dropped_fields(raw)):
        return None  # rare (the extension leaves them out), and SafeSchema checks them first
    try:
        return _load_event(raw)
    except _Slow:
        return None


def event_id_of(raw):
    """The id a client gave an event, even a rejected one (None if there is no usable one)."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and len(raw["id"]) <= 64:
        return raw["id"]
    return None
