"""The database: a placeholder bound to SQLite or PostgreSQL from a URL.

Models are declared against ``database`` (a proxy); ``bind(url)`` points it at a
real database. The web app checks a pooled connection out per request and
returns it at teardown; the command line opens one for the whole command.
"""
import fcntl
import logging
import os
import threading
from contextlib import contextmanager
from urllib.parse import parse_qsl, unquote, urlparse

from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

database = DatabaseProxy()
log = logging.getLogger(__name__)

SQLITE_PRAGMAS = {
    # WAL lets readers (reports, dashboard) run while ingestion writes.
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    # Several gunicorn workers share one file: wait for the lock, do not fail.
    "busy_timeout": 10000,
    "cache_size": -64000,
}


# The web service's (pooled) connections leave the WAL's checkpoints to a thread of their
# own (start_checkpointer). SQLite checkpoints inside the COMMIT that takes the WAL past its
# threshold: that batch waits while the pages are copied back and synced, with the writers'
# turn held (writer_turn), so every writer waits with it; a batch of 50 events writes about
# 100 pages to the WAL, so at SQLite's default of 1,000 pages that is every tenth batch.
# The threshold stays as a safety net, far above what the thread lets the WAL reach.
WEB_SQLITE_PRAGMAS = {**SQLITE_PRAGMAS, "wal_autocheckpoint": 20000}
CHECKPOINT_SECONDS = 0.25  # how often the checkpoint thread copies the WAL back


class DatabaseUrlError(ValueError):
    """The database URL is not one Waymark can use."""


# The web app keeps connections open between requests: opening one costs a
# PostgreSQL handshake, and closing the last SQLite connection checkpoints the
# WAL, which together cost more than storing a batch of events. Each thread
# checks one out per request; a request waits up to ``timeout`` seconds for one.
POOL_OPTIONS = {"max_connections": 32, "stale_timeout": 300, "timeout": 10}


def open_database(url, pooled=False):
    """Return an unconnected peewee database for a ``sqlite:///`` or ``postgresql://`` URL.

    ``pooled`` keeps connections open for reuse (the web app); the command line
    opens one connection and closes it, so nothing open survives gunicorn's fork.
    """
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path[1:] if parsed.path.startswith("/") else parsed.path)
        if not path:
            raise DatabaseUrlError(f"{url!r}: a SQLite URL needs a file path, like sqlite:///waymark.db")
        if path == ":memory:":
            # A connection per request would see a new, empty database each time.
            raise DatabaseUrlError("in-memory SQLite cannot be shared between requests; use a file")
        if pooled:
            # A returned connection may next be checked out by another thread;
            # only one thread uses it at a time, which is what sqlite3 requires.
            return PooledSqliteDatabase(os.path.abspath(path), pragmas=WEB_SQLITE_PRAGMAS,
                                        check_same_thread=False, **POOL_OPTIONS)
        return SqliteDatabase(os.path.abspath(path), pragmas=SQLITE_PRAGMAS)
    if parsed.scheme in ("postgres", "postgresql"):
        options = dict(parse_qsl(parsed.query))
        kind, pool = (PooledPostgresqlDatabase, POOL_OPTIONS) if pooled else (PostgresqlDatabase, {})
        return kind(
            unquote(parsed.path.lstrip("/")) or "postgres",
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname or None,
            port=parsed.port or None,
            **options, **pool,
        )
    raise DatabaseUrlError(
        f"{url!r}: WAYMARK_DATABASE_URL must start with sqlite:/// or postgresql://")


def bind(url, pooled=False):
    """Point the models at the database of ``url`` and return it."""
    real = open_database(url, pooled)
    database.initialize(real)
    return real


def is_postgres(on=None):
    """Whether ``on`` (a database; default: the bound one) is PostgreSQL."""
    return isinstance(database.obj if on is None else on, PostgresqlDatabase)


# -- SQL that runs on both stores ----------------------------------------------
# Hand-written SQL (reports, the ingest upserts, migrations) uses ``?`` markers,
# SQLite's; on PostgreSQL psycopg2 wants ``%s``. These are the one place that
# turns one into the other.

def markers(count):
    """``(?, ?, …)``: one row of ``count`` markers for an INSERT or an IN list."""
    return "(" + ", ".join(["?"] * count) + ")"


def execute(sql, params=(), on=None):
    """Run SQL written with ``?`` markers on ``on`` (default: the bound database); return the cursor."""
    target = database if on is None else on
    if is_postgres(on):
        sql = sql.replace("?", "%s")
    return target.execute_sql(sql, list(params))


@contextmanager
def write_transaction():
    """A transaction that takes the write lock at its start (SQLite ``BEGIN IMMEDIATE``, after
    ``writer_turn``), for ingest and for one that reads what it will write; on PostgreSQL
    the caller locks rows (``FOR UPDATE``)."""
    if is_postgres():
        with database.atomic():
            yield
        return
    with writer_turn(), database.atomic("IMMEDIATE"):
        yield


_turns = threading.local()


@contextmanager
def writer_turn():
    """SQLite: wait for this service's other writers on a lock file beside the database.

    SQLite lets one writer in at a time and makes the others poll, sleeping 1 to
    100 ms between tries (its busy timeout), so under load writers mostly sleep while
    the lock is free. ``flock`` queues them in the kernel and wakes one the moment
    the lock is released, across threads and processes. Reentrant per thread: a
    nested write transaction (a savepoint) already has the turn.
    """
    if getattr(_turns, "held", False):
        yield
        return
    with open(database.obj.database + "-lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # released when the file is closed
        _turns.held = True
        try:
            yield
        finally:
            _turns.held = False


def execute_many(sql, rows, on=None):
    """Run one statement written with ``?`` markers once for each row of parameters; return the
    cursor (its ``rowcount``: the rows changed in all). Cheap on SQLite (one prepared
    statement); on PostgreSQL psycopg2 makes it a round trip a row."""
    target = database if on is None else on
    if is_postgres(on):
        sql = sql.replace("?", "%s")
    cursor = target.cursor()
    cursor.executemany(sql, rows)
    return cursor


def query(sql, params=(), on=None):
    """``execute`` and return every row."""
    return execute(sql, params, on).fetchall()


def checkpoint():
    """SQLite: copy what the WAL holds back into the database file, as far as open readers
    allow, without waiting for or holding up any reader or writer (PASSIVE). PostgreSQL: nothing."""
    if not is_postgres():
        query("PRAGMA wal_checkpoint(PASSIVE)")


def start_checkpointer(interval=CHECKPOINT_SECONDS):
    """SQLite: start this process's checkpoint thread (see WEB_SQLITE_PRAGMAS); return its
    stop event. A checkpoint with nothing new in the WAL costs a few microseconds."""
    stop = threading.Event()
    if is_postgres():
        return stop

    def keep_checkpointing():
        while not stop.wait(interval):
            try:
                with database.connection_context():
                    checkpoint()
            except Exception:  # a locked or vanished file: the next tick tries again
                log.exception("WAL checkpoint failed")

    threading.Thread(target=keep_checkpointing, name="waymark-checkpoint", daemon=True).start()
    return stop


def ping():
    """Raise the driver's error unless the bound database answers (the readiness probe)."""
    database.execute_sql("SELECT 1").fetchone()


def init_app(app):
    """Bind the database from the app config and open a connection per request."""
    bind(app.config["DATABASE_URL"], pooled=True)

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(_exc):
        if not database.is_closed():
            database.close()
