"""Errors of the dashboard: a page for people, JSON for programs.

The API's errors are JSON only; a person in a browser gets the same code and
message (and the parameter at fault) as a page, with a way back.
"""
from flask import jsonify, render_template, request


class DashboardError(Exception):
    """An error a person can act on: an HTTP status, a code, a message, and the field at fault."""

    def __init__(self, status, code, message, path=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.path = path

    def to_dict(self):
        body = {"code": self.code, "message": self.message}
        if self.path:
            body["details"] = [{"path": self.path, "message": self.message}]
        return {"error": body}


def wants_html():
    """True when the client prefers a page (a browser) over JSON."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "text/html"


def render_error(error):
    if wants_html():
        return render_template("error.html", error=error), error.status
    return jsonify(error.to_dict()), error.status


def init_blueprint(bp):
    """Make DashboardError (raised in this blueprint's views) a page or JSON."""
    bp.register_error_handler(DashboardError, render_error)
