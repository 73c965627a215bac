"""The event schema: each event validated on its own, with the path of every problem."""
from datetime import datetime

import pytest
from marshmallow import ValidationError

from waymark.schemas.event import load_batch, validate_events

GOOD = {"id": "0b6c-1", "type": "step_shown", "guide_id": "submit-expense", "guide_version": 3,
        "step_id": "amount", "step_index": 1, "run_id": "run-1", "user": "u-9",
        "url": "https://expenses.example.com/reports/new", "at": "2026-11-22T10:31:07.123Z",
        "duration_ms": 5400}


def check(event):
    [(loaded, messages)] = validate_events([event])
    return loaded, messages


def test_good_event_loads_with_time_as_naive_utc():
    loaded, messages = check(GOOD)
    assert messages is None
    assert loaded["at"] == datetime(2026, 11, 22, 10, 31, 7, 123000)
    assert check(dict(GOOD, at="2026-11-22T12:31:07+02:00"))[0]["at"] == datetime(2026, 11, 22, 10, 31, 7)


@pytest.mark.parametrize("change, path", [
    ({"type": "step_exploded"}, "type"),
    ({"guide_version": "3"}, "guide_version"),
    ({"guide_version": 0}, "guide_version"),
    ({"step_index": -1}, "step_index"),
    ({"step_index": 1.5}, "step_index"),
    ({"at": "2026-11-22 10:31:07"}, "at"),
    ({"at": "2026-11-22T10:31:07"}, "at"),
    ({"at": "yesterday"}, "at"),
    ({"id": "x" * 65}, "id"),
    ({"id": "a b"}, "id"),
    ({"user": ""}, "user"),
    ({"url": "https://e.com/" + "a" * 10000}, "url"),
    ({"step_id": None}, "step_id"),
    ({"duration_ms": True}, "duration_ms"),
    ({"reason": "escape"}, "reason"),
])
def test_bad_field_rejects_the_event_with_its_path(change, path):
    loaded, messages = check({**GOOD, **change})
    assert loaded is None
    assert path in messages


def test_missing_required_fields_are_all_reported():
    _, messages = check({"type": "guide_started"})
    assert {"id", "guide_id", "guide_version", "run_id", "user", "at"} <= set(messages)


def test_dismissal_needs_a_known_reason():
    dismissed = {**GOOD, "type": "guide_dismissed"}
    assert "reason" in check(dismissed)[1]
    assert "reason" in check({**dismissed, "reason": "bored"})[1]
    assert check({**dismissed, "reason": "escape"})[0]["reason"] == "escape"


def test_target_missing_carries_selectors_and_wait():
    missing = {**GOOD, "type": "target_missing", "wait_ms": 5000,
               "selectors": [{"selector": "#new", "matches": 0}, {"selector": "button", "matches": 3}]}
    loaded, _ = check(missing)
    assert loaded["selectors"][1] == {"selector": "button", "matches": 3}
    _, messages = check({**missing, "selectors": [{"selector": "x" * 10000, "matches": 0}]})
    assert "selectors" in messages
    _, messages = check({**missing, "selectors": [{"selector": "#a", "matches": "none"}]})
    assert messages == {"selectors": {0: {"matches": ["Not a valid integer."]}}}


def test_unknown_small_fields_are_kept_as_extra_and_big_ones_reject():
    loaded, _ = check({**GOOD, "client_version": "1.2.0"})
    assert loaded["extra"] == {"client_version": "1.2.0"}
    assert "extra" not in check(GOOD)[0]
    _, messages = check({**GOOD, "blob": "x" * 5000})
    assert messages is not None


def test_not_an_object_is_rejected():
    assert check("hello")[1] == {"_schema": ["Invalid input type."]}


def test_batch_envelope():
    assert load_batch({"events": [1, 2]}, 500) == [1, 2]
    for bad in ({}, {"events": {}}, [], "x"):
        with pytest.raises(ValidationError):
            load_batch(bad, 500)
    with pytest.raises(ValidationError) as error:
        load_batch({"events": [{}] * 3}, 2)
    assert "at most 2" in str(error.value.messages)


# -- the fast path is held to the schema -------------------------------------------

ODD_VALUES = [None, "", " ", "a\x00b", "\u202e", "x" * 65, "x" * 101, "x" * 5000, "a b", "é", 0, -1, 1, 3, 1001, 2_000_000_001,
              1.0, 1.5, True, False, "3", [], {}, "2026-11-22T10:31:07Z", "2026-11-22T10:31:07",
              "2026-13-40T10:31:07Z", "escape", "bored", "step_completed", "guide_dismissed"]


def corpus():
    """Good events of every type and each of them broken one field at a time, every way."""
    good = [dict(GOOD, type=kind) for kind in ("step_shown", "step_completed", "step_back", "target_missing")]
    good += [{k: v for k, v in GOOD.items() if k not in ("step_id", "step_index", "duration_ms")} | {"type": kind}
             for kind in ("guide_started", "guide_completed")]
    good += [dict(GOOD, type="guide_dismissed", reason="escape"), dict(GOOD, role="sales", wait_ms=10, url=None)]
    events = list(good)
    for event in good:
        for name in list(event) + ["role", "reason", "wait_ms", "selectors", "extra", "unknown"]:
            events.append({k: v for k, v in event.items() if k != name})
            events += [dict(event, **{name: value}) for value in ODD_VALUES]
    return events + ["x", 3, None, [GOOD]]


def test_the_fast_path_accepts_only_what_the_schema_loads_and_loads_it_the_same():
    from waymark.schemas.event import _event_schema, fast_load
    accepted = 0
    for raw in corpus():
        fast = fast_load(raw)
        if fast is None:
            continue
        accepted += 1
        assert fast == _event_schema.load(raw), raw  # raises if the schema would reject it
    # …and it does take the common events, or it would be pointless.
    assert accepted > 100
    assert fast_load(GOOD) is not None and fast_load(dict(GOOD, type="guide_started")) is not None
