"""Real answers of every endpoint, loaded through the schema the OpenAPI document states for
them, unknown fields raising: the document cannot drift from what the service answers.

Each status an endpoint is documented to answer is provoked here, and every answer's body
must load through ``openapi.OPERATIONS``' schema for that status (the error schema for
errors); a status the document does not list for the endpoint fails the test too.
"""
import uuid

from marshmallow import RAISE

from tests.test_dashboard import publish
from waymark.api.openapi import OPERATIONS, documented_answers

PAGE = "https://expenses.example.com/reports/new"


def _events(guide_id):
    run = uuid.uuid4().hex
    base = {"guide_id": guide_id, "guide_version": 1, "run_id": run, "user": "u", "role": "employee",
            "url": PAGE}
    return [{**base, "id": f"{run}-0", "type": "guide_started", "at": "2026-11-22T10:00:00Z"},
            {**base, "id": f"{run}-1", "type": "step_shown", "step_index": 0, "step_id": "step-0",
             "at": "2026-11-22T10:00:01Z"},
            {**base, "id": f"{run}-2", "type": "step_completed", "step_index": 0, "step_id": "step-0",
             "duration_ms": 900, "at": "2026-11-22T10:00:02Z"},
            {**base, "id": f"{run}-3", "type": "target_missing", "step_index": 1, "step_id": "step-1",
             "selectors": [{"selector": "#amount", "matches": 0}], "at": "2026-11-22T10:00:03Z"},
            {**base, "id": f"{run}-4", "type": "step_shown", "step_index": 0, "step_id": "s",
             "matched_by": "healed", "score": 0.9, "healed_target": {"selector": "#new-report"},
             "at": "2026-11-22T10:00:04Z"}]


def _requests(service, guide_id):
    """(method, documented path, sent path, kwargs) for every status of every endpoint."""
    guide = {"id": guide_id, "title": "T", "match": {"include": ["https://expenses.example.com/*"]},
             "steps": [{"id": "s", "title": "S", "body": "**Do** [it](https://a.example.com)",
                        "target": {"selector": "#new"}}]}
    one = "/api/v1/guides/{guide_id}"
    report = "/api/v1/reports/guides/{guide_id}"
    adopt = one + "/steps/{step_id}/adopt-target"
    return [
        ("get", "/healthz", "/healthz", {}),
        ("get", "/readyz", "/readyz", {}),
        ("get", "/api/v1/guides", f"/api/v1/guides?url={PAGE}", {"token": "extension"}),
        ("get", "/api/v1/guides", "/api/v1/guides?url=" + "x" * 5000, {"token": "extension"}),
        ("get", "/api/v1/guides", "/api/v1/guides", {"token": None}),
        ("get", "/api/v1/guides", "/api/v1/guides", {"token": "author"}),
        ("post", "/api/v1/guides/validate", "/api/v1/guides/validate", {"json_body": guide, "token": "author"}),
        ("post", "/api/v1/guides/validate", "/api/v1/guides/validate",
         {"json_body": {**guide, "steps": []}, "token": "author"}),
        ("post", "/api/v1/guides/validate", "/api/v1/guides/validate", {"data": b"{", "token": "author"}),
        ("put", one, f"/api/v1/guides/{guide_id}", {"json_body": guide, "token": "author"}),
        ("put", one, f"/api/v1/guides/{guide_id}", {"json_body": guide, "token": "author"}),
        ("put", one, f"/api/v1/guides/{guide_id}", {"json_body": {"id": guide_id}, "token": "author"}),
        ("put", one, f"/api/v1/guides/{guide_id}", {"data": b"x" * (2 * 1024 * 1024), "token": "author"}),
        ("get", one, f"/api/v1/guides/{guide_id}", {"token": "author"}),
        ("get", one, "/api/v1/guides/nobody-knows-this-one", {"token": "author"}),
        ("get", one + "/versions", f"/api/v1/guides/{guide_id}/versions", {"token": "author"}),
        ("post", "/api/v1/events", "/api/v1/events", {"json_body": {"events": _events(guide_id)},
                                                       "token": "extension"}),
        ("post", "/api/v1/events", "/api/v1/events", {"json_body": {"events": [{"id": "x"}]},
                                                       "token": "extension"}),
        ("post", "/api/v1/events", "/api/v1/events", {"json_body": {"nope": 1}, "token": "extension"}),
        ("post", "/api/v1/events", "/api/v1/events", {"json_body": {"events": [{}] * 501},
                                                       "token": "extension"}),
        ("get", "/api/v1/reports/guides", "/api/v1/reports/guides", {}),
        ("get", "/api/v1/reports/guides", "/api/v1/reports/guides?from=yesterday", {}),
        ("get", report, f"/api/v1/reports/guides/{guide_id}?now=2026-11-22T12:00:00Z", {}),
        ("get", report, f"/api/v1/reports/guides/{guide_id}?url=https://expenses.example.com/*", {}),
        ("get", report, "/api/v1/reports/guides/nobody-knows-this-one", {}),
        ("get", report + ".csv", f"/api/v1/reports/guides/{guide_id}.csv", {}),
        ("get", report, f"/api/v1/reports/guides/{guide_id}-tips", {}),
        ("get", report, f"/api/v1/reports/guides/{guide_id}-survey?page=1&per_page=5", {}),
        ("get", report + ".csv", f"/api/v1/reports/guides/{guide_id}-tips.csv", {}),
        ("get", "/api/v1/reports/help", "/api/v1/reports/help?from=2026-11-01", {}),
        ("get", "/api/v1/reports/help", "/api/v1/reports/help?limit=0", {}),
        ("get", "/api/v1/reports/help.csv", "/api/v1/reports/help.csv", {}),
        ("get", "/api/v1/reports/broken-targets", "/api/v1/reports/broken-targets?from=2026-11-01", {}),
        ("get", "/api/v1/reports/broken-targets", "/api/v1/reports/broken-targets?limit=0", {}),
        ("get", "/api/v1/events/export", "/api/v1/events/export?limit=2", {}),
        ("get", "/api/v1/events/export", "/api/v1/events/export?cursor=x", {}),
        ("post", adopt, f"/api/v1/guides/{guide_id}/steps/s/adopt-target", {"token": "author"}),
        ("post", adopt, f"/api/v1/guides/{guide_id}/steps/s/adopt-target", {"token": "author"}),
        ("post", adopt, f"/api/v1/guides/{guide_id}/steps/never-shown/adopt-target", {"token": "author"}),
        ("post", adopt, "/api/v1/guides/nobody-knows-this-one/steps/s/adopt-target", {"token": "author"}),
        ("post", one + "/archive", f"/api/v1/guides/{guide_id}/archive", {"token": "author"}),
        ("get", "/api/v1/guides", "/api/v1/guides", {"token": "extension",
                                                     "headers": {"If-None-Match": "*"}}),
        ("delete", "/api/v1/guides", "/api/v1/guides", {}),
    ]


def _strict(schema):
    """The schema with unknown fields raising at every level (the document says the same)."""
    instance = schema() if isinstance(schema, type) else schema
    instance.unknown = RAISE
    return instance


def _publish_kinds(service, guide_id):
    """A tips document and a survey with events, so their reports answer with figures."""
    from tests.test_schemas_kinds import SURVEY, TIPS
    for base, kind in ((TIPS, "tips"), (SURVEY, "survey")):
        answer = service.put(f"/api/v1/guides/{guide_id}-{kind}", {**base, "id": f"{guide_id}-{kind}"},
                             token="author")
        assert answer.status == 201, answer.text
    base = {"guide_version": 1, "run_id": uuid.uuid4().hex, "user": "u", "at": "2026-11-22T10:00:00Z"}
    events = [{**base, "id": uuid.uuid4().hex, "type": "validation_failed", "guide_id": f"{guide_id}-tips",
               "step_id": "amount", "step_index": 0},
              {**base, "id": uuid.uuid4().hex, "type": "survey_answered", "guide_id": f"{guide_id}-survey",
               "answer": {"value": 4}, "text": "fine"},
              {"id": uuid.uuid4().hex, "type": "panel_search", "query": "per diem", "results": 0,
               "at": "2026-11-22T10:00:00Z"}]
    assert service.post("/api/v1/events", {"events": events}, token="extension").status == 200


def test_every_answer_loads_through_its_documented_schema(service, unique_id):
    _publish_kinds(service, unique_id)
    answers = documented_answers()
    seen = set()
    for method, path, sent, kwargs in _requests(service, unique_id):
        answer = service.request(method.upper(), sent, **kwargs)
        documented = answers.get((method, path), {})
        if method == "delete":
            assert answer.status == 405 and answer.json["error"]["code"] == "method_not_allowed"
            continue
        assert answer.status in documented, f"{method} {sent}: {answer.status} is not documented"
        schema = documented[answer.status]
        seen.add((method, path, answer.status))
        if schema is None:
            assert not answer.body, answer.body
        elif schema == "csv":
            assert answer.headers["Content-Type"].startswith("text/csv")
        else:
            _strict(schema).load(answer.json)
    for method, path, *_ in OPERATIONS:
        assert any(m == method and p == path for m, p, _ in seen), f"{method} {path} never answered"


def test_the_document_states_the_errors_every_layer_answers(service):
    """400 everywhere, 401 with its challenge header where a token is needed, 413 and 415
    where there is a body, and the 405 rule in the description (no operation can list it)."""
    document = service.get("/api/v1/openapi.json", token=None).json
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert "400" in statuses, (method, path)
            if "security" in operation:
                assert {"401", "403"} <= statuses, (method, path)
                assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
            if "requestBody" in operation:
                assert {"413", "415"} <= statuses, (method, path)
    assert "405 with Allow" in document["info"]["description"]
    batch = document["paths"]["/api/v1/events"]["post"]["requestBody"]["content"]["application/json"]
    assert batch["schema"]["properties"]["events"]["maxItems"] == 500
