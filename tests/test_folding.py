"""The fold behind ingest (folding.py): a batch is stored and acknowledged, folded later,
exactly once; a report catches up before answering, so it never misses an acknowledged event.

Through real ``waymark serve`` processes on both stores: one whose fold thread never
runs on its own (so only the reports' catch-up can have folded what they count), one
with the thread on, and two processes sharing a database.
"""
import threading
import time
import uuid
from contextlib import contextmanager

import pytest

from tests.harness import start_service, stop_service
from tests.test_dashboard import Visitor
from tests.test_reports import EXPECTED_V1_STEPS, NOW, step_figures, stream
from waymark import db, events, folding, ingest
from waymark.models import Run

# A fold thread that waits an hour after a batch: nothing is folded but by a report.
NO_FOLD_THREAD = {"WAYMARK_FOLD_GATHER_SECONDS": "3600", "WAYMARK_FOLD_IDLE_SECONDS": "3600"}


def positions(service):
    """``(folded, newest)`` positions of the service's database, read directly."""
    real = db.open_database(service.database_url)
    with real.connection_context():
        [(folded,)] = db.query("SELECT position FROM fold_state", on=real)
        [(newest,)] = db.query("SELECT COALESCE(MAX(seq), 0) FROM event", on=real)
    return folded, newest


def send(service, events_, size=13):
    for start in range(0, len(events_), size):
        answer = service.post("/api/v1/events", {"events": events_[start:start + size]}, token="extension")
        assert answer.status == 200, answer.text


def prefix():
    return uuid.uuid4().hex[:8] + "-"


def report(service, guide_id):
    answer = service.get(f"/api/v1/reports/guides/{guide_id}?version=1&now={NOW.isoformat()}Z")
    assert answer.status == 200, answer.text
    return answer.json


@pytest.fixture
def unfolding_service(store, make_database_url):
    service = start_service(make_database_url(store), env=NO_FOLD_THREAD)
    yield service
    stop_service(service)


def test_a_report_catches_up_with_every_acknowledged_event(unfolding_service, unique_id):
    service = unfolding_service
    run = prefix()
    send(service, stream(guide_id=unique_id, prefix=run))
    folded, newest = positions(service)
    assert folded < newest, "the events must still be waiting for the fold"
    assert step_figures(report(service, unique_id)) == EXPECTED_V1_STEPS
    assert positions(service)[0] == positions(service)[1]
    # The dashboard catches up too: a late completion of run C moves it from abandoned.
    send(service, [{**stream(guide_id=unique_id)[0], "id": f"{run}late", "run_id": f"{run}C",
                    "type": "guide_completed", "step_index": 3, "step_id": "step-3",
                    "at": "2026-11-22T10:03:40Z"}])
    visitor = Visitor(service)
    visitor.sign_in(service.tokens["admin"])
    assert positions(service)[0] < positions(service)[1]
    status, _, page = visitor.get(f"/dashboard/guides/{unique_id}?from=&to=")
    assert status == 200, page
    assert positions(service)[0] == positions(service)[1]
    assert report(service, unique_id)["completed"] == 3


def test_the_fold_thread_folds_without_any_report(store, make_database_url, unique_id):
    service = start_service(make_database_url(store), env={"WAYMARK_FOLD_GATHER_SECONDS": "0.05"})
    try:
        send(service, stream(guide_id=unique_id, prefix=prefix()))
        deadline = time.monotonic() + 20
        while positions(service)[0] < positions(service)[1]:
            assert time.monotonic() < deadline, f"the fold thread did not catch up: {positions(service)}"
            time.sleep(0.05)
    finally:
        stop_service(service)


def test_two_processes_fold_each_event_once_while_events_and_reports_arrive(store, make_database_url,
                                                                               unique_id):
    """Both processes' fold threads and reports fold at once; the counts are those of one fold."""
    url = make_database_url(store)
    pair = [start_service(url, env={"WAYMARK_FOLD_GATHER_SECONDS": "0.01"}) for _ in range(2)]
    try:
        streams = [stream(guide_id=unique_id, prefix=prefix()) for _ in range(6)]
        failures = []

        def keep_reporting(service, stop):
            while not stop.is_set():
                answer = service.get(f"/api/v1/reports/guides/{unique_id}")
                if answer.status != 200:
                    failures.append((answer.status, answer.text))

        send(pair[0], streams[0][:1])  # the guide is known from its first run on

        stop = threading.Event()
        readers = [threading.Thread(target=keep_reporting, args=(service, stop)) for service in pair]
        senders = [threading.Thread(target=send, args=(pair[n % 2], events_, 7)) for n, events_ in enumerate(streams)]
        for thread in readers + senders:
            thread.start()
        for thread in senders:
            thread.join()
        stop.set()
        for thread in readers:
            thread.join()
        assert not failures
        six_times = [(index, *(6 * count for count in counts), p50, p90)
                     for index, *counts, p50, p90 in EXPECTED_V1_STEPS]
        assert step_figures(report(pair[1], unique_id)) == six_times
    finally:
        for service in pair:
            stop_service(service)


# -- in process -------------------------------------------------------------------

def run_ids():
    return sorted(run.run_id for run in Run.select(Run.run_id))


def test_a_position_is_never_reused_after_the_newest_event_is_deleted(database):
    """A rowid would be: the next event would sit behind the fold position, never folded."""
    first, second = stream()[:2]
    ingest.ingest_batch([first, second])
    folding.catch_up()
    db.execute("DELETE FROM event WHERE id = ?", [second["id"]])
    if not db.is_postgres():
        db.execute("VACUUM")
    ingest.ingest_batch([{**stream()[0], "id": "new", "run_id": "new-run"}])
    folding.catch_up()
    assert "new-run" in run_ids()


def test_storing_alone_folds_nothing_and_the_fold_takes_each_event_once(database):
    events_ = stream()
    ingest.ingest_batch(events_)
    assert run_ids() == []
    folding.catch_up()
    folded = [(run.run_id, run.state, run.last_at) for run in Run.select().order_by(Run.run_id)]
    assert len(folded) == 7
    folding.catch_up()  # nothing new: nothing changes
    ingest.ingest_batch(events_)  # every one a duplicate: no new position
    folding.catch_up()
    assert [(run.run_id, run.state, run.last_at) for run in Run.select().order_by(Run.run_id)] == folded


def test_rebuild_and_prune_fold_what_is_waiting_first(database):
    from datetime import datetime
    from waymark.reports.guides import guide_report
    ingest.ingest_batch(stream())
    assert events.rebuild() == 7, "the rebuild folds the waiting events, then folds them again"
    kept = guide_report("expense", now=NOW)
    folding.catch_up()
    assert guide_report("expense", now=NOW) == kept, "a rebuild must not leave events to fold twice"
    # A late completion of run C, still waiting for the fold when the prune comes.
    ingest.ingest_batch([{**stream()[0], "id": "late-c", "run_id": "C", "type": "guide_completed",
                          "step_index": 3, "step_id": "step-3", "at": "2026-11-22T10:03:40Z"}])
    events.prune(datetime(2026, 11, 23), datetime(2026, 11, 23), 30)
    assert guide_report("expense", now=NOW)["completed"] == kept["completed"] + 1


def test_a_rebuild_leaves_the_misses_stored_since_the_fold_to_the_fold(database):
    """Events may arrive between a rebuild's catch-up and its reset of the rollups: the
    reset counts only the misses the fold has taken, else the fold counts the rest twice."""
    import random
    from datetime import datetime

    from tests.test_rollups import assert_report_matches_runs, random_stream
    from waymark import rollups
    stream_events = random_stream(random.Random(5), runs_count=80)
    folded_before, stored_since = stream_events[:len(stream_events) // 2], stream_events[len(stream_events) // 2:]
    assert any(event["type"] == "target_missing" for event in stored_since)
    ingest.ingest_batch(folded_before)
    folding.catch_up()
    ingest.ingest_batch(stored_since)
    for guide_id in ("hot", "cold"):
        with folding.paused() as folded_up_to:
            rollups.reset(guide_id, folded_up_to)
    folding.catch_up()
    for guide_id in ("hot", "cold"):
        assert_report_matches_runs(guide_id, datetime(2026, 11, 2, 23, 0))


def test_an_event_the_fold_cannot_take_is_left_out_and_the_others_are_folded(database, monkeypatch):
    """Should a stored event break the fold (a bug, a row written by hand), the others of its
    chunk are still folded, and the fold moves on instead of failing every report."""
    from waymark.reports.guides import guide_report
    real_fold = folding.fold

    def fold_refusing_the_poison(rows):
        if any(row["id"] == "poison" for row in rows):
            raise ValueError("this event breaks the fold")
        return real_fold(rows)

    monkeypatch.setattr(folding, "fold", fold_refusing_the_poison)
    good = stream()
    ingest.ingest_batch(good[:5] + [{**good[0], "id": "poison", "run_id": "poisoned"}] + good[5:])
    folding.catch_up()
    assert folding.folded_position() == folding.settled_position()
    assert "poisoned" not in run_ids() and len(run_ids()) == 7
    assert step_figures(guide_report("expense", version=1, now=NOW)) == EXPECTED_V1_STEPS


def test_the_fold_thread_waits_for_a_lull_but_never_longer_than_its_bound():
    stop = threading.Event()
    stored = [0]  # the newest position, as another process storing events would move it
    started = time.monotonic()
    assert folding._wait_for_a_lull(0.05, 10, stop, newest=lambda: stored[0]) is False  # one gather
    assert time.monotonic() - started < 1

    arriving = threading.Event()

    def keep_storing():
        while not arriving.is_set():
            stored[0] += 1
            time.sleep(0.01)

    sender = threading.Thread(target=keep_storing)
    sender.start()
    try:
        started = time.monotonic()
        assert folding._wait_for_a_lull(0.05, 0.5, stop, newest=lambda: stored[0]) is False  # the bound
        assert 0.5 <= time.monotonic() - started < 2
    finally:
        arriving.set()
        sender.join()
    stop.set()
    assert folding._wait_for_a_lull(0.05, 10, stop, newest=lambda: stored[0]) is True


class _RecordedWaits(threading.Event):
    """A stop event that records how long the fold thread waited on it."""

    def __init__(self):
        super().__init__()
        self.waits = []

    def wait(self, timeout=None):
        self.waits.append(timeout)
        return super().wait(timeout)


@contextmanager
def _storing_meanwhile(events_, pause, to_the_end=False):
    """Store ``events_`` two a batch, ``pause`` seconds apart, from another thread (its own
    connection, as another process would) while the block runs; it has begun when the block
    does. On leaving, wait for it to store them all (``to_the_end``) or stop it."""
    begun, done, failed = threading.Event(), threading.Event(), []

    def keep_storing():
        try:
            db.database.connect(reuse_if_open=True)
            begun.set()
            for start in range(0, len(events_), 2):
                if done.is_set():
                    return
                ingest.ingest_batch(events_[start:start + 2])
                time.sleep(pause)
        except Exception as error:  # re-raised in the test's thread
            failed.append(error)
        finally:
            begun.set()
            db.database.close()

    sender = threading.Thread(target=keep_storing)
    sender.start()
    begun.wait(10)
    try:
        yield
    finally:
        if not to_the_end:
            done.set()
        sender.join(30)
    if failed:
        raise failed[0]


def _copies(events_, label, count):
    return [{**event, "id": f"{label}{n}-{event['id']}", "run_id": f"{label}{n}-{event['run_id']}"}
            for n in range(count) for event in events_]


def test_under_load_the_fold_thread_leaves_the_writers_a_turn_after_each_chunk(database):
    """A backlog is folded a chunk at a time; while batches keep coming the fold thread waits
    after a chunk as long as the chunk took (so a batch waits for one chunk, not the whole
    backlog), and in a lull it never waits. Either way every event stored before it is folded."""
    ingest.ingest_batch(_copies(stream(), "lull", 20))
    up_to, lull = folding.settled_position(), _RecordedWaits()
    folding._fold_in_turns(lull, chunk=25)
    assert folding.folded_position() == up_to and lull.waits == []

    ingest.ingest_batch(_copies(stream(), "load", 40))
    up_to, busy = folding.settled_position(), _RecordedWaits()
    with _storing_meanwhile(_copies(stream()[:2], "late", 400), pause=0.002):
        folding._fold_in_turns(busy, chunk=25)
    assert folding.folded_position() >= up_to
    assert busy.waits and all(waited > 0 for waited in busy.waits), busy.waits
    folding.catch_up()
    stored = {run_id for (run_id,) in db.query("SELECT DISTINCT run_id FROM event")}
    assert set(run_ids()) == stored


def test_the_lull_is_the_databases_not_the_processes(database):
    """Batches another process stores (here: straight through ingest, which never tells this
    process's fold thread) hold the fold back as well: a worker that got none of a burst
    must not fold in the middle of it."""
    with _storing_meanwhile(_copies(stream()[:2], "", 50), pause=0.02, to_the_end=True):
        started = time.monotonic()
        # A batch every 0.02 s or so, for about a second; a lull is 0.3 s without one.
        assert folding._wait_for_a_lull(0.3, 10, threading.Event()) is False
        waited = time.monotonic() - started
    assert waited >= 0.6, f"folded {waited:.2f} s into a burst of about a second"
