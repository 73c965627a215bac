"""POST /api/v1/events: a batch of events from the extension, answered per event.

Statuses (docs/reports.md "Event endpoint"):

- 200: the batch was read; ``{"results": [...]}`` says per event stored,
  duplicate or rejected (with errors). Mixed batches are 200.
- 422 ``invalid_events``: the batch was read but every event in it was
  rejected; the body has the ``error`` and the same ``results``.
- 400 ``invalid_json``: the body is not JSON (or not UTF-8).
- 422 ``invalid_batch``: JSON, but not ``{"events": [...]}``.
- 413 ``payload_too_large``: more than MAX_BATCH_EVENTS events or MAX_CONTENT_LENGTH bytes.
- 401 / 403: no or unknown token / a token of a role other than extension or admin.

GET /api/v1/events/export (admin): a page of raw events in arrival order,
``{"events", "next_cursor", "more"}``; 400 for a bad parameter.
"""
from flask import Blueprint, current_app, jsonify
from marshmallow import ValidationError

from . import json_body, query_args
from .. import events, folding
from ..errors import ApiError, details_from_messages
from ..ingest import ingest_batch
from ..schemas.event import BatchTooLarge, load_batch
from ..schemas.report import EventExportQuerySchema
from ..tokens import require_role

bp = Blueprint("events", __name__, url_prefix="/api/v1")


def _raw_events(data):
    """The events of a batch; raises ApiError 413 when too many, 422 when not a batch."""
    limit = current_app.config["MAX_BATCH_EVENTS"]
    try:
        return load_batch(data, limit)
    except BatchTooLarge:
        raise ApiError(413, "payload_too_large",
                       f"A batch holds at most {limit} events; this one has "
                       f"{len(data['events'])}: send it in parts.") from None
    except ValidationError as error:
        raise ApiError(422, "invalid_batch", "The body must be {\"events\": [...]}.",
                       details_from_messages(error.messages)) from None


@bp.post("/events")
@require_role("extension")
def post_events():
    """Store a batch of events; answer a result per event."""
    raw_events = _raw_events(json_body('{"events": [...]}'))
    results = ingest_batch(raw_events, keep_url_query=current_app.config["KEEP_URL_QUERY"])
    folding.events_arrived()  # stored and committed: this process's fold thread takes them soon
    if results and all(result["status"] == "rejected" for result in results):
        details = [error for result in results for error in result["errors"]]
        error = ApiError(422, "invalid_events",
                         f"Every event in the batch was rejected ({len(results)}); see details.",
                         details[:100])
        return jsonify({**error.to_dict(), "results": results}), 422
    return jsonify({"results": results})


@bp.get("/events/export")
@require_role("admin")
def export_events():
    """A page of stored events in arrival order after a cursor."""
    args = query_args(EventExportQuerySchema())
    page, next_cursor = events.export_page(args["since"], args["until"], args["cursor"], args["limit"])
    return jsonify({"events": page, "next_cursor": next_cursor, "more": len(page) == args["limit"]})
