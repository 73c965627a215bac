"""Drop-off reports for admins: JSON, CSV, broken targets, a line per guide.

A guide the catalogue knows (or that has runs) but with no events in range
answers 200 with zeros; a guide id nobody knows answers 404. Bad query
parameters answer 400 with the parameter's name as the error's path.
"""
from flask import Blueprint, Response, current_app, jsonify

from ..errors import not_found
from ..reports import export, guides, summaries, targets
from ..schemas.report import BrokenTargetsQuerySchema, GuideReportQuerySchema, SummariesQuerySchema
from ..tokens import require_role
from . import query_args

bp = Blueprint("reports", __name__, url_prefix="/api/v1/reports")


def _abandon_after_minutes():
    return current_app.config["ABANDON_AFTER_MINUTES"]


def _guide_report(guide_id):
    """The report for ``guide_id`` from the query string; raises ApiError 404 for an unknown guide."""
    args = query_args(GuideReportQuerySchema())
    if not guides.guide_known(guide_id):
        raise not_found(f"No guide {guide_id!r} in the catalogue and no events for it.")
    return guides.guide_report(guide_id, **args, abandon_after_minutes=_abandon_after_minutes())


@bp.get("/guides")
@require_role("admin")
def guide_summaries():
    """Runs and completion of every guide that has runs."""
    return jsonify({"guides": summaries.guide_summaries(**query_args(SummariesQuerySchema()),
                                                        abandon_after_minutes=_abandon_after_minutes())})


@bp.get("/guides/<guide_id>.csv")
@require_role("admin")
def guide_report_csv(guide_id):
    """The drop-off report as CSV, a row per step."""
    body = export.report_csv(_guide_report(guide_id))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{export.csv_filename(guide_id)}"'})


@bp.get("/guides/<guide_id>")
@require_role("admin")
def guide_report(guide_id):
    """The drop-off report of one guide as JSON."""
    return jsonify(_guide_report(guide_id))


@bp.get("/broken-targets")
@require_role("admin")
def broken_targets():
    """Steps whose target went missing, most first, with URLs and selectors; beside them the
    degraded ones (found only by a fallback or by healing)."""
    args = query_args(BrokenTargetsQuerySchema())
    return jsonify({"broken_targets": targets.broken_targets(**args),
                    "degraded": targets.degraded_targets(**args)})
