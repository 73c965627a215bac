"""Events per second through HTTP (a real `waymark serve` on SQLite, batches of 50) next to raw
sqlite3 executemany of the same rows into the same table shape, in the same run.

    .venv/bin/python tests/benchmarks/bench_ingest.py [EVENTS] [--no-fold]
    .venv/bin/python tests/benchmarks/bench_ingest.py [EVENTS] --store postgresql

Prints figures; asserts nothing about time. The fair baseline for a service that
answers each batch only once it is durable is one transaction per batch of 50;
a single transaction for all rows is printed too, as the ceiling.

The service folds events into runs and rollups behind ingest (waymark/folding.py),
in the same processes, on the same CPUs, while the batches arrive; the fold's lag
is printed too: how long after the last answer every event was folded, and the
rate of events stored *and* folded over the whole run.

``--no-fold``: the services' fold threads wait an hour, so the figures are of storing
alone (nothing is folded; the run's database is thrown away).

``--store postgresql``: events per second through one and through two
`waymark serve` processes against one fresh PostgreSQL database (4 clients,
spread over the processes).
"""
import http.client
import json
import os
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).parent)]

from _streams import as_api_event, events  # noqa: E402
from tests.harness import start_service, stop_service  # noqa: E402

BATCH = 50
COLUMNS = ("id", "type", "guide_id", "guide_version", "step_id", "step_index", "run_id", "user", "role",
           "url", "at", "duration_ms", "reason", "wait_ms", "detail", "received_at")


# Fold threads that never fold during the run (--no-fold).
NO_FOLD = {"WAYMARK_FOLD_GATHER_SECONDS": "3600", "WAYMARK_FOLD_MOST_SECONDS": "3600",
           "WAYMARK_FOLD_IDLE_SECONDS": "3600"}


def post_batches(service, batches, clients, services=None, fold=True):
    """Send every batch over ``clients`` keep-alive connections (spread over ``services``,
    default just ``service``); return seconds taken."""
    services = services or [service]
    headers = {"Authorization": f"Bearer {service.tokens['extension']}", "Content-Type": "application/json"}
    bodies = [json.dumps({"events": batch}).encode() for batch in batches]
    failures = []

    def client(part, number):
        host, port = services[number % len(services)].base_url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        for body in part:
            connection.request("POST", "/api/v1/events", body=body, headers=headers)
            answer = connection.getresponse()
            answer.read()
            if answer.status != 200:
                failures.append(answer.status)
        connection.close()

    threads = [threading.Thread(target=client, args=(bodies[i::clients], i)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} batches failed: {sorted(set(failures))}")
    if fold:
        folded = wait_for_the_fold(service.database_url, started)
        count = sum(len(json.loads(body)["events"]) for body in bodies)
        print(f"  (fold caught up {folded - elapsed:.2f} s after the last answer: "
              f"{count / folded:,.0f} events/s stored and folded)")
    return elapsed


def wait_for_the_fold(database_url, started):
    """Seconds from ``started`` until every stored event is folded (polling the database)."""
    from waymark import db
    real = db.open_database(database_url)
    with real.connection_context():
        while True:
            [(folded,)] = db.query("SELECT position FROM fold_state", on=real)
            [(newest,)] = db.query("SELECT COALESCE(MAX(seq), 0) FROM event", on=real)
            if folded >= newest:
                return time.perf_counter() - started
            time.sleep(0.01)


def raw_sqlite(service_db, rows, per_batch):
    """executemany of the same rows into a copy of the service's event table shape."""
    source = sqlite3.connect(service_db)
    ddl = [sql for (sql,) in source.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'event' AND sql IS NOT NULL")]
    source.close()
    path = tempfile.mktemp(suffix=".db")
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = wal", "synchronous = normal"):
        connection.execute(f"PRAGMA {pragma}")
    for statement in ddl:
        connection.execute(statement)
    sql = f"INSERT INTO event ({', '.join(f'{c!r}'.replace(chr(39), chr(34)) for c in COLUMNS)}) " \
          f"VALUES ({', '.join('?' * len(COLUMNS))})"
    values = [tuple(str(row[c]) if c in ("at", "received_at") else row[c] for c in COLUMNS) for row in rows]
    size = BATCH if per_batch else len(values)
    started = time.perf_counter()
    for start in range(0, len(values), size):
        connection.execute("BEGIN")
        connection.executemany(sql, values[start:start + size])
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return elapsed


def postgresql(count, api_events):
    """Events/s through one and two `waymark serve` processes sharing one PostgreSQL database."""
    from tests.harness import drop_postgres_database, new_postgres_database
    print(f"{count} events, batches of {BATCH}, PostgreSQL, 4 clients; {os.cpu_count()} CPUs")
    batches = [api_events[i:i + BATCH] for i in range(0, count, BATCH)]
    for processes in (1, 2):
        url, name = new_postgres_database()
        services = [start_service(url) for _ in range(processes)]
        try:
            # The second process's tokens are its own; both accept either (one database).
            elapsed = post_batches(services[0], batches, 4, services)
        finally:
            for service in services:
                stop_service(service)
            drop_postgres_database(name)
        print(f"HTTP, {processes} waymark serve process(es): {count / elapsed:>10,.0f} events/s")


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 20_000
    if "--store" in sys.argv and sys.argv[sys.argv.index("--store") + 1] == "postgresql":
        rows = events(count, seed=3)
        return postgresql(count, [as_api_event(row) for row in rows])
    rows = events(count, seed=3)
    api_events = [as_api_event(row) for row in rows]
    folder = tempfile.mkdtemp()
    fold = "--no-fold" not in sys.argv
    print(f"{count} events, batches of {BATCH}, SQLite; {os.cpu_count()} CPUs"
          + ("" if fold else "; fold threads off"))
    figures = {}
    for clients in (1, 4):
        db_path = os.path.join(folder, f"bench-{clients}.db")
        service = start_service(f"sqlite:///{db_path}", env=None if fold else NO_FOLD)
        try:
            batches = [api_events[i:i + BATCH] for i in range(0, count, BATCH)]
            elapsed = post_batches(service, batches, clients, fold=fold)
        finally:
            stop_service(service)
        figures[clients] = count / elapsed
        print(f"HTTP, {clients} client(s):                 {figures[clients]:>10,.0f} events/s")
    raw_batched = count / raw_sqlite(db_path, rows, per_batch=True)
    raw_single = count / raw_sqlite(db_path, rows, per_batch=False)
    print(f"raw sqlite3 executemany, a commit per 50:  {raw_batched:>10,.0f} events/s")
    print(f"raw sqlite3 executemany, one commit:       {raw_single:>10,.0f} events/s")
    for clients, rate in figures.items():
        print(f"ratio HTTP ({clients} client(s)) / raw per-50: {rate / raw_batched:.2f}   "
              f"/ raw one commit: {rate / raw_single:.3f}")


if __name__ == "__main__":
    main()
