"""Fuzzing the real service on both stores (issue 10): no input gives a 5xx, every error on /api
is the documented JSON, the service agrees with its OpenAPI document, and no stored event can
make a report or a dashboard page fail.

- schemathesis, driven by the service's own /api/v1/openapi.json (hooks and configuration
  in tests/fuzz/), every check but the stateful ones, fixed seed;
- hypothesis, events drawn from the event schema's fields with extreme values mixed in;
- a poison-event table: every field of an event, extreme values.

Bounded for ``make test`` (FUZZ_EXAMPLES cases per operation, HYPOTHESIS_EXAMPLES batches);
``WAYMARK_FUZZ_LONG=1`` runs the long version (500 cases per operation with the coverage phase, 1500 batches)
and prints the number of requests sent.
"""
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.harness import start_service, stop_service
from tests.test_dashboard import Visitor
from waymark.schemas.event import DISMISS_REASONS, EVENT_TYPES, EventSchema

LONG = os.environ.get("WAYMARK_FUZZ_LONG") == "1"
# The coverage phase (boundary values of every constraint) costs ~20 s a store: long run only.
FUZZ_PHASES = "examples,coverage,fuzzing" if LONG else "examples,fuzzing"
FUZZ_EXAMPLES = 500 if LONG else 10
HYPOTHESIS_EXAMPLES = 1500 if LONG else 25
SEED = 20261201
FUZZ_DIR = Path(__file__).parent / "fuzz"
REPO = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def own_service(store, make_database_url):
    """A service of its own: the fuzzers fill it with junk other tests need not see."""
    running = start_service(make_database_url(store))
    yield running
    stop_service(running)


def _still_correct(service):
    """After the fuzzing: ready, and a known run counted exactly."""
    assert service.get("/readyz", token=None).json == {"status": "ok"}
    guide, run = f"after-fuzz-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    events = [{"id": f"{run}-{n}", "type": kind, "guide_id": guide, "guide_version": 1, "run_id": run,
               "user": "u", "at": f"2026-11-22T10:00:0{n}Z"}
              for n, kind in enumerate(("guide_started", "guide_completed"))]
    answer = service.post("/api/v1/events", {"events": events}, token="extension")
    assert [r["status"] for r in answer.json["results"]] == ["stored", "stored"]
    report = service.get(f"/api/v1/reports/guides/{guide}?now=2026-11-22T12:00:00Z").json
    assert (report["runs"], report["completed"], report["completion_rate"]) == (1, 1, 1.0)


def _requests_sent(output):
    found = re.search(r"(\d+) generated", output)
    return int(found.group(1)) if found else 0


def test_the_service_agrees_with_its_openapi_document(own_service, store):
    """schemathesis: no 5xx, no non-JSON error on /api, no answer or status the document does
    not state, no schema-valid request refused and no schema-violating one accepted, 405s with
    Allow, 401s without a token."""
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(FUZZ_DIR / "schemathesis.toml"),
               "run", own_service.base_url + "/api/v1/openapi.json",
               "--checks", "all",
               "--exclude-checks", "use_after_free,ensure_resource_availability,object_level_authorization",
               "-H", f"Authorization: Bearer {own_service.tokens['admin']}",
               "--max-examples", str(FUZZ_EXAMPLES), "--seed", str(SEED),
               "--phases", FUZZ_PHASES, "--suppress-health-check", "all",
               "--request-timeout", "30", "--no-color"]
    environ = dict(os.environ, SCHEMATHESIS_HOOKS="tests.fuzz.hooks", PYTHONPATH=str(REPO))
    finished = subprocess.run(command, env=environ, cwd=REPO, capture_output=True, text=True, timeout=3000)
    if LONG:
        print(f"\n[{store}] schemathesis sent {_requests_sent(finished.stdout)} requests; "
              f"exit {finished.returncode}\n" + finished.stdout[-3000:])
    assert finished.returncode == 0, finished.stdout[-20000:] + finished.stderr[-5000:]
    _still_correct(own_service)


# -- hypothesis: events from the schema's fields, extremes mixed in ----------------------------

TEXT_EXTREMES = st.sampled_from(["", "\u0000", "a\u0000", "\ud800", "x\udfff", "=1+1", "x" * 5000,
                                 "\u202e", "☃" * 300, "<script>alert(1)</script>", "../../etc"])
INT_EXTREMES = st.sampled_from([0, -1, 2 ** 31, 2 ** 63 - 1, 2 ** 63, -(2 ** 63) - 1, 10 ** 30])
TIME_EXTREMES = st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                                 "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59",
                                 "2026-11-22T10:00:00+14:00", "2026-11-22T10:00:00-14:01",
                                 "1999-12-31T23:59:59.999999Z", "2026-02-30T10:00:00Z", "now"])
ANY_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                        | st.text(max_size=20),
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                   max_size=3),
                        max_leaves=8)
GOOD_TIME = st.datetimes(min_value=datetime(2026, 11, 1), max_value=datetime(2026, 11, 30)).map(
    lambda moment: moment.isoformat(timespec="milliseconds") + "Z")


def _field_strategy(name, guide_ids):
    """A value for one event field: usually a good one, sometimes an extreme, sometimes junk."""
    good = {
        "id": st.uuids().map(str), "run_id": st.sampled_from([f"run-{n}" for n in range(6)]),
        "type": st.sampled_from(EVENT_TYPES), "guide_id": st.sampled_from(guide_ids),
        "guide_version": st.integers(1, 3), "step_id": st.sampled_from(["s0", "s1", "=HYPERLINK(1)"]),
        "step_index": st.integers(0, 3), "user": st.text(min_size=1, max_size=20),
        "role": st.sampled_from(["employee", "sales", None]),
        "url": st.sampled_from(["https://app.example.com/a", "https://app.example.com/b?q=1", None]),
        "at": GOOD_TIME, "duration_ms": st.integers(0, 100_000), "reason": st.sampled_from(DISMISS_REASONS),
        "wait_ms": st.integers(0, 10_000),
        "selectors": st.lists(st.fixed_dictionaries({"selector": st.text(min_size=1, max_size=30),
                                                     "matches": st.integers(0, 5)}), max_size=3),
        "matched_by": st.sampled_from(["selector", "fallback", "healed"]),
        "score": st.floats(0, 1), "healed_target": st.fixed_dictionaries({"selector": st.sampled_from(
            ["#amount", "[data-testid=new]", "button.primary"])}),
        "candidates": st.lists(st.fixed_dictionaries({"score": st.floats(0, 1),
                                                      "label": st.text(max_size=20)}), max_size=3),
        # The fields of tips, nudge, survey and help panel events.
        "action": st.fixed_dictionaries({"index": st.integers(0, 4), "label": st.text(min_size=1, max_size=20)}),
        "answer": st.one_of(st.fixed_dictionaries({"choice": st.integers(0, 4)}),
                            st.fixed_dictionaries({"value": st.integers(0, 10)})),
        "text": st.text(max_size=40), "query": st.text(min_size=1, max_size=30), "results": st.integers(0, 5),
        "source": st.fixed_dictionaries({"kind": st.sampled_from(["nudge", "panel"]),
                                         "id": st.sampled_from(guide_ids)}),
    }[name]
    extreme = {"at": TIME_EXTREMES}.get(name, TEXT_EXTREMES | INT_EXTREMES)
    return st.one_of(good, good, good, extreme, ANY_JSON)


def _event_strategy(guide_ids):
    names = [name for name in EventSchema().fields if name != "extra"]
    return st.fixed_dictionaries(
        {}, optional={**{name: _field_strategy(name, guide_ids) for name in names},
                      "unknown_field": ANY_JSON, "\u0000key": ANY_JSON})


def _every_page_answers(service, guide_ids):
    """Every report and dashboard page, for every guide that has events: 200."""
    paths = ["/api/v1/reports/guides", "/api/v1/reports/broken-targets?from=2000-01-01"]
    guide_ids = [quote(guide_id, safe="") for guide_id in guide_ids]
    for guide_id in guide_ids:
        for suffix in ("", ".csv", "?url=https://app.example.com/*", "?from=2000-01-01&to=2999-12-31"):
            paths.append(f"/api/v1/reports/guides/{guide_id}{suffix}")
    for path in paths:
        answer = service.get(path)
        assert answer.status in (200, 404), (path, answer.status, answer.text[:300])
    visitor = Visitor(service)
    visitor.sign_in(service.tokens["admin"])
    pages = ["/dashboard/?from=&to=", "/dashboard/broken-targets?from=&to="]
    pages += [f"/dashboard/guides/{g}{s}" for g in guide_ids for s in ("?from=&to=", "/report.csv?from=&to=")]
    for page in pages:
        status, _, body = visitor.get(page)
        assert status in (200, 404), (page, status, body[:300])


def test_generated_events_never_break_ingest_or_reports(own_service):
    """hypothesis: batches of events drawn field by field from the schema; every answer is
    200 or 422 JSON with a result per event, then every report and page answers."""
    guide_ids = [f"gen-{uuid.uuid4().hex[:6]}-{n}" for n in range(3)]

    @seed(SEED)
    @settings(max_examples=HYPOTHESIS_EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(_event_strategy(guide_ids), min_size=1, max_size=8))
    def post(batch):
        answer = own_service.post("/api/v1/events", {"events": batch}, token="extension")
        assert answer.status in (200, 422), answer.text[:500]
        assert answer.headers["Content-Type"] == "application/json"
        assert len(answer.json["results"]) == len(batch)

    post()
    _every_page_answers(own_service, guide_ids)
    _still_correct(own_service)


# -- poison events: every field, extreme values ---------------------------------------------

EXTREMES = [None, "", "\u0000", "\ud800", "x" * 100_000, 2 ** 64, -(2 ** 63) - 1, 2 ** 63 - 1, -1, 0,
            1.5, 1e308, True, [], {}, [[[[]]]], {"a": {"b": {"c": {}}}}, "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59",
            "2000-01-01T00:00:00+14:00", "=HYPERLINK(\"x\")", "-1", "@x", "\tx", "\rx"]


def _base_events(guide_id, run_id):
    """A run that touches every report: shown, completed (with a time), a miss, a dismissal."""
    base = {"guide_id": guide_id, "guide_version": 1, "run_id": run_id, "user": "u", "role": "employee",
            "url": "https://app.example.com/a"}
    return [{**base, "type": "step_shown", "step_index": 0, "step_id": "s0", "at": "2026-11-22T10:00:00Z"},
            {**base, "type": "step_completed", "step_index": 0, "step_id": "s0", "duration_ms": 500,
             "at": "2026-11-22T10:00:01Z"},
            {**base, "type": "target_missing", "step_index": 1, "step_id": "s1",
             "selectors": [{"selector": "#x", "matches": 0}], "at": "2026-11-22T10:00:02Z"},
            {**base, "type": "guide_dismissed", "step_index": 1, "step_id": "s1", "reason": "escape",
             "at": "2026-11-22T10:00:03Z"}]


@pytest.mark.parametrize("name", [name for name in EventSchema().fields if name != "extra"]
                         + ["unknown_field", "selectors[0].selector", "selectors[0].matches"])
def test_poison_in_any_event_field_is_rejected_or_harmless(own_service, name):
    """For every field, every extreme value: rejected at ingest (with the field's path), or
    stored, and then every report and dashboard page of that guide still answers 200."""
    guide_id = f"poison-{uuid.uuid4().hex[:8]}"
    batch = []
    for n, value in enumerate(EXTREMES):
        for event in _base_events(guide_id, f"run-{uuid.uuid4().hex[:12]}"):
            event = {**event, "id": uuid.uuid4().hex}
            if name.startswith("selectors[0]."):
                event["selectors"] = [{"selector": "#x", "matches": 0, name.split(".")[1]: value}]
            else:
                event[name] = value
            batch.append(event)
    answer = own_service.post("/api/v1/events", {"events": batch}, token="extension")
    assert answer.status in (200, 422), answer.text[:500]
    for event, result in zip(batch, answer.json["results"]):
        if result["status"] == "rejected":
            assert result["errors"], result
    stored_guides = {guide_id} | {e["guide_id"] for e, r in zip(batch, answer.json["results"])
                                  if r["status"] == "stored" and isinstance(e.get("guide_id"), str)}
    _every_page_answers(own_service, sorted(stored_guides))
