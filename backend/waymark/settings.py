"""Values every service process must share, kept in the database."""
import secrets

from peewee import IntegrityError

from .db import database
from .models import Setting


def get(key, default=None):
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row else default


def get_or_create(key, make_value):
    """The stored value for ``key``; the first process to ask stores ``make_value()``."""
    value = get(key)
    if value is not None:
        return value
    try:
        with database.atomic():
            Setting.create(key=key, value=make_value())
    except IntegrityError:
        pass  # another process stored it first: use theirs
    return get(key)


def secret_key():
    return get_or_create("secret_key", lambda: secrets.token_hex(32))
