"""Fixtures for module-level tests: a migrated database of each store, and the app."""
import pytest

from waymark import create_app, db, migrations
from waymark.models import BaseModel

_migrated = {}


@pytest.fixture(scope="session")
def database_url(store, make_database_url):
    return make_database_url(store)


@pytest.fixture
def database(database_url):
    """The models bound to a migrated database of the current store, emptied before each test."""
    real = db.bind(database_url)
    if database_url not in _migrated:
        _migrated[database_url] = migrations.upgrade(real)
    real.connect(reuse_if_open=True)
    tables = [model._meta.table_name for model in _all_models()]
    for table in tables:
        real.execute_sql(f'DELETE FROM "{table}"')
    yield real
    real.close()


def _all_models():
    seen, pending = [], list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        seen.append(model)
        pending.extend(model.__subclasses__())
    # Children first, so deleting rows never trips a foreign key.
    return sorted(seen, key=lambda model: -len(model._meta.refs))


@pytest.fixture
def app(database_url, database):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    return app


@pytest.fixture
def client(app):
    return app.test_client()
