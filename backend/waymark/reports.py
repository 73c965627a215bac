"""Drop-off reports: small query functions over the runs folded at ingest (runs.py).

Each function answers one question with a few grouped queries; none reads
every event. Times are naive UTC. ``now`` is a parameter so that "abandoned"
(no event for ABANDON_AFTER_MINUTES) is deterministic in tests.

Filters (guide_report): ``version`` (int), ``date_from``/``date_to`` (dates,
inclusive, on the day a run *started*, UTC), ``role`` (the employee's role the
events carried), ``url`` (runs with at least one event on that URL: a prefix,
or a glob when it contains ``*``, where ``*`` is any run of characters).
"""
import csv
import io
import json
import math
from datetime import datetime, time, timedelta

from .db import database, is_postgres
from .models import Guide, GuideVersion, utcnow
from .runs import drop_step_sql, outcome_sql

RECENTLY_BROKEN_DAYS = 7


# -- helpers -------------------------------------------------------------------

def _param():
    return "%s" if is_postgres() else "?"


def _query(sql, params=()):
    """Run SQL written with ``?`` markers on either store; return all rows."""
    if is_postgres():
        sql = sql.replace("?", "%s")
    return database.execute_sql(sql, list(params)).fetchall()


def _abandon_after():
    """The abandonment window: the app's config inside a request, else the environment's."""
    from flask import current_app, has_app_context
    if has_app_context():
        minutes = current_app.config["ABANDON_AFTER_MINUTES"]
    else:
        from .config import from_environment
        minutes = from_environment()["ABANDON_AFTER_MINUTES"]
    return timedelta(minutes=minutes)


def _day_start(day):
    return datetime.combine(day, time.min)


def _like_pattern(url):
    """A LIKE pattern (escape ``\\``) for a URL prefix, or for a glob when it contains ``*``."""
    literal = url.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return literal.replace("*", "%") if "*" in url else literal + "%"


def _run_filters(guide_id, version, date_from, date_to, role, url, table="r"):
    """WHERE clause (with ``?`` markers) and parameters selecting a guide's runs.

    ``table`` is ``run`` or ``run_step``'s alias: steps carry their run's columns.
    """
    clauses, params = [f"{table}.guide_id = ?"], [guide_id]
    if version is not None:
        clauses.append(f"{table}.guide_version = ?")
        params.append(version)
    if date_from is not None:
        clauses.append(f"{table}.started_at >= ?")
        params.append(_day_start(date_from))
    if date_to is not None:
        clauses.append(f"{table}.started_at < ?")
        params.append(_day_start(date_to) + timedelta(days=1))
    if role is not None:
        clauses.append(f"{table}.role = ?")
        params.append(role)
    if url is not None:
        clauses.append(f"{table}.run_id IN (SELECT u.run_id FROM event u "
                       f"WHERE u.guide_id = ? AND u.url LIKE ? ESCAPE '\\')")
        params.extend([guide_id, _like_pattern(url)])
    return " AND ".join(clauses), params


def _outcome(table="r"):
    return outcome_sql(table).replace("{cutoff}", "?")


def _rate(part, whole):
    return round(part / whole, 4) if whole else 0.0


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an ascending list (None if empty): p50 of [1,2,3,4] is 2.

    Reports rank in SQL (``_step_figures``); this is the reference the tests hold them to.
    """
    if not sorted_values:
        return None
    return sorted_values[_rank(len(sorted_values), fraction) - 1]


def _as_date_string(value):
    return value if isinstance(value, str) else value.isoformat()


def _as_datetime(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _iso(moment):
    return None if moment is None else _as_datetime(moment).isoformat(timespec="milliseconds") + "Z"


# -- guide report ----------------------------------------------------------------

def guide_known(guide_id):
    """True if the catalogue has the guide or any run of it was recorded."""
    return (Guide.select().where(Guide.id == guide_id).exists()
            or bool(_query("SELECT 1 FROM run WHERE guide_id = ? LIMIT 1", [guide_id])))


def _step_titles(guide_id, version):
    """``{step_id: title}`` from the published documents: the given version's, else the latest's."""
    documents = (GuideVersion
                 .select(GuideVersion.version, GuideVersion.document)
                 .where(GuideVersion.guide == guide_id)
                 .order_by(GuideVersion.version))
    titles, layout = {}, []
    for row in documents:
        try:
            steps = json.loads(row.document).get("steps") or []
        except (ValueError, AttributeError):
            continue
        if version is None or row.version <= version:
            layout = [(index, step.get("id")) for index, step in enumerate(steps)]
        for step in steps:
            if version is None or row.version == version or step.get("id") not in titles:
                titles[step.get("id")] = step.get("title")
    return titles, layout


def _outcome_counts(where, params, cutoff):
    """``{(outcome, drop index, drop step id): runs}``."""
    rows = _query(
        f"SELECT o, di, ds, COUNT(*) FROM (SELECT {_outcome()} AS o, {drop_step_sql('r')} AS di, "
        f"{drop_step_sql('r', 'id')} AS ds FROM run r WHERE {where}) x GROUP BY o, di, ds",
        [cutoff, *params])
    return {(o, di, ds): count for o, di, ds, count in rows}


def _step_figures(where, params):
    """``{(index, step id): (reached, completed)}`` and ``{(index, step id): {"p50", "p90"}}``.

    Time on step (``run_step.time_ms``, kept by the database: migration 0005) is the
    duration the extension reported with the first ``step_completed``, else
    first shown (or reached) → first completed. Percentiles are nearest rank,
    each read as the k-th value of the step's walk in the run_step_report index
    (time order), so no step time leaves the database: reading them all into
    Python took ~170 ms for a guide with 90k run steps (docs/reports.md).
    """
    rows = _query(f"SELECT s.step_index, s.step_id, COUNT(*), COUNT(s.time_ms) FROM run_step s "
                  f"WHERE {where} GROUP BY s.step_index, s.step_id", params)
    counts, times = {}, {}
    for index, step_id, reached, completed in rows:
        counts[(index, step_id)] = (reached, completed)
        if completed:
            times[(index, step_id)] = {name: _nth_step_time(where, params, index, step_id,
                                                            _rank(completed, fraction))
                                       for name, fraction in (("p50", 0.5), ("p90", 0.9))}
    return counts, times


def _step_figures_in_one_pass(where, params):
    """``_step_figures`` for a URL filter: its subquery over the guide's events costs more
    than the index walks save, so it runs once and the times are ranked here."""
    rows = _query(f"SELECT s.step_index, s.step_id, s.time_ms FROM run_step s WHERE {where}", params)
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


def _rank(count, fraction):
    """The 1-based nearest rank of ``fraction`` among ``count`` values (as ``percentile``)."""
    return max(1, math.ceil(fraction * count))


def _nth_step_time(where, params, index, step_id, rank):
    same_id = "s.step_id IS NULL" if step_id is None else "s.step_id = ?"
    [(value,)] = _query(
        f"SELECT s.time_ms FROM run_step s WHERE {where} AND s.step_index = ? AND {same_id} "
        f"AND s.time_ms IS NOT NULL ORDER BY s.time_ms LIMIT 1 OFFSET ?",
        [*params, index, *([] if step_id is None else [step_id]), rank - 1])
    return value


def _trend(where, params):
    rows = _query(
        f"SELECT DATE(r.started_at) AS day, COUNT(*), "
        f"SUM(CASE WHEN r.state = 'completed' THEN 1 ELSE 0 END) FROM run r "
        f"WHERE {where} GROUP BY DATE(r.started_at) ORDER BY day", params)
    return [{"date": _as_date_string(day), "started": started, "completed": int(done or 0)}
            for day, started, done in rows]


def _missing_targets(guide_id, where, params):
    # type = 'target_missing' is a literal so the partial index on it applies.
    # CROSS JOIN: SQLite starts from the (few) misses, not from every event of the runs.
    rows = _query(
        f"SELECT e.step_index, e.step_id, e.url, COUNT(*), MAX(e.at) FROM event e "
        f"CROSS JOIN run r "
        f"WHERE e.guide_id = ? AND e.type = 'target_missing' AND r.run_id = e.run_id AND {where} "
        f"GROUP BY e.step_index, e.step_id, e.url", [guide_id, *params])
    return _group_missing(((None, None, index, step_id), url, count, last)
                          for index, step_id, url, count, last in rows)


def _group_missing(rows):
    """Group ``(key, url, count, last_seen)`` rows per step: most first, URLs most seen first."""
    steps = {}
    for key, url, count, last in rows:
        step = steps.setdefault(key, {"count": 0, "urls": {}, "last_seen": None})
        step["count"] += count
        if url is not None:
            step["urls"][url] = step["urls"].get(url, 0) + count
        last = _as_datetime(last)
        step["last_seen"] = last if step["last_seen"] is None else max(step["last_seen"], last)
    grouped = []
    for (guide_id, version, index, step_id), step in steps.items():
        urls = sorted(step["urls"], key=lambda u: (-step["urls"][u], u))
        grouped.append({"guide_id": guide_id, "guide_version": version, "step_id": step_id,
                        "step_index": index, "count": step["count"], "urls": urls,
                        "last_seen": step["last_seen"]})
    grouped.sort(key=lambda g: (-g["count"], -g["last_seen"].timestamp(), str(g["guide_id"]),
                                g["step_index"] if g["step_index"] is not None else -1))
    for entry in grouped:
        entry["last_seen"] = _iso(entry["last_seen"])
    return grouped


def guide_report(guide_id, version=None, date_from=None, date_to=None, role=None, url=None, now=None):
    """The drop-off report of one guide (PRODUCT.md "Reports")::

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
    now = now or utcnow()
    cutoff = now - _abandon_after()
    where, params = _run_filters(guide_id, version, date_from, date_to, role, url)
    outcomes = _outcome_counts(where, params, cutoff)
    totals = dict.fromkeys(("completed", "dismissed", "abandoned", "broken", "in_progress"), 0)
    dropped = {}
    for (kind, index, step_id), count in outcomes.items():
        totals[kind] += count
        if kind in ("dismissed", "abandoned", "broken") and index is not None:
            dropped.setdefault((index, step_id), dict.fromkeys(("dismissed", "abandoned", "broken"), 0))
            dropped[(index, step_id)][kind] += count
    runs = sum(totals.values())
    figures = _step_figures if url is None else _step_figures_in_one_pass
    counts, times = figures(*_run_filters(guide_id, version, date_from, date_to, role, url, "s"))
    titles, layout = _step_titles(guide_id, version)
    keys = sorted(set(layout) | set(counts) | set(dropped), key=lambda k: (k[0], str(k[1])))
    steps = []
    for index, step_id in keys:
        reached, completed = counts.get((index, step_id), (0, 0))
        drops = dropped.get((index, step_id), dict.fromkeys(("dismissed", "abandoned", "broken"), 0))
        durations = times.get((index, step_id), {})
        steps.append({"step_id": step_id, "index": index, "title": titles.get(step_id),
                      "reached": reached, "completed": completed, "dropped": drops,
                      "drop_rate": _rate(sum(drops.values()), reached),
                      "time_ms": {"p50": durations.get("p50"), "p90": durations.get("p90")}})
    missing = [{"step_id": m["step_id"], "index": m["step_index"], "count": m["count"],
                "urls": m["urls"], "last_seen": m["last_seen"]}
               for m in _missing_targets(guide_id, where, params)]
    return {"guide_id": guide_id, "version": version, "runs": runs, **totals,
            "completion_rate": _rate(totals["completed"], runs), "steps": steps,
            "trend": _trend(where, params), "missing_targets": missing}


# -- across guides -----------------------------------------------------------------

def _time_range(column, date_from, date_to):
    clauses, params = [], []
    if date_from is not None:
        clauses.append(f"{column} >= ?")
        params.append(_day_start(date_from))
    if date_to is not None:
        clauses.append(f"{column} < ?")
        params.append(_day_start(date_to) + timedelta(days=1))
    return clauses, params


def broken_targets(date_from=None, date_to=None, limit=100):
    """Steps whose target went missing (by the event's day), most first, with the URLs and
    the selectors the latest miss tried::

        [{"guide_id": "submit-expense", "guide_version": 3, "step_id": "amount", "step_index": 1,
          "count": 42, "urls": ["https://expenses.example.com/reports/new"],
          "last_seen": "2026-11-22T10:31:07.123Z",
          "selectors": [{"selector": "input[name=amount]", "matches": 0}]}]
    """
    clauses, params = _time_range("at", date_from, date_to)
    where = " AND ".join(["type = 'target_missing'", *clauses])
    rows = _query(
        f"SELECT guide_id, guide_version, step_index, step_id, url, COUNT(*), MAX(at) FROM event "
        f"WHERE {where} GROUP BY guide_id, guide_version, step_index, step_id, url", params)
    grouped = _group_missing(((g, v, i, s), url, count, last) for g, v, i, s, url, count, last in rows)
    grouped = grouped[:limit]
    selectors = _latest_selectors(where, params) if grouped else {}
    for entry in grouped:
        key = (entry["guide_id"], entry["guide_version"], entry["step_index"], entry["step_id"])
        entry["selectors"] = selectors.get(key, [])
    return grouped


def _latest_selectors(where, params):
    """``{(guide, version, index, step id): selectors}`` of each step's latest miss."""
    rows = _query(
        f"SELECT guide_id, guide_version, step_index, step_id, detail FROM ("
        f"SELECT guide_id, guide_version, step_index, step_id, detail, ROW_NUMBER() OVER ("
        f"PARTITION BY guide_id, guide_version, step_index, step_id ORDER BY at DESC, id DESC) AS n "
        f"FROM event WHERE {where}) latest WHERE n = 1", params)
    found = {}
    for guide_id, version, index, step_id, detail in rows:
        found[(guide_id, version, index, step_id)] = (json.loads(detail) if detail else {}).get("selectors", [])
    return found


DEGRADED = "matched_by IN ('fallback', 'healed')"  # the words of migration 0010's partial index


def degraded_targets(date_from=None, date_to=None, limit=100):
    """Steps shown only thanks to a fallback selector or to healing (by the event's day),
    most first, with the latest element taken and its score: fix these before they break::

        [{"guide_id": "submit-expense", "guide_version": 3, "step_id": "amount", "step_index": 1,
          "count": 12, "fallback": 0, "healed": 12,
          "urls": ["https://expenses.example.com/reports/new"],
          "first_seen": "2026-11-20T08:00:00.000Z", "last_seen": "2026-11-22T10:31:07.123Z",
          "matched_by": "healed", "score": 0.83,
          "candidate": {"selector": "[data-testid=amount]", "describe": {"v": 1, ...}}}]

    ``matched_by``, ``score`` and ``candidate`` are the latest show's (``candidate``
    is the healed element's fresh target, null after a fallback).
    """
    clauses, params = _time_range("at", date_from, date_to)
    where = " AND ".join([DEGRADED, *clauses])
    rows = _query(
        f"SELECT guide_id, guide_version, step_index, step_id, url, matched_by, COUNT(*), MIN(at), "
        f"MAX(at) FROM event WHERE {where} "
        f"GROUP BY guide_id, guide_version, step_index, step_id, url, matched_by", params)
    steps = {}
    for guide_id, version, index, step_id, url, matched_by, count, first, last in rows:
        key = (guide_id, version, index, step_id)
        step = steps.setdefault(key, {"fallback": 0, "healed": 0, "urls": {}, "first": None, "last": None})
        step[matched_by] += count
        if url is not None:
            step["urls"][url] = step["urls"].get(url, 0) + count
        first, last = _as_datetime(first), _as_datetime(last)
        step["first"] = first if step["first"] is None else min(step["first"], first)
        step["last"] = last if step["last"] is None else max(step["last"], last)
    ordered = sorted(steps.items(), key=lambda item: (
        -(item[1]["fallback"] + item[1]["healed"]), -item[1]["last"].timestamp(), str(item[0][0]),
        item[0][2] if item[0][2] is not None else -1))[:limit]
    latest = _latest_degraded(where, params) if ordered else {}
    degraded = []
    for key, step in ordered:
        guide_id, version, index, step_id = key
        matched_by, score, candidate = latest.get(key, (None, None, None))
        urls = sorted(step["urls"], key=lambda u: (-step["urls"][u], u))
        degraded.append({"guide_id": guide_id, "guide_version": version, "step_id": step_id,
                         "step_index": index, "count": step["fallback"] + step["healed"],
                         "fallback": step["fallback"], "healed": step["healed"], "urls": urls,
                         "first_seen": _iso(step["first"]), "last_seen": _iso(step["last"]),
                         "matched_by": matched_by, "score": score, "candidate": candidate})
    return degraded


def _latest_degraded(where, params):
    """``{(guide, version, index, step id): (matched_by, score, healed target)}`` of each
    step's latest degraded show."""
    rows = _query(
        f"SELECT guide_id, guide_version, step_index, step_id, matched_by, match_score, detail FROM ("
        f"SELECT guide_id, guide_version, step_index, step_id, matched_by, match_score, detail, "
        f"ROW_NUMBER() OVER (PARTITION BY guide_id, guide_version, step_index, step_id "
        f"ORDER BY at DESC, id DESC) AS n FROM event WHERE {where}) latest WHERE n = 1", params)
    return {(guide_id, version, index, step_id):
            (matched_by, score, (json.loads(detail) if detail else {}).get("healed_target"))
            for guide_id, version, index, step_id, matched_by, score, detail in rows}


def latest_healed_target(guide_id, step_id):
    """The fresh target of the latest show of this step that healing found, or None."""
    rows = _query(
        "SELECT detail FROM event WHERE guide_id = ? AND step_id = ? AND type = 'step_shown' "
        "AND matched_by = 'healed' AND detail IS NOT NULL ORDER BY at DESC, id DESC LIMIT 1",
        [guide_id, step_id])
    return json.loads(rows[0][0]).get("healed_target") if rows else None


def guide_summaries(date_from=None, date_to=None, now=None):
    """One line per guide that has runs, in one query (the dashboard adds titles and status)::

        [{"guide_id": "submit-expense", "runs": 120, "completed": 71, "dismissed": 20,
          "abandoned": 25, "broken": 4, "in_progress": 0, "completion_rate": 0.5917,
          "recently_broken": True}]

    Counts are of runs started in the date range; ``recently_broken`` is whether any
    run broke (target missing, not recovered) in the RECENTLY_BROKEN_DAYS before ``now``,
    whatever the range.
    """
    now = now or utcnow()
    # Three indexed queries rather than one pass computing every outcome of every run
    # (measured 4-5x faster at 10^6 events: docs/dashboard.md).
    counts = _summary_counts(date_from, date_to, now - _abandon_after())
    recent = _recently_broken_guides(now - timedelta(days=RECENTLY_BROKEN_DAYS))
    guide_ids = [guide_id for (guide_id,) in _query("SELECT DISTINCT guide_id FROM run ORDER BY guide_id")]
    summaries = []
    for guide_id in guide_ids:
        kinds = counts.get(guide_id, {})
        runs = sum(kinds.values())
        line = {"guide_id": guide_id, "runs": runs}
        line.update({kind: kinds.get(kind, 0)
                     for kind in ("completed", "dismissed", "abandoned", "broken", "in_progress")})
        line.update(completion_rate=_rate(line["completed"], runs), recently_broken=guide_id in recent)
        summaries.append(line)
    return summaries


def _summary_counts(date_from, date_to, cutoff):
    """``{guide_id: {outcome: runs}}`` of the runs started in the range.

    Grouped by guide alone, outcomes as sums, so that SQLite walks the run_report
    index in its order (guide first) and never sorts.
    """
    clauses, params = _time_range("r.started_at", date_from, date_to)
    where = " AND ".join(clauses) or "1 = 1"
    kinds = {"completed": "r.state = 'completed'", "dismissed": "r.state = 'dismissed'",
             "broken": "r.state = 'broken'", "abandoned": "r.state = 'open' AND r.last_at < ?",
             "in_progress": "r.state = 'open' AND r.last_at >= ?"}
    sums = ", ".join(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)" for condition in kinds.values())
    rows = _query(f"SELECT r.guide_id, {sums} FROM run r WHERE {where} GROUP BY r.guide_id",
                  [cutoff, cutoff, *params])
    return {guide_id: dict(zip(kinds, map(int, figures))) for guide_id, *figures in rows}


def _recently_broken_guides(since):
    """Guides with a run that broke (latest miss at or after ``since``, not recovered).

    Driven by the partial index of target_missing events: a run's latest miss is
    one of its events, so its runs are among those of recent misses. (CROSS JOIN
    keeps SQLite from starting at the run table.)
    """
    rows = _query(f"SELECT DISTINCT e.guide_id FROM event e CROSS JOIN run r "
                  f"WHERE e.type = 'target_missing' AND e.at >= ? AND r.run_id = e.run_id "
                  f"AND r.missing_at >= ? AND r.state = 'broken'", [since, since])
    return {guide_id for (guide_id,) in rows}


# -- CSV -----------------------------------------------------------------------------

CSV_COLUMNS = ("step_index", "step_id", "title", "reached", "completed", "dropped_dismissed",
               "dropped_abandoned", "dropped_broken", "drop_rate", "p50_ms", "p90_ms")


def report_csv(report):
    """The report's steps as CSV, a header row then a row per step::

        step_index,step_id,title,reached,completed,dropped_dismissed,dropped_abandoned,dropped_broken,drop_rate,p50_ms,p90_ms
        0,new-report,Start a report,5,4,0,0,1,0.2,3000,9000
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for step in report["steps"]:
        dropped, times = step["dropped"], step["time_ms"]
        writer.writerow([step["index"], step["step_id"], _csv_safe(step["title"]), step["reached"],
                         step["completed"], dropped["dismissed"], dropped["abandoned"],
                         dropped["broken"], step["drop_rate"], _blank(times["p50"]),
                         _blank(times["p90"])])
    return out.getvalue()


def _blank(value):
    return "" if value is None else value


def _csv_safe(text):
    """Author text opened in a spreadsheet must not run as a formula (CSV injection)."""
    if text is None:
        return ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# -- filter choices ------------------------------------------------------------------

def report_filter_options(guide_id):
    """The versions and roles a guide's runs carry, for the dashboard's filter menus::

        {"versions": [2, 1], "roles": ["employee", "sales"]}
    """
    pairs = _query("SELECT guide_version, role FROM run WHERE guide_id = ? GROUP BY guide_version, role",
                   [guide_id])
    return {"versions": sorted({version for version, _ in pairs}, reverse=True),
            "roles": sorted({role for _, role in pairs if role is not None})}
