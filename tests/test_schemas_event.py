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


@pytest.mark.parametrize("batch", [
    {"events": []}, {"events": [GOOD, "x", None, [1]]}, {"events": [None]}, {"events": [1], "client": "2.0"},
    {"events": [1], "client": {"deep": [[[]]]}}, {"events": None}, {"events": "x"}, {"events": {"0": GOOD}},
    {"events": (GOOD,)}, {"event": [GOOD]}, {}, [GOOD], None, 3])
def test_the_batch_envelope_loads_as_its_schema_does(batch):
    from waymark.schemas.event import _batch_schema
    try:
        expected = _batch_schema.load(batch)["events"]
    except ValidationError as error:
        with pytest.raises(ValidationError) as raised:
            load_batch(batch, 500)
        assert raised.value.messages == error.messages
    else:
        loaded = load_batch(batch, 500)
        assert loaded == expected and loaded is not batch["events"]
    with pytest.raises(ValidationError) as error:
        load_batch({"events": [{}] * 3}, 2)
    assert "at most 2" in str(error.value.messages)


# -- the fast path is held to the schema -------------------------------------------

ODD_VALUES = [None, "", " ", "a\x00b", "\x00", "a\ud800b", "\udfff", "\ud83d\ude00", "😀", "\u202e",
              "x" * 65, "x" * 101, "x" * 201, "x" * 501, "x" * 5000, "a b", "é", 0, -1, 1, 2, 3, 10, 11, 101,
              1001, 100001, 2_000_000_001, 2 ** 63, -2 ** 63 - 1, 10 ** 400, 1.0, 0.5, 1.5, -0.0,
              float("nan"), float("inf"), True, False, "3", "0.5", [], {}, [{}], [None],
              "2026-11-22T10:31:07Z", "2026-11-22T10:31:07", "2026-13-40T10:31:07Z", "escape", "bored",
              "selector", "healed", "nudge", "step_completed", "guide_dismissed", "panel_search"]
TIMES = ["2026-11-22T10:31:07.1Z", "2026-11-22T10:31:07.123456Z", "2026-11-22T10:31:07.1234567Z",
         "2026-11-22T12:31:07+02:00", "2026-11-22T10:31:07-00:00", "2026-11-22T10:31:07+14:00",
         "2026-11-22T10:31:07+14:01", "2026-11-22T10:31:07-12:00", "2026-11-22T10:31:07+24:00",
         "2026-11-22T10:31:07z", "2026-11-22t10:31:07Z", "1999-12-31T23:59:59Z", "2000-01-01T00:00:00Z",
         "2000-01-01T00:00:00+01:00", "2999-01-01T00:00:00Z", "9999-12-31T23:59:59-13:00",
         "0001-01-01T00:00:00+13:00", "2026-02-30T10:31:07Z", "2026-11-22T24:00:00Z",
         "٢٠٢٦-11-22T10:31:07Z", "2026-11-22T10:31:07.Z", " 2026-11-22T10:31:07Z"]
# Nested values: good, broken, and with a field too many.
NESTED_VALUES = {
    "selectors": [[{"selector": "#go", "matches": 0}] * 20, [{"selector": "#go", "matches": 0}] * 21,
                  [{"selector": "#go"}], [{"selector": "#go", "matches": 0, "more": 1}],
                  [{"selector": "", "matches": 0}], [{"selector": "#go", "matches": True}],
                  [{"selector": "a\x00", "matches": 0}], [{"selector": "#go", "matches": 100001}]],
    "candidates": [[{"score": 0.5}], [{"score": 1, "label": None}], [{"score": 0.5, "label": "x" * 201}],
                   [{"score": 0.5}] * 6, [{"score": float("nan")}], [{"label": "x"}], [{"score": "1"}]],
    "action": [{"index": 0, "label": "Go"}, {"index": 0}, {"index": 101, "label": "Go"},
               {"index": 0, "label": "Go", "more": 1}, {"index": 0, "label": ""}, {"index": 0, "label": "\ud800"}],
    "answer": [{"choice": 0}, {"value": 10}, {"value": 11}, {"choice": 1, "value": 1}, {"choice": None},
               {"choice": 1.0}, {"other": 1}],
    "source": [{"kind": "panel"}, {"kind": "guide", "id": "g"}, {"kind": "guide", "id": None},
               {"kind": "elsewhere"}, {"id": "g"}, {"kind": "tips", "id": ""}, {"kind": "tips", "more": 1}],
    "healed_target": [{"selector": "#x", "describe": {"v": 1, "tag": "a"}}, "junk"],
}
DOC = {"guide_id": "doc", "guide_version": 1, "run_id": "view-1", "user": "u-1"}
ALL_TYPES = [
    dict(GOOD, type="step_shown", matched_by="healed", score=0.8), dict(GOOD, type="step_shown", matched_by="selector"),
    dict(GOOD, type="target_missing", wait_ms=5000, selectors=[{"selector": "#go", "matches": 0}],
         candidates=[{"score": 0.4, "label": "Save"}]),
    dict(GOOD, id="t1", type="tip_shown", step_id="amount", step_index=0, matched_by="fallback"),
    dict(GOOD, type="validation_failed"), dict(GOOD, type="validation_passed"),
    {"id": "n1", "type": "nudge_shown", "at": "2026-11-22T10:00:00Z", **DOC},
    {"id": "n2", "type": "nudge_dismissed", "reason": "close_button", "at": "2026-11-22T10:00:00Z", **DOC},
    {"id": "n3", "type": "nudge_action", "action": {"index": 1, "label": "Read"}, "at": "2026-11-22T10:00:00Z", **DOC},
    {"id": "s1", "type": "survey_shown", "at": "2026-11-22T10:00:00Z", **DOC},
    {"id": "s2", "type": "survey_answered", "answer": {"value": 4}, "text": "Faster",
     "at": "2026-11-22T10:00:00Z", **DOC},
    {"id": "s3", "type": "survey_answered", "text": "Only text", "at": "2026-11-22T10:00:00Z", **DOC},
    {"id": "r1", "type": "resource_opened", "step_index": 1, "at": "2026-11-22T10:00:00Z", **DOC},
    {"id": "p1", "type": "panel_opened", "role": "sales", "url": "https://e.com/", "at": "2026-11-22T10:00:00Z"},
    {"id": "p2", "type": "panel_search", "query": "per diem", "results": 0, "at": "2026-11-22T10:00:00Z"},
    {"id": "p3", "type": "panel_search", "query": "per diem", "results": 2, "user": "u-1",
     "at": "2026-11-22T10:00:00Z"},
    {"id": "g1", "type": "guide_started", "source": {"kind": "nudge", "id": "travel"},
     "at": "2026-11-22T10:00:00Z", **DOC},
]


def good_events():
    good = [dict(GOOD, type=kind) for kind in ("step_shown", "step_completed", "step_back", "target_missing")]
    good += [{k: v for k, v in GOOD.items() if k not in ("step_id", "step_index", "duration_ms")} | {"type": kind}
             for kind in ("guide_started", "guide_completed")]
    good += [dict(GOOD, type="guide_dismissed", reason="escape"), dict(GOOD, role="sales", wait_ms=10, url=None)]
    return good + ALL_TYPES


def corpus():
    """Good events of every type and each of them broken one field at a time, every way:
    every field of the schema (and unknown ones) left out or set to each odd value."""
    from waymark.schemas.event import EventSchema
    names = [*EventSchema().fields, "unknown", "value"]
    events = []
    for event in good_events():
        events.append(event)
        for name in names:
            events.append({k: v for k, v in event.items() if k != name})
            values = ODD_VALUES + NESTED_VALUES.get(name, []) + (TIMES if name == "at" else [])
            events += [dict(event, **{name: value}) for value in values]
    return events + ["x", 3, None, [GOOD]]


def test_the_fast_path_accepts_only_what_the_schema_loads_and_loads_it_the_same():
    from waymark.schemas.event import _event_schema, dropped_fields, fast_load
    accepted = 0
    for raw in corpus():
        fast = fast_load(raw)
        if fast is None:
            continue
        accepted += 1
        assert fast == _event_schema.load(raw), raw  # raises if the schema would reject it
    # …and it does take the common events of every type, or it would be pointless (but not
    # one with a field its type drops: the extension never sends those).
    assert accepted > 1000
    assert [event for event in good_events()
            if fast_load(event) is None and not set(dropped_fields(event)) & event.keys()] == []


def test_the_fast_path_is_made_from_the_schema():
    """A field or rule added to the schema is in the fast path without a line written for it."""
    from marshmallow import ValidationError, fields, validates_schema

    from waymark.schemas import event as module

    class Stricter(module.EventSchema):
        flavour = fields.String(load_default=None, validate=module.validate.OneOf(["plain"]))

        @validates_schema
        def no_guide_called_nope(self, data, **kwargs):
            if data.get("guide_id") == "nope":
                raise ValidationError("not nope", "guide_id")

    load = module._loader_of(Stricter(), filled=("extra",),
                             mirrored=("move_unknown_fields_to_extra", "drop_empty_extra"))
    assert load(dict(GOOD, flavour="plain"))["flavour"] == "plain"
    assert load(GOOD)["flavour"] is None
    for bad in (dict(GOOD, flavour="spicy"), dict(GOOD, guide_id="nope")):
        with pytest.raises(module._Slow):
            load(bad)

    class Processed(module.EventSchema):
        @module.pre_load
        def a_hook_added_later(self, data, **kwargs):
            return data

    # A hook the fast path does not know of: the schema loads every event itself.
    assert module._loader_of(Processed(), filled=("extra",),
                             mirrored=("move_unknown_fields_to_extra", "drop_empty_extra")) is None
    assert module._loader_of(module.EventSchema(), filled=("extra",)) is None


@pytest.mark.parametrize("text, says", [("a\x00b", "NUL"), ("a\ud800b", "lone surrogate (U+D800)")])
@pytest.mark.parametrize("name", ["id", "guide_id", "user", "role", "url", "step_id", "run_id"])
def test_bad_text_is_refused_by_the_schema_with_its_message(name, text, says):
    from waymark.schemas.event import _event_schema, fast_load
    event = dict(GOOD, **{name: text})
    assert fast_load(event) is None
    loaded, messages = check(event)
    with pytest.raises(ValidationError) as error:
        _event_schema.load(event)
    assert loaded is None and messages == error.value.messages
    assert says in messages[name][0]


def test_a_search_is_kept_without_its_user():
    search = {"id": "p1", "type": "panel_search", "query": "per diem", "results": 0,
              "at": "2026-11-22T10:00:00Z"}
    for user in ("u-1", 3, None):
        assert check(dict(search, user=user))[0]["user"] is None
    assert check(dict(search, user="a\x00"))[1] == {"user": ["must not contain the NUL character (U+0000)"]}
    assert check(dict(search, type=[]))[0] is None  # not a type at all: no field to drop
