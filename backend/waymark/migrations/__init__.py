"""Schema migrations: numbered modules applied once each, in order.

Each module ``NNNN_name.py`` has ``upgrade(db, migrator)``, where ``migrator``
is playhouse.migrate's for that database. Applied names are kept in the
``schema_migrations`` table. Several processes may start at once against one
PostgreSQL, so the run holds an advisory lock (SQLite: an immediate transaction).
"""
import importlib
import pkgutil

from peewee import SqliteDatabase
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator

from ..db import execute
from ..models import utcnow

ADVISORY_LOCK_KEY = 0x5761796D  # "Waym"


def available():
    """The migration module names in order."""
    names = [m.name for m in pkgutil.iter_modules(__path__) if m.name[:4].isdigit()]
    return sorted(names)


def _applied(db):
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(name VARCHAR(200) PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
    return {row[0] for row in db.execute_sql("SELECT name FROM schema_migrations").fetchall()}


def _migrator(db):
    return SqliteMigrator(db) if isinstance(db, SqliteDatabase) else PostgresqlMigrator(db)


def upgrade(db, until=None):
    """Apply every migration not yet applied (up to and including ``until``, a name,
    if given: tests build an older schema with it); return the names applied now."""
    sqlite = isinstance(db, SqliteDatabase)
    names = [name for name in available() if until is None or name <= until]
    done = []
    with db.connection_context():
        if not sqlite:
            db.execute_sql("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
        try:
            for name in names:
                with (db.atomic("IMMEDIATE") if sqlite else db.atomic()):
                    if name in _applied(db):
                        continue
                    module = importlib.import_module(f"{__name__}.{name}")
                    module.upgrade(db, _migrator(db))
                    execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                            (name, utcnow()), on=db)
                    done.append(name)
        finally:
            if not sqlite:
                db.execute_sql("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
    return done
