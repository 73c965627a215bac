"""Report and dashboard times as the events grow: 10^5, 10^6 (and 10^7) on SQLite or PostgreSQL.

    .venv/bin/python tests/benchmarks/bench_scale.py [--store sqlite|postgresql] [--sizes 100000,1000000]

Five guides over 90 days; guide-00, the hot one, holds half of all runs
(``_streams.run_events``, generated a chunk at a time so that 10^7 events never
sit in memory). Events are stored through the ingest code in bulk
(``ingest.store_events``, 5,000 a call: the same insert as HTTP, minus validation
and the network) and folded after each call (``folding.catch_up``: the same fold
as the service's fold thread, in chunks of 5,000). SQLite gets a 4 GB page cache
for the fill (10^7 events' indexes outgrow the default 64 MB, and the fill then
waits on the disk for every random insert). PostgreSQL's rollup and run tables are
vacuumed every 250,000 events, standing in for autovacuum (off on the CI machine's
server), and analysed after each size. At each size it prints the
server time (median of 7 after a warm-up, in process through Flask's test client,
so the whole request: token or session check, queries, JSON or template) of the
hot guide's report through the API and of every dashboard page. Ingest through
HTTP next to raw sqlite3 is bench_ingest.py's. Prints figures; asserts nothing.
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[2])]

from _streams import START, run_events  # noqa: E402
from bench_dashboard import publish_guides, signed_in_client  # noqa: E402
from waymark import create_app, db, folding, migrations, rollups  # noqa: E402
from waymark.ingest import EVENT_COLUMNS, store_events  # noqa: E402
from waymark.tokens import create_token  # noqa: E402

GUIDES, HOT_SHARE, DAYS, CHUNK = 5, 0.5, 90, 5000
NOW = "2026-11-01T00:00:00Z"  # the day after the data's last: no run is still in progress
LAST_30_DAYS = "from=2026-10-01&to=2026-10-30"
ALL_TIME = "from=&to="
API = [
    ("API report, hot guide (guide-00, 50%), all time", f"/api/v1/reports/guides/guide-00?now={NOW}"),
    ("API report, hot guide, last 30 days",
     f"/api/v1/reports/guides/guide-00?from=2026-10-01&now={NOW}"),
    ("API report, hot guide, version 1 + role sales",
     f"/api/v1/reports/guides/guide-00?version=1&role=sales&now={NOW}"),
    ("API guide list, all time", f"/api/v1/reports/guides?now={NOW}"),
]
PAGES = [
    ("page: guide list, last 30 days", f"/dashboard/?{LAST_30_DAYS}"),
    ("page: guide list, all time", f"/dashboard/?{ALL_TIME}"),
    ("page: report, typical guide (guide-03), all time", f"/dashboard/guides/guide-03?{ALL_TIME}"),
    ("page: report, hot guide, last 30 days", f"/dashboard/guides/guide-00?{LAST_30_DAYS}"),
    ("page: report, hot guide, all time", f"/dashboard/guides/guide-00?{ALL_TIME}"),
    ("page: report, hot guide, version + role, all time",
     f"/dashboard/guides/guide-00?version=1&role=sales&{ALL_TIME}"),
    ("page: CSV, hot guide, all time", f"/dashboard/guides/guide-00/report.csv?{ALL_TIME}"),
    ("page: broken targets, last 30 days", f"/dashboard/broken-targets?{LAST_30_DAYS}"),
    ("page: broken targets, all time", f"/dashboard/broken-targets?{ALL_TIME}"),
]


def event_chunks(count, seed):
    """About ``count`` events in chunks of CHUNK (whole runs), guide-00 with HOT_SHARE of the runs."""
    rng, made, chunk = random.Random(seed), 0, []
    while made < count:
        guide = "guide-00" if rng.random() < HOT_SHARE else f"guide-{rng.randrange(1, GUIDES):02d}"
        at = START + timedelta(seconds=rng.randrange(DAYS * 86400))
        rows = run_events(rng, guide, rng.choice((1, 2)), at)
        chunk += rows
        made += len(rows)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# PostgreSQL: the tables the fold updates over and over, vacuumed every VACUUM_EVERY events
# as autovacuum would (it is off on the CI machine's server). Without it every update of
# a rollup row leaves a dead row in the table and in each index: at 6 million events,
# 14,100 live rollup_step rows had 2.45 million dead ones beside them and 280 MB of index,
# and the fill had slowed to ~1,700 events/s.
VACUUMED = ", ".join((*rollups.TABLES, "run", "run_step"))
VACUUM_EVERY = 250_000


def fill(count, seed):
    if not db.is_postgres():
        db.execute("PRAGMA cache_size = -4000000")
    started, stored = time.perf_counter(), 0
    for chunk in event_chunks(count, seed):
        # The stream's rows are guide runs: the columns of other kinds' events stay empty.
        store_events([{column: row.get(column) for column in EVENT_COLUMNS} for row in chunk])
        folding.catch_up(chunk=CHUNK)
        stored += len(chunk)
        if db.is_postgres() and stored // VACUUM_EVERY != (stored - len(chunk)) // VACUUM_EVERY:
            db.execute(f"VACUUM {VACUUMED}")
        if stored // CHUNK % 200 == 0:
            print(f"  {stored:,} events, {stored / (time.perf_counter() - started):,.0f}/s", flush=True)
    return stored, time.perf_counter() - started


def median_ms(client, path, headers=None, repeat=7):
    """Median wall and CPU milliseconds of ``repeat`` GETs (after a warm-up). On SQLite the
    database runs in this process, so CPU time is the server's whole work even while other
    programs hold the CPUs; on PostgreSQL it leaves out the database server's share."""
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path, headers=headers)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def measure(url, token):
    app = create_app({"DATABASE_URL": url})
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    pages = signed_in_client(app, token)
    print(f"  {'':<52} {'wall':>8}    {'CPU':>8}")
    for client, headers, rows in ((api, bearer, API), (pages, None, PAGES)):
        for name, path in rows:
            wall, cpu = median_ms(client, path, headers)
            print(f"  {name:<52} {wall:>8.1f} ms {cpu:>8.1f} ms", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated event counts, ascending")
    parser.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    parser.add_argument("--measure", metavar="URL", help="only measure a database an earlier run kept")
    parser.add_argument("--extend", metavar="URL", help="fill a database an earlier run kept on to --sizes")
    args = parser.parse_args()
    if args.measure:
        real = db.bind(args.measure)
        migrations.upgrade(real)
        with real.connection_context():
            _, token = create_token("admin")
            events = real.execute_sql("SELECT COUNT(*) FROM event").fetchone()[0]
        print(f"{events:,} events in {args.measure}", flush=True)
        return measure(args.measure, token)
    if args.extend:
        url = args.extend
    elif args.store == "postgresql":
        from tests.harness import drop_postgres_database, new_postgres_database
        url, name = new_postgres_database()
    else:
        url = f"sqlite:///{os.path.join(tempfile.mkdtemp(), 'scale.db')}"
    print(f"store: {args.store} ({url}); {os.cpu_count()} CPUs shared", flush=True)
    real = db.bind(url)
    migrations.upgrade(real)
    with real.connection_context():
        if not args.extend:
            publish_guides(GUIDES)
        _, token = create_token("admin")
        total = real.execute_sql("SELECT COUNT(*) FROM event").fetchone()[0]
    for seed, size in enumerate(int(s) for s in args.sizes.split(",") if int(s) > total):
        with real.connection_context():
            stored, seconds = fill(size - total, seed=20 + seed)
            total += stored
            if args.store == "postgresql":
                real.execute_sql("VACUUM ANALYZE")  # as autovacuum would after a bulk load
            runs = real.execute_sql("SELECT COUNT(*) FROM run").fetchone()[0]
            rollup_rows = sum(real.execute_sql(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                              for t in ("rollup_run", "rollup_step", "rollup_step_time"))
        print(f"\n{total:,} events ({runs:,} runs, {rollup_rows:,} rollup rows); "
              f"filled {stored:,} in {seconds:.0f} s ({stored / seconds:,.0f} events/s through store_events and the fold)",
              flush=True)
        real.close()
        measure(url, token)
    if args.store == "postgresql" and not args.keep and not args.extend:
        drop_postgres_database(name)


if __name__ == "__main__":
    main()
