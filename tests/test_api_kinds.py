"""Every document kind through a real ``waymark serve``: published, served with its kind and
rendered bodies, and nudges/surveys only inside their schedule. Both stores."""
import copy
import time
from datetime import datetime, timedelta, timezone

from waymark import catalogue

from .test_schemas_kinds import GUIDE, NUDGE, RESOURCES, SURVEY, TIPS


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def own(document, unique_id, site):
    """``document`` with the test's own id and a match on its own site."""
    mine = copy.deepcopy(document)
    mine["id"] = f"{unique_id}-{document.get('kind', 'guide')}"
    mine["match"] = {"include": [f"https://{site}.example/*"]}
    return mine


def served(service, site, headers=None):
    return service.get(f"/api/v1/guides?url=https://{site}.example/reports/new", token="extension",
                       headers=headers)


def test_every_kind_is_served_with_its_kind_and_rendered_bodies(service, unique_id):
    documents = [own(d, unique_id, unique_id) for d in (GUIDE, TIPS, RESOURCES, SURVEY)]
    nudge = own(NUDGE, unique_id, unique_id)
    nudge.pop("schedule")
    nudge["nudge"]["actions"][0]["start"] = documents[0]["id"]
    for document in [*documents, nudge]:
        answer = service.put(f"/api/v1/guides/{document['id']}", document, token="author")
        assert answer.status == 201, answer.text
    items = {item["kind"]: item for item in served(service, unique_id).json["guides"]}
    assert sorted(items) == ["guide", "nudge", "resources", "survey", "tips"]
    assert items["tips"]["tips"][0]["body_nodes"] == [
        {"tag": "p", "children": ["As on the receipt, e.g. ", {"tag": "strong", "children": ["12.50"]}, "."]}]
    assert "body_nodes" not in items["tips"]["tips"][1]  # no body, nothing rendered
    assert items["nudge"]["nudge"]["body_html"] == "<p>Hotels are capped at <strong>€150</strong> a night.</p>"
    assert items["survey"]["survey"]["scale"] == SURVEY["survey"]["scale"]
    assert items["resources"]["links"] == RESOURCES["links"]
    assert items["guide"]["exit_survey"] == GUIDE["exit_survey"]


def test_publishing_a_nudge_warns_about_a_guide_that_is_not_published(service, unique_id):
    nudge = own(NUDGE, unique_id, unique_id)
    nudge.pop("schedule")
    answer = service.put(f"/api/v1/guides/{nudge['id']}", nudge, token="author")
    assert answer.status == 201
    assert [w["path"] for w in answer.json["warnings"]] == ["nudge.actions[0].start"]
    checked = service.post("/api/v1/guides/validate", nudge, token="author").json
    assert [w["path"] for w in checked["warnings"]] == ["nudge.actions[0].start"]
    assert checked["preview"]["nudge"]["body_nodes"]


def test_a_bad_document_of_a_kind_is_refused_with_every_path(service, unique_id):
    tips = own(TIPS, unique_id, unique_id)
    tips["tips"][1]["validate"]["pattern"] = "(["
    tips["tips"][0]["show"] = "always"
    answer = service.put(f"/api/v1/guides/{tips['id']}", tips, token="author")
    assert answer.status == 422
    assert [d["path"] for d in answer.json["error"]["details"]] == ["tips[0].show", "tips[1].validate.pattern"]


def test_outside_its_schedule_a_nudge_is_not_served_and_the_etag_moves(service, unique_id):
    now = datetime.now(timezone.utc)
    ending = own(NUDGE, unique_id, unique_id)
    ending["id"] += "-ending"
    ending["schedule"] = {"from": iso(now - timedelta(days=1)), "until": iso(now + timedelta(seconds=3))}
    later = own(SURVEY, unique_id, unique_id)
    later["schedule"] = {"from": iso(now + timedelta(days=1))}
    for document in (ending, later):
        assert service.put(f"/api/v1/guides/{document['id']}", document, token="author").status == 201
    first = served(service, unique_id)
    assert [item["id"] for item in first.json["guides"]] == [ending["id"]]
    assert first.json["guides"][0]["schedule"] == ending["schedule"]  # the extension stops at until
    etag = first.headers["ETag"]
    assert served(service, unique_id, {"If-None-Match": etag}).status == 304
    time.sleep(max(0.0, (now + timedelta(seconds=3.2) - datetime.now(timezone.utc)).total_seconds()))
    after = served(service, unique_id, {"If-None-Match": etag})
    assert after.status == 200, "the cached answer outlived the schedule"
    assert after.json["guides"] == []
    assert after.headers["ETag"] != etag


def test_cached_answers_follow_the_clock_across_schedule_boundaries(database):
    start, end = datetime(2026, 12, 1), datetime(2027, 1, 31)
    nudge = {**copy.deepcopy(NUDGE), "schedule": {"from": "2026-12-01T00:00:00Z", "until": "2027-01-31T00:00:00Z"}}
    catalogue.publish(nudge)
    url = "https://expenses.example.com/reports"

    def ids(now):
        return [item["id"] for item in catalogue.matching(url, None, now=now).guides]

    assert ids(start - timedelta(seconds=1)) == []
    assert ids(start) == ["travel-policy-2027"]  # from is inclusive
    assert ids(end - timedelta(microseconds=1)) == ["travel-policy-2027"]
    assert ids(end) == []  # until is not
    assert ids(start + timedelta(days=3)) == ["travel-policy-2027"]
    etags = {catalogue.matching(url, None, now=moment).etag
             for moment in (start - timedelta(days=1), start + timedelta(days=1), end + timedelta(days=1))}
    assert len(etags) == 2  # before and after share "nothing served"; during differs


def test_an_archived_tips_document_is_not_served_and_versions_count_as_for_guides(service, unique_id):
    tips = own(TIPS, unique_id, unique_id)
    assert service.put(f"/api/v1/guides/{tips['id']}", tips, token="author").json["version"] == 1
    tips["tips"][0]["title"] = "Amount (EUR)"
    assert service.put(f"/api/v1/guides/{tips['id']}", tips, token="author").json["version"] == 2
    assert [v["version"] for v in service.get(f"/api/v1/guides/{tips['id']}/versions",
                                              token="author").json["versions"]] == [2, 1]
    assert [item["version"] for item in served(service, unique_id).json["guides"]] == [2]
    assert service.post(f"/api/v1/guides/{tips['id']}/archive", {}, token="author").status == 200
    assert served(service, unique_id).json["guides"] == []


def test_the_openapi_document_names_a_served_schema_for_every_kind(service):
    schemas = service.get("/api/v1/openapi.json", token=None).json["components"]["schemas"]
    assert schemas["ServedList"]["properties"]["guides"]["items"]["$ref"].endswith("/ServedDocument")
    items = schemas["ServedDocument"]["oneOf"]
    assert [ref["$ref"].rsplit("/", 1)[1] for ref in items] == [
        "ServedGuide", "ServedTips", "ServedResources", "ServedNudgeDocument", "ServedSurvey"]
    assert all(ref["$ref"].rsplit("/", 1)[1] in schemas for ref in items)
    assert {"body_nodes", "body_html"} <= set(schemas["ServedTip"]["properties"])
    assert "schedule" in schemas["ServedNudgeDocument"]["properties"]
