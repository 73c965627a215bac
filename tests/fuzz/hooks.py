"""Schemathesis hooks for tests/test_fuzz.py (loaded with SCHEMATHESIS_HOOKS=tests.fuzz.hooks).

- Times and days are drawn from the window the document states in words (JSON Schema
  cannot say "3 days ahead of the server's clock"); ``from`` is put before ``to``, and a
  guide's body id is the one in its URL, as the document's descriptions require.
- An extra check: every error on /api is the documented JSON error, whatever its status.
"""
from datetime import datetime, timedelta, timezone

import schemathesis
from hypothesis import strategies as st

from waymark.schemas.guide import SLUG

EARLIEST = datetime(2000, 1, 1)


def _window_end():
    return datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=2)


schemathesis.openapi.format("date-time", st.datetimes(min_value=EARLIEST, max_value=_window_end()).map(
    lambda moment: moment.isoformat(timespec="milliseconds") + "Z"))
schemathesis.openapi.format("date", st.dates(min_value=EARLIEST.date(), max_value=_window_end().date()).map(
    lambda day: day.isoformat()))


@schemathesis.hook
def map_query(ctx, query):
    if isinstance(query, dict) and isinstance(query.get("from"), str) and isinstance(query.get("to"), str):
        if query["from"] > query["to"]:
            query["from"], query["to"] = query["to"], query["from"]
    return query


@schemathesis.hook
def map_case(ctx, case):
    if case.method == "PUT" and isinstance(case.body, dict) and isinstance(case.path_parameters, dict):
        guide_id = case.path_parameters.get("guide_id")
        body_id = case.body.get("id")
        if isinstance(guide_id, str) and isinstance(body_id, str) and SLUG.match(body_id):
            case.body["id"] = guide_id  # keeps a bad body id bad: that case is a negative one
    return case


@schemathesis.check
def api_errors_are_the_documented_json(ctx, response, case):
    """Every 4xx/5xx under /api is {"error": {"code", "message"}} as application/json."""
    if response.status_code < 400 or not case.path.startswith("/api/"):
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith("application/json"), (
        f"{response.status_code} answered as {content_type!r}, not JSON")
    error = response.json().get("error")
    assert isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(
        error.get("message"), str), f"not the documented error shape: {response.text[:200]}"
    return None
