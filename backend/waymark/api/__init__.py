"""Thin HTTP views: parse with schemas, call the module that owns the work, answer JSON."""
from flask import request

from ..errors import ApiError


def json_body(expected):
    """The request body as JSON; raises ApiError 400 saying what was ``expected`` when it is not JSON."""
    data = request.get_json(force=True, silent=True)
    if data is None:
        raise ApiError(400, "invalid_json",
                       f"The body must be {expected}, sent with Content-Type application/json.")
    return data
