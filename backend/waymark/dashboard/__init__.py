"""Admin dashboard pages (server-rendered)."""


def init_app(app):
    """Register the dashboard blueprint."""
