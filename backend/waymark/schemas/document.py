"""What every document kind shares (docs/guides.md "Document kinds"), written once.

A document is a ``guide`` (schemas/guide.py), ``tips`` (tips.py), ``resources``
(resources.py), ``nudge`` (nudge.py) or ``survey`` (survey.py). All of them
have ``id``, ``kind``, ``title``, ``description``, ``match`` and ``audience``
(``DocumentSchema``); targets, bodies, ``frequency`` and ``schedule`` are
field builders here that the kinds use where they apply. The JSON Schema for
editors (docs/guide.schema.json) says the same; tests/test_schemas_guide.py and
tests/test_schemas_kinds.py hold the two together.
"""
import re
from datetime import datetime, timezone

from marshmallow import RAISE, ValidationError, fields, validate, validates_schema

from .. import selectors
from .fields import SafeSchema

KINDS = ("guide", "tips", "resources", "nudge", "survey")
DEFAULT_KIND = "guide"

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,98}[a-z0-9])?$")
SLUG_MESSAGE = ("must be a slug: lowercase letters, digits, '-' and '_', "
                "starting and ending with a letter or digit, at most 100 characters")
PLACEMENTS = tuple(side + suffix for side in ("top", "bottom", "left", "right", "auto")
                   for suffix in ("", "-start", "-end"))
FREQUENCIES = ("once", "until_completed", "always")
MAX_SELECTOR = 1000
MAX_GLOB = 2048
MAX_BODY = 10_000
DESCRIBE_VERSION = 1
# ISO 8601 with a zone, as events carry times: 2026-12-01T00:00:00Z or ...+01:00
ISO_WITH_ZONE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")


def kind_of(document):
    """The document's kind (``guide`` when it names none); None when it is not a dict."""
    if not isinstance(document, dict):
        return None
    return document.get("kind", DEFAULT_KIND)


class StrictSchema(SafeSchema):
    """Unknown fields are errors, with a message that says what to do (and fields.py's text rule)."""

    class Meta:
        unknown = RAISE

    error_messages = {
        "unknown": "is not a field of guide format v1: check the spelling (docs/guides.md lists the fields)",
        "type": "must be a JSON object",
    }


def string(required=False, min_length=1, max_length=200, extra=(), **options):
    checks = [validate.Length(min=min_length, max=max_length,
                              error=f"must be {min_length} to {max_length} characters long")]
    return fields.String(required=required, validate=checks + list(extra), **options,
                         error_messages={"invalid": "must be a string",
                                         "required": "is required"})


def slug(required=True):
    return string(required=required, max_length=100,
                  extra=[validate.Regexp(SLUG, error=SLUG_MESSAGE)])


class StrictBoolean(fields.Boolean):
    """JSON true/false only: "yes" or 1 in a guide is a mistake worth naming."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def boolean(required=False):
    return StrictBoolean(required=required, error_messages={"invalid": "must be true or false",
                                                            "required": "is required"})


def integer(low, high, required=False, unit="a whole number"):
    return fields.Integer(strict=True, required=required, validate=validate.Range(
        min=low, max=high, error=f"must be {low} to {high}"),
        error_messages={"invalid": f"must be {unit}", "required": "is required"})


def one_of(choices, required=False):
    return fields.String(required=required, validate=validate.OneOf(
        choices, error="must be one of: " + ", ".join(choices)),
        error_messages={"invalid": "must be a string", "required": "is required"})


def list_of(inner, min_length=0, max_length=50, required=False):
    return fields.List(inner, required=required, validate=validate.Length(
        min=min_length, max=max_length, error=f"must hold {min_length} to {max_length} items"),
        error_messages={"invalid": "must be a JSON array", "required": "is required"})


def nested(schema, required=False):
    return fields.Nested(schema, required=required,
                         error_messages={"type": "must be a JSON object", "required": "is required"})


def glob():
    return string(max_length=MAX_GLOB)


def selector_field(required=False):
    return string(required=required, max_length=MAX_SELECTOR, extra=[selectors.check_syntax])


def body_field():
    """A body in the safe Markdown subset (body.py renders it for serving)."""
    return string(max_length=MAX_BODY)


def placement_field():
    return one_of(PLACEMENTS)


MAX_WAIT_MS = 120_000


def wait_ms_field():
    """How long the extension waits for a target before reporting it missing (a step's, a
    tip's; 5,000 ms when left out)."""
    return fields.Integer(strict=True, validate=validate.Range(
        min=0, max=MAX_WAIT_MS, error=f"must be 0 to {MAX_WAIT_MS} (milliseconds)"),
        error_messages={"invalid": "must be a whole number of milliseconds"})


def frequency_field():
    return one_of(FREQUENCIES)


def url_with_scheme(schemes, required=True, max_length=2048):
    """An absolute URL whose scheme is one of ``schemes`` (``javascript:`` and friends never)."""
    def check(value):
        scheme = value.split(":", 1)[0].lower() if ":" in value else ""
        if scheme not in schemes:
            raise ValidationError("must be an absolute URL starting with "
                                  + ", ".join(f"{name}:" for name in schemes))
    return string(required=required, max_length=max_length, extra=[check])


class MatchSchema(StrictSchema):
    include = list_of(glob(), min_length=1, required=True)
    exclude = list_of(glob())


class AudienceSchema(StrictSchema):
    roles = list_of(string(max_length=100), min_length=1, required=True)


def _text_map():
    """Attribute name → value, as the element picker records them."""
    return fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=60)),
                       values=fields.String(validate=validate.Length(max=200)),
                       validate=validate.Length(max=20, error="must hold at most 20 attributes"),
                       error_messages={"invalid": "must be a JSON object of strings"})


class DescribedAncestorSchema(StrictSchema):
    """One ancestor of the target in ``describe.path``, nearest first."""
    tag = string(required=True, max_length=40)
    attrs = _text_map()
    role = string(max_length=60)
    classes = list_of(string(max_length=100), max_length=10)


class DescribeSchema(StrictSchema):
    """Independent descriptions of the target the element picker records (docs/guides.md
    "How a target survives a redesign"); the extension heals a target from them."""
    v = fields.Integer(required=True, strict=True, validate=validate.Equal(
        DESCRIBE_VERSION, error=f"must be {DESCRIBE_VERSION} (the describe format this service reads)"),
        error_messages={"invalid": "must be a whole number", "required": "is required"})
    tag = string(required=True, max_length=40)
    attrs = _text_map()
    role = string(max_length=60)
    name = string(max_length=200)
    label = string(max_length=200)
    text = string(max_length=200)
    classes = list_of(string(max_length=100), max_length=10)
    path = list_of(nested(DescribedAncestorSchema), max_length=8)
    siblings = list_of(string(max_length=200), max_length=6)


class TargetSchema(StrictSchema):
    selector = selector_field(required=True)
    text = string(max_length=200)
    fallbacks = list_of(selector_field(), max_length=10)
    describe = nested(DescribeSchema)


def parse_time(value):
    """A schedule bound as naive UTC, or None when it is not ISO 8601 with a zone."""
    if not isinstance(value, str) or not ISO_WITH_ZONE.match(value):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _time(**options):
    def check(value):
        if parse_time(value) is None:
            raise ValidationError("must be an ISO 8601 date-time with a zone, like 2026-12-01T00:00:00Z")
    return string(max_length=40, extra=[check], **options)


class ScheduleSchema(StrictSchema):
    """``{"from", "until"}``: the document is served only from ``from`` until ``until``."""
    from_ = _time(data_key="from")
    until = _time()

    @validates_schema(pass_original=True, skip_on_field_errors=True)
    def check_order(self, data, original, **kwargs):
        if not isinstance(original, dict):
            return
        if "from" not in original and "until" not in original:
            raise ValidationError("needs 'from', 'until' or both", "_schema")
        start, end = parse_time(original.get("from")), parse_time(original.get("until"))
        if start and end and start >= end:
            raise ValidationError("must be after 'from'", "until")


def schedule_field():
    return nested(ScheduleSchema)


def schedule_bounds(document):
    """``(from, until)`` of a document's schedule as naive UTC (each None when open)."""
    found = document.get("schedule") if isinstance(document, dict) else None
    if not isinstance(found, dict):
        return None, None
    return parse_time(found.get("from")), parse_time(found.get("until"))


def unknown_field_message(kind):
    return (f"is not a field of a {kind} document: check the spelling "
            f"(docs/guides.md lists the fields of each kind)")


class DocumentSchema(StrictSchema):
    """The fields of every kind; each kind's schema adds its own."""
    schema = fields.String(data_key="$schema")  # lets editors find docs/guide.schema.json
    id = slug()
    kind = one_of(KINDS)
    title = string(required=True)
    description = string(max_length=2000)
    match = nested(MatchSchema, required=True)
    audience = nested(AudienceSchema)


def duplicate_id_errors(items, list_name, noun):
    """``{list_name: {index: {"id": [...]}}}`` for every item whose ``id`` an earlier one has."""
    if not isinstance(items, list):
        return {}
    first_index, errors = {}, {}
    for index, item in enumerate(items):
        item_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(item_id, str):
            continue
        if item_id in first_index:
            errors[index] = {"id": [f"duplicate {noun} '{item_id}' "
                                    f"(also {list_name}[{first_index[item_id]}].id); {noun}s must be unique"]}
        else:
            first_index[item_id] = index
    return {list_name: errors} if errors else {}


def target_selectors(target, path):
    """(path, selector) for a target's selector and fallbacks."""
    if not isinstance(target, dict):
        return
    if isinstance(target.get("selector"), str):
        yield f"{path}.selector", target["selector"]
    fallbacks = target.get("fallbacks")
    for position, fallback in enumerate(fallbacks if isinstance(fallbacks, list) else []):
        if isinstance(fallback, str):
            yield f"{path}.fallbacks[{position}]", fallback


def selector_warnings(pairs):
    """Fragility warnings (positional-only, generated-looking) for (path, selector) pairs."""
    return [{"path": path, "message": message}
            for path, found in pairs for message in selectors.fragility_warnings(found)]


def schedule_warnings(document, now):
    """A schedule that has already ended: valid, but nobody will ever see the document."""
    _, until = schedule_bounds(document)
    if until is not None and until <= now:
        return [{"path": "schedule.until", "message": (
            f"{document['schedule']['until']} has passed: the document will never be served; "
            "move 'until' or archive it")}]
    return []
