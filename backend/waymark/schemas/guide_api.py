"""The guide endpoints' query strings and answers (the guide itself is in guide.py).

The answer schemas are used by the OpenAPI document; the views build plain dicts.
"""
from marshmallow import EXCLUDE, Schema, fields, post_load, validate

from .fields import SafeSchema
from .guide import GuideSchema, StepSchema


class GuidesQuerySchema(SafeSchema):
    """``GET /api/v1/guides?url=&role=``; other parameters (cache busters) are ignored."""

    class Meta:
        unknown = EXCLUDE

    url = fields.String(validate=validate.Length(max=4096),
                        metadata={"description": "the page URL; without it every guide for the role"})
    role = fields.String(validate=validate.Length(max=100),
                         metadata={"description": "the employee's role; without it only guides without audience"})

    @post_load
    def drop_empty(self, data, **kwargs):
        return {key: value for key, value in data.items() if value != ""}


class ProblemSchema(Schema):
    path = fields.String(required=True, metadata={"example": "steps[2].target.selector"})
    message = fields.String(required=True)


class ValidationResultSchema(Schema):
    valid = fields.Boolean(required=True)
    errors = fields.List(fields.Nested(ProblemSchema), required=True)
    warnings = fields.List(fields.Nested(ProblemSchema), required=True)
    preview = fields.Nested("ServedGuideSchema", metadata={"description": (
        "only when valid: the guide as GET /api/v1/guides would serve it, with version 0 "
        "(not published); the extension's author mode previews it")})


class PublishResultSchema(Schema):
    id = fields.String(required=True)
    version = fields.Integer(required=True)
    created = fields.Boolean(required=True, metadata={"description": "false when the document was unchanged"})
    warnings = fields.List(fields.Nested(ProblemSchema), required=True)


class BodyNodeSchema(Schema):
    tag = fields.String(required=True, validate=validate.OneOf(
        ["p", "strong", "em", "code", "pre", "ul", "ol", "li", "a", "br"]))
    href = fields.String(metadata={"description": "on a: always http, https or mailto"})
    children = fields.List(fields.Raw(), required=True,
                           metadata={"description": "strings (text) and body nodes"})


class ServedStepSchema(StepSchema):
    body_nodes = fields.List(fields.Raw(), metadata={"description": "strings and BodyNode objects"})
    body_html = fields.String(metadata={"description": "sanitised HTML, for dashboards"})


class ServedGuideSchema(GuideSchema):
    version = fields.Integer(required=True)
    steps = fields.List(fields.Nested(ServedStepSchema), required=True)


class GuideListSchema(Schema):
    guides = fields.List(fields.Nested(ServedGuideSchema), required=True)


class StoredGuideSchema(GuideSchema):
    version = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["published", "archived"]))


class GuideSummarySchema(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["published", "archived"]))
    latest_version = fields.Integer(required=True)
    updated_at = fields.String(required=True)


class VersionSchema(Schema):
    version = fields.Integer(required=True)
    published_at = fields.String(required=True)


class GuideVersionsSchema(GuideSummarySchema):
    versions = fields.List(fields.Nested(VersionSchema), required=True)
