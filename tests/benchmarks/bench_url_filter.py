"""The guide report's ``url=`` filter on ~3000 events of one guide, on each store.

    .venv/bin/python tests/benchmarks/bench_url_filter.py [--events 3000] [--store postgresql]

Prints the median of a few runs of guide_report with and without a url filter
(a prefix and a glob) and PostgreSQL's plan of the filter; asserts nothing about time.
"""
import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[2])]

from tests.harness import drop_postgres_database, new_postgres_database  # noqa: E402
from waymark import db, migrations  # noqa: E402
from waymark.ingest import ingest_batch  # noqa: E402
from waymark.reports.guides import guide_report  # noqa: E402

NOW = datetime(2026, 11, 22, 12)


def events(count):
    """Runs of four steps on 30 pages of one guide, ~5 events a run."""
    start, out = NOW - timedelta(days=5), []
    for n in range(count // 5):
        run, page, at = f"run-{n}", f"https://app.example.com/page/{n % 30}/edit", start + timedelta(minutes=n)
        for index, kind in enumerate(("step_shown", "step_completed", "step_shown", "step_completed")):
            out.append({"id": f"{run}-{index}", "type": kind, "guide_id": "hot", "guide_version": 1,
                        "step_id": f"s{index // 2}", "step_index": index // 2, "run_id": run,
                        "user": f"u{n % 97}", "url": page,
                        "at": (at + timedelta(seconds=index)).isoformat() + "Z"})
        out.append({"id": f"{run}-done", "type": "guide_completed", "guide_id": "hot",
                    "guide_version": 1, "run_id": run, "user": f"u{n % 97}", "url": page,
                    "at": (at + timedelta(seconds=9)).isoformat() + "Z"})
    return out


def timed(**filters):
    figures = []
    for _ in range(5):
        began = time.perf_counter()
        guide_report("hot", now=NOW, **filters)
        figures.append(time.perf_counter() - began)
    return statistics.median(figures) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="postgresql")
    args = parser.parse_args()
    name = None
    if args.store == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    else:
        url, name = new_postgres_database()
    try:
        real = db.bind(url)
        migrations.upgrade(real)
        real.connect()
        all_events = events(args.events)
        for start in range(0, len(all_events), 500):
            ingest_batch(all_events[start:start + 500])
        print(f"{args.store}, {len(all_events)} events of one guide (median of 5):")
        print(f"  no filter            {timed():7.1f} ms")
        print(f"  url= a prefix        {timed(url='https://app.example.com/page/7'):7.1f} ms")
        print(f"  url= a glob          {timed(url='*/page/7/*'):7.1f} ms")
        real.close()
    finally:
        if name:
            drop_postgres_database(name)


if __name__ == "__main__":
    main()
