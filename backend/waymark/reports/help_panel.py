"""The help report: how the help panel is used, and what people searched for and did not find.

``panel_opened`` and ``panel_search`` are in ``help_event`` (no user column:
migration 0006); ``resource_opened`` is an event of the resources document,
its ``step_index`` the link's index.
"""
from .. import catalogue
from ..db import query
from .filters import events_where, iso, where

UNFOUND_LIMIT = 100


def help_report(date_from=None, date_to=None, limit=UNFOUND_LIMIT):
    """Panel opens, resources opened (most first), searches that found nothing (most frequent first)::

        {"from": None, "to": None, "panel_opens": 120, "searches": 40, "unfound_total": 9,
         "resources_opened": [{"guide_id": "expenses-help", "index": 0, "title": "Expense policy FAQ",
                               "url": "https://…", "count": 31}],
         "unfound_searches": [{"query": "per diem", "count": 5, "last_seen": "2026-11-22T10:31:07.123Z"}]}
    """
    in_range, params = where("h", date_from=date_from, date_to=date_to, day_column="at")
    totals = dict(query(f"SELECT h.type, COUNT(*) FROM help_event h WHERE {in_range} GROUP BY h.type", params))
    unfound = query(f"SELECT h.query, COUNT(*), MAX(h.at) FROM help_event h "
                    f"WHERE {in_range} AND h.type = 'panel_search' AND h.results = 0 "
                    f"GROUP BY h.query ORDER BY COUNT(*) DESC, MAX(h.at) DESC, h.query LIMIT ?", [*params, limit])
    [(unfound_total,)] = query(f"SELECT COUNT(*) FROM help_event h WHERE {in_range} "
                               f"AND h.type = 'panel_search' AND h.results = 0", params)
    return {"from": date_from and date_from.isoformat(), "to": date_to and date_to.isoformat(),
            "panel_opens": totals.get("panel_opened", 0), "searches": totals.get("panel_search", 0),
            "unfound_total": unfound_total,
            "resources_opened": _resources_opened(date_from, date_to),
            "unfound_searches": [{"query": text, "count": count, "last_seen": iso(last)}
                                 for text, count, last in unfound]}


def _resources_opened(date_from, date_to):
    opened, params = events_where(("resource_opened",), date_from=date_from, date_to=date_to)
    rows = query(f"SELECT e.guide_id, e.step_index, COUNT(*) FROM event e WHERE {opened} "
                 f"GROUP BY e.guide_id, e.step_index", params)
    documents = {}
    lines = []
    for guide_id, index, count in rows:
        if guide_id not in documents:
            documents[guide_id] = _links(guide_id)
        link = documents[guide_id][index] if index is not None and index < len(documents[guide_id]) else {}
        lines.append({"guide_id": guide_id, "index": index, "title": link.get("title"),
                      "url": link.get("url"), "count": count})
    return sorted(lines, key=lambda line: (-line["count"], line["guide_id"], line["index"] or 0))


def _links(guide_id):
    try:
        return catalogue.document_of(guide_id).get("links") or []
    except catalogue.GuideNotFound:
        return []


def resources_report(guide_id, document, version=None, date_from=None, date_to=None, role=None, **_):
    """A resources document's links with how often each was opened (the help report has the rest)::

        {"guide_id": "expenses-help", "kind": "resources", "version": None,
         "links": [{"index": 0, "title": "Expense policy FAQ", "url": "https://…", "opened": 31}]}
    """
    opened, params = events_where(("resource_opened",), guide_id, version, date_from, date_to, role)
    counts = dict(query(f"SELECT e.step_index, COUNT(*) FROM event e WHERE {opened} GROUP BY e.step_index",
                        params))
    links = (document or {}).get("links") or []
    return {"guide_id": guide_id, "kind": "resources", "version": version,
            "links": [{"index": index, "title": link.get("title"), "url": link.get("url"),
                       "opened": counts.get(index, 0)} for index, link in enumerate(links)]}
