"""Thin HTTP views: parse with schemas, call the module that owns the work, answer JSON."""
from flask import request
from marshmallow import ValidationError

from ..errors import ApiError, details_from_messages


def json_body(expected):
    """The request body as JSON; raises ApiError 400 saying what was ``expected`` when it is not JSON."""
    data = request.get_json(force=True, silent=True)
    if data is None:
        raise ApiError(400, "invalid_json",
                       f"The body must be {expected}, sent with Content-Type application/json.")
    return data


def query_args(schema):
    """The query string loaded by ``schema``; raises ApiError 400 naming each bad parameter."""
    try:
        return schema.load(request.args.to_dict())
    except ValidationError as error:
        details = details_from_messages(error.messages)
        names = ", ".join(sorted({detail["path"] for detail in details}))
        raise ApiError(400, "invalid_query", f"Bad query parameter(s): {names}.", details) from None
