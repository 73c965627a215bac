"""A line per guide that has runs: the figures of the dashboard's guide list."""
from datetime import timedelta

from .. import rollups, runs
from ..config import DEFAULT_ABANDON_AFTER_MINUTES
from ..db import query
from ..models import utcnow
from .filters import rate, where

RECENTLY_BROKEN_DAYS = 7


def guide_summaries(date_from=None, date_to=None, now=None,
                    abandon_after_minutes=DEFAULT_ABANDON_AFTER_MINUTES):
    """One line per guide that has runs, in one query (the dashboard adds titles and status)::

        [{"guide_id": "submit-expense", "runs": 120, "completed": 71, "dismissed": 20,
          "abandoned": 25, "broken": 4, "in_progress": 0, "completion_rate": 0.5917,
          "recently_broken": True}]

    Counts are of runs started in the date range; ``recently_broken`` is whether any
    run broke (target missing, not recovered) in the RECENTLY_BROKEN_DAYS before ``now``,
    whatever the range.
    """
    now = now or utcnow()
    # From the rollups (rows per guide, period, version, role, state and drop step), not the runs.
    counts = _summary_counts(date_from, date_to, runs.abandon_cutoff(now, abandon_after_minutes))
    recent = _recently_broken_guides(now - timedelta(days=RECENTLY_BROKEN_DAYS))
    guide_ids = rollups.guide_ids()
    summaries = []
    for guide_id in guide_ids:
        kinds = counts.get(guide_id, {})
        total = sum(kinds.values())
        line = {"guide_id": guide_id, "runs": total, **{kind: kinds.get(kind, 0) for kind in runs.OUTCOMES}}
        line.update(completion_rate=rate(line[runs.COMPLETED], total), recently_broken=guide_id in recent)
        summaries.append(line)
    return summaries


def _summary_counts(date_from, date_to, cutoff):
    """``{guide_id: {outcome: runs}}`` of the runs started in the range: the rollups' counts,
    open runs abandoned but for the few with an event inside the window."""
    counts = {}
    for guide_id, states in rollups.run_counts_by_guide(date_from, date_to).items():
        kinds = counts[guide_id] = dict.fromkeys(runs.OUTCOMES, 0)
        for state, count in states.items():
            kinds[runs.ABANDONED if state == runs.OPEN else state] += count
    in_range, params = where("r", date_from=date_from, date_to=date_to)
    for (guide_id,), count in rollups.open_runs_since(cutoff, ("guide_id",), in_range, params).items():
        kinds = counts.setdefault(guide_id, dict.fromkeys(runs.OUTCOMES, 0))
        kinds[runs.ABANDONED] -= count
        kinds[runs.IN_PROGRESS] += count
    return counts


def _recently_broken_guides(since):
    """Guides with a run that broke (latest miss at or after ``since``, not recovered).

    One probe per guide with runs into the partial index of broken runs by guide and
    latest miss (migration 0016), so its cost is the number of guides, not of events.
    """
    broken, broken_params = runs.outcome_is_sql(runs.BROKEN, "r")
    rows = query(f"SELECT g.guide_id FROM ({rollups.GUIDES_WITH_RUNS}) g WHERE EXISTS ("
                 f"SELECT 1 FROM run r WHERE r.guide_id = g.guide_id AND {broken} AND r.missing_at >= ?)",
                 [*rollups.GUIDES_WITH_RUNS_PARAMS, *broken_params, since])
    return {guide_id for (guide_id,) in rows}
