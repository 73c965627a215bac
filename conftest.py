"""Fixtures shared by tests/ and e2e/: real databases and a real service process.

Every storage test runs on both stores: the ``store`` fixture is parametrised
with SQLite (a temp file) and PostgreSQL (a fresh database on the local server,
``WAYMARK_TEST_POSTGRES_URL``, default ``postgresql://127.0.0.1:5432/test``).
The machinery behind them is tests/harness.py.
"""
import uuid

import pytest

from tests.harness import drop_postgres_database, new_postgres_database, start_service, stop_service

STORES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def make_database_url(tmp_path_factory):
    """A factory of empty databases of one store; dropped at the end of the session."""
    made = []

    def make(store):
        if store == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'waymark.db'}"
        url, name = new_postgres_database()
        made.append(name)
        return url

    yield make
    for name in made:
        drop_postgres_database(name)


@pytest.fixture(scope="session", params=STORES)
def store(request):
    """The store a test runs on: each storage test runs once per store."""
    return request.param


@pytest.fixture(scope="session")
def service(store, make_database_url):
    """A real ``waymark serve`` process on a loopback port, one per store for the session.

    Tests share it, so each test uses its own guide ids (see ``unique_id``).
    """
    running = start_service(make_database_url(store))
    yield running
    stop_service(running)


@pytest.fixture
def unique_id(request):
    """A guide id no other test uses: the test's name plus a random suffix."""
    stem = "".join(c if c.isalnum() else "-" for c in request.node.name.lower())[:60].strip("-")
    return f"{stem}-{uuid.uuid4().hex[:6]}"
