"""What one histogram bucket costs the fold to write, in today's layout of
``rollup_step_time`` and in one keyed by its read order: an experiment for the
ingest aim (docs/reports.md "Ingest throughput"), not the product's code.

    .venv/bin/python tests/benchmarks/bench_rollup_keys.py [BATCHES]

Today's table (its DDL read from a database migrated by ``waymark db upgrade``) is
keyed by ``k``, the key's JSON text, with a covering index in read order beside it:
each bucket is two B-tree entries. The other layout is WITHOUT ROWID with the read
order as its primary key: one entry (its NULL roles and step ids would need a
stand-in value, which this experiment does not need). Both get the same upserts: a
batch of step times, each counted in its day, month and all time, merged by key
in Python first, as ``rollups._Changes`` does, then one ``executemany`` and a
commit. Prints the SQL time per step time over the second half of the batches
(the table by then holds some 100,000 rows and more). Asserts nothing about time.
"""
import math
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2] / "backend")]

from waymark import db, migrations, rollups  # noqa: E402

STEP_TIMES = 2500  # a batch: about what a fold chunk of 8,000 events holds
READ_ORDER = ("guide_id", "period", "step_index", "step_id", "bucket", "guide_version", "role")
SUMS = "count = t.count + excluded.count, least_ms = min(t.least_ms, excluded.least_ms), " \
       "greatest_ms = max(t.greatest_ms, excluded.greatest_ms)"


def todays_ddl():
    """rollup_step_time's table and index statements, as the migrations make them."""
    path = os.path.join(tempfile.mkdtemp(), "schema.db")
    migrations.upgrade(db.bind(f"sqlite:///{path}"))
    with sqlite3.connect(path) as connection:
        return [sql.replace("rollup_step_time", "t") for (sql,) in connection.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'rollup_step_time' AND sql IS NOT NULL")]


READ_ORDER_DDL = [f"CREATE TABLE t (guide_id TEXT NOT NULL, period TEXT NOT NULL, step_index INTEGER NOT NULL, "
                  f"step_id TEXT NOT NULL, bucket INTEGER NOT NULL, guide_version INTEGER NOT NULL, "
                  f"role TEXT NOT NULL, count INTEGER NOT NULL, least_ms INTEGER, greatest_ms INTEGER, "
                  f"PRIMARY KEY ({', '.join(READ_ORDER)})) WITHOUT ROWID"]


def step_times(rng, count):
    """``count`` step times of the benchmark streams' shape (tests/benchmarks/_streams.py)."""
    for _ in range(count):
        day = (date(2026, 8, 1) + timedelta(days=rng.randrange(90))).isoformat()
        guide = "guide-00" if rng.random() < 0.2 else f"guide-{rng.randrange(1, 50):02d}"
        index = rng.randrange(5)
        yield (day, guide, rng.choice((1, 2)), rng.choice(("employee", "manager", "sales")), index,
               f"step-{index}", int(rng.lognormvariate(8, 0.8)))


def merged(times):
    """``{TIME_KEY: [count, least, greatest]}``, each time in its three periods."""
    buckets = {}
    for day, guide, version, role, index, step_id, ms in times:
        for period in rollups.periods_of(day):
            entry = buckets.setdefault((period, guide, version, role, index, step_id, rollups.bucket_of(ms)),
                                       [0, ms, ms])
            entry[0] += 1
            entry[1], entry[2] = min(entry[1], ms), max(entry[2], ms)
    return buckets


def by_k(buckets):
    rows = sorted((rollups._text(list(key)), *key, *sums) for key, sums in buckets.items())
    return (f"INSERT INTO t (k, {', '.join(rollups.TIME_KEY)}, count, least_ms, greatest_ms) "
            f"VALUES {db.markers(11)} ON CONFLICT (k) DO UPDATE SET {SUMS}"), rows


def by_read_order(buckets):
    place = [rollups.TIME_KEY.index(column) for column in READ_ORDER]
    rows = sorted((*(key[i] for i in place), *sums) for key, sums in buckets.items())
    return (f"INSERT INTO t ({', '.join(READ_ORDER)}, count, least_ms, greatest_ms) "
            f"VALUES {db.markers(10)} ON CONFLICT DO UPDATE SET {SUMS}"), rows


def measure(ddl, statement, batches):
    """µs of SQL per step time over the second half of ``batches``; and the rows at the end."""
    path = os.path.join(tempfile.mkdtemp(), "bench.db")
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = wal", "synchronous = normal", "cache_size = -64000"):
        connection.execute(f"PRAGMA {pragma}")
    for sql in ddl:
        connection.execute(sql)
    rng, spent = random.Random(1), 0.0
    for batch in range(batches):
        sql, rows = statement(merged(step_times(rng, STEP_TIMES)))
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(sql, rows)
        connection.execute("COMMIT")
        if batch >= batches // 2:
            spent += time.perf_counter() - started
    [(count,)] = connection.execute("SELECT COUNT(*) FROM t").fetchall()
    connection.close()
    return spent / (math.ceil(batches / 2) * STEP_TIMES) * 1e6, count


def main():
    batches = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    print(f"{batches} batches of {STEP_TIMES} step times (each in 3 periods), SQLite")
    for name, ddl, statement in (("today: k + covering index", todays_ddl(), by_k),
                                 ("keyed by read order", READ_ORDER_DDL, by_read_order)) * 2:
        micros, rows = measure(ddl, statement, batches)
        print(f"{name:28s} {micros:7.1f} µs of SQL a step time   ({rows:,} rows)")


if __name__ == "__main__":
    main()
