"""The dashboard's pages: guide list, a report per document (by its kind, and its CSV),
broken targets, the help panel.

Views only read filters, call the reports, the catalogue and the presenters, and
render; no SQL here.
"""
from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from .. import catalogue, folding
from ..adopt import NothingToAdopt, adopt_healed_target
from ..errors import ApiError
from ..reports import export, guides, help_panel, kind_export, kinds, summaries, targets
from . import kind_presenters, presenters
from .auth import admin_required
from .csrf import check_csrf, csrf_token
from .filters import preset_ranges, range_filters, report_filters

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates",
               static_folder="static", static_url_path="static")
# Every page counts every acknowledged event: what the fold thread has not taken yet is folded first.
bp.before_request(folding.catch_up)


@bp.app_context_processor
def template_helpers():
    return {"csrf_token": csrf_token, "preset_ranges": preset_ranges, "fmt": presenters,
            "kinds": kind_presenters}


def _abandon_after_minutes():
    return current_app.config["ABANDON_AFTER_MINUTES"]


def _known_guide(guide_id):
    """The catalogue entry (maybe None) of a guide; raises ApiError 404 for an unknown one."""
    if not guides.guide_known(guide_id):
        raise ApiError(404, "not_found", f"No guide {guide_id!r} in the catalogue and no "
                                         "runs of it.", path="guide_id")
    return catalogue.list_entry(guide_id)


def _guide_report(guide_id, filters):
    """The report of a document of any kind (a guide's: the drop-off report)."""
    return kinds.document_report(guide_id, **filters.report_args(), page=filters.page,
                                 abandon_after_minutes=_abandon_after_minutes())


# The page of each document kind other than a walkthrough.
KIND_TEMPLATES = {"tips": "tips_report.html", "nudge": "nudge_report.html",
                  "survey": "survey_report.html", "resources": "resources_report.html"}


@bp.get("/")
@admin_required
def guide_list():
    """Every guide with its latest version, status, runs and completion over the range."""
    filters = range_filters()
    lines = summaries.guide_summaries(date_from=filters.date_from, date_to=filters.date_to,
                                      abandon_after_minutes=_abandon_after_minutes())
    rows = presenters.guide_list_rows(lines, catalogue.list_entries())
    return render_template("guide_list.html", rows=rows, filters=filters,
                           recently_broken_days=summaries.RECENTLY_BROKEN_DAYS)


@bp.get("/guides/<guide_id>")
@admin_required
def guide_report(guide_id):
    """The report of one document by its kind; a guide's: funnel, step table, worst step,
    trend, and why people left (its exit survey)."""
    entry = _known_guide(guide_id)
    filters = report_filters()
    report = _guide_report(guide_id, filters)
    options = guides.report_filter_options(guide_id)
    versions = sorted(set(options["versions"]) | set(catalogue.version_numbers(guide_id)), reverse=True)
    roles = set(options["roles"]) | ({filters.role} - {None})
    if report["kind"] in KIND_TEMPLATES:
        roles |= set(kinds.event_roles(guide_id))
    common = dict(guide_id=guide_id, entry=entry or {}, report=report, filters=filters, versions=versions,
                  roles=sorted(roles),
                  csv_url=url_for("dashboard.guide_report_csv", guide_id=guide_id, **filters.query()))
    if report["kind"] in KIND_TEMPLATES:
        return render_template(KIND_TEMPLATES[report["kind"]], **common)
    return render_template(
        "guide_report.html", **common,
        worst=presenters.worst_step_sentence(report), trend=presenters.trend_rows(report),
        funnel_chart=presenters.funnel_chart(report), trend_chart=presenters.trend_chart(report))


@bp.get("/guides/<guide_id>/report.csv")
@admin_required
def guide_report_csv(guide_id):
    """Exactly the table the report page shows for the same filters, as CSV."""
    _known_guide(guide_id)
    filters = report_filters()
    body = kind_export.document_csv(_guide_report(guide_id, filters))
    filename = export.csv_filename(guide_id, f"{filters.date_from or 'start'}_{filters.date_to or 'now'}")
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/broken-targets")
@admin_required
def broken_targets():
    """Steps whose element went missing, most first, with URLs and when last seen; then the
    degraded ones (found by a fallback or by healing), with a button to adopt a healed target."""
    filters = range_filters()
    found = targets.broken_targets(date_from=filters.date_from, date_to=filters.date_to)
    degraded = targets.degraded_targets(date_from=filters.date_from, date_to=filters.date_to)
    return render_template("broken_targets.html", rows=found, degraded=degraded, titles=_titles(),
                           filters=filters, adopted=request.args.get("adopted"))


@bp.post("/guides/<guide_id>/steps/<step_id>/adopt-target")
@admin_required
def adopt_target(guide_id, step_id):
    """Publish a version whose step targets the element healing last found; back to the list."""
    check_csrf()
    try:
        adopted = adopt_healed_target(guide_id, step_id)
    except catalogue.GuideNotFound:
        raise ApiError(404, "not_found", f"No guide {guide_id!r} in the catalogue.",
                       path="guide_id") from None
    except NothingToAdopt as error:
        raise ApiError(409, "nothing_to_adopt", error.message, path="step_id") from None
    except ValueError as error:
        raise ApiError(422, "invalid_guide", str(error), path="step_id") from None
    note = f"{guide_id} v{adopted['version']}: step {step_id} targets {adopted['target']['selector']}"
    return redirect(url_for("dashboard.broken_targets", adopted=note), code=303)


def _titles():
    """``{guide_id: title}`` of the catalogue's documents, for pages that name them."""
    return {gid: entry["title"] for gid, entry in catalogue.list_entries().items()}


@bp.get("/help")
@admin_required
def help_panel_page():
    """The help panel: opens, links opened most, and the searches that found nothing (the FAQ's to-do list)."""
    filters = range_filters()
    report = help_panel.help_report(date_from=filters.date_from, date_to=filters.date_to)
    return render_template("help.html", report=report, titles=_titles(), filters=filters)
