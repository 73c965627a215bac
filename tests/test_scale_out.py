"""Several `waymark serve` processes against one database behave as one service.

The contract's scale-out story is stateless app servers behind a load balancer,
so nothing that matters may live only in one process's memory: the catalogue
(and its ETag), event idempotence, the reports, and dashboard sessions. Two
real server processes share one database of each store; a client talks to
either, as a load balancer would send it.
"""
import threading
import uuid

import pytest
from tests.harness import start_service, stop_service
from tests.test_api_guides import make_guide
from tests.test_dashboard import Visitor
from tests.test_reports import stream


@pytest.fixture(scope="module")
def pair(store, make_database_url):
    """Two service processes on one fresh database; their tokens work on both."""
    url = make_database_url(store)
    first = start_service(url)
    second = start_service(url)
    yield first, second
    stop_service(second)
    stop_service(first)


def served(service, role="extension"):
    answer = service.get("/api/v1/guides", token=role)
    assert answer.status == 200, answer.text
    return {guide["id"]: guide["version"] for guide in answer.json["guides"]}, answer.headers["ETag"]


def test_a_token_made_for_one_process_works_on_the_other(pair):
    first, second = pair
    assert second.get("/api/v1/guides", token=first.tokens["extension"]).status == 200
    assert first.get("/api/v1/guides", token=second.tokens["extension"]).status == 200


def test_publishing_through_one_process_is_served_by_the_other_at_once(pair, unique_id):
    first, second = pair
    served(second)  # warm the second process's catalogue cache before the change
    assert first.put(f"/api/v1/guides/{unique_id}", make_guide(unique_id), token="author").status == 201
    versions, etag = served(second)
    assert versions[unique_id] == 1
    assert served(first)[1] == etag, "both processes must agree on the ETag of the same catalogue"

    changed = make_guide(unique_id, title="Renamed")
    assert second.put(f"/api/v1/guides/{unique_id}", changed, token="author").status == 201
    assert served(first)[0][unique_id] == 2
    revalidated = first.get("/api/v1/guides", token="extension", headers={"If-None-Match": etag})
    assert revalidated.status == 200, "an ETag from before the change must not give 304"

    assert first.post(f"/api/v1/guides/{unique_id}/archive", token="author").status == 200
    assert unique_id not in served(second)[0]


def test_the_same_events_sent_to_both_processes_at_once_are_stored_once(pair, unique_id):
    first, second = pair
    assert first.put(f"/api/v1/guides/{unique_id}", make_guide(unique_id), token="author").status == 201
    events = stream(guide_id=unique_id, prefix=uuid.uuid4().hex[:8] + "-")
    batches = [events[start:start + 50] for start in range(0, len(events), 50)]
    statuses = {first.base_url: [], second.base_url: []}

    def send(service):
        for batch in batches:
            answer = service.post("/api/v1/events", {"events": batch}, token="extension")
            assert answer.status == 200, answer.text
            statuses[service.base_url].extend(result["status"] for result in answer.json["results"])

    threads = [threading.Thread(target=send, args=(service,)) for service in pair]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Every event was stored by exactly one of the two processes; the other saw a duplicate.
    both = statuses[first.base_url] + statuses[second.base_url]
    assert both.count("stored") == len(events)
    assert both.count("duplicate") == len(events)
    path = f"/api/v1/reports/guides/{unique_id}?now=2026-11-23T12:00:00Z"
    report_first, report_second = first.get(path).json, second.get(path).json
    assert report_first == report_second
    assert report_first["runs"] == len({event["run_id"] for event in events})


def test_a_dashboard_session_is_valid_on_every_process_until_signed_out(pair):
    first, second = pair
    visitor = Visitor(first)
    status, _, body = visitor.sign_in(first.tokens["admin"])
    assert status == 303, body
    visitor.service = second  # the load balancer sends the next request elsewhere
    assert visitor.get("/dashboard/")[0] == 200
    status, _, _ = visitor.post("/dashboard/sign-out", {"csrf_token": visitor.csrf("/dashboard/")})
    assert status == 303
    visitor.service = first
    status, headers, _ = visitor.get("/dashboard/")
    assert status == 303 and "/dashboard/sign-in" in headers["Location"]
