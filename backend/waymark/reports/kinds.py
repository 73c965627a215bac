"""A document's report by its kind (docs/reports.md "Reports of every kind").

``document_report`` answers ``GET /api/v1/reports/guides/<id>``: a walkthrough
gets the drop-off report (guides.py), with its exit survey's reasons per step
when it has one (surveys.py); tips, nudges, surveys and resources get theirs
(tips.py, nudges.py, surveys.py, help_panel.py). Those read the events the
extension sent (migration 0006 made columns of what they carry) through
``filters.events_where``; none reads runs except the nudge funnel, which follows
the guides a nudge started into their runs (runs.py says how those ended).
"""
from .. import catalogue
from ..db import query
from ..config import DEFAULT_ABANDON_AFTER_MINUTES
from ..schemas.document import DEFAULT_KIND, kind_of
from . import guides, help_panel, nudges, surveys, tips

KIND_REPORTS = {"tips": tips.tips_report, "nudge": nudges.nudge_report, "survey": surveys.survey_report,
                "resources": help_panel.resources_report}


def document_of(guide_id, version=None):
    """The document to read titles and choices from, or None when the catalogue has no such guide."""
    try:
        return catalogue.document_of(guide_id, version)
    except catalogue.GuideNotFound:
        return None


def document_report(guide_id, version=None, date_from=None, date_to=None, role=None, url=None,
                    now=None, page=1, per_page=surveys.TEXTS_PER_PAGE,
                    abandon_after_minutes=DEFAULT_ABANDON_AFTER_MINUTES):
    """The report of one document, by its kind; each carries ``kind``. See each module's sample."""
    document = document_of(guide_id, version)
    kind = kind_of(document) if document else DEFAULT_KIND
    filters = {"version": version, "date_from": date_from, "date_to": date_to, "role": role}
    if kind in KIND_REPORTS:
        return KIND_REPORTS[kind](guide_id, document, page=page, per_page=per_page, **filters)
    report = {"kind": DEFAULT_KIND,
              **guides.guide_report(guide_id, url=url, now=now, abandon_after_minutes=abandon_after_minutes,
                                    **filters)}
    if document and "exit_survey" in document:
        surveys.add_exit_reasons(report, document, page=page, per_page=per_page, **filters)
    return report


def event_roles(guide_id):
    """The roles a document's events carry (tips, nudges, surveys have no runs to read them from)."""
    rows = query("SELECT DISTINCT e.role FROM event e WHERE e.guide_id = ? AND e.role IS NOT NULL", [guide_id])
    return sorted(role for (role,) in rows)
