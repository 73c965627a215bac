"""Server time of the dashboard's pages on SQLite at 10^6 stored events.

    .venv/bin/python tests/benchmarks/bench_dashboard.py [--events 1000000] [--database FILE]

``--database FILE`` keeps the SQLite file (filled once, ~4 minutes) and reuses
it on the next run, to measure again without regenerating.

The history is the reports benchmark's (bench_reports.fill: 50 guides, guide-00
with 20% of the runs, 90 days ending 2026-10-30, stored through the ingest
path), with the 50 guides published through the catalogue. Each page is
requested in process through Flask's test client by a signed-in admin, so the
figure is the server's whole work (session and token check, queries, template)
without the network. Prints the median of 7 requests after a warm-up; asserts
nothing about time.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent)]

from bench_reports import fill  # noqa: E402
from waymark import catalogue, create_app, db, migrations  # noqa: E402
from waymark.tokens import create_token  # noqa: E402

LAST_30_DAYS = "from=2026-10-01&to=2026-10-30"  # the data's last 30 days
ALL_TIME = "from=&to="
PAGES = [
    ("guide list, last 30 days", f"/dashboard/?{LAST_30_DAYS}"),
    ("guide list, all time", f"/dashboard/?{ALL_TIME}"),
    ("report, typical guide (guide-07), last 30 days", f"/dashboard/guides/guide-07?{LAST_30_DAYS}"),
    ("report, typical guide (guide-07), all time", f"/dashboard/guides/guide-07?{ALL_TIME}"),
    ("report, guide-07, version + role, all time", f"/dashboard/guides/guide-07?version=1&role=sales&{ALL_TIME}"),
    ("report, hot guide (guide-00, 20%), last 30 days", f"/dashboard/guides/guide-00?{LAST_30_DAYS}"),
    ("report, hot guide (guide-00, 20%), all time", f"/dashboard/guides/guide-00?{ALL_TIME}"),
    ("CSV, hot guide, all time", f"/dashboard/guides/guide-00/report.csv?{ALL_TIME}"),
    ("broken targets, last 30 days", f"/dashboard/broken-targets?{LAST_30_DAYS}"),
    ("broken targets, all time", f"/dashboard/broken-targets?{ALL_TIME}"),
]


def publish_guides(count=50, steps=5):
    """Publish the benchmark's guides so the pages have titles and versions to show."""
    for number in range(count):
        guide_id = f"guide-{number:02d}"
        for version in (1, 2):
            catalogue.publish({
                "id": guide_id, "title": f"Guide {number} (v{version})",
                "match": {"include": [f"https://app.example.com/{guide_id}/*"]},
                "steps": [{"id": f"step-{i}", "title": f"Step {i} of {guide_id}", "body": "Do it."}
                          for i in range(steps)]})


def signed_in_client(app, token):
    client = app.test_client()
    page = client.get("/dashboard/sign-in").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/dashboard/sign-in", data={"csrf_token": csrf, "token": token})
    assert answer.status_code == 303, answer.text
    return client


def median_ms(client, path, repeat=7):
    """Median wall and CPU milliseconds of ``repeat`` GETs of ``path`` (after one warm-up).

    SQLite runs in this process, so CPU time is the server's work even when other
    programs share the machine (wall time then includes waiting for a CPU).
    """
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu), len(answer.data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database", help="a SQLite file to fill once and reuse")
    args = parser.parse_args()
    path = args.database or os.path.join(tempfile.mkdtemp(), "dashboard.db")
    reuse = os.path.exists(path)
    url = f"sqlite:///{os.path.abspath(path)}"
    real = db.bind(url)
    migrations.upgrade(real)
    with real.connection_context():
        if not reuse:
            total, seconds = fill(0, args.events, seed=10)
            publish_guides()
            print(f"stored {total:,} events in {seconds:.0f} s")
        _, token = create_token("admin")
        events = real.execute_sql("SELECT COUNT(*) FROM event").fetchone()[0]
        runs = real.execute_sql("SELECT COUNT(*) FROM run").fetchone()[0]
    print(f"{events:,} events ({runs:,} runs); SQLite, server time in process")
    app = create_app({"DATABASE_URL": url})
    client = signed_in_client(app, token)
    print(f"  {'page':<50} {'wall':>8}    {'CPU':>8}")
    for name, path in PAGES:
        wall, cpu, size = median_ms(client, path)
        print(f"  {name:<50} {wall:>8.1f} ms {cpu:>8.1f} ms  ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
