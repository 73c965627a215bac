"""CSRF protection for the dashboard's forms: a random token kept in the session.

Every form carries it as a hidden ``csrf_token`` field; a POST whose field does
not match the session's is refused. The cookie is SameSite=Lax as well, so this
is the second of two locks, and the one that does not depend on the browser.
"""
import hmac
import secrets

from flask import request, session

from ..errors import ApiError

FIELD = "csrf_token"


def csrf_token():
    """The session's CSRF token, made on first use (templates call this)."""
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def new_csrf_token():
    """Replace the token (on sign-in, so a token seen before sign-in is worthless after it)."""
    session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def check_csrf():
    """Raise ApiError 400 unless the posted form's token matches the session's."""
    expected = session.get(FIELD)
    sent = request.form.get(FIELD, "")
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise ApiError(
            400, "csrf_failed",
            "This form expired or was sent from another site: reload the page and try again.",
            path=FIELD)
