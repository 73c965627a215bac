"""The tips report: per tip, how often it opened, for how many people, and how validation went."""
from ..db import query
from .filters import events_where, rate

TIP_TYPES = ("tip_shown", "validation_failed", "validation_passed")


def tips_report(guide_id, document, version=None, date_from=None, date_to=None, role=None, **_):
    """Per tip ``shown`` (tip_shown events: at most one per tip per page view), ``users`` (who
    saw it), ``validation_failed``, ``validation_passed`` (fixed after a warning) and
    ``fixed_rate`` (passed / failed); ``most_failed`` names the fields people get wrong most::

        {"guide_id": "expense-form-tips", "kind": "tips", "version": None,
         "tips": [{"tip_id": "amount", "index": 0, "title": "Amount", "validates": True,
                   "shown": 40, "users": 31, "validation_failed": 12, "validation_passed": 9,
                   "fixed_rate": 0.75}],
         "most_failed": [{"tip_id": "amount", "title": "Amount", "validation_failed": 12,
                          "fixed_rate": 0.75}]}
    """
    of_tips, params = events_where(TIP_TYPES, guide_id, version, date_from, date_to, role)
    rows = query(f"SELECT e.step_index, e.step_id, e.type, COUNT(*), COUNT(DISTINCT e.user) FROM event e "
                 f"WHERE {of_tips} GROUP BY e.step_index, e.step_id, e.type", params)
    counts = {}
    for index, tip_id, kind, count, users in rows:
        figures = counts.setdefault(tip_id, {"index": index, "shown": 0, "users": 0,
                                             "validation_failed": 0, "validation_passed": 0})
        figures["shown" if kind == "tip_shown" else kind] += count
        if kind == "tip_shown":
            figures["users"] += users
    layout = (document or {}).get("tips") or []
    known = {tip.get("id") for tip in layout}
    lines = [_line(tip.get("id"), position, tip.get("title"), "validate" in tip, counts.get(tip.get("id")))
             for position, tip in enumerate(layout)]
    lines += [_line(tip_id, figures["index"], None, figures["validation_failed"] > 0, figures)
              for tip_id, figures in sorted(counts.items(), key=lambda item: (item[1]["index"] or 0, item[0]))
              if tip_id not in known]  # tips of older versions, no longer in the document
    failing = sorted((line for line in lines if line["validation_failed"]),
                     key=lambda line: (-line["validation_failed"], line["index"] or 0))
    return {"guide_id": guide_id, "kind": "tips", "version": version, "tips": lines,
            "most_failed": [{key: line[key] for key in ("tip_id", "title", "validation_failed", "fixed_rate")}
                            for line in failing]}


def _line(tip_id, index, title, validates, figures):
    figures = figures or {"shown": 0, "users": 0, "validation_failed": 0, "validation_passed": 0}
    failed, passed = figures["validation_failed"], figures["validation_passed"]
    return {"tip_id": tip_id, "index": index, "title": title, "validates": validates,
            "shown": figures["shown"], "users": figures["users"], "validation_failed": failed,
            "validation_passed": passed, "fixed_rate": min(1.0, rate(passed, failed))}
