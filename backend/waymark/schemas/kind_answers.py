"""Answers that depend on a document's kind (served documents, reports), for the OpenAPI document.

The reports build plain dicts (each module documents its answer with a
sample); these schemas say the same. Unknown fields raise, and
tests/test_openapi_answers.py and tests/test_api_kind_reports.py load real
answers through them. A ``_ByKind`` schema loads an answer through the schema
of its ``kind``; the OpenAPI document states it as a oneOf (api/openapi.py).
"""
from marshmallow import Schema, ValidationError, fields

from . import guide_api
from .answers import GuideReportSchema, StepReportSchema
from .document import DEFAULT_KIND
from .guide import GuideSchema
from .guide_api import ServedGuideSchema, ServedStepSchema
from .nudge import NudgeDocumentSchema, NudgeSchema
from .resources import ResourcesDocumentSchema
from .survey import SurveyDocumentSchema
from .tips import TipSchema, TipsDocumentSchema


class TipLineSchema(Schema):
    tip_id = fields.String(allow_none=True)
    index = fields.Integer(allow_none=True)
    title = fields.String(allow_none=True)
    validates = fields.Boolean()
    shown = fields.Integer(metadata={"description": "tip_shown events (at most one per tip per page view)"})
    users = fields.Integer()
    validation_failed = fields.Integer()
    validation_passed = fields.Integer(metadata={"description": "fixed after a warning"})
    fixed_rate = fields.Float(metadata={"description": "validation_passed / validation_failed, at most 1"})


class MostFailedSchema(Schema):
    tip_id = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    validation_failed = fields.Integer()
    fixed_rate = fields.Float()


class TipsReportSchema(Schema):
    guide_id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["tips"]})
    version = fields.Integer(allow_none=True)
    tips = fields.List(fields.Nested(TipLineSchema), required=True)
    most_failed = fields.List(fields.Nested(MostFailedSchema), required=True,
                              metadata={"description": "tips whose validation failed, most first"})


class ActionLineSchema(Schema):
    index = fields.Integer()
    label = fields.String(allow_none=True)
    count = fields.Integer()
    start = fields.String()
    url = fields.String()
    dismiss = fields.Boolean()


class StageSchema(Schema):
    stage = fields.String()
    count = fields.Integer()


class NudgeReportSchema(Schema):
    guide_id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["nudge"]})
    version = fields.Integer(allow_none=True)
    shown = fields.Integer()
    users = fields.Integer()
    dismissed = fields.Integer()
    actions = fields.List(fields.Nested(ActionLineSchema))
    guides_started = fields.Integer(metadata={"description": "guide_started events whose source is this nudge"})
    guides_completed = fields.Integer(metadata={"description": "of those runs, the completed ones"})
    funnel = fields.List(fields.Nested(StageSchema))


class CountSchema(Schema):
    index = fields.Integer(allow_none=True)
    value = fields.Integer()
    label = fields.String(allow_none=True)
    count = fields.Integer()


class ScaleReportSchema(Schema):
    min = fields.Integer()
    max = fields.Integer()
    min_label = fields.String(allow_none=True)
    max_label = fields.String(allow_none=True)
    values = fields.List(fields.Nested(CountSchema))
    mean = fields.Float(allow_none=True)
    nps = fields.Integer(allow_none=True, metadata={"description": "on a 0–10 scale only"})


class TextSchema(Schema):
    text = fields.String(metadata={"description": "as the person wrote it: show it as text"})
    at = fields.String()
    value = fields.Integer(allow_none=True)
    choice = fields.Integer(allow_none=True)
    step_index = fields.Integer(allow_none=True)
    step_id = fields.String(allow_none=True)


class TextsPageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    items = fields.List(fields.Nested(TextSchema), metadata={"description": "newest first"})


class SurveyReportSchema(Schema):
    guide_id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["survey"]})
    version = fields.Integer(allow_none=True)
    question = fields.String(allow_none=True)
    shown = fields.Integer()
    answered = fields.Integer()
    dismissed = fields.Integer()
    answer_rate = fields.Float()
    scale = fields.Nested(ScaleReportSchema, allow_none=True)
    choices = fields.List(fields.Nested(CountSchema), allow_none=True)
    texts = fields.Nested(TextsPageSchema)


class LinkOpenedSchema(Schema):
    index = fields.Integer()
    title = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    opened = fields.Integer()


class ResourcesReportSchema(Schema):
    guide_id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["resources"]})
    version = fields.Integer(allow_none=True)
    links = fields.List(fields.Nested(LinkOpenedSchema))


class ExitReasonSchema(Schema):
    index = fields.Integer(allow_none=True, metadata={"description": "the choice; null: Other (free text)"})
    label = fields.String(allow_none=True)
    count = fields.Integer()


class StepWithExitReasonsSchema(StepReportSchema):
    exit_reasons = fields.List(fields.Nested(ExitReasonSchema),
                               metadata={"description": "only when the guide has an exit_survey"})


class ExitSurveyReportSchema(Schema):
    """On a guide's report when the guide has an exit_survey; each step then has exit_reasons."""
    question = fields.String(allow_none=True)
    choices = fields.List(fields.String())
    shown = fields.Integer()
    answered = fields.Integer()
    dismissed = fields.Integer()
    texts = fields.Nested(TextsPageSchema, metadata={"description": "free-text reasons with their step"})


class ResourceOpenedSchema(Schema):
    guide_id = fields.String()
    index = fields.Integer(allow_none=True)
    title = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    count = fields.Integer()


class UnfoundSearchSchema(Schema):
    query = fields.String(metadata={"description": "lower case, single spaces; never with a user id"})
    count = fields.Integer()
    last_seen = fields.String()


class HelpReportSchema(Schema):
    from_ = fields.String(data_key="from", allow_none=True)
    to = fields.String(allow_none=True)
    panel_opens = fields.Integer()
    searches = fields.Integer()
    unfound_total = fields.Integer()
    resources_opened = fields.List(fields.Nested(ResourceOpenedSchema), metadata={"description": "most first"})
    unfound_searches = fields.List(fields.Nested(UnfoundSearchSchema),
                                   metadata={"description": "searches that found nothing, most frequent first"})


class ServedTipSchema(TipSchema):
    body_nodes = ServedStepSchema._declared_fields["body_nodes"]
    body_html = ServedStepSchema._declared_fields["body_html"]


class ServedNudgeSchema(NudgeSchema):
    body_nodes = ServedStepSchema._declared_fields["body_nodes"]
    body_html = ServedStepSchema._declared_fields["body_html"]


class ServedTipsSchema(TipsDocumentSchema):
    version = fields.Integer(required=True)
    tips = fields.List(fields.Nested(ServedTipSchema), required=True)


class ServedNudgeDocumentSchema(NudgeDocumentSchema):
    version = fields.Integer(required=True)
    nudge = fields.Nested(ServedNudgeSchema, required=True)


class ServedResourcesSchema(ResourcesDocumentSchema):
    version = fields.Integer(required=True)


class ServedSurveySchema(SurveyDocumentSchema):
    version = fields.Integer(required=True)


class KindGuideReportSchema(GuideReportSchema):
    """A guide's drop-off report as ``GET /api/v1/reports/guides/<id>`` answers it."""
    kind = fields.String(required=True, metadata={"enum": ["guide"]})
    steps = fields.List(fields.Nested(StepWithExitReasonsSchema))
    exit_survey = fields.Nested(ExitSurveyReportSchema, metadata={"description": "only with an exit_survey"})


class _ByKind(Schema):
    """Loads an answer through the schema of its ``kind`` (``guide`` when it has none)."""
    by_kind = {}

    def load(self, data, *, many=None, partial=None, unknown=None):
        kind = data.get("kind", DEFAULT_KIND) if isinstance(data, dict) else None
        if kind not in self.by_kind:
            raise ValidationError(f"no answer of kind {kind!r}", "kind")
        return self.by_kind[kind](unknown=unknown or self.unknown).load(data, partial=partial)


class ServedDocumentSchema(_ByKind):
    by_kind = {"guide": ServedGuideSchema, "tips": ServedTipsSchema, "resources": ServedResourcesSchema,
               "nudge": ServedNudgeDocumentSchema, "survey": ServedSurveySchema}


class DocumentReportSchema(_ByKind):
    by_kind = {"guide": KindGuideReportSchema, "tips": TipsReportSchema, "nudge": NudgeReportSchema,
               "survey": SurveyReportSchema, "resources": ResourcesReportSchema}


class ServedListSchema(Schema):
    guides = fields.List(fields.Nested(ServedDocumentSchema), required=True)


class ValidationResultSchema(guide_api.ValidationResultSchema):
    preview = fields.Nested(ServedDocumentSchema, metadata={"description": (
        "only when valid: the document as GET /api/v1/guides would serve it, with version 0 "
        "(not published); the extension's author mode previews it")})


def _name(schema):
    return schema.__name__.removesuffix("Schema")


# Documents of every kind, for request bodies: one of these, chosen by "kind".
DOCUMENT_SCHEMAS = [GuideSchema, TipsDocumentSchema, ResourcesDocumentSchema, NudgeDocumentSchema,
                    SurveyDocumentSchema]
# The answers stated as a oneOf in the OpenAPI document, and the components they name.
BY_KIND = {_name(schema): [_name(choice) for choice in schema.by_kind.values()]
           for schema in (ServedDocumentSchema, DocumentReportSchema)}
COMPONENTS = {_name(choice): choice for schema in (ServedDocumentSchema, DocumentReportSchema)
              for choice in schema.by_kind.values()}
