"""The dashboard's session cookie and the headers every dashboard response carries.

The session is Flask's signed cookie (the secret key is shared by every process
through the database, settings.secret_key). It holds the admin token's *id*,
never the token, so revoking the token ends its sessions (auth.current_admin
checks it on each request).
"""
from datetime import timedelta

from flask import request
from flask.sessions import SecureCookieSessionInterface

PREFIX = "/dashboard"

# No inline script or style anywhere: chart data travels in JSON blocks read by static/charts.js.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
                           "base-uri 'none'")

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class DashboardSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request came over https."""

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def init_app(app):
    """Configure the session cookie and add the security headers to dashboard responses."""
    app.config.update(
        SESSION_COOKIE_NAME="waymark_dashboard",
        SESSION_COOKIE_PATH=PREFIX,
        SESSION_COOKIE_HTTPONLY=True,
        # Lax, not Strict: a shared report link opened from chat or mail arrives signed in;
        # every state-changing request is a POST with a CSRF token anyway.
        SESSION_COOKIE_SAMESITE="Lax",
        # An absolute lifetime from sign-in (auth.py checks it too); no sliding renewal.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=app.config["DASHBOARD_SESSION_HOURS"]),
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    if app.config["SECURE_COOKIES"]:
        app.config["SESSION_COOKIE_SECURE"] = True  # behind a TLS-terminating proxy
    app.session_interface = DashboardSessionInterface()

    @app.after_request
    def dashboard_headers(response):
        if request.path == "/" or request.path.startswith(PREFIX):
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            if not request.path.startswith(PREFIX + "/static/"):
                # Report figures are for the signed-in admin only: never kept by a shared cache.
                response.headers["Cache-Control"] = "no-store"
        return response
