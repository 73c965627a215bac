"""The ``nudge`` kind: a banner, modal, toast or pointer (docs/guides.md "Nudges").

Each action does exactly one thing: ``start`` a guide (its id), open a ``url``
(http, https or mailto) or ``dismiss``. A ``pointer`` sits beside its
``target`` like a step; the other styles have none.
"""
from marshmallow import ValidationError, validates_schema

from .document import (DocumentSchema, StrictSchema, TargetSchema, body_field, boolean,
                       frequency_field, list_of, nested, one_of, placement_field, schedule_field,
                       schedule_warnings, selector_warnings, slug, string, target_selectors,
                       unknown_field_message, url_with_scheme)

NUDGE_STYLES = ("banner", "modal", "toast", "pointer")
ACTION_URL_SCHEMES = ("http", "https", "mailto")
ACTION_DOES = ("start", "url", "dismiss")
MAX_ACTIONS = 5


class ActionSchema(StrictSchema):
    label = string(required=True, max_length=60)
    start = slug(required=False)
    url = url_with_scheme(ACTION_URL_SCHEMES, required=False)
    dismiss = boolean()

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_one_thing(self, data, original, **kwargs):
        if not isinstance(original, dict):
            return
        doing = [name for name in original if name in ACTION_DOES]  # in the author's order
        if not doing:
            raise ValidationError("needs one of 'start' (a guide id), 'url' or 'dismiss': true", "_schema")
        if len(doing) > 1:
            raise ValidationError({name: [f"an action does one thing: keep one of {', '.join(doing)}"]
                                   for name in doing[1:]})
        if original.get("dismiss") is False:
            raise ValidationError("an action that does not dismiss needs 'start' or 'url'; "
                                  "write dismiss: true or remove the action", "dismiss")


class NudgeSchema(StrictSchema):
    style = one_of(NUDGE_STYLES, required=True)
    title = string(max_length=200)
    body = body_field()
    target = nested(TargetSchema)
    placement = placement_field()
    actions = list_of(nested(ActionSchema), max_length=MAX_ACTIONS)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_target_of_the_style(self, data, original, **kwargs):
        if not isinstance(original, dict):
            return
        style = original.get("style")
        if style == "pointer" and "target" not in original:
            raise ValidationError("a pointer nudge needs a target: the element it points at", "target")
        errors = {name: [f"is used only by style 'pointer'; remove it or set style: 'pointer'"]
                  for name in ("target", "placement")
                  if name in original and style in NUDGE_STYLES and style != "pointer"}
        if errors:
            raise ValidationError(errors)


class NudgeDocumentSchema(DocumentSchema):
    error_messages = {**DocumentSchema.error_messages, "unknown": unknown_field_message("nudge")}
    frequency = frequency_field()
    schedule = schedule_field()
    nudge = nested(NudgeSchema, required=True)


def nudge_warnings(document, now, published_guides=None):
    """A schedule already ended, a fragile pointer target, an action starting an unknown guide.

    ``published_guides``: ids of the published guides (kind ``guide``); None skips that check.
    """
    nudge = document.get("nudge") if isinstance(document.get("nudge"), dict) else {}
    warnings = schedule_warnings(document, now)
    warnings += selector_warnings(target_selectors(nudge.get("target"), "nudge.target"))
    actions = nudge.get("actions") if isinstance(nudge.get("actions"), list) else []
    if published_guides is not None:
        for index, action in enumerate(actions):
            start = action.get("start") if isinstance(action, dict) else None
            if isinstance(start, str) and start not in published_guides:
                warnings.append({"path": f"nudge.actions[{index}].start", "message": (
                    f"no published guide '{start}': the button will do nothing until a guide "
                    "with this id is published")})
    return warnings
