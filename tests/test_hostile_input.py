"""Hostile input over HTTP on both stores: a 4xx naming the field, never a 5xx (issue 10).

Times outside the window, dates at the edges, integers past 64 bits, NUL and
lone surrogates, deep JSON, encoded slashes; 401 and 405 headers; CSV cells
that would run as formulas.
"""
import csv
import io
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.test_dashboard import Visitor, publish

GOOD_EVENT = {"type": "guide_started", "guide_version": 1, "run_id": "run-1", "user": "u-1",
              "at": "2026-11-22T10:00:00Z"}


def event(guide, n=0, **fields):
    """A valid event of ``guide`` with fresh ids (ids are at most 64 characters)."""
    return {**GOOD_EVENT, "id": f"e{n}-{uuid.uuid4().hex}", "guide_id": guide,
            "run_id": f"r{n}-{uuid.uuid4().hex}", **fields}


def _signed_in(service):
    visitor = Visitor(service)
    status, _, body = visitor.sign_in(service.tokens["admin"])
    assert status == 303, body
    return visitor


def _raw_json(service, method, path, text, token="admin"):
    return service.request(method, path, data=text.encode("utf-8"), token=token,
                           headers={"Content-Type": "application/json"})


# -- times --------------------------------------------------------------------

@pytest.mark.parametrize("at, says", [
    ("0001-01-01T00:00:00Z", "2000-01-01"),
    ("1999-12-31T23:59:59Z", "2000-01-01"),
    ("9999-12-31T23:59:59Z", "3 days ahead"),
    ("0001-01-01T00:00:00+23:59", "offset"),
    ("9999-12-31T23:59:59-23:59", "offset"),
    ("2026-11-22T10:00:00+14:01", "offset"),
])
def test_times_outside_the_window_are_rejected_with_the_reason(service, unique_id, at, says):
    answer = service.post("/api/v1/events", {"events": [event(unique_id, at=at)]}, token="extension")
    assert answer.status == 422, answer.text
    [result] = answer.json["results"]
    assert result["status"] == "rejected"
    [error] = result["errors"]
    assert error["path"] == "events[0].at" and says in error["message"], error


def test_times_in_the_window_are_stored(service, unique_id):
    soon = (datetime.now(timezone.utc) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    batch = [event(unique_id, 0, at="2000-01-01T00:00:00Z"), event(unique_id, 1, at=soon),
             event(unique_id, 2, at="2026-11-22T10:00:00-12:00"),
             event(unique_id, 3, at="2026-11-22T10:00:00+14:00")]
    answer = service.post("/api/v1/events", {"events": batch}, token="extension")
    assert [r["status"] for r in answer.json["results"]] == ["stored"] * 4, answer.text


# -- date parameters at the edges -----------------------------------------------

EDGE_QUERIES = [("to=9999-12-31", "to"), ("from=0001-01-01", "from"),
                ("now=0001-01-01T00:00:00Z", "now"), ("now=9999-12-31T23:59:59Z", "now"),
                ("to=0001-01-01", "to")]


@pytest.mark.parametrize("query, parameter", EDGE_QUERIES)
@pytest.mark.parametrize("endpoint", ["/api/v1/reports/guides", "/api/v1/reports/guides/{g}",
                                      "/api/v1/reports/guides/{g}.csv", "/api/v1/reports/broken-targets"])
def test_report_endpoints_refuse_dates_at_the_edges(service, unique_id, endpoint, query, parameter):
    if parameter == "now" and "broken" in endpoint:
        query = query.replace("now", "to").split("T")[0]
        parameter = "to"
    publish(service, unique_id)
    answer = service.get(endpoint.format(g=unique_id) + "?" + query)
    assert answer.status == 400, answer.text
    assert answer.headers["Content-Type"] == "application/json"
    assert [d["path"] for d in answer.json["error"]["details"]] == [parameter]


@pytest.mark.parametrize("query, parameter", [q for q in EDGE_QUERIES if q[1] != "now"])
@pytest.mark.parametrize("page", ["/dashboard/", "/dashboard/guides/{g}",
                                  "/dashboard/guides/{g}/report.csv", "/dashboard/broken-targets"])
def test_dashboard_pages_refuse_dates_at_the_edges_with_a_page(service, unique_id, page, query, parameter):
    publish(service, unique_id)
    status, headers, body = _signed_in(service).get(page.format(g=unique_id) + "?" + query)
    assert status == 400, body
    assert headers["Content-Type"].startswith("text/html")
    assert f'data-path="{parameter}"' in body


# -- integers past 64 bits ----------------------------------------------------------

@pytest.mark.parametrize("query, parameter", [
    ("version=9223372036854775808", "version"), ("version=-9223372036854775809", "version"),
    ("version=" + "9" * 40, "version")])
def test_integers_past_64_bits_are_refused_in_queries(service, unique_id, query, parameter):
    publish(service, unique_id)
    for path in (f"/api/v1/reports/guides/{unique_id}", f"/api/v1/reports/guides/{unique_id}.csv"):
        answer = service.get(f"{path}?{query}")
        assert answer.status == 400, answer.text
        assert answer.json["error"]["details"][0]["path"] == parameter
    status, _, body = _signed_in(service).get(f"/dashboard/guides/{unique_id}?{query}")
    assert status == 400 and f'data-path="{parameter}"' in body, body
    answer = service.get("/api/v1/reports/broken-targets?limit=9223372036854775808")
    assert answer.status == 400 and answer.json["error"]["details"][0]["path"] == "limit"


@pytest.mark.parametrize("name", ["guide_version", "step_index", "duration_ms", "wait_ms"])
def test_integers_past_64_bits_are_refused_in_events(service, unique_id, name):
    fields = {"type": "step_shown", "step_index": 0, "step_id": "s0", name: 2 ** 64}
    answer = service.post("/api/v1/events", {"events": [event(unique_id, **fields)]}, token="extension")
    assert answer.status == 422
    assert answer.json["results"][0]["errors"][0]["path"] == f"events[0].{name}"


# -- text: NUL and lone surrogates ------------------------------------------------------

BAD_TEXTS = {"nul": "a\u0000b", "surrogate": "a\ud800b"}


@pytest.mark.parametrize("kind", BAD_TEXTS)
@pytest.mark.parametrize("name", ["id", "guide_id", "step_id", "run_id", "user", "role", "url",
                                  "extra_field", "selector"])
def test_bad_text_in_an_event_rejects_that_event_naming_the_field(service, unique_id, kind, name):
    bad = BAD_TEXTS[kind]
    fields = {"type": "target_missing", "step_index": 0, "step_id": "s0"}
    path = name
    if name == "selector":
        fields["selectors"] = [{"selector": bad, "matches": 0}]
        path = "selectors[0].selector"
    else:
        fields[name] = (f"x{bad}" if name in ("id", "run_id") else bad)
    good = event(unique_id, 1)
    text = json.dumps({"events": [event(unique_id, 0, **fields), good]})  # json escapes \ud800
    answer = _raw_json(service, "POST", "/api/v1/events", text, token="extension")
    assert answer.status == 200, answer.text
    first, second = answer.json["results"]
    assert first["status"] == "rejected" and second["status"] == "stored", answer.text
    assert [e["path"] for e in first["errors"]] == [f"events[0].{path}"]


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_bad_text_in_a_guide_is_an_error_at_its_path(service, unique_id, kind):
    document = {"id": unique_id, "title": "T", "match": {"include": ["https://a.example.com/*"]},
                "steps": [{"id": "s", "title": "Step " + BAD_TEXTS[kind]}]}
    text = json.dumps(document)
    answer = _raw_json(service, "PUT", f"/api/v1/guides/{unique_id}", text, token="author")
    assert answer.status == 422, answer.text
    assert [d["path"] for d in answer.json["error"]["details"]] == ["steps[0].title"]
    answer = _raw_json(service, "POST", "/api/v1/guides/validate", text, token="author")
    assert answer.status == 200 and answer.json["valid"] is False
    assert [d["path"] for d in answer.json["errors"]] == ["steps[0].title"]


@pytest.mark.parametrize("path", ["/api/v1/guides/%00", "/api/v1/guides/a%00b/versions",
                                  "/api/v1/reports/guides/%00", "/api/v1/reports/guides/%00.csv"])
def test_nul_in_a_path_id_is_a_400(service, path):
    answer = service.get(path)
    assert answer.status == 400, answer.text
    assert answer.json["error"]["code"] == "invalid_path"
    assert answer.json["error"]["details"][0]["path"] == "guide_id"


def test_nul_in_a_path_id_of_the_dashboard_is_a_page(service):
    status, headers, body = _signed_in(service).get("/dashboard/guides/%00")
    assert status == 400 and headers["Content-Type"].startswith("text/html"), body


@pytest.mark.parametrize("path, parameter", [
    ("/api/v1/guides?url=https://a.example.com/%00", "url"), ("/api/v1/guides?role=%00", "role"),
    ("/api/v1/reports/guides/x?role=%00", "role"), ("/api/v1/reports/guides/x?url=%00", "url"),
    ("/api/v1/guides?cache=%00", "cache")])
def test_nul_in_a_query_parameter_is_a_400_naming_it(service, path, parameter):
    answer = service.get(path)
    assert answer.status == 400, answer.text
    assert answer.json["error"]["details"][0]["path"] == parameter


# -- deep JSON ------------------------------------------------------------------------------

@pytest.mark.parametrize("levels", [33, 1000, 100_000])
@pytest.mark.parametrize("method, path, token", [
    ("POST", "/api/v1/events", "extension"), ("POST", "/api/v1/guides/validate", "author"),
    ("PUT", "/api/v1/guides/deep", "author")])
def test_deeply_nested_json_is_a_400(service, method, path, token, levels):
    text = "[" * levels + "]" * levels
    answer = _raw_json(service, method, path, text, token=token)
    assert answer.status == 400, answer.text[:300]
    assert "deeper than 32" in answer.json["error"]["message"]
    nested = '{"events": [' + '{"a": ' * levels + "1" + "}" * levels + "]}"
    answer = _raw_json(service, method, path, nested, token=token)
    assert answer.status == 400, answer.text[:300]


def test_json_nested_to_the_limit_is_read(service, unique_id):
    extra = {"x": 1}
    for _ in range(28):  # batch, list, event, then 29 levels of extra_field: 32 in all
        extra = {"x": extra}
    answer = service.post("/api/v1/events", {"events": [event(unique_id, extra_field=extra)]},
                          token="extension")
    assert answer.json["results"][0]["status"] == "stored", answer.text


# -- headers of 401 and 405, redirects -----------------------------------------------

def test_401_names_the_bearer_scheme(service):
    answer = service.get("/api/v1/guides", token=None)
    assert answer.status == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")
    answer = service.get("/api/v1/guides", token="wm_not_a_token")
    assert answer.status == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]


@pytest.mark.parametrize("method, path, allowed", [
    ("DELETE", "/api/v1/guides", {"GET"}), ("GET", "/api/v1/events", {"POST"}),
    ("POST", "/api/v1/reports/broken-targets", {"GET"}), ("DELETE", "/api/v1/guides/x", {"GET", "PUT"}),
    ("GET", "/api/v1/guides/validate", {"POST"}), ("PUT", "/api/v1/guides/validate", {"POST"})])
def test_405_carries_allow(service, method, path, allowed):
    answer = service.request(method, path)
    assert answer.status == 405
    assert answer.headers["Content-Type"] == "application/json"
    methods = {m.strip() for m in answer.headers["Allow"].split(",")}
    assert allowed <= methods and methods - allowed <= {"HEAD", "OPTIONS"}, methods


@pytest.mark.parametrize("path", ["/api/%2Fv1/guides", "/api//v1/guides", "/api/v1/guides%2F%2Fx",
                                  "/api/v1//reports/guides"])
def test_no_redirect_before_the_token_check(service, path):
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", int(service.base_url.rsplit(":", 1)[1]))
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        assert answer.status in (401, 404), (answer.status, answer.getheader("Location"))
        assert answer.getheader("Content-Type") == "application/json"
        json.loads(answer.read())
    finally:
        connection.close()


# -- CSV formula injection ------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_csv_cells_never_start_a_formula(service, unique_id):
    """Author text (step titles) and employee text (step ids only events carry) alike."""
    publish(service, unique_id, titles=FORMULAS)
    batch = [event(unique_id, n, type="step_shown", step_index=10 + n, step_id=formula)
             for n, formula in enumerate(FORMULAS)]
    answer = service.post("/api/v1/events", {"events": batch}, token="extension")
    assert {r["status"] for r in answer.json["results"]} == {"stored"}, answer.text
    api = service.get(f"/api/v1/reports/guides/{unique_id}.csv?from=2026-11-01")
    _, _, page = _signed_in(service).get(f"/dashboard/guides/{unique_id}/report.csv?from=2026-11-01")
    for body in (api.text, page):
        rows = list(csv.reader(io.StringIO(body)))[1:]
        texts = [cell for row in rows for cell in (row[1], row[2])]
        assert {"'" + formula for formula in FORMULAS} <= set(texts), texts
        assert not [cell for cell in texts if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_not_sent_as_json_is_a_415(service, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    answer = service.request("POST", "/api/v1/events", data=b'{"events": []}', token="extension",
                             headers=headers)
    assert answer.status == 415, answer.text
    assert answer.json["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize("field", ["token", "next", "csrf_token"])
def test_nul_in_a_dashboard_form_field_is_a_400_page(service, field):
    visitor = Visitor(service)
    form = {"csrf_token": visitor.csrf(), "token": service.tokens["admin"], "next": "/dashboard/"}
    form[field] = "a\u0000b"
    status, headers, body = visitor.post("/dashboard/sign-in", form)
    assert status == 400 and headers["Content-Type"].startswith("text/html"), (status, body[:300])
    assert f'data-path="{field}"' in body
