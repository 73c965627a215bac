"""The one error type of the API and the handlers that turn errors into JSON.

Every error leaves the service as
``{"error": {"code": ..., "message": ..., "details": [{"path": ..., "message": ...}]}}``,
with ``WWW-Authenticate: Bearer`` on a 401 (RFC 6750) and ``Allow`` on a 405 (RFC 9110).
Outside the API, a browser asking for a page gets the dashboard's error page instead.
Errors below Flask (HTTP framing) are server.py's.
"""
import logging
from types import SimpleNamespace

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .schemas.fields import printable, text_problem

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a client can act on: an HTTP status, a code, a message, details."""

    def __init__(self, status, code, message, details=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []

    def to_dict(self):
        body = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


def bad_request(message, details=None, code="bad_request"):
    return ApiError(400, code, message, details)


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


def _is_api(path):
    return path.startswith("/api/") or path in ("/healthz", "/readyz")


def _answer(status, body, headers=None):
    """JSON, or for a person's browser outside the API the dashboard's error page."""
    if not _is_api(request.path) and _wants_html():
        detail = (body["error"].get("details") or [{}])[0]
        page = SimpleNamespace(status=status, path=detail.get("path"), **{
            key: body["error"][key] for key in ("code", "message")})
        return render_template("error.html", error=page), status, headers or {}
    return jsonify(body), status, headers or {}


def _wants_html():
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "text/html"


def _headers_of(status, message=""):
    """RFC 6750: a 401 names the scheme (and says when the token itself was refused)."""
    if status != 401:
        return {}
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return {"WWW-Authenticate": f'Bearer realm="waymark", error="invalid_token", '
                                    f'error_description="{message.replace(chr(34), chr(39))}"'}
    return {"WWW-Authenticate": 'Bearer realm="waymark"'}


def _http_error(error):
    code = (error.name or "error").lower().replace(" ", "_")
    if error.code == 413:
        code = "payload_too_large"
    headers = {**_headers_of(error.code)}
    if error.code == 405:
        headers.update((name, value) for name, value in error.get_headers() if name == "Allow")
    return _answer(error.code, {"error": {"code": code, "message": error.description}}, headers)


def _refuse_unsafe_text_in_url():
    """The text rule (schemas/fields.py) for path ids and query parameters, before any view."""
    for where, values in (("path", (request.view_args or {}).items()),
                          ("query", request.args.items(multi=True))):
        for name, value in values:
            problem = text_problem(name) or (text_problem(value) if isinstance(value, str) else None)
            if problem:
                shown = printable(name)
                raise ApiError(400, f"invalid_{where}", f"Bad {where} parameter {shown!r}: {problem}.",
                               [{"path": shown, "message": problem}])


def init_app(app):
    """Register the handlers that make every API error JSON (and a page for a browser elsewhere)."""
    app.before_request(_refuse_unsafe_text_in_url)

    @app.errorhandler(ApiError)
    def handle_api_error(error):
        return _answer(error.status, error.to_dict(), _headers_of(error.status, error.message))

    @app.errorhandler(HTTPException)
    def handle_http_error(error):
        if _is_api(request.path):
            return _http_error(error)
        return error

    @app.errorhandler(Exception)
    def handle_unexpected(error):
        log.exception("unexpected error on %s %s", request.method, request.path)
        body = {"error": {"code": "internal_error",
                          "message": "The service failed on this request; the error is in its log."}}
        return _answer(500, body)
