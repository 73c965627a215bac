"""Admin dashboard pages (server-rendered): sign-in, guide list, guide report, broken targets.

``waymark serve`` is all it takes: templates and the built chart script ship in
the package. See docs/dashboard.md.
"""
from flask import redirect, url_for


def init_app(app):
    """Register the dashboard: session cookie, security headers, blueprints, ``/`` → the guide list."""
    from . import auth, security, views
    security.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)

    @app.get("/")
    def root():
        """The service's front page is the dashboard."""
        return redirect(url_for("dashboard.guide_list"))
