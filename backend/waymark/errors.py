"""The one error type of the service and the handlers that answer it.

Every error leaves the API as
``{"error": {"code": ..., "message": ..., "details": [{"path": ..., "message": ...}]}}``.
The dashboard answers the same error as a page to a browser (the code, the
message and the parameter at fault, with a way back) and as that JSON to a program.
"""
import logging

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .dashboard.security import PREFIX as DASHBOARD_PREFIX

log = logging.getLogger(__name__)

# A refused body up to this size is read and thrown away before the 413 goes out. A server
# that answers and closes with the body still unread makes the kernel reset the
# connection, and the client's send fails before it can read why (nginx calls the cure
# "lingering close"; gunicorn has none). Larger bodies are not worth the reading.
DRAIN_REFUSED_BODY_BYTES = 64 * 1024 * 1024
_DRAIN_CHUNK_BYTES = 64 * 1024


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


def _drain_refused_body():
    """Read and discard the unread body of a request refused for its size."""
    length = request.content_length
    if not length or length > DRAIN_REFUSED_BODY_BYTES:
        return
    stream = request.environ["wsgi.input"]
    while length > 0:
        chunk = stream.read(min(_DRAIN_CHUNK_BYTES, length))
        if not chunk:
            return
        length -= len(chunk)


def _wants_page():
    """A dashboard request from a client that prefers a page (a browser) over JSON."""
    if not request.path.startswith(DASHBOARD_PREFIX):
        return False
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "text/html"


def _http_error(error):
    code = (error.name or "error").lower().replace(" ", "_")
    if error.code == 413:
        code = "payload_too_large"
    return jsonify({"error": {"code": code, "message": error.description}}), error.code


def init_app(app):
    """Register the handlers: JSON for the API (and programs), a page for people on the dashboard."""

    @app.errorhandler(ApiError)
    def handle_api_error(error):
        if _wants_page():
            return render_template("error.html", error=error), error.status
        return jsonify(error.to_dict()), error.status

    @app.errorhandler(HTTPException)
    def handle_http_error(error):
        if error.code == 413:
            _drain_refused_body()
        if request.path.startswith("/api/") or request.path in ("/healthz", "/readyz"):
            return _http_error(error)
        return error

    @app.errorhandler(Exception)
    def handle_unexpected(error):
        log.exception("unexpected error on %s %s", request.method, request.path)
        body = {"error": {"code": "internal_error",
                          "message": "The service failed on this request; the error is in its log."}}
        return jsonify(body), 500
