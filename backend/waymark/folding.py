"""Stored events → runs and rollups, behind ingest: the fold, and the position it has reached.

Ingest only stores events (ingest.py): one insert per batch, so a batch holds
SQLite's write lock for as short as storing it takes. Folding the new events
into runs, steps and rollups (runs.py, rollups.py) happens here, afterwards, a
large chunk at a time, which costs far less per event than batch by batch (a
run's events merge in Python before one upsert). docs/reports.md "Folding".

- Every event has a position in arrival order, ``event.seq``, never reused
  (migration 0013). ``fold_state.position`` is the position up to which every
  event is folded; each event is folded once, by whichever process takes it.
- **Reports catch up before answering** (``catch_up``: the reports API and the
  dashboard call it first), so a report never misses an acknowledged event.
  With nothing to fold this costs two indexed reads.
- A thread in every service process (``start_worker``) folds what arrived once
  arrivals pause for a moment (and at least every few seconds under any load,
  taking turns with the writers: ``_fold_in_turns``), so a report seldom has
  anything left to do.
- The fold is order independent (runs.py, rollups.py), so events folded in any
  chunks, in any order of arrival, give the same runs and counts.

PostgreSQL hands out sequence numbers at insert but shows them at commit: a fold
stops at the position up to which every inserting transaction has finished
(``settled_position``), as the export does.
"""
import logging
import threading
import time
from contextlib import contextmanager

from peewee import DataError, IntegrityError

from . import db, rollups
from .alerts import due_steps_of, record_due
from .db import database, is_postgres
from .ingest import EVENT_COLUMNS, POSITION, pause_ingest
from .models import utcnow
from .runs import fold, of_guides, upsert_runs

log = logging.getLogger(__name__)

CHUNK = 8000  # events a transaction: more share rollup rows (8,000: 37 µs an event, 2,000: 48 µs)
_SELECTED = ", ".join(f'"{column}"' for column in (POSITION, *EVENT_COLUMNS))


def settled_position():
    """The highest position up to which every event is committed (or never will be).

    SQLite has one writer at a time, so the highest committed position. PostgreSQL:
    once the batches in flight are done (``pause_ingest``), every number taken so far
    is settled and every later one is larger.
    """
    if not is_postgres():
        return _newest_taken()
    with pause_ingest():
        return _newest_taken()


def _newest_taken():
    """The highest position given to an event so far (PostgreSQL: maybe not yet committed)."""
    if is_postgres():
        [(last, called)] = db.query("SELECT last_value, is_called FROM event_seq_seq")
        return last if called else 0
    return db.query(f"SELECT COALESCE(MAX({POSITION}), 0) FROM event")[0][0]


def folded_position(lock=False):
    """The position up to which events are folded. ``lock``: no fold runs until the caller's
    transaction ends (PostgreSQL; SQLite's write transaction excludes one already)."""
    lock = " FOR UPDATE" if lock and is_postgres() else ""
    return db.query(f"SELECT position FROM fold_state WHERE id = 1{lock}")[0][0]


@contextmanager
def paused():
    """A transaction during which no fold runs (it waits for one in flight); yields the
    position up to which events are folded. SQLite: its write lock; PostgreSQL: the
    fold_state row. Ingest goes on: it only adds events beyond that position."""
    with db.write_transaction():
        yield folded_position(lock=True)


def pending():
    """Whether stored events may be waiting for the fold (cheap: no lock)."""
    return _newest_taken() > folded_position()


def fold_next(up_to, chunk=CHUNK):
    """Fold the next ``chunk`` events at positions up to ``up_to``, in one transaction;
    return the position reached (``up_to`` once nothing is left below it)."""
    with paused() as start:  # folds in several processes take turns
        if start >= up_to:
            return start
        rows = [dict(zip((POSITION, *EVENT_COLUMNS), row)) for row in db.query(
            f"SELECT {_SELECTED} FROM event WHERE {POSITION} > ? AND {POSITION} <= ? "
            f"ORDER BY {POSITION} LIMIT ?", [start, up_to, chunk])]
        # Fewer than a chunk: none is left up to up_to (numbers of rolled back inserts are gaps).
        reached = rows[-1][POSITION] if len(rows) == chunk else up_to
        _fold_sparing_the_good(rows)
        db.execute("UPDATE fold_state SET position = ? WHERE id = 1", [reached])
        return reached


# What a stored event the fold cannot take raises (a bug, or a row written by hand);
# lock timeouts and lost connections are not among them: the fold tries those again.
_UNFOLDABLE = (ValueError, TypeError, KeyError, IntegrityError, DataError)


def _fold_sparing_the_good(rows):
    """Fold the rows; should the chunk fail, fold them one by one and leave out (and log)
    only those that fail alone, so one bad row never holds back the others or every report."""
    try:
        with database.atomic():  # a savepoint: a failure leaves the transaction usable
            fold_rows(rows)
        return
    except _UNFOLDABLE:
        log.exception("folding: a chunk of %d events failed; folding them one by one", len(rows))
    for row in rows:
        try:
            with database.atomic():
                fold_rows([row])
        except _UNFOLDABLE:
            log.exception("folding: event %r cannot be folded: it stays stored, outside every "
                          "run and rollup", row["id"])


def fold_rows(rows):
    """Fold stored event rows (dicts of EVENT_COLUMNS) into runs, steps and rollups, in the
    caller's transaction. Each event must be folded once: ``fold_next`` sees to it.

    The steps whose target went missing are marked for the alerts thread to check
    (alerts.py; a row per step at most, so harmless with alerts off); nothing is
    counted or posted here."""
    runs, steps = fold(of_guides(rows))
    rollups.count_changes(upsert_runs(runs, steps))
    rollups.count_misses([row for row in rows if row["type"] == rollups.MISSING])
    record_due(due_steps_of(rows), utcnow())


def catch_up(chunk=CHUNK):
    """Fold every event stored before this call, ``chunk`` events per transaction."""
    if not pending():
        return
    up_to = settled_position()
    while fold_next(up_to, chunk) < up_to:
        pass


# -- the thread in every service process ---------------------------------------------

_arrived = threading.Event()


def events_arrived():
    """Tell this process's fold thread that a batch was stored (the events endpoint calls it)."""
    _arrived.set()


def _loop(gather_seconds, most_seconds, idle_seconds, stop):
    while not stop.is_set():
        # Woken by a batch stored here, or after a while to look for other processes' batches.
        _arrived.wait(idle_seconds)
        _arrived.clear()
        try:
            with database.connection_context():
                if not pending():
                    continue
                if _wait_for_a_lull(gather_seconds, most_seconds, stop):
                    return
                _fold_in_turns(stop)
        except Exception:  # a failed pass must not end the thread: log it, try again soon
            log.exception("folding: a pass failed")


def _fold_in_turns(stop, chunk=CHUNK):
    """Fold every event stored before this call, as ``catch_up`` does, but while batches keep
    coming leave the writers the lock after each chunk for as long as the chunk held it.

    A chunk holds the writers' turn for its whole transaction (~1 s for 8,000 events on a
    slow 2-CPU machine), and the next one would take it again before any waiting batch
    woke up: under load a batch then waited for the whole backlog, and a burst that
    outlasted FOLD_MOST_SECONDS stalled for seconds (docs/reports.md "Ingest throughput").
    In a lull (no batch since the last chunk) the backlog is folded without a pause.
    Reports keep ``catch_up``: they fold what they need at once."""
    if not pending():
        return
    up_to, seen = settled_position(), _newest_taken()
    while True:
        started = time.monotonic()
        if fold_next(up_to, chunk) >= up_to:
            return
        newest = _newest_taken()
        if newest != seen and stop.wait(time.monotonic() - started):
            return
        seen = newest


def _wait_for_a_lull(gather_seconds, most_seconds, stop, newest=_newest_taken):
    """Wait until no event has been stored for ``gather_seconds``, by any process (the
    newest position stays put), or ``most_seconds`` have passed (the lag stays bounded
    under any load); return True when the thread must stop.

    A burst is answered at the speed of storing alone and folded in the lull after it
    (one fold of many events also costs less than many of few); reports catch up
    with whatever is left meanwhile, so none misses an event. The lull is the
    database's, not this process's: a worker that got no batch of the burst must not
    fold in the middle of it, holding up the workers that did.
    """
    first, seen = time.monotonic(), newest()
    while True:
        if stop.wait(gather_seconds):
            return True
        now_newest = newest()
        if now_newest == seen or time.monotonic() - first >= most_seconds:
            return False
        seen = now_newest


def start_worker(config):
    """Start this process's fold thread; return its stop event."""
    stop = threading.Event()
    thread = threading.Thread(target=_loop, name="waymark-fold", daemon=True,
                              args=(config["FOLD_GATHER_SECONDS"], config["FOLD_MOST_SECONDS"],
                                    config["FOLD_IDLE_SECONDS"], stop))
    thread.start()
    return stop
