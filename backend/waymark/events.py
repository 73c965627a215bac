"""The stored events after ingest: folded again (rebuild), pruned (retention), exported (BI).

- ``rebuild``: the runs, steps and rollups of every run that has events, folded
  again from them, a chunk of runs per transaction, while ingest goes on
  (``waymark reports rebuild``): after a fix to the fold, or to check the rollups.
- ``prune``: the events of runs that ended before a date deleted, a chunk per
  transaction (``waymark events prune``, ``WAYMARK_EVENT_RETENTION_DAYS``). The
  runs' rows, steps and rollups stay, so every report over the period stays as it
  was; the run's user is cleared. ``target_missing`` events stay, with no user,
  because the broken-targets reports read them. Runs still in progress are never pruned.
  ``prune_other_kinds`` (``--other-kinds``, opt-in) deletes the events of the other
  kinds (tips, nudges, surveys, resources) and help-panel events before the date too:
  their reports read them raw, so those reports lose the period.
- ``export``: events in arrival order, a page at a time after a cursor
  (``waymark events export``, ``GET /api/v1/events/export``): each event once,
  in order, while events keep arriving (migration 0012 says how on each store).
"""
import csv
import io
import json
from datetime import datetime, time, timedelta

from . import db, folding, rollups, runs
from .db import is_postgres
from .ingest import EVENT_COLUMNS, POSITION
from .reports.export import csv_safe
from .runs import fold, of_guides, upsert_runs

_QUOTED_EVENT_COLUMNS = ", ".join(f'"{column}"' for column in EVENT_COLUMNS)


def _in(values):
    return db.markers(len(values))


def _lock_runs(run_ids):
    """Hold these runs' rows until the commit, as the fold's upsert does (PostgreSQL; SQLite's
    transaction holds the write lock already)."""
    if is_postgres() and run_ids:
        db.query(f"SELECT run_id FROM run WHERE run_id IN {_in(run_ids)} ORDER BY run_id FOR UPDATE", run_ids)


# -- rebuild ---------------------------------------------------------------------

def rebuild(guide_id=None, chunk=500):
    """Fold every run of ``guide_id`` (default: all) that has events again from its events,
    then count the guide's rollups again from its runs; return how many runs were folded.

    Pruned runs have no events to fold: their rows stay, and so do their counts. Only
    events the fold has taken are folded again (folding.py): a later one is folded
    once, by the fold, into the rebuilt run."""
    folding.catch_up()
    folded = _fold_runs_again(guide_id, chunk)
    guide_ids = [guide_id] if guide_id is not None else [
        found for (found,) in db.query("SELECT DISTINCT guide_id FROM run ORDER BY guide_id")]
    for found in guide_ids:
        with folding.paused() as folded_up_to:  # the guide's counts are replaced at once
            rollups.reset(found, folded_up_to)
    return folded


def _fold_runs_again(guide_id, chunk):
    of_guide = " AND guide_id = ?" if guide_id is not None else ""
    after, total = "", 0
    while True:
        # The fold pauses for each chunk: a run folded again must not change meanwhile, and
        # the chunk takes rollup rows twice (out and back in), which the fold's one sorted
        # pass could otherwise meet in the opposite order.
        with folding.paused() as folded_up_to:
            run_ids = [run_id for (run_id,) in db.query(
                f"SELECT DISTINCT run_id FROM event WHERE run_id > ?{of_guide} ORDER BY run_id LIMIT ?",
                [after, *([guide_id] if guide_id is not None else []), chunk])]
            if not run_ids:
                return total
            pruned = {run_id for (run_id,) in db.query(
                f"SELECT run_id FROM run WHERE run_id IN {_in(run_ids)} AND pruned_at IS NOT NULL", run_ids)}
            to_fold = [run_id for run_id in run_ids if run_id not in pruned]
            _fold_again(to_fold, folded_up_to)
        after, total = run_ids[-1], total + len(to_fold)


def _fold_again(run_ids, folded_up_to):
    if not run_ids:
        return
    rollups.forget_runs(run_ids)
    db.execute(f"DELETE FROM run_step WHERE run_id IN {_in(run_ids)}", run_ids)
    db.execute(f"DELETE FROM run WHERE run_id IN {_in(run_ids)}", run_ids)
    rows = [dict(zip(EVENT_COLUMNS, row)) for row in db.query(
        f"SELECT {_QUOTED_EVENT_COLUMNS} FROM event WHERE run_id IN {_in(run_ids)} AND {POSITION} <= ? "
        f"ORDER BY id", [*run_ids, folded_up_to])]
    found_runs, steps = fold(of_guides(rows))
    rollups.count_changes(upsert_runs(found_runs, steps))


# -- retention -------------------------------------------------------------------

def retention_cutoff(now, days):
    """The start of the day ``days`` before ``now``: events of runs ended before it go (None: keep all)."""
    if days is None:
        return None
    return datetime.combine((now - timedelta(days=days)).date(), time.min)


def prune(before, now, abandon_after_minutes, chunk=500):
    """Delete the events of runs whose last event is before ``before`` (naive UTC) and that are
    not in progress as of ``now``, a chunk of runs per transaction; return ``(runs, events)``.

    Only events the fold has taken are deleted (folding.py): one stored since is
    folded first, and only then may go, at the next prune."""
    folding.catch_up()
    in_progress, in_progress_params = runs.outcome_is_sql(
        runs.IN_PROGRESS, "run", runs.abandon_cutoff(now, abandon_after_minutes))
    pruned_runs = pruned_events = 0
    while True:
        with folding.paused() as folded_up_to:
            run_ids = [run_id for (run_id,) in db.query(
                f"SELECT run_id FROM run WHERE last_at < ? AND pruned_at IS NULL AND NOT ({in_progress}) "
                f"ORDER BY run_id LIMIT ?", [before, *in_progress_params, chunk])]
            if not run_ids:
                return pruned_runs, pruned_events
            _lock_runs(run_ids)
            pruned_events += db.execute(
                f"DELETE FROM event WHERE run_id IN {_in(run_ids)} AND type <> 'target_missing' "
                f"AND {POSITION} <= ?", [*run_ids, folded_up_to]).rowcount
            db.execute(f"UPDATE event SET \"user\" = '' WHERE run_id IN {_in(run_ids)}", run_ids)
            db.execute(f"UPDATE run SET \"user\" = '', pruned_at = ? WHERE run_id IN {_in(run_ids)}",
                       [now, *run_ids])
            pruned_runs += len(run_ids)


def prune_other_kinds(before, chunk=500):
    """Delete the events that belong to no guide run (tips, nudges, surveys, resources:
    any type the fold does not take) and the help-panel events, at ``at`` before ``before``
    (naive UTC), a chunk per transaction; return ``(events, help events)``.

    Opt-in (``waymark events prune --other-kinds``): their reports (reports/tips.py,
    nudges.py, surveys.py, help_panel.py) read them raw, so over the pruned period
    those reports lose them, survey texts and users included, which is the point for
    a company that must bound how long it keeps them. ``target_missing`` events stay,
    as ``prune`` keeps them (rollups.reset counts the misses again from them), and so
    does every event the fold has not taken yet (folding.py)."""
    other_kinds = f"type NOT IN {_in(runs.RUN_EVENT_TYPES)}"
    deleted, after = 0, 0
    while True:
        with folding.paused() as folded_up_to:
            positions = [position for (position,) in db.query(
                f"SELECT {POSITION} FROM event WHERE {POSITION} > ? AND {POSITION} <= ? AND {other_kinds} "
                f"AND at < ? ORDER BY {POSITION} LIMIT ?",
                [after, folded_up_to, *runs.RUN_EVENT_TYPES, before, chunk])]
            if not positions:
                break
            deleted += db.execute(f"DELETE FROM event WHERE {POSITION} IN {_in(positions)}", positions).rowcount
        after = positions[-1]
    help_deleted, after = 0, ""
    while True:
        with db.write_transaction():
            ids = [found for (found,) in db.query("SELECT id FROM help_event WHERE id > ? AND at < ? "
                                                  "ORDER BY id LIMIT ?", [after, before, chunk])]
            if not ids:
                return deleted, help_deleted
            help_deleted += db.execute(f"DELETE FROM help_event WHERE id IN {_in(ids)}", ids).rowcount
        after = ids[-1]


# -- export ----------------------------------------------------------------------

def export_page(since=None, until=None, cursor=None, limit=1000):
    """``(events, next cursor)``: up to ``limit`` events with ``since <= at < until`` after
    ``cursor`` (an arrival position, an integer; None: from the start), in arrival order.
    The next cursor is the last event's position (or ``cursor`` again when no event
    follows yet): ask again with it later and only newer arrivals come. Any integer is
    a valid cursor (the positions after it).

    An event is a dict of EVENT_COLUMNS, ``detail`` parsed, times ISO 8601 with Z.
    """
    position = POSITION
    clauses, params = [f"{position} <= ?"], [folding.settled_position()]
    if cursor is not None:
        clauses.append(f"{position} > ?")
        params.append(cursor)
    if since is not None:
        clauses.append("at >= ?")
        params.append(since)
    if until is not None:
        clauses.append("at < ?")
        params.append(until)
    where = " AND ".join(clauses)
    rows = db.query(f"SELECT {position}, {_QUOTED_EVENT_COLUMNS} FROM event WHERE {where} "
                    f"ORDER BY {position} LIMIT ?", [*params, limit])
    events = [_exported(dict(zip(EVENT_COLUMNS, row[1:]))) for row in rows]
    return events, (rows[-1][0] if rows else cursor)


def export_all(since=None, until=None, page=1000):
    """Every event in the range, in arrival order, a page at a time (constant memory)."""
    cursor = None
    while True:
        events, next_cursor = export_page(since, until, cursor, page)
        yield from events
        if len(events) < page:
            return
        cursor = next_cursor


def _exported(event):
    for column in ("at", "received_at"):
        value = event[column]
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        event[column] = moment.isoformat(timespec="milliseconds") + "Z"
    event["detail"] = json.loads(event["detail"]) if event["detail"] else None
    return event


EXPORT_FORMATS = ("ndjson", "csv")


def as_ndjson(events):
    """An event per line, as JSON."""
    for event in events:
        yield json.dumps(event, separators=(",", ":")) + "\n"


def as_csv(events):
    """A header then an event per row; text guarded against spreadsheet formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EVENT_COLUMNS)
    for event in events:
        writer.writerow([_csv_cell(event[column]) for column in EVENT_COLUMNS])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, dict):
        value = json.dumps(value, separators=(",", ":"))
    return csv_safe(value) if isinstance(value, str) else value
