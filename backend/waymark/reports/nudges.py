"""The nudge report: its conversion funnel, from shown through each action to completed guides."""
from .. import runs
from ..db import query
from .filters import events_where, where

NUDGE_TYPES = ("nudge_shown", "nudge_dismissed", "nudge_action")


def nudge_report(guide_id, document, version=None, date_from=None, date_to=None, role=None, **_):
    """``shown``, ``users``, ``dismissed``, per action its ``count``, then the guides started
    from the nudge (``guide_started.source``) and how many of those runs completed::

        {"guide_id": "travel-policy-2027", "kind": "nudge", "version": None,
         "shown": 200, "users": 150, "dismissed": 90,
         "actions": [{"index": 0, "label": "Show me how", "start": "submit-expense", "count": 60}],
         "guides_started": 58, "guides_completed": 41,
         "funnel": [{"stage": "shown", "count": 200}, {"stage": "Show me how", "count": 60},
                    {"stage": "guides started", "count": 58}, {"stage": "guides completed", "count": 41}]}

    The guides' runs are counted by the day their guide_started came and the role it carried;
    ``version`` applies to the nudge's own events only (a guide_started does not say which
    version of the nudge started it).
    """
    of_nudge, params = events_where(NUDGE_TYPES, guide_id, version, date_from, date_to, role)
    rows = query(f"SELECT e.type, e.action_index, MAX(e.action_label), COUNT(*), COUNT(DISTINCT e.user) "
                 f"FROM event e WHERE {of_nudge} GROUP BY e.type, e.action_index", params)
    totals, taken, users = {kind: 0 for kind in NUDGE_TYPES}, {}, 0
    for kind, index, label, count, distinct in rows:
        totals[kind] += count
        if kind == "nudge_shown":
            users = distinct
        if kind == "nudge_action" and index is not None:
            taken[index] = (label, count)
    started, completed = _guides_from(guide_id, date_from, date_to, role)
    actions = _actions(document, taken)
    funnel = ([{"stage": "shown", "count": totals["nudge_shown"]}]
              + [{"stage": action["label"], "count": action["count"]} for action in actions
                 if not action.get("dismiss")]
              + [{"stage": "guides started", "count": started},
                 {"stage": "guides completed", "count": completed}])
    return {"guide_id": guide_id, "kind": "nudge", "version": version, "shown": totals["nudge_shown"],
            "users": users, runs.DISMISSED: totals["nudge_dismissed"], "actions": actions,
            "guides_started": started, "guides_completed": completed, "funnel": funnel}


def _actions(document, taken):
    """The document's actions with their counts, then any taken that it no longer has."""
    layout = ((document or {}).get("nudge") or {}).get("actions") or []
    actions = []
    for index, action in enumerate(layout):
        line = {"index": index, "label": action.get("label"), "count": taken.get(index, (None, 0))[1]}
        for does in ("start", "url", "dismiss"):
            if does in action:
                line[does] = action[does]
        actions.append(line)
    actions += [{"index": index, "label": label, "count": count}
                for index, (label, count) in sorted(taken.items()) if index >= len(layout)]
    return actions


def _guides_from(nudge_id, date_from, date_to, role):
    """(guides started from the nudge, of those the runs that completed; runs.py says which did)."""
    in_range, params = where("e", date_from=date_from, date_to=date_to, role=role, day_column="at")
    completed, completed_params = runs.outcome_is_sql(runs.COMPLETED, "r")
    [(started, done)] = query(
        f"SELECT COUNT(DISTINCT e.run_id), COUNT(DISTINCT CASE WHEN {completed} THEN r.run_id END) "
        f"FROM event e LEFT JOIN run r ON r.run_id = e.run_id "
        f"WHERE e.source_kind = 'nudge' AND e.source_id = ? AND e.type = 'guide_started' AND {in_range}",
        [*completed_params, nudge_id, *params])
    return started or 0, done or 0
