"""Sign-in with an admin token, sign-out, and the check every dashboard view makes.

The token is exchanged once for a session cookie (security.py: HttpOnly,
SameSite=Lax, Secure over https, 8 hours). The cookie carries a session id whose
record (sessions.py) names the token; each request re-reads the token row, so a
revoked (or no longer admin) token stops its sessions at once, and sign-out ends
the session on the server, whichever process serves.
"""
import functools
from urllib.parse import urlparse

from flask import (Blueprint, current_app, g, redirect, render_template, request, session,
                   url_for)

from ..errors import ApiError
from ..tokens import active_token_by_id, find_active_token
from .csrf import check_csrf, new_csrf_token
from .sessions import end_session, session_token_id, start_session

bp = Blueprint("dashboard_auth", __name__, url_prefix="/dashboard", template_folder="templates")


def _session_seconds():
    return current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()


def current_admin():
    """The admin Token row of this session, or None (signed out, expired, revoked or demoted)."""
    token_id = session_token_id(session.get("sid"))
    if token_id is None:
        return None
    token = active_token_by_id(token_id)
    return token if token is not None and token.role == "admin" else None


def _safe_next(target):
    """Only a dashboard path of this site: never an open redirect to another host."""
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not parsed.path.startswith("/dashboard/") or "\\" in target:
        return None
    return target


def admin_required(view):
    """Decorate a view: signed-out visitors are sent to sign-in (GET) or refused (401)."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = current_admin()
        if token is None:
            had_session = session.pop("sid", None) is not None
            if request.method in ("GET", "HEAD"):
                return redirect(url_for("dashboard_auth.sign_in", next=request.full_path.rstrip("?"),
                                        expired=1 if had_session else None), code=303)
            raise ApiError(401, "unauthorized", "Sign in with an admin token first.")
        g.admin_token = token
        return view(*args, **kwargs)
    return wrapper


def _sign_in_page(status=200, error=None):
    return render_template("sign_in.html", error=error, signed_in=False,
                           next=_safe_next(request.values.get("next")),
                           expired=request.args.get("expired"),
                           signed_out=request.args.get("signed_out")), status


@bp.get("/sign-in")
def sign_in():
    """The sign-in form (already signed in: straight to the guide list)."""
    if current_admin() is not None:
        return redirect(_safe_next(request.args.get("next")) or url_for("dashboard.guide_list"))
    return _sign_in_page()


@bp.post("/sign-in")
def sign_in_post():
    """Exchange an admin token for a session cookie."""
    check_csrf()
    token = find_active_token(request.form.get("token", "").strip()) if request.form.get("token") else None
    if token is None:
        return _sign_in_page(401, "This token is unknown or revoked. Create one with "
                                  "'waymark token create --role admin'.")
    if token.role != "admin":
        return _sign_in_page(403, f"This is an {token.role} token; the dashboard needs an admin "
                                  "token ('waymark token create --role admin').")
    # A fresh session: nothing from before sign-in (session fixation) carries over.
    session.clear()
    session.permanent = True
    session["sid"] = start_session(token.id, _session_seconds())
    new_csrf_token()
    return redirect(_safe_next(request.form.get("next")) or url_for("dashboard.guide_list"), code=303)


@bp.post("/sign-out")
def sign_out():
    """End the session (a POST with the CSRF token, so another site cannot sign you out)."""
    check_csrf()
    end_session(session.get("sid"))
    session.clear()
    return redirect(url_for("dashboard_auth.sign_in", signed_out=1), code=303)
