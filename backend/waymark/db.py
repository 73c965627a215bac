"""The database: a placeholder bound to SQLite or PostgreSQL from a URL.

Models are declared against ``database`` (a proxy); ``bind(url)`` points it at a
real database. The web app opens a connection per request (like peewee's
``FlaskDB``); the command line opens one for the whole command.
"""
import os
from urllib.parse import parse_qsl, unquote, urlparse

from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    # WAL lets readers (reports, dashboard) run while ingestion writes.
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    # Several gunicorn workers share one file: wait for the lock, do not fail.
    "busy_timeout": 10000,
    "cache_size": -64000,
}


class DatabaseUrlError(ValueError):
    """The database URL is not one Waymark can use."""


def open_database(url):
    """Return an unconnected peewee database for a ``sqlite:///`` or ``postgresql://`` URL."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path[1:] if parsed.path.startswith("/") else parsed.path)
        if not path:
            raise DatabaseUrlError(f"{url!r}: a SQLite URL needs a file path, like sqlite:///waymark.db")
        if path == ":memory:":
            # A connection per request would see a new, empty database each time.
            raise DatabaseUrlError("in-memory SQLite cannot be shared between requests; use a file")
        return SqliteDatabase(os.path.abspath(path), pragmas=SQLITE_PRAGMAS)
    if parsed.scheme in ("postgres", "postgresql"):
        options = dict(parse_qsl(parsed.query))
        return PostgresqlDatabase(
            unquote(parsed.path.lstrip("/")) or "postgres",
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname or None,
            port=parsed.port or None,
            **options,
        )
    raise DatabaseUrlError(
        f"{url!r}: WAYMARK_DATABASE_URL must start with sqlite:/// or postgresql://")


def bind(url):
    """Point the models at the database of ``url`` and return it."""
    real = open_database(url)
    database.initialize(real)
    return real


def is_postgres():
    return isinstance(database.obj, PostgresqlDatabase)


def init_app(app):
    """Bind the database from the app config and open a connection per request."""
    bind(app.config["DATABASE_URL"])

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(_exc):
        if not database.is_closed():
            database.close()
