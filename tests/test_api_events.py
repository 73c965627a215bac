"""POST /api/v1/events through a real server: per-event results, documented 4xx, keeps serving."""
import json
import threading
import uuid

import pytest

from waymark.schemas.answers import EventExportPageSchema

PATH = "/api/v1/events"


def event(run_id="run-1", **fields):
    base = {"id": uuid.uuid4().hex, "type": "step_shown", "guide_id": "api-events", "guide_version": 1,
            "step_id": "a", "step_index": 0, "run_id": run_id, "user": "u1",
            "url": "https://app.example.com/x", "at": "2026-11-22T10:00:00Z"}
    base.update(fields)
    return base


def still_serving(service):
    answer = service.post(PATH, {"events": [event()]}, token="extension")
    assert answer.status == 200
    assert answer.json["results"][0]["status"] == "stored"


def test_batch_answers_per_event(service):
    good = event()
    answer = service.post(PATH, {"events": [good, good, event(type="exploded")]}, token="extension")
    assert answer.status == 200
    results = answer.json["results"]
    assert [r["status"] for r in results] == ["stored", "duplicate", "rejected"]
    assert results[2]["errors"][0] == {"path": "events[2].type", "message": results[2]["errors"][0]["message"]}
    assert "Must be one of" in results[2]["errors"][0]["message"]
    again = service.post(PATH, {"events": [good]}, token="extension")
    assert again.json["results"] == [{"id": good["id"], "status": "duplicate"}]


@pytest.mark.parametrize("body, status, code", [
    (b"{not json", 400, "invalid_json"),
    (b"\xff\xfe", 400, "invalid_json"),
    (b"[1, 2]", 422, "invalid_batch"),
    (b'{"events": {}}', 422, "invalid_batch"),
    (b'{"no_events": []}', 422, "invalid_batch"),
    (b'"events"', 422, "invalid_batch"),
])
def test_unreadable_batches_get_a_json_4xx(service, body, status, code):
    answer = service.request("POST", PATH, data=body, token="extension",
                             headers={"Content-Type": "application/json"})
    assert answer.status == status
    assert answer.json["error"]["code"] == code
    still_serving(service)


@pytest.mark.parametrize("bad", [
    {"type": "guide_exploded"},
    {"guide_version": "one"},
    {"step_index": [0]},
    {"at": "not a time"},
    {"step_id": "s" * 10000},
    {"selectors": [{"selector": "#x" * 5000, "matches": 0}], "type": "target_missing"},
])
def test_a_batch_of_only_bad_events_is_422_with_paths(service, bad):
    answer = service.post(PATH, {"events": [event(**bad)]}, token="extension")
    assert answer.status == 422
    body = answer.json
    assert body["error"]["code"] == "invalid_events"
    assert body["error"]["details"][0]["path"].startswith("events[0].")
    assert body["results"][0]["status"] == "rejected"
    still_serving(service)


def test_too_many_events_is_413(service):
    answer = service.post(PATH, {"events": [event() for _ in range(501)]}, token="extension")
    assert answer.status == 413
    assert answer.json["error"]["code"] == "payload_too_large"
    assert "500" in answer.json["error"]["message"]
    still_serving(service)


@pytest.mark.parametrize("mebibytes", [1, 6])
def test_more_than_a_mebibyte_is_413(service, mebibytes):
    # The client must get to read the 413 even when the body outruns the socket buffers:
    # a server that answers and closes without reading the body makes the sender's
    # write fail with a reset instead (seen as a flaky BrokenPipeError at 1 MiB).
    padding = "x" * (mebibytes * 1024 * 1024)
    answer = service.post(PATH, {"events": [event(padding=padding)]}, token="extension")
    assert answer.status == 413
    assert answer.json["error"]["code"] == "payload_too_large"
    still_serving(service)


def test_full_batch_of_500_is_accepted(service):
    answer = service.post(PATH, {"events": [event() for _ in range(500)]}, token="extension")
    assert answer.status == 200
    assert {r["status"] for r in answer.json["results"]} == {"stored"}


@pytest.mark.parametrize("token, status, code", [
    (None, 401, "unauthorized"),
    ("wm_ext_not-a-real-token", 401, "unauthorized"),
    ("author", 403, "forbidden"),
])
def test_tokens(service, token, status, code):
    answer = service.post(PATH, {"events": [event()]}, token=token)
    assert answer.status == status
    assert answer.json["error"]["code"] == code
    still_serving(service)


def test_admin_may_send_events(service):
    assert service.post(PATH, {"events": [event()]}, token="admin").status == 200


def test_sql_looking_strings_are_stored_as_data(service):
    nasty = "'; DROP TABLE event; --"
    answer = service.post(PATH, {"events": [event(user=nasty, step_id=nasty, guide_id="x' OR 1=1 --")]},
                          token="extension")
    assert answer.json["results"][0]["status"] == "stored"
    still_serving(service)


def test_two_threads_posting_overlapping_batches_store_each_event_once(service, unique_id):
    stream = [event(run_id=f"{unique_id[-6:]}-{i % 5}", guide_id=unique_id, step_index=i % 4, step_id=f"s{i % 4}",
                    at=f"2026-11-22T10:{i // 60:02d}:{i % 60:02d}Z") for i in range(300)]
    answers = []

    def send(part):
        for start in range(0, len(part), 50):
            answers.append(service.post(PATH, {"events": part[start:start + 50]}, token="extension"))

    threads = [threading.Thread(target=send, args=(stream[:200],)),
               threading.Thread(target=send, args=(stream[100:],)),
               threading.Thread(target=send, args=(stream[50:250][::-1],))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {answer.status for answer in answers} == {200}
    statuses = [r["status"] for answer in answers for r in answer.json["results"]]
    assert statuses.count("stored") == 300
    assert len(statuses) == 200 + 200 + 200
    report = service.get(f"/api/v1/reports/guides/{unique_id}?now=2026-11-22T10:10:00Z", token="admin")
    if report.status == 200:  # once the report endpoint exists: 5 runs, each reached every step
        assert report.json["runs"] == 5
        assert [step["reached"] for step in report.json["steps"]] == [5, 5, 5, 5]


def test_export_pages_events_in_arrival_order_for_admins_only(service):
    """GET /api/v1/events/export: every event once, in order, a page after a cursor."""
    # A random hour of the 2010s: no other test's events are there, and ingest takes it.
    hour = f"201{uuid.uuid4().int % 10}-0{uuid.uuid4().int % 9 + 1}-1{uuid.uuid4().int % 9}T{uuid.uuid4().int % 24:02d}"
    sent = [event(run_id=f"export-{n}", at=f"{hour}:00:{n:02d}Z") for n in range(10)]
    for start in (0, 4, 7):
        service.post(PATH, {"events": sent[start:{0: 4, 4: 7, 7: 10}[start]]}, token="extension")
    query = f"since={hour}:00:00Z&until={hour}:59:59Z&limit=3"
    seen, cursor = [], ""
    while True:
        page = service.get(f"{PATH}/export?{query}{cursor}")
        assert page.status == 200, page.text
        assert EventExportPageSchema().validate(page.json) == {}  # the OpenAPI answer says what it is
        seen += [e["id"] for e in page.json["events"]]
        if not page.json["more"]:
            break
        cursor = f"&cursor={page.json['next_cursor']}"
    assert seen == [e["id"] for batch in (sent[:4], sent[4:7], sent[7:]) for e in sorted(batch, key=lambda e: e["id"])]
    assert service.get(f"{PATH}/export?cursor=nonsense").json["error"]["details"][0]["path"] == "cursor"
    assert service.get(f"{PATH}/export?{query}&cursor=99999999999").json["events"] == []
    assert service.get(f"{PATH}/export?limit=0").status == 400
    assert service.get(f"{PATH}/export", token="extension").status == 403
