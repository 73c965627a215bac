"""How a target was found: ``matched_by`` on step_shown, the degraded-targets report, and
adopting a healed target (API, command line, dashboard button)."""
import uuid

import pytest

from tests.folded import ingest_batch
from tests.test_api_guides import make_guide
from tests.test_dashboard import Visitor
from waymark.models import Event
from waymark.reports.targets import degraded_targets
from waymark.schemas.event import validate_events

HEALED = {"selector": "[data-action=new-expense]", "text": "New expense",
          "describe": {"v": 1, "tag": "button", "attrs": {"data-action": "new-expense"},
                       "role": "button", "name": "New expense", "text": "New expense",
                       "path": [{"tag": "nav", "attrs": {"aria-label": "Main"}}],
                       "siblings": ["Reports"]}}


def shown(guide_id="g", step_id="start", index=0, matched_by=None, at="2026-11-22T10:00:00Z",
          version=1, **fields):
    event = {"id": uuid.uuid4().hex, "type": "step_shown", "guide_id": guide_id,
             "guide_version": version, "step_id": step_id, "step_index": index,
             "run_id": uuid.uuid4().hex, "user": "u1", "url": "https://app.example.com/list?q=1",
             "at": at}
    if matched_by:
        event["matched_by"] = matched_by
    event.update(fields)
    return event


def healed(score=0.82, target=HEALED, **kwargs):
    return shown(matched_by="healed", score=score, healed_target=target, **kwargs)


def errors_of(event):
    [(_, messages)] = validate_events([event])
    return messages


@pytest.mark.parametrize("event, messages", [
    (shown(matched_by="selector"), None),
    (shown(matched_by="fallback"), None),
    (healed(), None),
    (shown(), None),  # an older extension says nothing: still fine
    (shown(matched_by="guessed"), {"matched_by": ["Must be one of: selector, fallback, healed."]}),
    (shown(matched_by="healed"), {"score": ["required when matched_by is healed"]}),
    (shown(matched_by="selector", score=0.5), {"score": ["only when matched_by is healed"]}),
    (healed(score=1.5), {"score": ["Must be greater than or equal to 0 and less than or equal to 1."]}),
    (dict(shown(matched_by="selector"), type="step_completed"), "matched_by"),
    (dict(shown(), type="target_missing", candidates=[{"score": 0.7, "label": "button “Save”"}]), None),
    (dict(shown(), candidates=[{"score": 0.7}]), {"candidates": ["only a target_missing event lists candidates"]}),
])
def test_matched_by_rules(event, messages):
    found = errors_of(event)
    if isinstance(messages, str):
        assert messages in found
    else:
        assert found == messages


@pytest.mark.parametrize("target", [{"selector": "#x", "describe": {"v": 2, "tag": "a"}},
                                    {"selector": "a[", "describe": {"v": 1, "tag": "a"}}, "junk"])
def test_a_healed_target_the_service_cannot_read_is_dropped_not_the_event(target):
    [(event, messages)] = validate_events([healed(target=target)])
    assert messages is None and event["matched_by"] == "healed" and event["healed_target"] is None


def test_ingest_keeps_how_the_target_was_found(database):
    ingest_batch([healed(id="h1"), shown(id="s1", matched_by="selector"), shown(id="o1")])
    assert Event.get_by_id("h1").matched_by == "healed" and Event.get_by_id("h1").match_score == 0.82
    assert '"healed_target"' in Event.get_by_id("h1").detail
    assert Event.get_by_id("s1").matched_by == "selector"
    assert Event.get_by_id("o1").matched_by is None


def test_degraded_targets_most_first_with_the_latest_candidate(database):
    ingest_batch([healed(step_id="start", at="2026-11-20T09:00:00Z", score=0.7),
                  healed(step_id="start", at="2026-11-22T11:00:00Z", score=0.9),
                  shown(step_id="start", matched_by="fallback", at="2026-11-21T10:00:00Z"),
                  shown(step_id="pick", index=1, matched_by="fallback", at="2026-11-22T10:00:00Z"),
                  shown(step_id="fine", index=2, matched_by="selector"),
                  shown(step_id="old", index=3)])
    first, second = degraded_targets()
    assert first == {
        "guide_id": "g", "guide_version": 1, "step_id": "start", "step_index": 0, "count": 3,
        "fallback": 1, "healed": 2, "urls": ["https://app.example.com/list"],
        "first_seen": "2026-11-20T09:00:00.000Z", "last_seen": "2026-11-22T11:00:00.000Z",
        "matched_by": "healed", "score": 0.9, "candidate": HEALED}
    assert (second["step_id"], second["count"], second["matched_by"], second["candidate"]) == (
        "pick", 1, "fallback", None)
    assert [d["step_id"] for d in degraded_targets(date_from=_day("2026-11-22"))] == ["start", "pick"]
    assert degraded_targets(date_to=_day("2026-11-19")) == []
    assert len(degraded_targets(limit=1)) == 1


def _day(text):
    from datetime import date
    return date.fromisoformat(text)


# -- through the service ----------------------------------------------------------

def send(service, events):
    answer = service.post("/api/v1/events", {"events": events}, token="extension")
    assert answer.status == 200, answer.text
    assert {r["status"] for r in answer.json["results"]} == {"stored"}, answer.text


def test_the_report_endpoint_adds_degraded_beside_broken(service, unique_id):
    send(service, [healed(guide_id=unique_id)])
    answer = service.get("/api/v1/reports/broken-targets?limit=1000").json
    assert set(answer) == {"broken_targets", "degraded"}
    [mine] = [d for d in answer["degraded"] if d["guide_id"] == unique_id]
    assert mine["healed"] == 1 and mine["candidate"] == HEALED


def test_adopting_a_healed_target_publishes_a_version_with_it(service, unique_id):
    assert service.put(f"/api/v1/guides/{unique_id}", make_guide(unique_id), token="author").status == 201
    adopt = f"/api/v1/guides/{unique_id}/steps/start/adopt-target"
    never = service.post(adopt, token="author")
    assert never.status == 409 and never.json["error"]["code"] == "nothing_to_adopt"

    send(service, [healed(guide_id=unique_id)])
    assert service.post(adopt, token="extension").status == 403
    done = service.post(adopt, token="author")
    assert done.status == 201, done.text
    assert done.json["version"] == 2 and done.json["target"] == HEALED
    latest = service.get(f"/api/v1/guides/{unique_id}", token="author").json
    assert latest["version"] == 2 and latest["steps"][0]["target"] == HEALED
    assert latest["steps"][1] == make_guide(unique_id)["steps"][1], "other steps are kept"
    assert service.post(adopt, token="author").status == 200, "adopting again changes nothing"

    assert service.post(f"/api/v1/guides/{unique_id}/steps/nope/adopt-target",
                        token="author").status == 409
    assert service.post("/api/v1/guides/no-such-guide/steps/start/adopt-target",
                        token="author").status == 404


def test_adopt_target_command(service, unique_id):
    assert service.put(f"/api/v1/guides/{unique_id}", make_guide(unique_id), token="author").status == 201
    missing = service.cli("guides", "adopt-target", unique_id, "start", check=False)
    assert missing.returncode == 1 and "never shown by healing" in missing.stderr
    send(service, [healed(guide_id=unique_id)])
    done = service.cli("guides", "adopt-target", unique_id, "start")
    assert f"{unique_id} v2 published" in done.stdout and HEALED["selector"] in done.stdout


def test_the_dashboard_lists_degraded_targets_and_adopts_one(service, unique_id):
    assert service.put(f"/api/v1/guides/{unique_id}", make_guide(unique_id), token="author").status == 201
    send(service, [healed(guide_id=unique_id, score=0.77)])
    visitor = Visitor(service)
    assert visitor.sign_in(service.tokens["admin"])[0] == 303
    status, _, page = visitor.get("/dashboard/broken-targets")
    assert status == 200 and 'data-testid="degraded-targets"' in page
    assert HEALED["selector"].replace('"', "&#34;") in page or HEALED["selector"] in page
    assert "(0.77)" in page
    token = visitor.csrf("/dashboard/broken-targets")
    status, headers, _ = visitor.post(f"/dashboard/guides/{unique_id}/steps/start/adopt-target",
                                      {"csrf_token": token})
    assert status == 303 and "adopted=" in headers["Location"]
    latest = service.get(f"/api/v1/guides/{unique_id}", token="author").json
    assert latest["version"] == 2 and latest["steps"][0]["target"]["selector"] == HEALED["selector"]
    refused = visitor.post(f"/dashboard/guides/{unique_id}/steps/start/adopt-target",
                           {"csrf_token": "forged"})
    assert refused[0] == 400


def test_broken_targets_carry_the_refused_candidates_of_the_latest_miss(database):
    from waymark.reports.targets import broken_targets
    miss = dict(shown(), type="target_missing", at="2026-11-22T10:00:00Z",
                candidates=[{"score": 0.7, "label": "button.btn"}, {"score": 0.69, "label": "button.btn"}])
    older = dict(shown(run_id="r0"), type="target_missing", at="2026-11-22T09:00:00Z")
    ingest_batch([miss, older, dict(shown(step_id="plain", index=4), type="target_missing")])
    found = {b["step_id"]: b for b in broken_targets()}
    assert found["start"]["candidates"] == miss["candidates"]
    assert found["plain"]["candidates"] == []
