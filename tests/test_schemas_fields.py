"""The rules every schema shares (schemas/fields.py): times and nesting depth."""
from datetime import datetime, timedelta, timezone

import pytest
from marshmallow import ValidationError

from tests.test_schemas_event import TIMES
from waymark.schemas.fields import MAX_JSON_DEPTH, Timestamp, too_deep


def nested(levels, make):
    value = "leaf"
    for _ in range(levels):
        value = make(value)
    return value


def depth(value):
    """Containers nested in ``value``, counted the plain recursive way."""
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


SHAPES = [lambda inner: [inner], lambda inner: {"k": inner}, lambda inner: [1, "x", {"a": None, "b": inner}]]


@pytest.mark.parametrize("levels", [0, 1, 2, MAX_JSON_DEPTH // 2, MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH,
                                    MAX_JSON_DEPTH + 1, 3 * MAX_JSON_DEPTH])
@pytest.mark.parametrize("make", SHAPES)
def test_too_deep_is_true_past_the_limit_only(levels, make):
    for value in (nested(levels, make), {"events": [{"a": 1}] * 50 + [nested(levels, make)]},
                  [nested(levels, make), {}, []]):
        assert too_deep(value) is (depth(value) > MAX_JSON_DEPTH), value
    assert too_deep([[[]]], max_depth=3) is False and too_deep([[[[]]]], max_depth=3) is True


@pytest.mark.parametrize("value", [None, 3, "x", [], {}, [[]], {"a": {}}])
def test_scalars_and_shallow_values_are_not_too_deep(value):
    assert too_deep(value) is False


def reference(value):
    """What a time in the window loads as: the instant, in naive UTC."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc).replace(tzinfo=None)


@pytest.mark.parametrize("value", TIMES + ["2026-11-22T10:31:07Z", "2026-11-22T10:31:07.5+05:30"])
def test_a_time_loads_as_its_instant_in_utc_or_is_refused(value):
    field = Timestamp()
    try:
        loaded = field.deserialize(value)
    except ValidationError as error:
        [message] = error.messages
        assert message.startswith(("must be an ISO 8601 time", "must have a UTC offset",
                                   "must be from 2000-01-01T00:00:00Z to 3 days ahead of the server's clock ("))
        return
    assert loaded == reference(value) and loaded.tzinfo is None


def test_a_time_past_the_clock_says_the_latest_it_takes():
    later = (datetime.now(timezone.utc) + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(ValidationError) as error:
        Timestamp().deserialize(later)
    [message] = error.value.messages
    assert message.startswith("must be from 2000-01-01T00:00:00Z to 3 days ahead of the server's clock (")
    assert Timestamp(clock_bound=False).deserialize(later) == reference(later)
    with pytest.raises(ValidationError) as error:
        Timestamp(clock_bound=False).deserialize("9999-12-31T23:59:59-13:00")
    assert error.value.messages == ["must be from 2000-01-01T00:00:00Z to 9998-12-31T23:59:59Z"]
