"""Server-side records of dashboard sessions, so that signing out really ends one.

Flask's cookie alone is stateless: a copy taken before sign-out would stay
valid until it expires. So each sign-in stores a record (the session id's
sha256 → the token's id and the expiry) in the ``dashboard_session`` table, the
cookie carries only the id, and sign-out deletes the record. Every process sees
the same records, so this works behind a load balancer. Expired records are
swept at sign-in.
"""
import secrets
from datetime import timedelta

from ..models import DashboardSession, utcnow
from ..tokens import hash_token


def start_session(token_id, lifetime_seconds):
    """Record a new session for ``token_id``; return its id (for the cookie)."""
    _sweep_expired()
    session_id = secrets.token_urlsafe(32)
    DashboardSession.create(session_hash=hash_token(session_id), token_id=token_id,
                            expires_at=utcnow() + timedelta(seconds=lifetime_seconds))
    return session_id


def session_token_id(session_id):
    """The token id of a live session, or None (unknown, ended or expired)."""
    if not session_id:
        return None
    row = DashboardSession.get_or_none(DashboardSession.session_hash == hash_token(session_id))
    if row is None or row.expires_at <= utcnow():
        return None
    return row.token_id


def end_session(session_id):
    """Forget a session (sign-out); harmless if it is already gone."""
    if session_id:
        DashboardSession.delete().where(DashboardSession.session_hash == hash_token(session_id)).execute()


def _sweep_expired():
    DashboardSession.delete().where(DashboardSession.expires_at <= utcnow()).execute()
