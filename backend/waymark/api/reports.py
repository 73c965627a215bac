"""Drop-off reports for admins: JSON, CSV, broken targets, a line per guide.

A guide the catalogue knows (or that has runs) but with no events in range
answers 200 with zeros; a guide id nobody knows answers 404. Bad query
parameters answer 400 with the parameter's name as the error's path.
"""
from flask import Blueprint, Response, jsonify, request
from marshmallow import ValidationError

from .. import reports
from ..errors import ApiError, details_from_messages, not_found
from ..kind_reports import document_report
from ..kind_reports.csv_export import document_csv, help_csv
from ..kind_reports.help_panel import help_report
from ..schemas.report import (BrokenTargetsQuerySchema, DocumentReportQuerySchema, HelpReportQuerySchema,
                              SummariesQuerySchema)
from ..tokens import require_role

bp = Blueprint("reports", __name__, url_prefix="/api/v1/reports")


def _query_args(schema):
    """The query string loaded by ``schema``; raises ApiError 400 naming each bad parameter."""
    try:
        return schema.load(request.args.to_dict())
    except ValidationError as error:
        details = details_from_messages(error.messages)
        names = ", ".join(sorted({detail["path"] for detail in details}))
        raise ApiError(400, "invalid_query", f"Bad query parameter(s): {names}.", details) from None


def _guide_report(guide_id):
    """The report for ``guide_id`` (by its kind) from the query string; raises ApiError 404
    for an unknown guide."""
    args = _query_args(DocumentReportQuerySchema())
    if not reports.guide_known(guide_id):
        raise not_found(f"No guide {guide_id!r} in the catalogue and no events for it.")
    return document_report(guide_id, **args)


@bp.get("/guides")
@require_role("admin")
def guide_summaries():
    """Runs and completion of every guide that has runs."""
    return jsonify({"guides": reports.guide_summaries(**_query_args(SummariesQuerySchema()))})


@bp.get("/guides/<guide_id>.csv")
@require_role("admin")
def guide_report_csv(guide_id):
    """The drop-off report as CSV, a row per step."""
    body = document_csv(_guide_report(guide_id))
    filename = "".join(c if c.isalnum() or c in "-_" else "_" for c in guide_id)
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="waymark-{filename}.csv"'})


@bp.get("/guides/<guide_id>")
@require_role("admin")
def guide_report(guide_id):
    """The report of one document as JSON, by its kind (a guide's is the drop-off report)."""
    return jsonify(_guide_report(guide_id))


@bp.get("/help")
@require_role("admin")
def help_panel_report():
    """Help panel opens, resources opened (most first), searches that found nothing (most frequent first)."""
    return jsonify(help_report(**_query_args(HelpReportQuerySchema())))


@bp.get("/help.csv")
@require_role("admin")
def help_panel_report_csv():
    """The help report as CSV."""
    body = help_csv(help_report(**_query_args(HelpReportQuerySchema())))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="waymark-help.csv"'})


@bp.get("/broken-targets")
@require_role("admin")
def broken_targets():
    """Steps whose target went missing, most first, with URLs and selectors."""
    return jsonify({"broken_targets": reports.broken_targets(**_query_args(BrokenTargetsQuerySchema()))})
