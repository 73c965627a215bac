"""Configuration from the environment, with defaults that run on one machine.

The one reader of WAYMARK_* settings (docs/reports.md, docs/dashboard.md list
them). The app keeps the result in ``app.config``; the command line and the
benchmarks call ``from_environment`` themselves. Every other module takes the
values it needs as arguments.
"""
import logging
import os
import pathlib

DEFAULT_DATABASE_URL = "sqlite:///waymark.db"
DEFAULT_ABANDON_AFTER_MINUTES = 30


def _bool(value, default=False):
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _optional_int(value):
    return int(value) if value not in (None, "") else None


def _list(value):
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def from_environment(environ=None):
    """Build the app config dict from WAYMARK_* environment variables."""
    env = os.environ if environ is None else environ
    return {
        "DATABASE_URL": env.get("WAYMARK_DATABASE_URL", DEFAULT_DATABASE_URL),
        # A run with no event for this long counts as abandoned.
        "ABANDON_AFTER_MINUTES": int(env.get("WAYMARK_ABANDON_AFTER_MINUTES",
                                             str(DEFAULT_ABANDON_AFTER_MINUTES))),
        # Days raw events are kept (``waymark events prune``); unset: keep everything.
        "EVENT_RETENTION_DAYS": _optional_int(env.get("WAYMARK_EVENT_RETENTION_DAYS")),
        # Whether prune also deletes the events of tips, nudges, surveys, resources and the
        # help panel (their reports then lose the period: docs/reports.md "Rebuild, retention").
        "EVENT_RETENTION_OTHER_KINDS": _bool(env.get("WAYMARK_EVENT_RETENTION_OTHER_KINDS")),
        # The fold thread (folding.py) folds once no event has been stored, by any process,
        # for GATHER seconds, or MOST seconds after it began to wait; woken by a batch of
        # its own process, or every IDLE seconds (for batches another process stored).
        "FOLD_GATHER_SECONDS": float(env.get("WAYMARK_FOLD_GATHER_SECONDS", "0.2")),
        "FOLD_MOST_SECONDS": float(env.get("WAYMARK_FOLD_MOST_SECONDS", "2")),
        "FOLD_IDLE_SECONDS": float(env.get("WAYMARK_FOLD_IDLE_SECONDS", "5")),
        # URLs are stored without query string and fragment unless this is on.
        "KEEP_URL_QUERY": _bool(env.get("WAYMARK_KEEP_URL_QUERY")),
        # Origins allowed by CORS besides the extension's own (chrome-extension://…).
        "CORS_ORIGINS": _list(env.get("WAYMARK_CORS_ORIGINS")),
        # Shared by every process behind a load balancer; when unset, one is made
        # once and kept in the database so all processes agree.
        "SECRET_KEY": env.get("WAYMARK_SECRET_KEY"),
        "MAX_BATCH_EVENTS": int(env.get("WAYMARK_MAX_BATCH_EVENTS", "500")),
        "MAX_CONTENT_LENGTH": int(env.get("WAYMARK_MAX_BODY_BYTES", str(1024 * 1024))),
        # An absolute lifetime of a dashboard sign-in.
        "DASHBOARD_SESSION_HOURS": float(env.get("WAYMARK_DASHBOARD_SESSION_HOURS", "8")),
        # Mark the session cookie Secure even on plain http (behind a TLS-terminating proxy).
        "SECURE_COOKIES": _bool(env.get("WAYMARK_SECURE_COOKIES")),
        # Alerts (docs/alerts.md): a webhook URL turns them on.
        "ALERT_WEBHOOK": env.get("WAYMARK_ALERT_WEBHOOK") or None,
        "ALERT_BROKEN_RUNS": int(env.get("WAYMARK_ALERT_BROKEN_RUNS", "5")),
        "ALERT_WINDOW_HOURS": float(env.get("WAYMARK_ALERT_WINDOW_HOURS", "8")),
        # How often each service process looks for due checks and pending posts.
        "ALERT_POLL_SECONDS": float(env.get("WAYMARK_ALERT_POLL_SECONDS", "5")),
        # The first retry of a failed post waits this long; each next one twice as long.
        "ALERT_RETRY_SECONDS": float(env.get("WAYMARK_ALERT_RETRY_SECONDS", "30")),
        "ALERT_TIMEOUT_SECONDS": float(env.get("WAYMARK_ALERT_TIMEOUT_SECONDS", "10")),
        # Alerts by email too (same rules), when both a recipient and an SMTP host are set.
        "ALERT_EMAIL_TO": _list(env.get("WAYMARK_ALERT_EMAIL_TO")),
        "ALERT_EMAIL_FROM": env.get("WAYMARK_ALERT_EMAIL_FROM", "waymark@localhost"),
        "ALERT_SMTP_HOST": env.get("WAYMARK_ALERT_SMTP_HOST") or None,
        "ALERT_SMTP_PORT": int(env.get("WAYMARK_ALERT_SMTP_PORT", "25")),
        "ALERT_SMTP_USER": env.get("WAYMARK_ALERT_SMTP_USER") or None,
        "ALERT_SMTP_PASSWORD": env.get("WAYMARK_ALERT_SMTP_PASSWORD") or None,
        "ALERT_SMTP_STARTTLS": _bool(env.get("WAYMARK_ALERT_SMTP_STARTTLS")),
    }


def configure_logging():
    """Log at INFO to stderr; called where a service process starts (``waymark serve``)."""
    logging.basicConfig(level=logging.INFO)


def demo_directory(environ=None, cwd=None):
    """Where ``waymark demo`` looks for the demo: ``$WAYMARK_DEMO_DIR``, else the working folder's ``demo``.

    The demo lives in a clone of the repository, not in the installed package.
    """
    env = os.environ if environ is None else environ
    if env.get("WAYMARK_DEMO_DIR"):
        return pathlib.Path(env["WAYMARK_DEMO_DIR"])
    return pathlib.Path(os.getcwd() if cwd is None else cwd) / "demo"
