"""Guide format v1 (docs/guides.md): the ``guide`` kind.

``check_guide(document)`` answers every problem at once: errors (the guide
cannot be published) and warnings (valid, but likely to hurt), each as
``{"path": "steps[2].target.selector", "message": "..."}``. Unknown fields are
errors, so a misspelt optional field never silently does nothing. Every kind
is checked by ``schemas.kinds.check_document``; this module owns the guide's
own fields (steps, advance, exit_survey).

The same rules are written as a JSON Schema in docs/guide.schema.json for
editors; tests/test_schemas_guide.py checks the two agree.
"""
from marshmallow import ValidationError, validates_schema

from .. import selectors
from .document import (PLACEMENTS, DocumentSchema, StrictSchema, TargetSchema, body_field, boolean,
                       duplicate_id_errors, frequency_field, glob, list_of, nested, one_of,
                       placement_field, selector_field, selector_warnings, slug, string,
                       target_selectors, wait_ms_field)
from .survey import ExitSurveySchema, choices_warnings

ADVANCE_KINDS = ("next", "click", "input", "url", "visible")
# Which advance fields belong to which kind; the others are errors on that kind.
ADVANCE_FIELD_OF_KIND = {"pattern": "input", "url": "url", "selector": "visible"}
MAX_STEPS = 100
RECOMMENDED_MAX_STEPS = 12
__all__ = ["PLACEMENTS", "GuideSchema", "StepSchema", "check_guide", "guide_errors", "guide_warnings"]


class AdvanceSchema(StrictSchema):
    on = one_of(ADVANCE_KINDS, required=True)
    pattern = string(max_length=500, extra=[selectors.check_pattern])
    url = glob()
    selector = selector_field()

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
    id = slug()
    url = glob()
    target = nested(TargetSchema)
    title = string(required=True)
    body = body_field()
    placement = placement_field()
    advance = nested(AdvanceSchema)
    spotlight = boolean()
    wait_ms = wait_ms_field()
    optional = boolean()

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


class GuideSchema(DocumentSchema):
    start = one_of(("auto", "manual"))
    frequency = frequency_field()
    steps = list_of(nested(StepSchema), min_length=1, max_length=MAX_STEPS, required=True)
    exit_survey = nested(ExitSurveySchema)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_step_ids_are_unique(self, data, original, **kwargs):
        steps = original.get("steps") if isinstance(original, dict) else None
        errors = duplicate_id_errors(steps, "steps", "step id")
        if errors:
            raise ValidationError(errors)


_guide_schema = GuideSchema()


def guide_errors(document):
    """Every error in ``document`` as [{path, message}], in document order; [] when valid."""
    from .kinds import errors_of
    return errors_of(_guide_schema, document)


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
    warnings += selector_warnings(_selectors_in(steps if isinstance(steps, list) else []))
    exit_survey = document.get("exit_survey")
    if isinstance(exit_survey, dict):
        warnings += choices_warnings(exit_survey.get("choices"), "exit_survey.choices")
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
        yield from target_selectors(step.get("target"), f"steps[{index}].target")
        advance = step.get("advance")
        if isinstance(advance, dict) and isinstance(advance.get("selector"), str):
            yield f"steps[{index}].advance.selector", advance["selector"]
