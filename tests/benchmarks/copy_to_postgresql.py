"""Copy a database bench_scale.py filled on SQLite into a new PostgreSQL database, table by table.

    .venv/bin/python tests/benchmarks/copy_to_postgresql.py sqlite:///path/scale.db

Prints the new database's URL; measure it with
``bench_scale.py --measure postgresql://…``. For the 10^7 size on PostgreSQL:
there the fill through ``store_events`` and the fold ran at ~2,000 events/s on the
shared 2-CPU machine (the database server's upserts of the rollups), over an hour
for 10^7. The rows copied are the ones the ingest code and the fold wrote on SQLite
(events, runs, steps, rollups, the catalogue); a report reads the same rows either
way. PostgreSQL's generated columns (``run.state``, ``run_step.time_ms``) are
computed again by PostgreSQL. Indexes are dropped for the copy and built after it.
"""
import csv
import io
import sqlite3
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[2])]

from tests.harness import new_postgres_database  # noqa: E402
from waymark import db, migrations  # noqa: E402

SKIPPED = {"schema_migrations", "sqlite_sequence", "token", "dashboard_session"}
NULL = "\\N"
PAGE = 20_000


def _columns(connection, table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                       "AND is_generated = 'NEVER' ORDER BY ordinal_position", (table,))
        return [name for (name,) in cursor.fetchall()]


def _copy_table(source, connection, table):
    target_columns = _columns(connection, table)
    source_columns = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]
    columns = [column for column in target_columns if column in source_columns]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                       "(SELECT conname FROM pg_constraint)", (table,))
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        quoted = ", ".join(f'"{column}"' for column in columns)
        rows = source.execute(f'SELECT {quoted} FROM "{table}"')
        copied = 0
        while True:
            page = rows.fetchmany(PAGE)
            if not page:
                break
            text = io.StringIO()
            writer = csv.writer(text)
            for row in page:
                writer.writerow([NULL if value is None else value for value in row])
            text.seek(0)
            cursor.copy_expert(f"COPY \"{table}\" ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')", text)
            copied += len(page)
        for _, definition in indexes:
            cursor.execute(definition)
    connection.commit()
    return copied


def main():
    source_url = sys.argv[1]
    source = sqlite3.connect(source_url.removeprefix("sqlite:///"))
    url, _ = new_postgres_database()
    real = db.bind(url)
    migrations.upgrade(real)
    real.connect()
    connection = real.connection()
    connection.commit()
    tables = [name for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
              if name not in SKIPPED]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM fold_state")
    for table in tables:
        started = time.perf_counter()
        copied = _copy_table(source, connection, table)
        print(f"{table}: {copied:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('event_seq_seq', (SELECT MAX(seq) FROM event))")
    connection.commit()
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would after a bulk load
    print(url)


if __name__ == "__main__":
    main()
