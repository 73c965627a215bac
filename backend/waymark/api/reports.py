"""Reports for admins: a document's report by its kind (JSON, CSV), broken targets, a line
per guide, the help panel.

A guide the catalogue knows (or that has runs) but with no events in range
answers 200 with zeros; a guide id nobody knows answers 404. Bad query
parameters answer 400 with the parameter's name as the error's path.
"""
from flask import Blueprint, Response, current_app, jsonify

from .. import folding
from ..errors import not_found
from ..reports import export, guides, help_panel, kind_export, kinds, summaries, targets
from ..schemas.report import (BrokenTargetsQuerySchema, DocumentReportQuerySchema, HelpReportQuerySchema,
                              SummariesQuerySchema)
from ..tokens import require_role
from . import query_args

bp = Blueprint("reports", __name__, url_prefix="/api/v1/reports")
# A report counts every acknowledged event: what the fold thread has not taken yet is folded first.
bp.before_request(folding.catch_up)


def _abandon_after_minutes():
    return current_app.config["ABANDON_AFTER_MINUTES"]


def _guide_report(guide_id):
    """The report for ``guide_id`` (by its kind) from the query string; raises ApiError 404
    for an unknown guide."""
    args = query_args(DocumentReportQuerySchema())
    if not guides.guide_known(guide_id):
        raise not_found(f"No guide {guide_id!r} in the catalogue and no events for it.")
    return kinds.document_report(guide_id, **args, abandon_after_minutes=_abandon_after_minutes())


@bp.get("/guides")
@require_role("admin")
def guide_summaries():
    """Runs and completion of every guide that has runs."""
    return jsonify({"guides": summaries.guide_summaries(**query_args(SummariesQuerySchema()),
                                                        abandon_after_minutes=_abandon_after_minutes())})


@bp.get("/guides/<guide_id>.csv")
@require_role("admin")
def guide_report_csv(guide_id):
    """The report as CSV: a row per step, tip, funnel stage, answer or text."""
    body = kind_export.document_csv(_guide_report(guide_id))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{export.csv_filename(guide_id)}"'})


@bp.get("/guides/<guide_id>")
@require_role("admin")
def guide_report(guide_id):
    """The report of one document as JSON, by its kind (a guide's is the drop-off report)."""
    return jsonify(_guide_report(guide_id))


@bp.get("/broken-targets")
@require_role("admin")
def broken_targets():
    """Steps whose target went missing, most first, with URLs and selectors; beside them the
    degraded ones (found only by a fallback or by healing)."""
    args = query_args(BrokenTargetsQuerySchema())
    return jsonify({"broken_targets": targets.broken_targets(**args),
                    "degraded": targets.degraded_targets(**args)})


@bp.get("/help")
@require_role("admin")
def help_panel_report():
    """Help panel opens, resources opened (most first), searches that found nothing (most frequent first)."""
    return jsonify(help_panel.help_report(**query_args(HelpReportQuerySchema())))


@bp.get("/help.csv")
@require_role("admin")
def help_panel_report_csv():
    """The help report as CSV."""
    body = kind_export.help_csv(help_panel.help_report(**query_args(HelpReportQuerySchema())))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{export.csv_filename("help")}"'})
