"""Guide format v1 (docs/guides.md).

``check_guide(document)`` answers every problem at once: errors (the guide
cannot be published) and warnings (valid, but likely to hurt), each as
``{"path": "steps[2].target.selector", "message": "..."}``. Unknown fields are
errors, so a misspelt optional field never silently does nothing.

The same rules are written as a JSON Schema in docs/guide.schema.json for
editors; tests/test_schemas_guide.py checks the two agree.
"""
import re

from marshmallow import RAISE, ValidationError, fields, validate, validates_schema

from ..errors import details_from_messages
from .. import selectors
from .fields import SafeSchema

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,98}[a-z0-9])?$")
SLUG_MESSAGE = ("must be a slug: lowercase letters, digits, '-' and '_', "
                "starting and ending with a letter or digit, at most 100 characters")
PLACEMENTS = tuple(side + suffix for side in ("top", "bottom", "left", "right", "auto")
                   for suffix in ("", "-start", "-end"))
ADVANCE_KINDS = ("next", "click", "input", "url", "visible")
# Which advance fields belong to which kind; the others are errors on that kind.
ADVANCE_FIELD_OF_KIND = {"pattern": "input", "url": "url", "selector": "visible"}
MAX_STEPS = 100
MAX_SELECTOR = 1000
MAX_GLOB = 2048
MAX_BODY = 10_000
MAX_WAIT_MS = 120_000
RECOMMENDED_MAX_STEPS = 12


class StrictSchema(SafeSchema):
    """Unknown fields are errors, with a message that says what to do (and fields.py's text rule)."""

    class Meta:
        unknown = RAISE

    error_messages = {
        "unknown": "is not a field of guide format v1: check the spelling (docs/guides.md lists the fields)",
        "type": "must be a JSON object",
    }


def _string(required=False, min_length=1, max_length=200, extra=()):
    checks = [validate.Length(min=min_length, max=max_length,
                              error=f"must be {min_length} to {max_length} characters long")]
    return fields.String(required=required, validate=checks + list(extra),
                         error_messages={"invalid": "must be a string",
                                         "required": "is required"})


def _slug(required=True):
    return _string(required=required, max_length=100,
                   extra=[validate.Regexp(SLUG, error=SLUG_MESSAGE)])


def _boolean():
    return StrictBoolean(error_messages={"invalid": "must be true or false"})


def _one_of(choices, required=False):
    return fields.String(required=required, validate=validate.OneOf(
        choices, error="must be one of: " + ", ".join(choices)),
        error_messages={"invalid": "must be a string", "required": "is required"})


def _list(inner, min_length=0, max_length=50, required=False):
    return fields.List(inner, required=required, validate=validate.Length(
        min=min_length, max=max_length, error=f"must hold {min_length} to {max_length} items"),
        error_messages={"invalid": "must be a JSON array", "required": "is required"})


def _nested(schema, required=False):
    return fields.Nested(schema, required=required,
                         error_messages={"type": "must be a JSON object", "required": "is required"})


class StrictBoolean(fields.Boolean):
    """JSON true/false only: "yes" or 1 in a guide is a mistake worth naming."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def _glob():
    return _string(max_length=MAX_GLOB)


def _selector(required=False):
    return _string(required=required, max_length=MAX_SELECTOR,
                   extra=[selectors.check_syntax])


class MatchSchema(StrictSchema):
    include = _list(_glob(), min_length=1, required=True)
    exclude = _list(_glob())


class AudienceSchema(StrictSchema):
    roles = _list(_string(max_length=100), min_length=1, required=True)


class TargetSchema(StrictSchema):
    selector = _selector(required=True)
    text = _string(max_length=200)
    fallbacks = _list(_selector(), max_length=10)


class AdvanceSchema(StrictSchema):
    on = _one_of(ADVANCE_KINDS, required=True)
    pattern = _string(max_length=500, extra=[selectors.check_pattern])
    url = _glob()
    selector = _selector()

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_fields_of_the_kind(self, data, original, **kwargs):
        if not isinstance(original, dict):
            return
        kind = original.get("on")
        if kind not in ADVANCE_KINDS:
            return  # the field error says so
        errors = {}
        for name, owner in ADVANCE_FIELD_OF_KIND.items():
            if name in original and kind != owner:
                errors[name] = [f"is used only when 'on' is '{owner}'; remove it or set on: '{owner}'"]
        needed = {"url": "url", "visible": "selector"}.get(kind)
        if needed and needed not in original:
            errors[needed] = [f"is required when 'on' is '{kind}'"]
        if errors:
            raise ValidationError(errors)


class StepSchema(StrictSchema):
    id = _slug()
    url = _glob()
    target = _nested(TargetSchema)
    title = _string(required=True)
    body = _string(max_length=MAX_BODY)
    placement = _one_of(PLACEMENTS)
    advance = _nested(AdvanceSchema)
    spotlight = _boolean()
    wait_ms = fields.Integer(strict=True, validate=validate.Range(
        min=0, max=MAX_WAIT_MS, error=f"must be 0 to {MAX_WAIT_MS} (milliseconds)"),
        error_messages={"invalid": "must be a whole number of milliseconds"})
    optional = _boolean()

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_advance_has_a_target(self, data, original, **kwargs):
        if not isinstance(original, dict) or "target" in original:
            return
        advance = original.get("advance")
        kind = advance.get("on") if isinstance(advance, dict) else None
        if kind in ("click", "input"):
            raise ValidationError(
                f"a step that advances on '{kind}' needs a target: add 'target' or use on: 'next'",
                "advance.on")


class GuideSchema(StrictSchema):
    schema = fields.String(data_key="$schema")  # lets editors find docs/guide.schema.json
    id = _slug()
    title = _string(required=True)
    description = _string(max_length=2000)
    match = _nested(MatchSchema, required=True)
    audience = _nested(AudienceSchema)
    start = _one_of(("auto", "manual"))
    frequency = _one_of(("once", "until_completed", "always"))
    steps = _list(_nested(StepSchema), min_length=1, max_length=MAX_STEPS, required=True)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_step_ids_are_unique(self, data, original, **kwargs):
        steps = original.get("steps") if isinstance(original, dict) else None
        if not isinstance(steps, list):
            return
        first_index = {}
        errors = {}
        for index, step in enumerate(steps):
            step_id = step.get("id") if isinstance(step, dict) else None
            if not isinstance(step_id, str):
                continue
            if step_id in first_index:
                errors[index] = {"id": [f"duplicate step id '{step_id}' "
                                        f"(also steps[{first_index[step_id]}].id); step ids must be unique"]}
            else:
                first_index[step_id] = index
        if errors:
            raise ValidationError({"steps": errors})


_guide_schema = GuideSchema()


def guide_errors(document):
    """Every error in ``document`` as [{path, message}], in document order; [] when valid."""
    try:
        _guide_schema.load(document)
    except ValidationError as error:
        return _sorted_by_path(details_from_messages(error.messages))
    return []


def guide_warnings(document):
    """Valid but likely to hurt: long guides, positional or generated-looking selectors."""
    if not isinstance(document, dict):
        return []
    warnings = []
    steps = document.get("steps")
    if isinstance(steps, list) and len(steps) > RECOMMENDED_MAX_STEPS:
        warnings.append({"path": "steps", "message": (
            f"{len(steps)} steps: completion falls off sharply past {RECOMMENDED_MAX_STEPS}; "
            "split it into several guides")})
    for path, selector in _selectors_in(steps if isinstance(steps, list) else []):
        warnings.extend({"path": path, "message": message}
                        for message in selectors.fragility_warnings(selector))
    return warnings


def check_guide(document):
    """``{"valid", "errors", "warnings"}`` for a parsed guide document."""
    errors = guide_errors(document)
    return {"valid": not errors, "errors": errors, "warnings": guide_warnings(document)}


def _selectors_in(steps):
    """(path, selector) for every selector string in the steps."""
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            continue
        target = step.get("target")
        if isinstance(target, dict):
            if isinstance(target.get("selector"), str):
                yield f"steps[{index}].target.selector", target["selector"]
            fallbacks = target.get("fallbacks")
            for position, fallback in enumerate(fallbacks if isinstance(fallbacks, list) else []):
                if isinstance(fallback, str):
                    yield f"steps[{index}].target.fallbacks[{position}]", fallback
        advance = step.get("advance")
        if isinstance(advance, dict) and isinstance(advance.get("selector"), str):
            yield f"steps[{index}].advance.selector", advance["selector"]


_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _sorted_by_path(details):
    """Document order is easier to fix than marshmallow's order: steps[2] before steps[10]."""
    def key(detail):
        return [(0, int(number), "") if number else (1, 0, name)
                for number, name in _PATH_PART.findall(detail["path"])]
    return sorted(details, key=key)
