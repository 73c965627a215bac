"""One guide's drop-off report: outcomes, the step funnel with times, the daily trend.

Times are naive UTC. ``now`` is a parameter so that "abandoned" (no event since
``runs.abandon_cutoff``) is deterministic in tests.
"""
import math

from .. import catalogue, runs
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

    Reports rank in SQL (``_step_figures``); this is the reference the tests hold them to.
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


def _step_figures(steps_where, params):
    """``{(index, step id): (reached, completed)}`` and ``{(index, step id): {"p50", "p90"}}``.

    Time on step (``run_step.time_ms``, kept by the database: migration 0005) is the
    duration the extension reported with the first ``step_completed``, else
    first shown (or reached) → first completed. Percentiles are nearest rank,
    each read as the k-th value of the step's walk in the run_step_report index
    (time order), so no step time leaves the database: reading them all into
    Python took ~170 ms for a guide with 90k run steps (docs/reports.md).
    """
    rows = query(f"SELECT s.step_index, s.step_id, COUNT(*), COUNT(s.time_ms) FROM run_step s "
                 f"WHERE {steps_where} GROUP BY s.step_index, s.step_id", params)
    counts, times = {}, {}
    for index, step_id, reached, completed in rows:
        counts[(index, step_id)] = (reached, completed)
        if completed:
            times[(index, step_id)] = {name: _nth_step_time(steps_where, params, index, step_id,
                                                            _rank(completed, fraction))
                                       for name, fraction in (("p50", 0.5), ("p90", 0.9))}
    return counts, times


def _step_figures_in_one_pass(steps_where, params):
    """``_step_figures`` for a URL filter: its subquery over the guide's events costs more
    than the index walks save, so it runs once and the times are ranked here."""
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


def _nth_step_time(steps_where, params, index, step_id, rank):
    same_id = "s.step_id IS NULL" if step_id is None else "s.step_id = ?"
    [(value,)] = query(
        f"SELECT s.time_ms FROM run_step s WHERE {steps_where} AND s.step_index = ? AND {same_id} "
        f"AND s.time_ms IS NOT NULL ORDER BY s.time_ms LIMIT 1 OFFSET ?",
        [*params, index, *([] if step_id is None else [step_id]), rank - 1])
    return value


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


def guide_report(guide_id, version=None, date_from=None, date_to=None, role=None, url=None, now=None,
                 abandon_after_minutes=DEFAULT_ABANDON_AFTER_MINUTES):
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
    """
    cutoff = runs.abandon_cutoff(now or utcnow(), abandon_after_minutes)
    filters = {"guide_id": guide_id, "version": version, "date_from": date_from,
               "date_to": date_to, "role": role, "url": url}
    runs_where, params = where("r", **filters)
    totals, dropped = _drops(_outcome_counts(runs_where, params, cutoff))
    total = sum(totals.values())
    figures = _step_figures if url is None else _step_figures_in_one_pass
    counts, times = figures(*where("s", **filters))
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
            "trend": _trend(runs_where, params),
            "missing_targets": missing_targets(guide_id, runs_where, params)}


def report_filter_options(guide_id):
    """The versions and roles a guide's runs carry, for the dashboard's filter menus::

        {"versions": [2, 1], "roles": ["employee", "sales"]}
    """
    of_guide, params = where("r", guide_id=guide_id)
    pairs = query(f"SELECT r.guide_version, r.role FROM run r WHERE {of_guide} "
                  f"GROUP BY r.guide_version, r.role", params)
    return {"versions": sorted({version for version, _ in pairs}, reverse=True),
            "roles": sorted({role for _, role in pairs if role is not None})}
