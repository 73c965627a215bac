"""Report endpoints through a real server: JSON, CSV, broken targets, 400/401/403/404."""
import csv
import io
import random
import uuid

import pytest
from tests.test_reports import EXPECTED_V1_STEPS, step_figures, stream

NOW = "2026-11-22T12:00:00Z"


@pytest.fixture
def guide(service, unique_id):
    """A guide id with the known stream delivered through the API, out of order, with resends."""
    events = stream(guide_id=unique_id, prefix=uuid.uuid4().hex[:8] + "-")
    random.Random(7).shuffle(events)
    events += events[:20]
    for start in range(0, len(events), 50):
        answer = service.post("/api/v1/events", {"events": events[start:start + 50]}, token="extension")
        assert answer.status == 200, answer.text
    return unique_id


def test_report_json(service, guide):
    answer = service.get(f"/api/v1/reports/guides/{guide}?version=1&now={NOW}")
    assert answer.status == 200
    report = answer.json
    assert (report["runs"], report["completed"], report["dismissed"], report["abandoned"],
            report["broken"], report["in_progress"]) == (6, 2, 1, 1, 1, 1)
    assert step_figures(report) == EXPECTED_V1_STEPS
    assert service.get(f"/api/v1/reports/guides/{guide}?now={NOW}").json["runs"] == 7
    assert service.get(f"/api/v1/reports/guides/{guide}?from=2026-11-22&to=2026-11-22&now={NOW}").json["runs"] == 6
    assert service.get(f"/api/v1/reports/guides/{guide}?role=sales&now={NOW}").json["runs"] == 2


def test_report_csv(service, guide):
    answer = service.get(f"/api/v1/reports/guides/{guide}.csv?version=1&now={NOW}")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0][:3] == ["step_index", "step_id", "title"]
    assert [row[3] for row in rows[1:]] == ["6", "5", "4", "3"]


def test_broken_targets_and_summaries(service, guide):
    found = service.get("/api/v1/reports/broken-targets?from=2026-11-22&to=2026-11-22&limit=1000").json
    mine = [b for b in found["broken_targets"] if b["guide_id"] == guide]
    assert sorted((b["step_index"], b["count"]) for b in mine) == [(0, 1), (1, 1)]
    summaries = service.get(f"/api/v1/reports/guides?now={NOW}").json["guides"]
    [summary] = [s for s in summaries if s["guide_id"] == guide]
    assert (summary["runs"], summary["completed"]) == (7, 2)


def test_unknown_guide_is_404(service):
    answer = service.get("/api/v1/reports/guides/nobody-knows-this-guide")
    assert answer.status == 404
    assert answer.json["error"]["code"] == "not_found"
    assert service.get("/api/v1/reports/guides/nobody-knows-this-guide.csv").status == 404


@pytest.mark.parametrize("query, parameter", [
    ("version=x", "version"),
    ("version=0", "version"),
    ("from=notadate", "from"),
    ("to=2026-13-01", "to"),
    ("from=2026-11-23&to=2026-11-22", "from"),
    ("now=yesterday", "now"),
    ("colour=red", "colour"),
])
def test_bad_query_parameters_are_400_naming_them(service, guide, query, parameter):
    answer = service.get(f"/api/v1/reports/guides/{guide}?{query}")
    assert answer.status == 400
    assert answer.json["error"]["code"] == "invalid_query"
    assert parameter in answer.json["error"]["message"]
    assert answer.json["error"]["details"][0]["path"] == parameter


def test_broken_targets_bad_limit_is_400(service):
    answer = service.get("/api/v1/reports/broken-targets?limit=-1")
    assert (answer.status, answer.json["error"]["details"][0]["path"]) == (400, "limit")


@pytest.mark.parametrize("path", ["/api/v1/reports/guides/x", "/api/v1/reports/guides/x.csv",
                                  "/api/v1/reports/broken-targets", "/api/v1/reports/guides"])
@pytest.mark.parametrize("token, status", [(None, 401), ("extension", 403), ("author", 403)])
def test_reports_are_for_admins(service, path, token, status):
    assert service.get(path, token=token).status == status
