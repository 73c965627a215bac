"""Rollups: runs and steps counted per guide, version, role, day and step as runs are folded.

The one owner of the rollup tables (migrations 0011, 0014 and 0015); reports read them so that a
report's cost does not grow with its guide's runs (docs/reports.md "Rollups"):

- ``rollup_run``: runs per (guide, version, role, period started, state, drop
  step), ``state`` being runs.py's clock-free outcome (completed, dismissed,
  broken, open);
- ``rollup_step``: runs that reached and that completed each step, per
  (guide, version, role, period started, step);
- ``rollup_day``: runs started and runs completed per (guide, version, role, day
  started): the daily trend, one row a day for each version and role;
- ``rollup_step_time``: a histogram of time on step per (period, guide, version,
  role, step, bucket); ``rollup_guide_time``: the same summed over versions and
  roles, for a report filtered by neither;
- ``rollup_miss``: ``target_missing`` events per (guide, version, role, period,
  step, URL), the period being the event's own, with the latest one's time, id and
  detail (selectors). Events never change, so these only grow: exact counts, exact
  last seen.

A *period* is a day (``2026-11-22``), a month (``2026-11``) or all time (``all``):
each run, step, time and miss is counted in all three (``periods_of``), so a date
range reads whole months plus at most ~60 edge days (``_periods``), and "All
time" one row per version, role and outcome (or step, or URL), however many
runs and days there are: a report's cost stops growing with its guide's events
once its keys are all there (migrations 0014 and 0015).

**Order independence.** Each ``run`` and ``run_step`` row carries in
``rolled_up`` (runs.COUNTED_AS) the key it is counted under now. After a chunk
of events is folded (folding.py), the stored rows (the run upsert returns them,
locked until commit) are compared with what they are counted as; where they
differ the old key loses one and the new key gains one, and ``rolled_up`` is
rewritten, in the fold's transaction. So a duplicate event (never stored twice,
so never folded twice) changes nothing, an outcome that changes later (completed
after dismissed, a start that arrives late and moves the run to another day)
moves the run instead of counting it twice, and any order of arrival leaves the
counts of the final rows.

**Abandonment** is not counted here: an open run is abandoned or in progress by
the clock. Reports subtract the few open runs still inside the window
(``open_runs_since``, read from the partial index on ``run.last_at``).

**Time on step** (``run_step.time_ms``) goes in a fixed log histogram: bucket
``b >= 0`` holds the times in ``[GAMMA**b, GAMMA**(b+1))`` ms, bucket -1 holds 0.
A bucket also keeps the least and greatest time ever counted in it. A percentile
is the nearest-rank bucket's representative: its midpoint, moved inside
[least, greatest]. The representative and the exact percentile lie in the same
bucket, so the relative error is below ``GAMMA - 1`` = 1% (about half that when
the midpoint is used), and none when every time counted in the bucket was the
same. Histograms merge by adding counts, across days, roles and versions.
"""
import json
import math
from json.encoder import encode_basestring_ascii
from datetime import date, timedelta

from . import db, runs
from .db import is_postgres
from .ingest import POSITION

GAMMA = 1.01
_LOG_GAMMA = math.log(GAMMA)
ALL_TIME = "all"

RUN_KEY = ("guide_id", "guide_version", "role", "period", "state", "drop_index", "drop_step_id")
STEP_KEY = ("guide_id", "guide_version", "role", "period", "step_index", "step_id")
DAY_KEY = ("guide_id", "guide_version", "role", "day")
TIME_KEY = ("period", "guide_id", "guide_version", "role", "step_index", "step_id", "bucket")
# The same histograms summed over versions and roles: what a report without those filters reads.
GUIDE_TIME_KEY = ("period", "guide_id", "step_index", "step_id", "bucket")
MISS_KEY = ("guide_id", "guide_version", "role", "period", "step_index", "step_id", "url")
MISSING = "target_missing"
TABLES = ("rollup_run", "rollup_step", "rollup_day", "rollup_step_time", "rollup_guide_time", "rollup_miss")
_STEP_ROW = ("run_id", "step_index", "step_id", "guide_id", "guide_version", "role", "started_at",
             "time_ms", runs.COUNTED_AS)
_CHUNK = 400


# -- the histogram -------------------------------------------------------------

def bucket_of(ms):
    """The histogram bucket of a time on step (ms >= 0)."""
    if ms <= 0:
        return -1
    bucket = math.floor(math.log(ms) / _LOG_GAMMA)
    # Floating point may put a value on a boundary one bucket off; keep it inside.
    if GAMMA ** bucket > ms:
        bucket -= 1
    elif GAMMA ** (bucket + 1) <= ms:
        bucket += 1
    return bucket


def representative(bucket, least, greatest):
    """The time a percentile falling in ``bucket`` reports: its midpoint, within [least, greatest]."""
    if bucket < 0:
        return 0
    middle = round(GAMMA ** bucket * (1 + GAMMA) / 2)
    if least is not None:
        middle = max(middle, least)
    if greatest is not None:
        middle = min(middle, greatest)
    return middle


def percentile_of_histogram(buckets, fraction):
    """Nearest-rank percentile of ``[(bucket, count, least, greatest)]`` (None if empty)."""
    total = sum(count for _, count, _, _ in buckets)
    if total <= 0:
        return None
    rank, seen = max(1, math.ceil(fraction * total)), 0
    for bucket, count, least, greatest in sorted(buckets):
        seen += count
        if seen >= rank:
            return representative(bucket, least, greatest)
    return None


# -- keys ------------------------------------------------------------------------

def periods_of(day):
    """The periods a day's counts go in: the day, its month and all time."""
    return day, day[:7], ALL_TIME


def _day(moment):
    """``YYYY-MM-DD`` of a stored time (a datetime, or SQLite's ISO text)."""
    return None if moment is None else str(moment)[:10]


def run_key(run):
    """The key a stored run counts under (a list, as kept in ``rolled_up``): RUN_KEY's values
    with the day it started as the period; _Changes.run counts it in each of periods_of."""
    state = runs.state_of(run)
    drop_index, drop_step_id = runs.drop_step_of(run, state)
    return [run["guide_id"], run["guide_version"], run["role"], _day(run["started_at"]), state,
            drop_index, drop_step_id]


def step_key(step):
    """The rollup_step key and time of a stored run step: STEP_KEY's values then ``time_ms``."""
    return [step["guide_id"], step["guide_version"], step["role"], _day(step["started_at"]),
            step["step_index"], step["step_id"], step["time_ms"]]


def _counted(row):
    """The key a row is counted under, or None (never counted, or forgotten)."""
    value = row[runs.COUNTED_AS]
    return json.loads(value) if value else None


def _text(key):
    """A key as the JSON text of its list (the ``k`` column), built by hand: the fold writes
    some three keys an event, and json.dumps costs several times as much. Keys hold text,
    integers and None; tests/test_rollups.py holds this equal to json.dumps."""
    return "[" + ",".join(_JSON_VALUE[type(value)](value) for value in key) + "]"


_JSON_VALUE = {str: encode_basestring_ascii, int: int.__repr__, type(None): lambda _: "null"}


# -- counting changes ------------------------------------------------------------

class _Changes:
    """Additions to the rollup tables, gathered for one write each."""

    def __init__(self):
        self.runs, self.days, self.steps, self.times, self.guide_times = {}, {}, {}, {}, {}

    def run(self, key, sign):
        guide_id, version, role, day, state, drop_index, drop_step_id = key
        for period in periods_of(day):
            counted = (guide_id, version, role, period, state, drop_index, drop_step_id)
            self.runs[counted] = self.runs.get(counted, 0) + sign
        figures = self.days.setdefault((guide_id, version, role, day), [0, 0])
        figures[0] += sign
        if state == runs.COMPLETED:
            figures[1] += sign

    def step(self, key, sign):
        guide_id, version, role, day, index, step_id, time_ms = key
        bucket = None if time_ms is None else bucket_of(time_ms)
        for period in periods_of(day):
            figures = self.steps.setdefault((guide_id, version, role, period, index, step_id), [0, 0])
            figures[0] += sign
            if time_ms is None:
                continue
            figures[1] += sign
            for table, key in ((self.times, (period, guide_id, version, role, index, step_id, bucket)),
                               (self.guide_times, (period, guide_id, index, step_id, bucket))):
                entry = table.setdefault(key, [0, None, None])
                entry[0] += sign
                if sign > 0:  # a removed time leaves the bucket's extremes as they were
                    entry[1] = time_ms if entry[1] is None else min(entry[1], time_ms)
                    entry[2] = time_ms if entry[2] is None else max(entry[2], time_ms)

    def write(self):
        _add("rollup_run", RUN_KEY, ("runs",), {k: (v,) for k, v in self.runs.items() if v})
        _add("rollup_day", DAY_KEY, ("started", "completed"), {k: tuple(v) for k, v in self.days.items() if any(v)})
        _add("rollup_step", STEP_KEY, ("reached", "completed"),
             {k: tuple(v) for k, v in self.steps.items() if any(v)})
        for table, key_columns, times in (("rollup_step_time", TIME_KEY, self.times),
                                          ("rollup_guide_time", GUIDE_TIME_KEY, self.guide_times)):
            _add(table, key_columns, ("count",), {k: (v[0],) for k, v in times.items()
                                                  if v[0] or v[1] is not None},
                 extremes={k: v[1:] for k, v in times.items()})


def count_changes(stored_runs):
    """Bring the rollups level with ``stored_runs`` (dicts of RUN_COLUMNS and rolled_up,
    as runs.upsert_runs returns them) and with their steps; inside the caller's transaction."""
    changes, recounted = _Changes(), []
    for run in stored_runs:
        old, new = _counted(run), run_key(run)
        if old != new:
            if old is not None:
                changes.run(old, -1)
            changes.run(new, +1)
            recounted.append((_text(new), run["run_id"]))
    recounted_steps = []
    for step in _steps_of([run["run_id"] for run in stored_runs]):
        old, new = _counted(step), step_key(step)
        if old != new:
            if old is not None:
                changes.step(old, -1)
            changes.step(new, +1)
            recounted_steps.append((_text(new), step["run_id"], step["step_index"]))
    changes.write()
    _mark("run", ("run_id",), recounted)
    _mark("run_step", ("run_id", "step_index"), recounted_steps)


def count_misses(events):
    """Count newly stored ``target_missing`` events (stored event row dicts), in the
    caller's transaction; each row keeps the latest miss by (time, id) and its detail."""
    rows, latest = {}, {}
    for event in events:
        mark = (str(event["at"]), event["id"])
        for period in periods_of(_day(event["at"])):
            key = (event["guide_id"], event["guide_version"], event["role"], period,
                   event["step_index"], event["step_id"], event["url"])
            rows[key] = rows.get(key, 0) + 1
            if key not in latest or mark > latest[key][0]:
                latest[key] = (mark, (event["at"], event["id"], event["detail"]))
    if not rows:
        return
    newer = "(excluded.latest_at > {t}.latest_at OR (excluded.latest_at = {t}.latest_at " \
            "AND excluded.latest_id > {t}.latest_id))".format(t="rollup_miss")
    columns = ("k", *MISS_KEY, "count", "latest_at", "latest_id", "latest_detail")
    ordered = sorted((_text(list(key)), key) for key in rows)
    for start in range(0, len(ordered), _CHUNK):
        part = ordered[start:start + _CHUNK]
        params = [value for text, key in part for value in (text, *key, rows[key], *latest[key][1])]
        db.execute(f"INSERT INTO rollup_miss ({', '.join(columns)}) VALUES "
                   f"{', '.join([db.markers(len(columns))] * len(part))} ON CONFLICT (k) DO UPDATE SET "
                   f"count = rollup_miss.count + excluded.count, "
                   + ", ".join(f"{c} = CASE WHEN {newer} THEN excluded.{c} ELSE rollup_miss.{c} END"
                               for c in ("latest_detail", "latest_id", "latest_at")), params)


def forget_runs(run_ids):
    """Take these runs and their steps out of the rollups (``rolled_up`` cleared); the caller
    folds them again. Inside the caller's transaction, with the runs locked."""
    changes = _Changes()
    counted = [row for row in _rows("run", ("run_id", runs.COUNTED_AS), run_ids) if row[runs.COUNTED_AS]]
    for row in counted:
        changes.run(_counted(row), -1)
    steps = [step for step in _steps_of(run_ids) if step[runs.COUNTED_AS]]
    for step in steps:
        changes.step(_counted(step), -1)
    changes.write()
    _mark("run", ("run_id",), [(None, row["run_id"]) for row in counted])
    _mark("run_step", ("run_id", "step_index"), [(None, s["run_id"], s["step_index"]) for s in steps])


def recount(guide_id=None, chunk=1000):
    """Count every stored run (of ``guide_id``) and its steps again from their rows, a chunk
    of runs per transaction (online: ingest goes on between chunks); return how many."""
    columns = (*runs.RUN_COLUMNS, runs.COUNTED_AS)
    of_guide, after, total = (" AND guide_id = ?" if guide_id is not None else ""), "", 0
    while True:
        with db.write_transaction():
            rows = db.query(f"SELECT {', '.join(_quoted(columns))} FROM run WHERE run_id > ?{of_guide} "
                            f"ORDER BY run_id LIMIT ?{_for_update()}",
                            [after, *([guide_id] if guide_id is not None else []), chunk])
            if not rows:
                return total
            stored = [dict(zip(columns, row)) for row in rows]
            forget_runs([run["run_id"] for run in stored])
            count_changes([{**run, runs.COUNTED_AS: None} for run in stored])
        after, total = stored[-1]["run_id"], total + len(stored)


def reset(guide_id, folded_up_to):
    """Count a guide's rollups again from nothing: its rows deleted and every run and step
    of it counted from its row, in one transaction (what ``recount`` cannot do when the
    tables and ``rolled_up`` disagree: rows written by hand, a bucket rule changed).
    Misses are counted from the events up to ``folded_up_to``, the fold's position: a
    later one is the fold's to count.

    Run it with the fold paused (events.rebuild does: folding.paused): it updates and
    deletes the guide's rows in no particular order, which a concurrent fold, taking
    rows in key order, could meet the other way round and deadlock with.
    """
    with db.write_transaction():
        for table in ("run", "run_step"):
            db.execute(f"UPDATE {table} SET {runs.COUNTED_AS} = NULL WHERE guide_id = ?", [guide_id])
        for table in TABLES:
            db.execute(f"DELETE FROM {table} WHERE guide_id = ?", [guide_id])
        recount_misses(guide_id, up_to=folded_up_to)
        return recount(guide_id)


def recount_misses(guide_id=None, up_to=None, chunk=2000):
    """Count the stored ``target_missing`` events (of ``guide_id``; at positions up to
    ``up_to`` if given) into rollup_miss (which must not hold them yet: a new table, or
    ``reset``)."""
    columns = ("id", "guide_id", "guide_version", "role", "at", "step_index", "step_id", "url", "detail")
    of_guide = " AND guide_id = ?" if guide_id is not None else ""
    up_to_position = f" AND {POSITION} <= ?" if up_to is not None else ""
    params = [*([guide_id] if guide_id is not None else []), *([up_to] if up_to is not None else [])]
    after = ""
    while True:
        rows = [dict(zip(columns, row)) for row in db.query(
            f"SELECT {', '.join(columns)} FROM event WHERE type = ? AND id > ?{of_guide}{up_to_position} "
            f"ORDER BY id LIMIT ?", [MISSING, after, *params, chunk])]
        if not rows:
            return
        count_misses(rows)
        after = rows[-1]["id"]


def _quoted(columns):
    return [f'"{column}"' for column in columns]


def _for_update():
    return " FOR UPDATE" if is_postgres() else ""


def _rows(table, columns, run_ids):
    found = []
    for start in range(0, len(run_ids), _CHUNK):
        part = run_ids[start:start + _CHUNK]
        found += [dict(zip(columns, row)) for row in db.query(
            f"SELECT {', '.join(_quoted(columns))} FROM {table} WHERE run_id IN {db.markers(len(part))}", part)]
    return found


def _steps_of(run_ids):
    return _rows("run_step", _STEP_ROW, run_ids)


def _mark(table, key_columns, rows):
    """Set ``rolled_up`` of the rows ``(rolled_up, *key)`` in one UPDATE … FROM (VALUES …) per
    chunk: a statement per row would be a round trip per row on PostgreSQL."""
    same_row = " AND ".join(f"{table}.{column} = v.column{n + 2}" for n, column in enumerate(key_columns))
    for start in range(0, len(rows), _CHUNK):
        part = rows[start:start + _CHUNK]
        values = ", ".join([db.markers(1 + len(key_columns))] * len(part))
        db.execute(f"UPDATE {table} SET {runs.COUNTED_AS} = v.column1 FROM (VALUES {values}) AS v "
                   f"WHERE {same_row}", [value for row in part for value in row])


def _add(table, key_columns, sum_columns, rows, extremes=None):
    """Add ``rows`` (``{key: sums}``) to ``table``, in key order (so concurrent batches on
    PostgreSQL take the rows' locks in one order and never deadlock)."""
    if not rows:
        return
    extreme_columns = ("least_ms", "greatest_ms") if extremes is not None else ()
    columns = ("k", *key_columns, *sum_columns, *extreme_columns)
    least, greatest = ("LEAST", "GREATEST") if is_postgres() else ("min", "max")
    updates = [f"{c} = {table}.{c} + excluded.{c}" for c in sum_columns]
    updates += [f"{c} = {f}(COALESCE({table}.{c}, excluded.{c}), COALESCE(excluded.{c}, {table}.{c}))"
                for c, f in zip(extreme_columns, (least, greatest))]
    ordered = sorted((_text(list(key)), key, sums) for key, sums in rows.items())
    for start in range(0, len(ordered), _CHUNK):
        part = ordered[start:start + _CHUNK]
        params = []
        for text, key, sums in part:
            params += [text, *key, *sums, *(extremes[key] if extremes is not None else ())]
        db.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                   f"{', '.join([db.markers(len(columns))] * len(part))} "
                   f"ON CONFLICT (k) DO UPDATE SET {', '.join(updates)}", params)


# -- reading ---------------------------------------------------------------------

def _where(guide_id=None, version=None, date_from=None, date_to=None, role=None):
    clauses, params = [], []
    for column, value in (("guide_id", guide_id), ("guide_version", version), ("role", role)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if date_from is not None:
        clauses.append("day >= ?")
        params.append(date_from.isoformat())
    if date_to is not None:
        clauses.append("day <= ?")
        params.append(date_to.isoformat())
    return " AND ".join(clauses) or "1 = 1", params


def _rows_over_periods(table, selected, by, guide_id=None, version=None, date_from=None, date_to=None,
                       role=None, days_with_data=None):
    """The rows of ``SELECT by, selected FROM table … GROUP BY by`` over the periods that cover
    the range exactly (whole months and edge days; "All time": ``all`` alone), a chunk of
    periods a query: a group may come once per chunk. ``days_with_data``: as in ``_periods``."""
    where, params = _where(guide_id=guide_id, version=version, role=role)
    for part in _period_chunks(guide_id, date_from, date_to, days_with_data):
        yield from db.query(f"SELECT {', '.join(by)}, {selected} FROM {table} "
                            f"WHERE {where} AND period IN {db.markers(len(part))} GROUP BY {', '.join(by)}",
                            [*params, *part])


def _summed(table, by, sums, **filters):
    """``{by values: [sums]}`` of ``table``'s rows (``period`` keyed) over the range's periods."""
    found = {}
    for row in _rows_over_periods(table, ", ".join(f"SUM({column})" for column in sums), by, **filters):
        key, figures = tuple(row[:len(by)]), row[len(by):]
        total = found.setdefault(key, [0] * len(sums))
        for n, figure in enumerate(figures):
            total[n] += int(figure or 0)
    return found


def run_counts(**filters):
    """``{(state, drop index, drop step id): runs}`` of the runs the filters select."""
    found = _summed("rollup_run", ("state", "drop_index", "drop_step_id"), ("runs",), **filters)
    return {key: count for key, (count,) in found.items() if count}


def run_counts_by_guide(date_from=None, date_to=None):
    """``{guide_id: {state: runs}}`` of the runs started in the range."""
    found = {}
    for (guide_id, state), (count,) in _summed("rollup_run", ("guide_id", "state"), ("runs",),
                                               date_from=date_from, date_to=date_to).items():
        if count:
            found.setdefault(guide_id, {})[state] = count
    return found


# Every guide that has runs (SQL, and its parameters): other queries start from it.
GUIDES_WITH_RUNS = "SELECT DISTINCT guide_id FROM rollup_run WHERE period = ? AND runs > 0"
GUIDES_WITH_RUNS_PARAMS = (ALL_TIME,)


def guide_ids():
    """Every guide that has runs, in id order."""
    return [guide_id for (guide_id,) in db.query(f"{GUIDES_WITH_RUNS} ORDER BY guide_id", GUIDES_WITH_RUNS_PARAMS)]


def versions_and_roles(guide_id):
    """The ``(version, role)`` pairs a guide's runs carry."""
    return db.query("SELECT DISTINCT guide_version, role FROM rollup_run "
                    "WHERE guide_id = ? AND period = ? AND runs > 0", [guide_id, ALL_TIME])


def trend(**filters):
    """``[(day, runs started, runs completed)]`` in day order."""
    where, params = _where(**filters)
    rows = db.query(f"SELECT day, SUM(started), SUM(completed) FROM rollup_day WHERE {where} "
                    f"GROUP BY day ORDER BY day", params)
    return [(day, int(started), int(done)) for day, started, done in rows if started]


def step_counts(**filters):
    """``{(index, step id): (reached, completed)}``."""
    found = _summed("rollup_step", ("step_index", "step_id"), ("reached", "completed"), **filters)
    return {key: (reached, done) for key, (reached, done) in found.items() if reached}


def step_times(guide_id, version=None, date_from=None, date_to=None, role=None):
    """``{(index, step id): {"p50", "p90"}}`` from the histograms of the range's periods."""
    # Without a version or role filter, the histograms already summed over them.
    table = "rollup_guide_time" if version is None and role is None else "rollup_step_time"
    buckets = {}
    for index, step_id, bucket, count, least, greatest in _rows_over_periods(
            table, "SUM(count), MIN(least_ms), MAX(greatest_ms)", ("step_index", "step_id", "bucket"),
            guide_id=guide_id, version=version, date_from=date_from, date_to=date_to, role=role):
        if count:
            buckets.setdefault((index, step_id), []).append((bucket, int(count), least, greatest))
    return {key: {"p50": percentile_of_histogram(found, 0.5), "p90": percentile_of_histogram(found, 0.9)}
            for key, found in buckets.items()}


def _periods(guide_id, date_from, date_to, days_with_data=None):
    """The periods that cover the range exactly: whole months where the range holds all of the
    month's days that have data (the range is first cut to ``days_with_data(guide_id)``, the
    first and last day with data of the guide or of any guide; default: of runs started),
    single days at the edges."""
    if date_from is None and date_to is None:
        return [ALL_TIME]
    first, last = (days_with_data or _days_with_runs)(guide_id)
    if first is None:
        return []
    first, last = date.fromisoformat(first), date.fromisoformat(last)
    low, high = max(date_from or first, first), min(date_to or last, last)
    periods, day = [], low
    while day <= high:
        month_start = day.replace(day=1)
        month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if day == max(month_start, first) and min(month_end, last) <= high:
            periods.append(day.isoformat()[:7])
            day = month_end + timedelta(days=1)
        else:
            periods.append(day.isoformat())
            day += timedelta(days=1)
    return periods


def _period_chunks(guide_id, date_from, date_to, days_with_data=None):
    """The range's periods (``_periods``) in lists of at most _CHUNK, one query's worth."""
    periods = _periods(guide_id, date_from, date_to, days_with_data)
    for start in range(0, len(periods), _CHUNK):
        yield periods[start:start + _CHUNK]


def _days_with_runs(guide_id):
    """The first and last day a run (of ``guide_id``) started, or (None, None)."""
    of_guide, params = ("WHERE guide_id = ?", [guide_id]) if guide_id is not None else ("", [])
    [(first, last)] = db.query(f"SELECT MIN(day), MAX(day) FROM rollup_day {of_guide}", params)
    return first, last


def _days_with_misses(guide_id):
    """The first and last day a target went missing (in ``guide_id``), or (None, None): the
    first and last day rows in period order, which sorts a month before its days and
    ``all`` last (read along the index on guide and period, or on period)."""
    of_guide, params = ("guide_id = ? AND ", [guide_id]) if guide_id is not None else ("", [])
    found = []
    for order in ("", " DESC"):
        rows = db.query(f"SELECT period FROM rollup_miss WHERE {of_guide}LENGTH(period) = 10 "
                        f"ORDER BY period{order} LIMIT 1", params)
        found.append(rows[0][0] if rows else None)
    return tuple(found)


def open_runs_since(cutoff, by, runs_where="1 = 1", params=()):
    """``{by values: runs}`` of the open runs with an event at or after ``cutoff`` (the
    abandonment cutoff): the runs a rollup's open count holds that are still in progress.

    ``by`` are run columns; ``runs_where`` a filter on alias ``r`` (reports.filters.where).
    The open runs are taken first from the partial index on last_at (few: those of the
    last minutes), then filtered, whatever the guide's size.
    """
    recent, recent_params = runs.outcome_is_sql(runs.IN_PROGRESS, "run", cutoff)
    columns = ", ".join(f"r.{c}" for c in by)
    rows = db.query(f"WITH r AS MATERIALIZED (SELECT * FROM run WHERE {recent}) "
                    f"SELECT {columns}, COUNT(*) FROM r WHERE {runs_where} GROUP BY {columns}",
                    [*recent_params, *params])
    return {tuple(values): count for *values, count in rows}


_MISSED = ("guide_id", "guide_version", "step_index", "step_id")


def misses(guide_id=None, version=None, date_from=None, date_to=None, role=None):
    """``[((guide, version, index, step id), url, count, last seen)]`` (reports/targets.group_missing's rows)."""
    found = {}
    for *key, url, count, last in _rows_over_periods(
            "rollup_miss", "SUM(count), MAX(latest_at)", (*_MISSED, "url"), guide_id=guide_id,
            version=version, date_from=date_from, date_to=date_to, role=role, days_with_data=_days_with_misses):
        entry = found.setdefault((tuple(key), url), [0, last])
        entry[0] += int(count)
        entry[1] = max(entry[1], last)
    return [(key, url, count, last) for (key, url), (count, last) in found.items()]


def latest_miss_details(date_from=None, date_to=None):
    """``{(guide, version, index, step id): detail JSON}`` of each step's latest miss in the range."""
    latest = {}
    for part in _period_chunks(None, date_from, date_to, _days_with_misses):
        for *key, at, event_id, detail in db.query(
                f"SELECT {', '.join(_MISSED)}, latest_at, latest_id, latest_detail FROM ("
                f"SELECT {', '.join(_MISSED)}, latest_at, latest_id, latest_detail, ROW_NUMBER() OVER ("
                f"PARTITION BY {', '.join(_MISSED)} ORDER BY latest_at DESC, latest_id DESC) AS n "
                f"FROM rollup_miss WHERE period IN {db.markers(len(part))}) latest WHERE n = 1", part):
            if tuple(key) not in latest or (at, event_id) > latest[tuple(key)][:2]:
                latest[tuple(key)] = (at, event_id, detail)
    return {key: detail for key, (_, _, detail) in latest.items()}
