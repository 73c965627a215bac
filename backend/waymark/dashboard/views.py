"""The dashboard's pages: guide list, guide report (and its CSV), broken targets.

Views only read filters, call reports.py and presenters.py, and render; no SQL here.
"""
from flask import Blueprint, Response, redirect, render_template, request, url_for

from .. import reports
from ..adopt import NothingToAdopt, adopt_healed_target
from ..catalogue import GuideNotFound
from . import presenters
from .auth import admin_required
from .catalogue_info import catalogue_entries, catalogue_entry, published_versions
from .csrf import check_csrf, csrf_token
from .errors import DashboardError, init_blueprint
from .filters import preset_ranges, range_filters, report_filters

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates",
               static_folder="static", static_url_path="static")
init_blueprint(bp)


@bp.app_context_processor
def template_helpers():
    return {"csrf_token": csrf_token, "preset_ranges": preset_ranges, "fmt": presenters}


def _known_guide(guide_id):
    """The catalogue entry (maybe None) of a guide; raises DashboardError 404 for an unknown one."""
    if not reports.guide_known(guide_id):
        raise DashboardError(404, "not_found", f"No guide {guide_id!r} in the catalogue and no "
                                               "runs of it.", path="guide_id")
    return catalogue_entry(guide_id)


@bp.get("/")
@admin_required
def guide_list():
    """Every guide with its latest version, status, runs and completion over the range."""
    filters = range_filters()
    summaries = reports.guide_summaries(date_from=filters.date_from, date_to=filters.date_to)
    rows = presenters.guide_list_rows(summaries, catalogue_entries())
    return render_template("guide_list.html", rows=rows, filters=filters,
                           recently_broken_days=reports.RECENTLY_BROKEN_DAYS)


@bp.get("/guides/<guide_id>")
@admin_required
def guide_report(guide_id):
    """The drop-off report of one guide: funnel, step table, worst step, trend."""
    entry = _known_guide(guide_id)
    filters = report_filters()
    report = reports.guide_report(guide_id, **filters.report_args())
    options = reports.report_filter_options(guide_id)
    versions = sorted(set(options["versions"]) | set(published_versions(guide_id)), reverse=True)
    return render_template(
        "guide_report.html", guide_id=guide_id, entry=entry or {}, report=report, filters=filters,
        versions=versions, roles=sorted(set(options["roles"]) | ({filters.role} - {None})),
        worst=presenters.worst_step_sentence(report), trend=presenters.trend_rows(report),
        funnel_chart=presenters.funnel_chart(report), trend_chart=presenters.trend_chart(report),
        csv_url=url_for("dashboard.guide_report_csv", guide_id=guide_id, **filters.query()))


@bp.get("/guides/<guide_id>/report.csv")
@admin_required
def guide_report_csv(guide_id):
    """Exactly the step table the report page shows for the same filters, as CSV."""
    _known_guide(guide_id)
    filters = report_filters()
    body = reports.report_csv(reports.guide_report(guide_id, **filters.report_args()))
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in guide_id)
    span = f"{filters.date_from or 'start'}_{filters.date_to or 'now'}"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="waymark-{stem}-{span}.csv"'})


@bp.get("/broken-targets")
@admin_required
def broken_targets():
    """Steps whose element went missing, most first, with URLs and when last seen; then the
    degraded ones (found by a fallback or by healing), with a button to adopt a healed target."""
    filters = range_filters()
    found = reports.broken_targets(date_from=filters.date_from, date_to=filters.date_to)
    degraded = reports.degraded_targets(date_from=filters.date_from, date_to=filters.date_to)
    titles = {gid: entry["title"] for gid, entry in catalogue_entries().items()}
    return render_template("broken_targets.html", rows=found, degraded=degraded, titles=titles,
                           filters=filters, adopted=request.args.get("adopted"))


@bp.post("/guides/<guide_id>/steps/<step_id>/adopt-target")
@admin_required
def adopt_target(guide_id, step_id):
    """Publish a version whose step targets the element healing last found; back to the list."""
    check_csrf()
    try:
        adopted = adopt_healed_target(guide_id, step_id)
    except GuideNotFound:
        raise DashboardError(404, "not_found", f"No guide {guide_id!r} in the catalogue.",
                             path="guide_id") from None
    except NothingToAdopt as error:
        raise DashboardError(409, "nothing_to_adopt", error.message, path="step_id") from None
    except ValueError as error:
        raise DashboardError(422, "invalid_guide", str(error), path="step_id") from None
    note = f"{guide_id} v{adopted['version']}: step {step_id} targets {adopted['target']['selector']}"
    return redirect(url_for("dashboard.broken_targets", adopted=note), code=303)
