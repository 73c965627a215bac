"""Server-side records of dashboard sessions, so that signing out really ends one.

Flask's cookie alone is stateless: a copy taken before sign-out would stay
valid until it expires. So each sign-in stores a record (a random id → the
token's id and the expiry) in the shared Setting table, the cookie carries only
that id, and sign-out deletes the record. Every process sees the same records,
so this works behind a load balancer. Expired records are swept at sign-in.
"""
import json
import secrets
import time

from peewee import IntegrityError

from ..db import database
from ..models import Setting

KEY_PREFIX = "dashboard_session:"


def start_session(token_id, lifetime_seconds):
    """Record a new session for ``token_id``; return its id (for the cookie)."""
    _sweep_expired()
    session_id = secrets.token_urlsafe(32)
    record = {"token_id": token_id, "expires": time.time() + lifetime_seconds}
    with database.atomic():
        Setting.create(key=KEY_PREFIX + session_id, value=json.dumps(record))
    return session_id


def session_token_id(session_id):
    """The token id of a live session, or None (unknown, ended or expired)."""
    if not session_id:
        return None
    row = Setting.get_or_none(Setting.key == KEY_PREFIX + session_id)
    if row is None:
        return None
    record = json.loads(row.value)
    return record["token_id"] if record["expires"] > time.time() else None


def end_session(session_id):
    """Forget a session (sign-out); harmless if it is already gone."""
    if session_id:
        Setting.delete().where(Setting.key == KEY_PREFIX + session_id).execute()


def _sweep_expired():
    now = time.time()
    expired = [row.key for row in Setting.select(Setting.key, Setting.value)
               .where(Setting.key.startswith(KEY_PREFIX))
               if json.loads(row.value)["expires"] <= now]
    if expired:
        try:
            Setting.delete().where(Setting.key.in_(expired)).execute()
        except IntegrityError:
            pass  # nothing references settings; a concurrent sweep is harmless
