"""Liveness and readiness probes for load balancers."""
from flask import Blueprint, jsonify

from ..db import ping

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    """The database answers."""
    try:
        ping()
    except Exception as error:  # any driver error means not ready
        return jsonify({"status": "unavailable", "error": {"code": "database_unavailable",
                                                          "message": str(error)}}), 503
    return jsonify({"status": "ok"})
