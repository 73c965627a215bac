"""The kind reports over HTTP (a real ``waymark serve``), by kind, with CSV, and held to the
OpenAPI document's answer schemas. Both stores."""
import copy
import csv
import io
import uuid

from .test_schemas_kinds import NUDGE, SURVEY, TIPS


def own(document, unique_id):
    mine = copy.deepcopy(document)
    mine["id"] = f"{unique_id}-{document['kind']}"
    mine.pop("schedule", None)
    return mine


def send(service, events):
    answer = service.post("/api/v1/events", {"events": events}, token="extension")
    assert answer.status == 200, answer.text
    assert {result["status"] for result in answer.json["results"]} == {"stored"}, answer.json


def event(type, guide_id, **fields):
    return {"id": uuid.uuid4().hex, "type": type, "guide_id": guide_id, "guide_version": 1,
            "run_id": "view-1", "user": "u1", "role": "employee", "at": "2026-11-22T10:00:00Z", **fields}


def properties(document, name):
    return set(document["components"]["schemas"][name]["properties"])


def test_each_kind_reports_by_kind_with_csv_held_to_the_openapi_schemas(service, unique_id):
    spec = service.get("/api/v1/openapi.json", token=None).json
    tips, nudge, survey = own(TIPS, unique_id), own(NUDGE, unique_id), own(SURVEY, unique_id)
    for document in (tips, nudge, survey):
        assert service.put(f"/api/v1/guides/{document['id']}", document, token="author").status == 201
    send(service, [event("tip_shown", tips["id"], step_id="amount", step_index=0),
                   event("validation_failed", tips["id"], step_id="amount", step_index=0),
                   event("nudge_shown", nudge["id"]),
                   event("nudge_action", nudge["id"], action={"index": 0, "label": "Show me how"}),
                   event("survey_shown", survey["id"]),
                   event("survey_answered", survey["id"], answer={"value": 5}, text="@SUM(1+1)*cmd")])
    expected = {tips["id"]: ("TipsReport", "tips"), nudge["id"]: ("NudgeReport", "nudge"),
                survey["id"]: ("SurveyReport", "survey")}
    for guide_id, (schema, kind) in expected.items():
        report = service.get(f"/api/v1/reports/guides/{guide_id}", token="admin").json
        assert report["kind"] == kind
        assert set(report) <= properties(spec, schema), set(report) - properties(spec, schema)
    assert service.get(f"/api/v1/reports/guides/{tips['id']}", token="admin").json["tips"][0]["validation_failed"] == 1
    report = service.get(f"/api/v1/reports/guides/{survey['id']}", token="admin").json
    assert (report["answered"], report["scale"]["mean"], report["texts"]["items"][0]["text"]) == (1, 5.0, "@SUM(1+1)*cmd")
    answer = service.get(f"/api/v1/reports/guides/{survey['id']}.csv", token="admin")
    assert answer.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[-1][-1] == "'@SUM(1+1)*cmd"


def test_help_report_over_http_without_user_ids(service, unique_id):
    query = f"{unique_id} words"
    send(service, [{"id": uuid.uuid4().hex, "type": "panel_search", "query": query, "results": 0,
                    "user": "someone@example.com", "at": "2026-11-22T10:00:00Z"},
                   {"id": uuid.uuid4().hex, "type": "panel_opened", "user": "u1", "at": "2026-11-22T10:00:00Z"}])
    report = service.get("/api/v1/reports/help?from=2026-11-22&to=2026-11-22", token="admin").json
    assert {"query": query, "count": 1} in [{k: u[k] for k in ("query", "count")} for u in report["unfound_searches"]]
    assert "someone@example.com" not in str(report)
    spec = service.get("/api/v1/openapi.json", token=None).json
    assert set(report) <= properties(spec, "HelpReport")
    csv_answer = service.get("/api/v1/reports/help.csv", token="admin")
    assert csv_answer.status == 200 and query in csv_answer.text


def test_bad_report_parameters_are_named(service, unique_id):
    survey = own(SURVEY, unique_id)
    service.put(f"/api/v1/guides/{survey['id']}", survey, token="author")
    answer = service.get(f"/api/v1/reports/guides/{survey['id']}?page=0", token="admin")
    assert (answer.status, answer.json["error"]["details"][0]["path"]) == (400, "page")
    assert service.get("/api/v1/reports/help?from=yesterday", token="admin").status == 400
    assert service.get("/api/v1/reports/help", token="extension").status == 403
