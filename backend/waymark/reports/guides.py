"""One guide's drop-off report: outcomes, the step funnel with times, the daily trend.

Times are naive UTC. ``now`` is a parameter so that "abandoned" (no event since
``runs.abandon_cutoff``) is deterministic in tests.
"""
import math

from .. import catalogue, rollups, runs
from ..config import DEFAULT_ABANDON_AFTER_MINUTES
from ..db import query
from ..models import utcnow
from .filters import as_date_string, rate, where
from .targets import missing_targets


def guide_known(guide_id):
    """True if the catalogue has the guide or any run of it was recorded."""
    return (catalogue.has_guide(guide_id)
            or bool(query("SELECT 1 FROM run WHERE guide_id = ? LIMIT 1", [guide_id])))


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an ascending list (None if empty): p50 of [1,2,3,4] is 2.

    The runs path ranks with it; the rollups' histograms are held to it within 1%.
    """
    if not sorted_values:
        return None
    return sorted_values[_rank(len(sorted_values), fraction) - 1]


def _rank(count, fraction):
    """The 1-based nearest rank of ``fraction`` among ``count`` values (as ``percentile``)."""
    return max(1, math.ceil(fraction * count))


def _outcome_counts(runs_where, params, cutoff):
    """``{(outcome, drop index, drop step id): runs}``."""
    rows = query(
        f"SELECT o, di, ds, COUNT(*) FROM (SELECT {runs.outcome_sql('r')} AS o, "
        f"{runs.drop_step_sql('r')} AS di, {runs.drop_step_sql('r', 'id')} AS ds "
        f"FROM run r WHERE {runs_where}) x GROUP BY o, di, ds",
        [cutoff, *params])
    return {(o, di, ds): count for o, di, ds, count in rows}


def _step_figures_in_one_pass(steps_where, params):
    """``{(index, step id): (reached, completed)}`` and ``{(index, step id): {"p50", "p90"}}``
    of the run steps selected, times ranked here (nearest rank)."""
    rows = query(f"SELECT s.step_index, s.step_id, s.time_ms FROM run_step s WHERE {steps_where}",
                 params)
    reached, values = {}, {}
    for index, step_id, value in rows:
        reached[(index, step_id)] = reached.get((index, step_id), 0) + 1
        if value is not None:
            values.setdefault((index, step_id), []).append(value)
    counts = {key: (count, len(values.get(key, ()))) for key, count in reached.items()}
    times = {}
    for key, durations in values.items():
        durations.sort()
        times[key] = {"p50": percentile(durations, 0.5), "p90": percentile(durations, 0.9)}
    return counts, times


def _trend(runs_where, params):
    completed, completed_params = runs.outcome_is_sql(runs.COMPLETED, "r")
    rows = query(
        f"SELECT DATE(r.started_at) AS day, COUNT(*), "
        f"SUM(CASE WHEN {completed} THEN 1 ELSE 0 END) FROM run r "
        f"WHERE {runs_where} GROUP BY DATE(r.started_at) ORDER BY day", [*completed_params, *params])
    return [{"date": as_date_string(day), "started": started, "completed": int(done or 0)}
            for day, started, done in rows]


def _drops(outcomes):
    """Totals per outcome and ``{(index, step id): {drop outcome: runs}}`` from ``_outcome_counts``."""
    totals, dropped = dict.fromkeys(runs.OUTCOMES, 0), {}
    for (kind, index, step_id), count in outcomes.items():
        totals[kind] += count
        if kind in runs.DROP_OUTCOMES and index is not None:
            dropped.setdefault((index, step_id), dict.fromkeys(runs.DROP_OUTCOMES, 0))[kind] += count
    return totals, dropped


def _from_runs(filters, cutoff):
    """Outcomes, step figures and trend read from the runs themselves: exact for any filter,
    the URL filter included, at a cost that grows with the guide's runs (the tests'
    reference for ``_from_rollups``)."""
    runs_where, params = where("r", **filters)
    counts, times = _step_figures_in_one_pass(*where("s", **filters))
    return _outcome_counts(runs_where, params, cutoff), counts, times, _trend(runs_where, params)


def _from_rollups(filters, cutoff):
    """What ``_from_runs`` answers, read from the rollups (rollups.py): a cost that grows with
    days, versions, roles and steps, not with runs. No URL filter (a run's URLs are not rolled up)."""
    rolled = {key: value for key, value in filters.items() if key != "url"}
    outcomes = {}
    for (state, index, step_id), count in rollups.run_counts(**rolled).items():
        kind = runs.ABANDONED if state == runs.OPEN else state
        outcomes[(kind, index, step_id)] = outcomes.get((kind, index, step_id), 0) + count
    # Open runs count as abandoned but for the few with an event inside the window.
    for (index, step_id), count in rollups.open_runs_since(cutoff, ("step_index", "step_id"),
                                                            *where("r", **filters)).items():
        outcomes[(runs.ABANDONED, index, step_id)] -= count
        outcomes[(runs.IN_PROGRESS, index, step_id)] = outcomes.get((runs.IN_PROGRESS, index, step_id), 0) + count
    trend = [{"date": day, "started": started, "completed": done}
             for day, started, done in rollups.trend(**rolled)]
    return outcomes, rollups.step_counts(**rolled), rollups.step_times(**rolled), trend


def guide_report(guide_id, version=None, date_from=None, date_to=None, role=None, url=None, now=None,
                 abandon_after_minutes=DEFAULT_ABANDON_AFTER_MINUTES, from_runs=False):
    """The drop-off report of one guide (docs/reports.md "Report API")::

        {"guide_id": "submit-expense", "version": None, "runs": 5, "completed": 1,
         "dismissed": 1, "abandoned": 1, "broken": 1, "in_progress": 1, "completion_rate": 0.2,
         "steps": [{"step_id": "new-report", "index": 0, "title": "Start a report",
                    "reached": 5, "completed": 4,
                    "dropped": {"dismissed": 0, "abandoned": 0, "broken": 1},
                    "drop_rate": 0.2, "time_ms": {"p50": 3000, "p90": 9000}}, ...],
         "trend": [{"date": "2026-11-22", "started": 5, "completed": 1}],
         "missing_targets": [{"step_id": "new-report", "index": 0, "count": 1,
                              "urls": ["https://expenses.example.com/reports"],
                              "last_seen": "2026-11-22T10:00:09.000Z"}]}

    Read from the rollups, or from the runs when ``url`` is given or ``from_runs`` (the
    exact computation the tests hold the rollups to). Counts agree exactly; p50/p90
    from the rollups' histograms are within 1% (rollups.py).
    """
    cutoff = runs.abandon_cutoff(now or utcnow(), abandon_after_minutes)
    filters = {"guide_id": guide_id, "version": version, "date_from": date_from,
               "date_to": date_to, "role": role, "url": url}
    source = _from_runs if url is not None or from_runs else _from_rollups
    outcomes, counts, times, trend = source(filters, cutoff)
    totals, dropped = _drops(outcomes)
    total = sum(totals.values())
    titles, layout = catalogue.step_titles(guide_id, version)
    keys = sorted(set(layout) | set(counts) | set(dropped), key=lambda k: (k[0], str(k[1])))
    steps = []
    for index, step_id in keys:
        reached, completed = counts.get((index, step_id), (0, 0))
        drops = dropped.get((index, step_id), dict.fromkeys(runs.DROP_OUTCOMES, 0))
        durations = times.get((index, step_id), {})
        steps.append({"step_id": step_id, "index": index, "title": titles.get(step_id),
                      "reached": reached, "completed": completed, "dropped": drops,
                      "drop_rate": rate(sum(drops.values()), reached),
                      "time_ms": {"p50": durations.get("p50"), "p90": durations.get("p90")}})
    return {"guide_id": guide_id, "version": version, "runs": total, **totals,
            "completion_rate": rate(totals[runs.COMPLETED], total), "steps": steps,
            "trend": trend, "missing_targets": missing_targets(filters, from_events=from_runs)}


def report_filter_options(guide_id):
    """The versions and roles a guide's runs carry, for the dashboard's filter menus::

        {"versions": [2, 1], "roles": ["employee", "sales"]}
    """
    pairs = rollups.versions_and_roles(guide_id)
    return {"versions": sorted({version for version, _ in pairs}, reverse=True),
            "roles": sorted({role for _, role in pairs if role is not None})}
