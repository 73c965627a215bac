"""Thin HTTP views: parse with schemas, call the module that owns the work, answer JSON."""
from flask import request
from marshmallow import ValidationError

from ..errors import ApiError, details_from_messages
from ..schemas.fields import MAX_JSON_DEPTH, too_deep


def _too_deep():
    message = f"nests deeper than {MAX_JSON_DEPTH} levels of objects and arrays"
    return ApiError(400, "invalid_json", f"The body {message}.", [{"path": "$", "message": message}])


def json_body(expected):
    """The request body as JSON; raises ApiError 415 when not sent as JSON, 400 saying what was
    ``expected`` when it is not JSON, or when it nests deeper than MAX_JSON_DEPTH. The depth is
    bounded while parsing (a thousand levels hit the parser's recursion limit) and checked
    right after."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type",
                       f"The body must be {expected}, sent with Content-Type application/json "
                       f"(this one came as {request.mimetype or 'no Content-Type'!r}).")
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        raise _too_deep() from None
    if data is None:
        raise ApiError(400, "invalid_json",
                       f"The body must be {expected}, sent with Content-Type application/json.")
    if too_deep(data):
        raise _too_deep()
    return data


def query_args(schema):
    """The query string loaded by ``schema``; raises ApiError 400 naming each bad parameter."""
    try:
        return schema.load(request.args.to_dict())
    except ValidationError as error:
        details = details_from_messages(error.messages)
        names = ", ".join(sorted({detail["path"] for detail in details}))
        raise ApiError(400, "invalid_query", f"Bad query parameter(s): {names}.", details) from None
