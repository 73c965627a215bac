"""``GET /api/v1/openapi.json``: the OpenAPI 3 document, made by apispec from the schemas.

Every endpoint is one row of ``OPERATIONS``; request and answer shapes come
from the marshmallow schemas the views use, so the document cannot drift from
the validation. No token is needed to read it.
"""
import functools

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, jsonify

from ..schemas import answers
from ..schemas.event import EventBatchSchema, EventSchema
from ..schemas.guide import GuideSchema
from ..schemas.guide_api import (GuideListSchema, GuidesQuerySchema, GuideSummarySchema,
                                 GuideVersionsSchema, PublishResultSchema, StoredGuideSchema,
                                 ValidationResultSchema)
from ..schemas.report import (BrokenTargetsQuerySchema, EventExportQuerySchema, GuideReportQuerySchema,
                              SummariesQuerySchema)

bp = Blueprint("openapi", __name__)

GUIDE_ID = {"in": "path", "name": "guide_id", "required": True, "schema": {"type": "string"},
            "description": "the guide's id (a slug)"}
ERRORS = {
    400: "bad JSON or query parameters",
    401: "no token, or an unknown or revoked one",
    403: "a token of a role that may not do this",
    404: "no such guide",
    413: "the body is too large",
    422: "valid JSON that breaks the rules; every problem is in details",
}

# (method, path, summary, role, {"query"|"body"|"path": ...}, {status: (description, schema)}, errors)
OPERATIONS = [
    ("get", "/healthz", "Liveness: the process is up", None, {},
     {200: ("up", answers.HealthSchema)}, []),
    ("get", "/readyz", "Readiness: the database answers", None, {},
     {200: ("ready", answers.HealthSchema), 503: ("the database is unreachable", None)}, []),
    ("get", "/api/v1/guides",
     "Published guides matching a page (url) for a role, latest version of each, with an ETag",
     "extension", {"query": GuidesQuerySchema},
     {200: ("the guides, each with version, body_nodes and body_html", GuideListSchema),
      304: ("If-None-Match held the current ETag", None)}, [400, 401, 403]),
    ("post", "/api/v1/guides/validate", "Every error and warning in a guide; nothing is stored",
     "author", {"body": GuideSchema}, {200: ("the check's result", ValidationResultSchema)},
     [400, 401, 403, 413]),
    ("put", "/api/v1/guides/{guide_id}", "Validate and publish; a changed document is a new version",
     "author", {"body": GuideSchema, "path": True},
     {201: ("a new version", PublishResultSchema),
      200: ("unchanged: the latest version already is this document", PublishResultSchema)},
     [400, 401, 403, 413, 422]),
    ("get", "/api/v1/guides/{guide_id}", "The latest version of a guide, with version and status",
     "author", {"path": True}, {200: ("the guide", StoredGuideSchema)}, [401, 403, 404]),
    ("get", "/api/v1/guides/{guide_id}/versions", "A guide's versions, newest first",
     "author", {"path": True}, {200: ("the history", GuideVersionsSchema)}, [401, 403, 404]),
    ("post", "/api/v1/guides/{guide_id}/archive",
     "Withdraw a guide from the extension (publish it again to bring it back)",
     "author", {"path": True}, {200: ("the guide, archived", GuideSummarySchema)}, [401, 403, 404]),
    ("post", "/api/v1/events", "A batch of step events, answered per event",
     "extension", {"body": EventBatchSchema},
     {200: ("a result per event: stored, duplicate or rejected", answers.EventResultsSchema)},
     [400, 401, 403, 413, 422]),
    ("get", "/api/v1/events/export",
     "Raw events in arrival order, a page after a cursor (stable while events arrive)",
     "admin", {"query": EventExportQuerySchema},
     {200: ("a page of events and the cursor of the next", answers.EventExportPageSchema)},
     [400, 401, 403]),
    ("get", "/api/v1/reports/guides", "Runs and completion of every guide that has runs",
     "admin", {"query": SummariesQuerySchema},
     {200: ("a line per guide", answers.GuideSummariesSchema)}, [400, 401, 403]),
    ("get", "/api/v1/reports/guides/{guide_id}", "The drop-off report of one guide",
     "admin", {"query": GuideReportQuerySchema, "path": True},
     {200: ("the report", answers.GuideReportSchema)}, [400, 401, 403, 404]),
    ("get", "/api/v1/reports/guides/{guide_id}.csv", "The drop-off report as CSV, a row per step",
     "admin", {"query": GuideReportQuerySchema, "path": True}, {200: ("CSV", "csv")},
     [400, 401, 403, 404]),
    ("get", "/api/v1/reports/broken-targets", "Steps whose target went missing, most first",
     "admin", {"query": BrokenTargetsQuerySchema},
     {200: ("the broken targets", answers.BrokenTargetsSchema)}, [400, 401, 403]),
]


def _response(description, schema):
    if schema is None:
        return {"description": description}
    if schema == "csv":
        return {"description": description, "content": {"text/csv": {"schema": {"type": "string"}}}}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(summary, role, inputs, responses, errors):
    operation = {"summary": summary, "responses": {}}
    parameters = [GUIDE_ID] if inputs.get("path") else []
    if inputs.get("query"):
        parameters.append({"in": "query", "schema": inputs["query"]})
    if parameters:
        operation["parameters"] = parameters
    if inputs.get("body"):
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": inputs["body"]}}}
    if role:
        operation["security"] = [{"bearerAuth": []}]
        operation["description"] = f"Needs an {role} token (an admin token may do everything)."
    for status, (description, schema) in responses.items():
        operation["responses"][str(status)] = _response(description, schema)
    for status in errors:
        operation["responses"][str(status)] = _response(ERRORS[status], answers.ErrorSchema)
    return operation


def build_spec():
    """The OpenAPI document as a dict."""
    spec = APISpec(title="Waymark", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "In-app guidance: guides, step events, drop-off reports. "
                                        "Errors are {\"error\": {\"code\", \"message\", \"details\"}}."})
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                   "description": "a token made with "
                                                                  "'waymark token create --role ROLE'"})
    spec.components.schema("Event", schema=EventSchema)
    paths = {}
    for method, path, summary, role, inputs, responses, errors in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(summary, role, inputs, responses, errors)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@functools.cache
def cached_spec():
    return build_spec()


@bp.get("/api/v1/openapi.json")
def openapi_document():
    """The OpenAPI 3 document of this service."""
    return jsonify(cached_spec())
