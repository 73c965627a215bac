"""The ``tips`` kind: help beside a field, and validation that keeps people on the procedure.

docs/guides.md "Tips". Each tip has a ``target`` (found as a step's is), a title,
an optional body, how it shows (``beacon``, ``hover``, ``focus``) and an
optional ``validate`` (``pattern``, ``required``, ``message``). The pattern is
a JavaScript regular expression; what the service can check of it is in
selectors.py (``check_pattern`` errors, ``pattern_warnings``).
"""
from marshmallow import ValidationError, validates_schema

from .. import selectors
from .document import (DocumentSchema, StrictSchema, TargetSchema, body_field, boolean,
                       duplicate_id_errors, list_of, nested, one_of, placement_field,
                       selector_warnings, slug, string, target_selectors, unknown_field_message,
                       wait_ms_field)

SHOW = ("beacon", "hover", "focus")
MAX_TIPS = 100


class ValidateSchema(StrictSchema):
    pattern = string(max_length=500, extra=[selectors.check_pattern])
    required = boolean()
    message = string(required=True, max_length=300)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_it_checks_something(self, data, original, **kwargs):
        if not isinstance(original, dict) or "pattern" in original:
            return
        if original.get("required") is not True and isinstance(original.get("required", False), bool):
            raise ValidationError("checks nothing: add 'pattern' or required: true", "_schema")


class TipSchema(StrictSchema):
    id = slug()
    target = nested(TargetSchema, required=True)
    title = string(required=True)
    body = body_field()
    show = one_of(SHOW)
    placement = placement_field()
    validate = nested(ValidateSchema)
    wait_ms = wait_ms_field()


class TipsDocumentSchema(DocumentSchema):
    error_messages = {**DocumentSchema.error_messages, "unknown": unknown_field_message("tips")}
    tips = list_of(nested(TipSchema), min_length=1, max_length=MAX_TIPS, required=True)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_tip_ids_are_unique(self, data, original, **kwargs):
        errors = duplicate_id_errors(original.get("tips") if isinstance(original, dict) else None, "tips", "tip id")
        if errors:
            raise ValidationError(errors)


def tips_warnings(document):
    """Fragile targets, and patterns that may mean something else in the browser."""
    tips = document.get("tips") if isinstance(document.get("tips"), list) else []
    warnings = []
    for index, tip in enumerate(tips):
        if not isinstance(tip, dict):
            continue
        warnings += selector_warnings(target_selectors(tip.get("target"), f"tips[{index}].target"))
        check = tip.get("validate")
        if isinstance(check, dict) and isinstance(check.get("pattern"), str):
            warnings += [{"path": f"tips[{index}].validate.pattern", "message": message}
                         for message in selectors.pattern_warnings(check["pattern"])]
    return warnings
