"""What one histogram bucket costs the fold to write, in today's layout of
``rollup_step_time`` and in one keyed by its read order: an experiment for the
ingest aim (docs/reports.md "Ingest throughput"), not the product's code.

    .venv/bin/python tests/benchmarks/bench_rollup_keys.py [BATCHES]

Today's table (made by the migrations, as ``waymark db upgrade`` makes it) is keyed
by ``k``, the key's JSON text, with a covering index in read order beside it: each
bucket is two B-tree entries. The other layout is WITHOUT ROWID with the read order
as its primary key: one entry (its NULL roles and step ids would need a stand-in
value, which this experiment does not need). Both get the same buckets, merged by
the fold's own ``rollups._Changes`` from a batch of step times (each in its day,
month and all time); today's are written by the fold's own ``rollups._add``, the
others by the same statement shape with the read order as conflict target, each
batch in one write transaction. Prints the time a step time over the second half of
the batches (the table by then holds some 100,000 rows and more). Asserts nothing
about time.
"""
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2] / "backend")]

from waymark import db, migrations, rollups  # noqa: E402

STEP_TIMES = 2500  # a batch: about what a fold chunk of 8,000 events holds
READ_ORDER = ("guide_id", "period", "step_index", "step_id", "bucket", "guide_version", "role")
READ_ORDER_TABLE = (f"CREATE TABLE step_time_by_read_order (guide_id TEXT NOT NULL, period TEXT NOT NULL, "
                    f"step_index INTEGER NOT NULL, step_id TEXT NOT NULL, bucket INTEGER NOT NULL, "
                    f"guide_version INTEGER NOT NULL, role TEXT NOT NULL, count INTEGER NOT NULL, "
                    f"least_ms INTEGER, greatest_ms INTEGER, PRIMARY KEY ({', '.join(READ_ORDER)})) WITHOUT ROWID")


def step_keys(rng, count):
    """``count`` rollups.step_key lists of the benchmark streams' shape (_streams.py)."""
    for _ in range(count):
        day = (date(2026, 8, 1) + timedelta(days=rng.randrange(90))).isoformat()
        guide = "guide-00" if rng.random() < 0.2 else f"guide-{rng.randrange(1, 50):02d}"
        index = rng.randrange(5)
        yield [guide, rng.choice((1, 2)), rng.choice(("employee", "manager", "sales")), day, index,
               f"step-{index}", int(rng.lognormvariate(8, 0.8))]


def buckets_of(keys):
    """``{TIME_KEY: [count, least, greatest]}``, merged as the fold merges them."""
    changes = rollups._Changes()
    for key in keys:
        changes.step(key, +1)
    return changes.times


def write_today(buckets):
    rollups._add("rollup_step_time", rollups.TIME_KEY, ("count",), {k: (v[0],) for k, v in buckets.items()},
                 extremes={k: v[1:] for k, v in buckets.items()})


def write_by_read_order(buckets):
    """As ``rollups._add`` writes, a statement of _CHUNK rows at a time, without ``k``."""
    place = [rollups.TIME_KEY.index(column) for column in READ_ORDER]
    rows = sorted((*(key[i] for i in place), *sums) for key, sums in buckets.items())
    table, one_row = "step_time_by_read_order", db.markers(len(READ_ORDER) + 3)
    for start in range(0, len(rows), rollups._CHUNK):
        part = rows[start:start + rollups._CHUNK]
        db.execute(f"INSERT INTO {table} ({', '.join(READ_ORDER)}, count, least_ms, greatest_ms) "
                   f"VALUES {', '.join([one_row] * len(part))} ON CONFLICT ({', '.join(READ_ORDER)}) DO UPDATE SET "
                   f"count = {table}.count + excluded.count, "
                   f"least_ms = min({table}.least_ms, excluded.least_ms), "
                   f"greatest_ms = max({table}.greatest_ms, excluded.greatest_ms)",
                   [value for row in part for value in row])


def measure(write, table, batches):
    """µs a step time over the second half of ``batches``; and the table's rows at the end."""
    real = db.bind(f"sqlite:///{os.path.join(tempfile.mkdtemp(), 'bench.db')}")
    migrations.upgrade(real)
    rng, spent = random.Random(1), 0.0
    with real.connection_context():
        db.execute(READ_ORDER_TABLE)
        for batch in range(batches):
            buckets = buckets_of(step_keys(rng, STEP_TIMES))
            started = time.perf_counter()
            with db.write_transaction():
                write(buckets)
            if batch >= batches // 2:
                spent += time.perf_counter() - started
        [(count,)] = db.query(f"SELECT COUNT(*) FROM {table}")
    return spent / ((batches - batches // 2) * STEP_TIMES) * 1e6, count


def main():
    batches = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    print(f"{batches} batches of {STEP_TIMES} step times (each in 3 periods), SQLite")
    for name, write, table in (("today: k + covering index", write_today, "rollup_step_time"),
                               ("keyed by read order", write_by_read_order, "step_time_by_read_order")) * 2:
        micros, rows = measure(write, table, batches)
        print(f"{name:28s} {micros:7.1f} µs a step time   ({rows:,} rows)")


if __name__ == "__main__":
    main()
