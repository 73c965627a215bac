"""``GET /api/v1/openapi.json``: the OpenAPI 3 document, made by apispec from the schemas.

Every endpoint is one row of ``OPERATIONS``; request and answer shapes come
from the marshmallow schemas the views use, so the document cannot drift from
the validation, and tests/test_openapi_answers.py loads real answers through the
answer schemas (unknown fields raising). Limits are the running service's own
(batch size, body size). No token is needed to read it.
"""
import functools

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, jsonify

from ..schemas import answers, kind_answers
from ..schemas.event import MAX_EXTRA_BYTES, MAX_EXTRA_FIELDS, EventSchema
from ..schemas.fields import MAX_JSON_DEPTH, TEXT_PATTERN, Timestamp
from ..schemas.guide_api import (GuidesQuerySchema, GuideSummarySchema, GuideVersionsSchema,
                                 PublishResultSchema, StoredGuideSchema, ValidationResultSchema)
from ..schemas.report import (BrokenTargetsQuerySchema, DocumentReportQuerySchema, EventExportQuerySchema,
                              HelpReportQuerySchema,
                              SummariesQuerySchema)

bp = Blueprint("openapi", __name__)

GUIDE_ID = {"in": "path", "name": "guide_id", "required": True,
            "schema": {"type": "string", "minLength": 1},
            "description": "the guide's id (a slug; 'validate' is the check's path); no NUL or "
                           "lone surrogate (400 invalid_path)"}
STEP_ID = {"in": "path", "name": "step_id", "required": True,
           "schema": {"type": "string", "minLength": 1},
           "description": "the step's id in the guide's latest version; no NUL or lone surrogate "
                          "(400 invalid_path)"}
ERRORS = {
    400: "bad JSON (invalid_json: not JSON, or nested deeper than the limit), a bad query "
         "parameter (invalid_query) or path id (invalid_path), or a malformed HTTP request; "
         "details name the parameter",
    401: "no token, or an unknown or revoked one (WWW-Authenticate: Bearer)",
    403: "a token of a role that may not do this",
    404: "no such guide",
    413: "the body is too large (bytes, or events in a batch)",
    415: "the body is not sent as Content-Type application/json",
    414: "the request line is longer than 8190 bytes (the HTTP server's limit; a long url "
         "of non-ASCII characters, percent-encoded, can reach it before its own limit)",
    431: "a header longer than 8190 bytes, or more than 100 headers",
    422: "valid JSON that breaks a rule beyond the schema (CSS selector syntax, unique step "
         "ids, fields that go with 'advance.on', the id in the URL); every problem is in details",
}
CHALLENGE = {"WWW-Authenticate": {"description": "Bearer realm=\"waymark\" (RFC 6750)",
                                  "schema": {"type": "string"}}}
ETAG = {"ETag": {"description": "the catalogue's version for this url and role",
                 "schema": {"type": "string"}}}
BATCH = "batch"  # the events body: built in _batch_schema from the service's limits
# The check answers any JSON with its problems (200, valid false): it takes any document.
ANY_DOCUMENT = {"anyOf": [{"type": "object"}, {"type": "array"}, {"type": "string", "pattern": r"^[\s\S]*$"},
                          {"type": "number"}, {"type": "boolean"}],
                "description": "a document of any kind (one of the *Document schemas and Guide, by "
                               "kind); any other JSON but null is answered with its errors, valid false"}
# A document to publish: one of the kinds' schemas, told apart by "kind".
KIND_DOCUMENT = {"oneOf": kind_answers.DOCUMENT_SCHEMAS}

# (method, path, summary, role, {"query"|"body"|"path": ...}, {status: (description, schema)}, errors)
OPERATIONS = [
    ("get", "/healthz", "Liveness: the process is up", None, {},
     {200: ("up", answers.HealthSchema)}, []),
    ("get", "/readyz", "Readiness: the database answers", None, {},
     {200: ("ready", answers.HealthSchema),
      503: ("the database is unreachable", answers.UnavailableSchema)}, []),
    ("get", "/api/v1/guides",
     "Published documents of every kind matching a page (url) for a role, latest version of each, "
     "nudges and surveys only inside their schedule, with an ETag",
     "extension", {"query": GuidesQuerySchema},
     {200: ("the documents, each with kind and version, every body with body_nodes and body_html "
            "(items are one of the Served* schemas, by kind)", kind_answers.ServedListSchema),
      304: ("If-None-Match held the current ETag", None)}, []),
    ("post", "/api/v1/guides/validate", "Every error and warning in a document of any kind; nothing is stored",
     "author", {"body": ANY_DOCUMENT}, {200: ("the check's result", kind_answers.ValidationResultSchema)}, []),
    ("put", "/api/v1/guides/{guide_id}", "Validate and publish; a changed document is a new version",
     "author", {"body": KIND_DOCUMENT, "path": True},
     {201: ("a new version", PublishResultSchema),
      200: ("unchanged: the latest version already is this document", PublishResultSchema)},
     [422]),
    ("get", "/api/v1/guides/{guide_id}", "The latest version of a guide, with version and status",
     "author", {"path": True}, {200: ("the guide", StoredGuideSchema)}, [404]),
    ("get", "/api/v1/guides/{guide_id}/versions", "A guide's versions, newest first",
     "author", {"path": True}, {200: ("the history", GuideVersionsSchema)}, [404]),
    ("post", "/api/v1/guides/{guide_id}/archive",
     "Withdraw a guide from the extension (publish it again to bring it back)",
     "author", {"path": True}, {200: ("the guide, archived", GuideSummarySchema)}, [404]),
    ("post", "/api/v1/guides/{guide_id}/steps/{step_id}/adopt-target",
     "Publish a version whose step targets the element healing last found",
     "author", {"path": True, "step": True},
     {201: ("a new version", answers.AdoptedTargetSchema),
      200: ("unchanged: the latest version already has this target", answers.AdoptedTargetSchema),
      409: ("no such step, or the step was never shown by healing", answers.ErrorSchema)},
     [404, 422]),
    ("post", "/api/v1/events", "A batch of events (guides, tips, nudges, surveys, help panel), answered per event",
     "extension", {"body": BATCH},
     {200: ("a result per event: stored, duplicate or rejected (with the path of each problem)",
            answers.EventResultsSchema),
      422: ("invalid_batch: not {\"events\": [...]}; invalid_events: every event was rejected "
            "(the results are in the body)", answers.EventsRejectedSchema)}, []),
    ("get", "/api/v1/events/export",
     "Raw events in arrival order, a page after a cursor (stable while events arrive)",
     "admin", {"query": EventExportQuerySchema},
     {200: ("a page of events and the cursor of the next", answers.EventExportPageSchema)},
     []),
    ("get", "/api/v1/reports/guides", "Runs and completion of every guide that has runs",
     "admin", {"query": SummariesQuerySchema},
     {200: ("a line per guide", answers.GuideSummariesSchema)}, []),
    ("get", "/api/v1/reports/guides/{guide_id}",
     "The report of one document by its kind: a guide's drop-off (with exit_reasons per step and "
     "exit_survey when it has one), tips, nudge funnel, survey answers, resources",
     "admin", {"query": DocumentReportQuerySchema, "path": True},
     {200: ("the report; kind says which", kind_answers.DocumentReportSchema)}, [404]),
    ("get", "/api/v1/reports/guides/{guide_id}.csv",
     "The report as CSV: a row per step, tip, funnel stage, answer or text",
     "admin", {"query": DocumentReportQuerySchema, "path": True}, {200: ("CSV", "csv")}, [404]),
    ("get", "/api/v1/reports/help",
     "The help panel: opens, resources opened (most first), searches that found nothing (most frequent first)",
     "admin", {"query": HelpReportQuerySchema}, {200: ("the help report", kind_answers.HelpReportSchema)}, []),
    ("get", "/api/v1/reports/help.csv", "The help report as CSV",
     "admin", {"query": HelpReportQuerySchema}, {200: ("CSV", "csv")}, []),
    ("get", "/api/v1/reports/broken-targets",
     "Steps whose target went missing, most first; beside them the degraded ones",
     "admin", {"query": BrokenTargetsQuerySchema},
     {200: ("the broken and the degraded targets", answers.BrokenTargetsSchema)}, []),
]


def _errors_of(role, inputs, errors):
    """Every error status an operation can answer: 400, 414 and 431 always (a query parameter
    or the request itself can be malformed or too long), 401/403 with a token, 413/415 with a
    body."""
    statuses = [400, 414, 431, *([401, 403] if role else []),
                *([413, 415] if inputs.get("body") else []), *errors]
    return sorted(set(statuses))


def documented_answers():
    """``{(method, path): {status: schema, None (no body) or "csv"}}`` as the document states."""
    found = {}
    for method, path, _summary, role, inputs, responses, errors in OPERATIONS:
        statuses = {status: schema for status, (_description, schema) in responses.items()}
        for status in _errors_of(role, inputs, errors):
            statuses.setdefault(status, answers.ErrorSchema)
        found[(method, path)] = statuses
    return found


def _response(description, schema, headers=None):
    answer = {"description": description}
    if headers:
        answer["headers"] = headers
    if schema == "csv":
        answer["content"] = {"text/csv": {"schema": {"type": "string"}}}
    elif schema is not None:
        answer["content"] = {"application/json": {"schema": schema}}
    return answer


def _operation(summary, role, inputs, responses, errors, batch_schema):
    operation = {"summary": summary, "responses": {}}
    parameters = [GUIDE_ID] if inputs.get("path") else []
    if inputs.get("step"):
        parameters.append(STEP_ID)
    if inputs.get("query"):
        parameters.append({"in": "query", "schema": inputs["query"]})
    if parameters:
        operation["parameters"] = parameters
    if inputs.get("body"):
        body = batch_schema if inputs["body"] == BATCH else inputs["body"]
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": body}}}
    if role:
        operation["security"] = [{"bearerAuth": []}]
        operation["description"] = f"Needs an {role} token (an admin token may do everything)."
    for status, (description, schema) in responses.items():
        headers = ETAG if status in (200, 304) and inputs.get("query") is GuidesQuerySchema else None
        operation["responses"][str(status)] = _response(description, schema, headers)
    for status in _errors_of(role, inputs, errors):
        operation["responses"].setdefault(
            str(status), _response(ERRORS[status], answers.ErrorSchema, CHALLENGE if status == 401 else None))
    return operation


def _batch_schema(max_events):
    return {"type": "object", "required": ["events"], "properties": {"events": {
        "type": "array", "maxItems": max_events,
        # Any item is read: one that is not an Event is rejected in the results, not the batch.
        "items": {"anyOf": [{"$ref": "#/components/schemas/Event"}, {}]},
        "description": (f"at most {max_events} events (413 past that); each is validated on its "
                        "own against Event, so a bad one is rejected in the results (and a batch "
                        "of only bad ones is a 422), never the others")}}}


def _tidy_query_parameters(document):
    """A query parameter is absent or a string: no ``null`` default, nothing nullable."""
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    parameter["schema"].pop("nullable", None)
                    if parameter["schema"].get("default", 0) is None:
                        parameter["schema"].pop("default")


def _open_event(document):
    """Fields beyond the contract's are kept (in ``extra``), within limits: say so."""
    event = document["components"]["schemas"]["Event"]
    event["properties"].pop("extra", None)
    event["additionalProperties"] = True
    event["description"] = (f"Events v1. Up to {MAX_EXTRA_FIELDS} fields beyond these "
                            f"({MAX_EXTRA_BYTES} bytes of JSON) are kept; a step event needs "
                            "step_id and step_index; reason goes with guide_dismissed only.")


def _state_the_text_rule(node):
    """Every string without a pattern of its own gets fields.py's text rule as one."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"pattern", "enum", "format"} & set(node):
            node["pattern"] = TEXT_PATTERN
        for value in node.values():
            _state_the_text_rule(value)
    elif isinstance(node, list):
        for value in node:
            _state_the_text_rule(value)


def _one_of_by_kind(document):
    """The answers that depend on a document's kind (kind_answers.BY_KIND) as a oneOf of their schemas."""
    schemas = document["components"]["schemas"]
    for name, choices in kind_answers.BY_KIND.items():
        schemas[name] = {"oneOf": [{"$ref": f"#/components/schemas/{choice}"} for choice in choices],
                         "description": "one of these, by the answer's kind"}


def build_spec(max_events=500, max_body_bytes=1024 * 1024):
    """The OpenAPI document as a dict, for a service with these limits."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title="Waymark", version="1", openapi_version="3.0.3", plugins=[plugin], info={
        "description": (
            "In-app guidance: guides, tips, help links, nudges and surveys; their events; drop-off "
            "and kind reports. Every error is "
            "{\"error\": {\"code\", \"message\", \"details\": [{\"path\", \"message\"}]}}, "
            "from every layer (the app and the HTTP server: 400, 414, 431 too). A method a path "
            "does not have answers 405 with Allow. Bodies: JSON (Content-Type application/json, "
            f"else 415), at most {max_body_bytes} bytes (413), nested at most {MAX_JSON_DEPTH} "
            "levels (400). No text may hold NUL or a lone surrogate (4xx naming the field). "
            "Times: ISO 8601 with a zone, offset at most 14:00, from 2000-01-01 to 3 days ahead "
            "of the server's clock; days (from, to): 2000-01-01 to 2999-12-31, from <= to.")})
    plugin.map_to_openapi_type(Timestamp, "string", "date-time")
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                   "description": "a token made with "
                                                                  "'waymark token create --role ROLE'"})
    spec.components.schema("Event", schema=EventSchema)
    for name, schema in kind_answers.COMPONENTS.items():
        spec.components.schema(name, schema=schema)
    paths = {}
    for method, path, summary, role, inputs, responses, errors in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(summary, role, inputs, responses, errors,
                                                        _batch_schema(max_events))
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    _tidy_query_parameters(document)
    _open_event(document)
    _one_of_by_kind(document)
    _state_the_text_rule(document)
    return document


@functools.cache
def cached_spec(max_events, max_body_bytes):
    return build_spec(max_events, max_body_bytes)


@bp.get("/api/v1/openapi.json")
def openapi_document():
    """The OpenAPI 3 document of this service."""
    config = current_app.config
    return jsonify(cached_spec(config["MAX_BATCH_EVENTS"], config["MAX_CONTENT_LENGTH"]))
