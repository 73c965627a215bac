"""The probes and the token checks, through a real server process."""


def test_healthz_answers_without_a_token(service):
    answer = service.get("/healthz", token=None)
    assert answer.status == 200
    assert answer.json == {"status": "ok"}


def test_readyz_reports_the_database_reachable(service):
    answer = service.get("/readyz", token=None)
    assert answer.status == 200
    assert answer.json["status"] == "ok"


def test_unknown_api_path_is_a_json_404(service):
    answer = service.get("/api/v1/nothing-here")
    assert answer.status == 404
    assert answer.json["error"]["code"] == "not_found"
