"""The one error type of the service and the handlers that answer it.

Every error leaves the API as
``{"error": {"code": ..., "message": ..., "details": [{"path": ..., "message": ...}]}}``,
with ``WWW-Authenticate: Bearer`` on a 401 (RFC 6750) and ``Allow`` on a 405 (RFC 9110).
The dashboard answers the same error as a page to a browser (the code, the
message and the parameter at fault, with a way back) and as that JSON to a program;
an unexpected failure too. Errors below Flask (HTTP framing, unread bodies) are server.py's.
"""
import logging

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .dashboard.security import PREFIX as DASHBOARD_PREFIX
from .schemas.fields import printable, text_problem

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a client can act on: an HTTP status, a code, a message, details.

    ``path`` names the one field at fault (``details`` then says it with the message).
    """

    def __init__(self, status, code, message, details=None, path=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or ([{"path": path, "message": message}] if path else [])

    @property
    def path(self):
        """The first field at fault, or None (the dashboard's error page shows it)."""
        return self.details[0]["path"] if self.details else None

    def to_dict(self):
        body = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


def not_found(message):
    return ApiError(404, "not_found", message)


def details_from_messages(messages, prefix=""):
    """Flatten marshmallow's nested error messages into [{path, message}].

    ``{"steps": {2: {"target": {"selector": ["Missing"]}}}}`` becomes
    ``[{"path": "steps[2].target.selector", "message": "Missing"}]``.
    """
    details = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            details.extend(details_from_messages(value, path))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(item, str) for item in messages):
            details.extend({"path": prefix or "$", "message": item} for item in messages)
        else:
            for item in messages:
                details.extend(details_from_messages(item, prefix))
    else:
        details.append({"path": prefix or "$", "message": str(messages)})
    return details


def _wants_page():
    """A dashboard request from a client that prefers a page (a browser) over JSON."""
    if not request.path.startswith(DASHBOARD_PREFIX):
        return False
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "text/html"


def _answer(error, headers=None):
    """An ApiError as JSON, or as the dashboard's error page for a person's browser."""
    headers = {**_challenge(error), **(headers or {})}
    if _wants_page():
        return render_template("error.html", error=error), error.status, headers
    return jsonify(error.to_dict()), error.status, headers


def _challenge(error):
    """RFC 6750: a 401 names the scheme (and says when the token itself was refused)."""
    if error.status != 401:
        return {}
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        description = error.message.replace('"', "'")
        return {"WWW-Authenticate": f'Bearer realm="waymark", error="invalid_token", '
                                    f'error_description="{description}"'}
    return {"WWW-Authenticate": 'Bearer realm="waymark"'}


def _http_error(error):
    code = (error.name or "error").lower().replace(" ", "_")
    if error.code == 413:
        code = "payload_too_large"
    allow = {name: value for name, value in error.get_headers() if name == "Allow"}
    return _answer(ApiError(error.code, code, error.description), allow)


def _refuse_unsafe_text_in_url():
    """The text rule (schemas/fields.py) for path ids, query parameters and form fields (the
    dashboard's sign-in), before any view; JSON bodies meet it in their schemas."""
    form = request.form.items(multi=True) if request.mimetype == "application/x-www-form-urlencoded" else ()
    for where, values in (("path", (request.view_args or {}).items()),
                          ("query", request.args.items(multi=True)), ("form", form)):
        for name, value in values:
            problem = text_problem(name) or (text_problem(value) if isinstance(value, str) else None)
            if problem:
                shown = printable(name)
                raise ApiError(400, f"invalid_{where}", f"Bad {where} parameter {shown!r}: {problem}.",
                               path=shown)


def init_app(app):
    """Register the handlers: JSON for the API (and programs), a page for people on the dashboard."""
    app.before_request(_refuse_unsafe_text_in_url)

    @app.errorhandler(ApiError)
    def handle_api_error(error):
        return _answer(error)

    @app.errorhandler(HTTPException)
    def handle_http_error(error):
        if request.path.startswith("/api/") or request.path in ("/healthz", "/readyz"):
            return _http_error(error)
        return error

    @app.errorhandler(Exception)
    def handle_unexpected(error):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _answer(ApiError(500, "internal_error",
                                "The service failed on this request; the error is in its log."))
