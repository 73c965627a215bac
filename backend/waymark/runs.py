"""Events → runs: what a run is, how it ended, and on which step.

A *run* is one employee's pass through one guide version (docs/reports.md
"Runs"). It ends, in this order of precedence:

- **completed**: a ``guide_completed`` came (and no earlier ``guide_dismissed``);
- **dismissed**: a ``guide_dismissed`` came, at the step it names (else the
  step the run was on), keeping its reason;
- **broken**: a ``target_missing`` came and no ``step_shown``/``step_completed``
  came strictly after it (a later one means the guide recovered, e.g. a slow page);
- **abandoned**: none of those, and nothing happened in the run since the
  abandonment cutoff (``abandon_cutoff``: ``now`` minus the configured minutes);
  it dropped at the step it was on;
- otherwise **in progress**.

Broken is a failure of the guide; dismissed and abandoned are exits by the
employee. Reports keep the two apart (as Whatfix does).

This module is the one owner of that rule, of the outcome names and of the
cutoff: ``outcome`` in Python, ``state_sql``/``outcome_sql``/``outcome_is_sql``/
``drop_step_sql`` in SQL. Reports use only these. (Migration 0005 keeps a
frozen copy of ``state_sql``; tests/test_migrations.py holds it equal.)

Events arrive late, out of order, twice, from several processes. So a run is
kept as a *summary* whose every column is an order-independent merge (earliest,
latest, or the fields of the earliest/latest such event, ties broken by step
index). ``merge_runs`` is that merge in Python (used to fold one chunk);
``upsert_runs`` is the same merge in SQL (used to fold a chunk into the stored
row, atomically per row on both stores). Any order of arrival gives the same row.
"""
from datetime import timedelta

from . import catalogue, db
from .db import is_postgres
from .schemas.document import DEFAULT_KIND

# In the order reports list them.
COMPLETED, DISMISSED, ABANDONED, BROKEN, IN_PROGRESS = OUTCOMES = (
    "completed", "dismissed", "abandoned", "broken", "in_progress")
# The outcomes that leave a run at a step (a drop-off), in the order reports show them.
DROP_OUTCOMES = (DISMISSED, ABANDONED, BROKEN)
# ``run.state`` of a run that has not ended by its events: abandoned or in progress by the clock.
OPEN = "open"

# Only a guide's own events make runs: tips, nudges and surveys (and an exit
# survey asked after a guide closed) are stored as events but fold into nothing
# (``of_guides``: nor does a tip's ``target_missing``).
RUN_EVENT_TYPES = ("guide_started", "step_shown", "step_completed", "step_back", "target_missing",
                   "guide_dismissed", "guide_completed")
PROGRESS_TYPES = ("step_shown", "step_completed")  # these after a target_missing = recovered
# The column of run and run_step that says what the rollups count the row as (rollups.py).
COUNTED_AS = "rolled_up"

RUN_COLUMNS = ("run_id", "guide_id", "guide_version", "user", "role", "started_at", "last_at",
               "step_at", "step_index", "step_id", "completed_at",
               "dismissed_at", "dismissed_step_index", "dismissed_step_id", "dismiss_reason",
               "missing_at", "missing_step_index", "missing_step_id", "progress_at")
# A run's columns that its steps carry too, so that reports need no join.
RUN_COLUMNS_ON_STEPS = ("guide_id", "guide_version", "role", "started_at")
STEP_COLUMNS = ("run_id", "step_index", "step_id", "reached_at", "shown_at", "completed_at",
                "duration_ms", *RUN_COLUMNS_ON_STEPS)

# Groups of columns taken together from one event: (time column, index column, others).
LATEST_GROUPS = (("step_at", "step_index", ("step_id",)),
                 ("missing_at", "missing_step_index", ("missing_step_id",)))
EARLIEST_GROUPS = (("dismissed_at", "dismissed_step_index", ("dismissed_step_id", "dismiss_reason")),)


# -- one event → summaries ---------------------------------------------------

def run_summary(event):
    """The summary of a run that has only this event (``event``: a stored event row dict)."""
    at, kind, index = event["at"], event["type"], event["step_index"]
    summary = dict.fromkeys(RUN_COLUMNS)
    summary.update(run_id=event["run_id"], guide_id=event["guide_id"],
                   guide_version=event["guide_version"], user=event["user"], role=event["role"],
                   started_at=at, last_at=at)
    if index is not None:
        summary.update(step_at=at, step_index=index, step_id=event["step_id"])
    if kind == "guide_completed":
        summary["completed_at"] = at
    elif kind == "guide_dismissed":
        summary.update(dismissed_at=at, dismissed_step_index=index,
                       dismissed_step_id=event["step_id"], dismiss_reason=event["reason"])
    elif kind == "target_missing":
        summary.update(missing_at=at, missing_step_index=index, missing_step_id=event["step_id"])
    if kind in PROGRESS_TYPES:
        summary["progress_at"] = at
    return summary


def step_summary(event):
    """The summary of the step this event names, or None if it names none."""
    if event["step_index"] is None:
        return None
    at, kind = event["at"], event["type"]
    return {"run_id": event["run_id"], "step_index": event["step_index"],
            "step_id": event["step_id"], "reached_at": at,
            "shown_at": at if kind == "step_shown" else None,
            "completed_at": at if kind == "step_completed" else None,
            "duration_ms": event["duration_ms"] if kind == "step_completed" else None}


# -- the merge, in Python ----------------------------------------------------

def _earliest(a, b):
    return b if a is None else a if b is None else min(a, b)


def _latest(a, b):
    return b if a is None else a if b is None else max(a, b)


def _wins(old_at, old_index, new_at, new_index, later):
    """Mirror of ``_wins_sql``: the new event's group replaces the old one's when it is
    later (``later``) or earlier; at the same time, the higher (later) or lower step index."""
    if new_at is None:
        return False
    if old_at is None:
        return True
    if new_at != old_at:
        return new_at > old_at if later else new_at < old_at
    return _gt(new_index, old_index) if later else _gt(old_index, new_index)


def _gt(a, b):
    # SQL: a comparison with NULL is not true.
    return a is not None and b is not None and a > b


def merge_runs(old, new):
    """Merge two summaries of the same run; the result does not depend on which came first."""
    merged = dict(old)
    merged["role"] = _earliest(old["role"], new["role"])
    merged["started_at"] = _earliest(old["started_at"], new["started_at"])
    merged["last_at"] = _latest(old["last_at"], new["last_at"])
    merged["completed_at"] = _earliest(old["completed_at"], new["completed_at"])
    merged["progress_at"] = _latest(old["progress_at"], new["progress_at"])
    for groups, later in ((LATEST_GROUPS, True), (EARLIEST_GROUPS, False)):
        for at, index, others in groups:
            if _wins(old[at], old[index], new[at], new[index], later):
                for column in (at, index, *others):
                    merged[column] = new[column]
    return merged


def merge_steps(old, new):
    """Merge two summaries of the same step of the same run."""
    merged = dict(old)
    merged["step_id"] = old["step_id"] if old["step_id"] is not None else new["step_id"]
    merged["reached_at"] = _earliest(old["reached_at"], new["reached_at"])
    merged["shown_at"] = _earliest(old["shown_at"], new["shown_at"])
    if _wins(old["completed_at"], None, new["completed_at"], None, later=False):
        merged["completed_at"], merged["duration_ms"] = new["completed_at"], new["duration_ms"]
    return merged


def of_guides(events):
    """The events that may make runs: all but those of a document the catalogue holds as
    another kind than a guide. A tip reports its missing target as a guide's step does,
    with the page view as its ``run_id`` (docs/contract-notes.md "Events of the other
    kinds"): it counts among the broken targets (rollups.count_misses takes every miss),
    but it is no run. A document the catalogue does not hold keeps making runs: a
    guide's events may come from another server's catalogue, or before it is published here."""
    other_kinds = {guide_id for guide_id, kind in catalogue.kinds_of(
        {event["guide_id"] for event in events}).items() if kind != DEFAULT_KIND}
    if not other_kinds:
        return events
    return [event for event in events if event["guide_id"] not in other_kinds]


def fold(events):
    """Summaries of the runs and run steps in ``events`` (those of RUN_EVENT_TYPES):
    ``(runs, steps)``, sorted by key."""
    runs, steps = {}, {}
    for event in events:
        if event["type"] not in RUN_EVENT_TYPES:
            continue
        summary = run_summary(event)
        key = summary["run_id"]
        runs[key] = merge_runs(runs[key], summary) if key in runs else summary
        step = step_summary(event)
        if step is not None:
            key = (step["run_id"], step["step_index"])
            steps[key] = merge_steps(steps[key], step) if key in steps else step
    # Sorted keys: two transactions touching the same rows lock them in the same order.
    return [runs[k] for k in sorted(runs)], [steps[k] for k in sorted(steps)]


# -- the same merge, in SQL --------------------------------------------------

def _sql_functions():
    return ("LEAST", "GREATEST") if is_postgres() else ("min", "max")


def _earliest_sql(table, column):
    least, _ = _sql_functions()
    old, new = f'"{table}"."{column}"', f'excluded."{column}"'
    return f'{least}(COALESCE({old}, {new}), COALESCE({new}, {old}))'


def _latest_sql(table, column):
    _, greatest = _sql_functions()
    old, new = f'"{table}"."{column}"', f'excluded."{column}"'
    return f'{greatest}(COALESCE({old}, {new}), COALESCE({new}, {old}))'


def _wins_sql(table, at, index, later):
    old_at, new_at = f'"{table}"."{at}"', f'excluded."{at}"'
    beyond = ">" if later else "<"
    tie = (f'excluded."{index}" > "{table}"."{index}"' if later
           else f'"{table}"."{index}" > excluded."{index}"') if index else "FALSE"
    return (f"({new_at} IS NOT NULL AND ({old_at} IS NULL OR {new_at} {beyond} {old_at} "
            f"OR ({new_at} = {old_at} AND {tie})))")


def _take_if(condition, table, column):
    return f'CASE WHEN {condition} THEN excluded."{column}" ELSE "{table}"."{column}" END'


def _run_updates():
    t = "run"
    updates = {
        "role": _earliest_sql(t, "role"),
        "started_at": _earliest_sql(t, "started_at"),
        "last_at": _latest_sql(t, "last_at"),
        "completed_at": _earliest_sql(t, "completed_at"),
        "progress_at": _latest_sql(t, "progress_at"),
    }
    for groups, later in ((LATEST_GROUPS, True), (EARLIEST_GROUPS, False)):
        for at, index, others in groups:
            wins = _wins_sql(t, at, index, later)
            for column in (at, index, *others):
                updates[column] = _take_if(wins, t, column)
    return updates


def _step_updates():
    t = "run_step"
    wins = _wins_sql(t, "completed_at", None, later=False)
    return {
        "step_id": f'COALESCE("{t}"."step_id", excluded."step_id")',
        "reached_at": _earliest_sql(t, "reached_at"),
        "shown_at": _earliest_sql(t, "shown_at"),
        "completed_at": _take_if(wins, t, "completed_at"),
        "duration_ms": _take_if(wins, t, "duration_ms"),
        # The run's, as upsert_runs read them back after merging the run.
        **{column: f'excluded."{column}"' for column in RUN_COLUMNS_ON_STEPS},
    }


def _upsert(table, columns, conflict, updates, rows, returning=()):
    """INSERT … ON CONFLICT DO UPDATE of ``rows``; the ``returning`` columns of the rows as stored now."""
    if not rows:
        return []
    one_row = db.markers(len(columns))
    sql = (f'INSERT INTO "{table}" ({", ".join(f"{c!s}" for c in _quoted(columns))}) '
           f'VALUES {", ".join([one_row] * len(rows))} '
           f'ON CONFLICT ({", ".join(_quoted(conflict))}) DO UPDATE SET '
           + ", ".join(f'"{column}" = {expression}' for column, expression in updates.items()))
    if returning:
        sql += " RETURNING " + ", ".join(_quoted(returning))
    params = [row[column] for row in rows for column in columns]
    cursor = db.execute(sql, params)
    return cursor.fetchall() if returning else []


def _quoted(columns):
    return [f'"{column}"' for column in columns]


# SQLite allows 32766 parameters per statement; stay well below.
_CHUNK = 500


def upsert_runs(runs, steps, counted=True):
    """Merge run and step summaries into the stored rows (inside the caller's transaction).

    Steps carry their run's RUN_COLUMNS_ON_STEPS as stored after the merge (the
    run upsert returns them). A merge can change a stored run's ``started_at``
    (an earlier event came late) or ``role``, so the run's older steps are then
    brought level too. The run row stays locked from its upsert to the commit,
    so no other transaction changes those steps in between (PostgreSQL).

    Returns the runs as stored now (RUN_COLUMNS and COUNTED_AS, which the merge
    leaves alone: what the rollups count the run as, for rollups.py to compare).
    ``counted=False`` leaves COUNTED_AS out, for a migration older than the rollups
    (0006 folds runs again on a schema that has no such column yet).
    """
    run_updates, step_updates = _run_updates(), _step_updates()
    stored = {}
    returning = (*RUN_COLUMNS, COUNTED_AS) if counted else RUN_COLUMNS
    for start in range(0, len(runs), _CHUNK):
        for values in _upsert("run", RUN_COLUMNS, ("run_id",), run_updates,
                              runs[start:start + _CHUNK], returning=returning):
            run = dict(zip(returning, values))
            stored[run["run_id"]] = run
    steps = [{**step, **{c: stored[step["run_id"]][c] for c in RUN_COLUMNS_ON_STEPS}} for step in steps]
    for start in range(0, len(steps), _CHUNK):
        _upsert("run_step", STEP_COLUMNS, ("run_id", "step_index"), step_updates,
                steps[start:start + _CHUNK])
    for start in range(0, len(runs), _CHUNK):
        _level_steps_with_runs([run["run_id"] for run in runs[start:start + _CHUNK]])
    return [stored[run["run_id"]] for run in runs]


def _level_steps_with_runs(run_ids):
    """Copy the runs' RUN_COLUMNS_ON_STEPS to those of their steps that differ."""
    distinct = "IS DISTINCT FROM" if is_postgres() else "IS NOT"
    columns = RUN_COLUMNS_ON_STEPS
    db.execute(
        "UPDATE run_step SET " + ", ".join(f'"{c}" = r."{c}"' for c in columns)
        + " FROM run r WHERE r.run_id = run_step.run_id"
        + f" AND run_step.run_id IN {db.markers(len(run_ids))}"
        + " AND (" + " OR ".join(f'run_step."{c}" {distinct} r."{c}"' for c in columns) + ")",
        run_ids)


# -- how a run ended -----------------------------------------------------------

def abandon_cutoff(now, minutes):
    """The moment before which an open run's last event makes it abandoned (``now`` naive UTC)."""
    return now - timedelta(minutes=minutes)


def outcome(run, now, abandon_after):
    """How a stored run summary ended, as of ``now`` (naive UTC), and its drop-off step index.

    ``abandon_after`` is a timedelta. The SQL twins are ``state_sql`` and ``outcome_sql``.
    """
    state = state_of(run)
    if state == COMPLETED:
        return COMPLETED, None
    if state == OPEN:
        if run["last_at"] < now - abandon_after:
            return ABANDONED, run["step_index"]
        return IN_PROGRESS, None
    return state, drop_step_of(run, state)[0]


def state_of(run):
    """A run's ``state`` (``state_sql`` in Python): COMPLETED, DISMISSED, BROKEN or OPEN.

    Times compare as the store gives them (datetimes, or SQLite's ISO strings, which
    sort as the datetimes do), so this agrees with the database on either store.
    """
    completed, dismissed = run["completed_at"], run["dismissed_at"]
    if completed is not None and (dismissed is None or completed <= dismissed):
        return COMPLETED
    if dismissed is not None:
        return DISMISSED
    if run["missing_at"] is not None and (run["progress_at"] is None
                                          or run["progress_at"] <= run["missing_at"]):
        return BROKEN
    return OPEN


def drop_step_of(run, state):
    """``(index, id)`` of the step a run in ``state`` dropped at (``drop_step_sql`` in Python)."""
    if state == COMPLETED:
        return None, None
    if state == DISMISSED:
        return (_first_set(run["dismissed_step_index"], run["step_index"]),
                _first_set(run["dismissed_step_id"], run["step_id"]))
    if state == BROKEN:
        return run["missing_step_index"], run["missing_step_id"]
    return run["step_index"], run["step_id"]


def _first_set(value, fallback):
    return fallback if value is None else value


def state_sql(prefix=""):
    """SQL for the part of ``outcome`` that does not depend on the clock: a run's ``state``.

    COMPLETED, DISMISSED, BROKEN or OPEN. The database keeps ``run.state`` equal to
    it (migration 0005, which holds a frozen copy). ``prefix`` goes before every
    column: "" inside the row, "NEW." in a trigger.
    """
    p = prefix
    return (f"CASE WHEN {p}completed_at IS NOT NULL AND ({p}dismissed_at IS NULL "
            f"OR {p}completed_at <= {p}dismissed_at) THEN '{COMPLETED}' "
            f"WHEN {p}dismissed_at IS NOT NULL THEN '{DISMISSED}' "
            f"WHEN {p}missing_at IS NOT NULL AND ({p}progress_at IS NULL OR {p}progress_at <= {p}missing_at) "
            f"THEN '{BROKEN}' ELSE '{OPEN}' END")


def outcome_sql(table="run"):
    """SQL for a run's outcome, with one ``?`` marker: the abandonment cutoff (``abandon_cutoff``).

    An open run (``state``) is abandoned once its last event is older than the cutoff.
    """
    r = f'"{table}".'
    return (f"CASE WHEN {r}state <> '{OPEN}' THEN {r}state "
            f"WHEN {r}last_at < ? THEN '{ABANDONED}' ELSE '{IN_PROGRESS}' END")


def outcome_is_sql(name, table="run", cutoff=None):
    """``(SQL condition, params)``: the run's outcome is ``name`` (as of ``cutoff``, the
    abandonment cutoff, which ABANDONED and IN_PROGRESS need).

    Plain conditions on ``state`` and ``last_at``, so that a count of each outcome
    reads them from an index (reports' guide list).
    """
    r = f'"{table}".'
    if name in (ABANDONED, IN_PROGRESS) and cutoff is None:
        raise ValueError(f"whether a run is {name} depends on the abandonment cutoff")
    if name == ABANDONED:
        return f"{r}state = '{OPEN}' AND {r}last_at < ?", [cutoff]
    if name == IN_PROGRESS:
        return f"{r}state = '{OPEN}' AND {r}last_at >= ?", [cutoff]
    if name not in OUTCOMES:
        raise ValueError(f"no run outcome {name!r}")
    return f"{r}state = '{name}'", []


def drop_step_sql(table="run", column="index"):
    """SQL for the step a run dropped at (its ``index`` or ``id``), given its state.

    NULL for a completed run; for an open one, the step it is on (abandoned, or in
    progress, where reports ignore it).
    """
    r = f'"{table}".'
    return (f"CASE {r}state WHEN '{COMPLETED}' THEN NULL "
            f"WHEN '{DISMISSED}' THEN COALESCE({r}dismissed_step_{column}, {r}step_{column}) "
            f"WHEN '{BROKEN}' THEN {r}missing_step_{column} ELSE {r}step_{column} END")
