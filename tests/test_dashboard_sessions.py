"""Dashboard session records (dashboard/sessions.py), on both stores."""
from datetime import timedelta

from waymark.dashboard.sessions import end_session, session_token_id, start_session
from waymark.models import DashboardSession, utcnow


def test_a_session_names_its_token_until_it_ends(database):
    session_id = start_session(token_id=7, lifetime_seconds=3600)
    assert session_token_id(session_id) == 7
    end_session(session_id)
    assert session_token_id(session_id) is None
    end_session(session_id)  # ending it twice is harmless


def test_the_table_keeps_a_hash_never_the_cookie_value(database):
    session_id = start_session(token_id=1, lifetime_seconds=60)
    (row,) = DashboardSession.select()
    assert session_id not in row.session_hash and len(row.session_hash) == 64


def test_an_expired_session_is_refused_and_swept_at_the_next_sign_in(database):
    old = start_session(token_id=1, lifetime_seconds=60)
    DashboardSession.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    assert session_token_id(old) is None
    start_session(token_id=2, lifetime_seconds=60)
    assert [row.token_id for row in DashboardSession.select()] == [2]


def test_unknown_and_empty_session_ids_name_no_token(database):
    assert session_token_id("not-a-session") is None
    assert session_token_id("") is None and session_token_id(None) is None
