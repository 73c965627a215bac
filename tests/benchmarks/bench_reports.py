"""Report latency on SQLite at 10^5 and 10^6 stored events, and what query-time folding would cost.

    .venv/bin/python tests/benchmarks/bench_reports.py [--max 1000000] [--store postgresql]

Events are generated as realistic runs of 50 guides (guide-00 gets 20% of the
runs, the other 49 share the rest) over 90 days, and stored through the ingest
path (ingest.store_events: the same insert and the same run folding as HTTP,
minus validation). Prints figures; asserts nothing about time.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[2])]

from _streams import events  # noqa: E402
from waymark import config, db, migrations  # noqa: E402
from waymark.ingest import store_events  # noqa: E402
from waymark.reports.guides import guide_report  # noqa: E402
from waymark.reports.summaries import guide_summaries  # noqa: E402
from waymark.reports.targets import broken_targets  # noqa: E402
from waymark.runs import fold, outcome  # noqa: E402

NOW = datetime(2026, 11, 1)
# The service's abandonment window, as `waymark serve` would read it.
ABANDON_AFTER_MINUTES = config.from_environment()["ABANDON_AFTER_MINUTES"]
AS_OF = {"now": NOW, "abandon_after_minutes": ABANDON_AFTER_MINUTES}
CHUNK = 5000


def timed(function, repeat=7):
    """Median milliseconds of ``repeat`` calls (after one warm-up)."""
    function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def query_time_fold(guide_id):
    """The alternative: read a guide's events and fold them into runs at query time."""
    from datetime import timedelta
    rows = db.database.execute_sql(
        'SELECT id, type, guide_id, guide_version, step_id, step_index, run_id, "user", role, url, at, '
        'duration_ms, reason FROM event WHERE guide_id = ' + ("%s" if db.is_postgres() else "?"),
        [guide_id]).fetchall()
    names = ("id", "type", "guide_id", "guide_version", "step_id", "step_index", "run_id", "user", "role",
             "url", "at", "duration_ms", "reason")
    stored = [dict(zip(names, row)) for row in rows]
    for row in stored:
        if isinstance(row["at"], str):
            row["at"] = datetime.fromisoformat(row["at"])
    runs, _ = fold(stored)
    return [outcome(run, NOW, timedelta(minutes=ABANDON_AFTER_MINUTES)) for run in runs]


def fill(total, target, seed):
    started = time.perf_counter()
    rows = events(target - total, seed=seed)
    for start in range(0, len(rows), CHUNK):
        store_events(rows[start:start + CHUNK])
    return target, time.perf_counter() - started


def measure(total):
    runs = db.database.execute_sql("SELECT COUNT(*) FROM run").fetchone()[0]
    print(f"\n{total:,} events, {runs:,} runs")
    figures = [
        ("guide_report, typical guide (guide-07)", lambda: guide_report("guide-07", **AS_OF)),
        ("guide_report, hot guide (guide-00, 20%)", lambda: guide_report("guide-00", **AS_OF)),
        ("guide_report, guide-07, version + 30 days", lambda: guide_report(
            "guide-07", version=1, date_from=date(2026, 9, 1), date_to=date(2026, 9, 30), **AS_OF)),
        ("guide_report, guide-07, role + url glob", lambda: guide_report(
            "guide-07", role="sales", url="https://app.example.com/*", **AS_OF)),
        ("guide_summaries (all 50 guides)", lambda: guide_summaries(**AS_OF)),
        ("broken_targets", lambda: broken_targets()),
        ("query-time fold instead, guide-07", lambda: query_time_fold("guide-07")),
        ("query-time fold instead, guide-00", lambda: query_time_fold("guide-00")),
    ]
    for name, function in figures:
        print(f"  {name:<45} {timed(function, repeat=5):>8.1f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=1_000_000)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite",
                        help="postgresql: a fresh database on the local server, dropped at the end")
    args = parser.parse_args()
    if args.store == "postgresql":
        from tests.harness import drop_postgres_database, new_postgres_database
        url, name = new_postgres_database()
    else:
        url = f"sqlite:///{os.path.join(tempfile.mkdtemp(), 'reports.db')}"
    print(f"store: {args.store}")
    real = db.bind(url)
    migrations.upgrade(real)
    real.connect()
    total, seed = 0, 10
    for target in (100_000, args.max):
        if target <= total:
            continue
        total, seconds = fill(total, target, seed)
        seed += 1
        print(f"stored up to {total:,} events through ingest.store_events in {seconds:.1f} s")
        if args.store == "postgresql":
            real.execute_sql("VACUUM ANALYZE")  # as autovacuum would after a bulk load
        measure(total)
    real.close()
    if args.store == "postgresql":
        drop_postgres_database(name)


if __name__ == "__main__":
    main()
