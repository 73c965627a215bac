"""The ``survey`` kind (a pulse survey) and a guide's ``exit_survey`` (docs/guides.md "Surveys").

A survey asks one question, on a ``scale`` or with ``choices`` (exactly one of
the two), with an optional free-text follow-up (``text``: its prompt). An exit
survey asks, when a person closes a guide, why: ``choices`` and ``other`` (a
free-text answer). Answers arrive as ``survey_answered`` events (schemas/event.py).
"""
from marshmallow import ValidationError, validates_schema

from .document import (DocumentSchema, StrictSchema, boolean, frequency_field, integer, list_of,
                       nested, one_of, schedule_field, schedule_warnings, string,
                       unknown_field_message)

SURVEY_STYLES = ("modal", "toast")
MAX_CHOICES = 20
RECOMMENDED_MAX_CHOICES = 7
MAX_SCALE = 10  # 0–10 is the widest (NPS)
MAX_ANSWER_TEXT = 500  # a free-text answer, in characters (events carry it)


def _choices(required=False):
    return list_of(string(max_length=200), min_length=2, max_length=MAX_CHOICES, required=required)


class ScaleSchema(StrictSchema):
    min = integer(0, MAX_SCALE - 1, required=True)
    max = integer(1, MAX_SCALE, required=True)
    min_label = string(max_length=100)
    max_label = string(max_length=100)

    @validates_schema(skip_on_field_errors=True)
    def check_order(self, data, **kwargs):
        if data["max"] <= data["min"]:
            raise ValidationError("must be greater than 'min'", "max")


class QuestionSchema(StrictSchema):
    style = one_of(SURVEY_STYLES)
    question = string(required=True, max_length=300)
    scale = nested(ScaleSchema)
    choices = _choices()
    text = string(max_length=300)  # the follow-up's prompt, e.g. "What would make it easier?"

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_scale_or_choices(self, data, original, **kwargs):
        if not isinstance(original, dict):
            return
        if "scale" in original and "choices" in original:
            raise ValidationError("a survey has either 'scale' or 'choices', not both; remove one",
                                  "choices")
        if "scale" not in original and "choices" not in original:
            raise ValidationError("needs 'scale' (e.g. {\"min\": 1, \"max\": 5}) or 'choices'", "_schema")


class ExitSurveySchema(StrictSchema):
    question = string(required=True, max_length=300)
    choices = _choices(required=True)
    other = boolean()  # adds a free-text answer (at most MAX_ANSWER_TEXT characters)


class SurveyDocumentSchema(DocumentSchema):
    error_messages = {**DocumentSchema.error_messages, "unknown": unknown_field_message("survey")}
    frequency = frequency_field()
    schedule = schedule_field()
    survey = nested(QuestionSchema, required=True)


def choices_warnings(choices, path):
    if isinstance(choices, list) and len(choices) > RECOMMENDED_MAX_CHOICES:
        return [{"path": path, "message": (
            f"{len(choices)} choices: past {RECOMMENDED_MAX_CHOICES} people skim and pick the first "
            "that fits; merge some")}]
    return []


def survey_warnings(document, now):
    question = document.get("survey")
    choices = question.get("choices") if isinstance(question, dict) else None
    return schedule_warnings(document, now) + choices_warnings(choices, "survey.choices")
