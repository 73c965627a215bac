"""Rules every schema shares: text, nesting depth, integers, times and days (docs/reports.md "Limits").

A new document kind or event picks them up by deriving its schemas from
``SafeSchema`` (the text and depth rules, checked on the whole input, keys
included, before any field) and by declaring its numbers with ``integer`` and
its times with ``Timestamp`` / ``Day``. The rules:

- **Text**: no string the service accepts (values, field names, path ids,
  query parameters) may hold U+0000 (PostgreSQL cannot store it) or a lone
  surrogate (U+D800-U+DFFF: not Unicode text, no store can encode it). Such
  input is refused with a 4xx naming the field; nothing is silently replaced.
- **Depth**: JSON nested deeper than ``MAX_JSON_DEPTH`` levels is refused.
- **Integers**: every integer has bounds, at most a signed 64-bit one, so no
  number reaches a store that cannot hold it.
- **Times**: ISO 8601 with a zone whose offset is at most ``MAX_UTC_OFFSET``,
  no earlier than ``EARLIEST_TIME`` and no later than ``FUTURE_SLACK`` ahead of
  the server clock. **Days** (report ranges): ``EARLIEST_DAY`` to ``LATEST_DAY``.
"""
import re
from datetime import date, datetime, timedelta, timezone

from marshmallow import Schema, ValidationError, fields, validate

MAX_JSON_DEPTH = 32
INT64_MAX = 2 ** 63 - 1
INT64_MIN = -(2 ** 63)
EARLIEST_TIME = datetime(2000, 1, 1)
LATEST_TIME = datetime(9998, 12, 31, 23, 59, 59, 999999)
FUTURE_SLACK = timedelta(days=3)
# Real zones run from UTC-12:00 to UTC+14:00.
MAX_UTC_OFFSET = timedelta(hours=14)
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2999, 12, 31)

_UNSAFE_CHARACTER = re.compile("[\x00\ud800-\udfff]")
# What the OpenAPI document states: the text rule as a pattern (no NUL). Lone surrogates are
# in words only: no JSON Schema tool reads a surrogate range in a pattern alike (schemathesis
# dropped the whole pattern), and a string holding one is not Unicode text anyway.
TEXT_PATTERN = r"^[^\u0000]*$"
# Years 2000 to 9998: the clock-relative upper bound of event times is only in words.
TIME_PATTERN = (r"^([2-8]\d{3}|9[0-8]\d{2}|99[0-8]\d|999[0-8])-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"
                r"(\.\d{1,6})?(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)$")
DAY_PATTERN = r"^2\d{3}-\d{2}-\d{2}$"
# ISO 8601 with a zone: 2026-11-22T10:31:07.123Z or ...+02:00
ISO_WITH_ZONE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")


# The first character of a text breaking the text rule, or None: for code checking many strings.
find_unsafe_character = _UNSAFE_CHARACTER.search


def text_problem(text):
    """Why ``text`` breaks the text rule, or None when it is fine."""
    found = _UNSAFE_CHARACTER.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain the NUL character (U+0000)"
    return (f"must not contain a lone surrogate (U+{ord(found.group()):04X}): "
            "send well-formed Unicode text")


def printable(text):
    """``text`` with NUL and lone surrogates written as ``\\uXXXX``, to name a bad field safely."""
    return _UNSAFE_CHARACTER.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def input_problems(value, max_depth=MAX_JSON_DEPTH):
    """marshmallow-style messages for every text-rule or depth problem in parsed JSON, ``{}`` if none.

    Walked with a stack, not recursion, so any depth is safe to look at.
    """
    messages = {}
    pending = [((), value, 1)]
    while pending:
        path, item, depth = pending.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                _put(messages, path, problem)
        elif isinstance(item, (dict, list)):
            if depth > max_depth:
                _put(messages, path, f"nests deeper than {max_depth} levels")
                continue
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                if isinstance(key, str) and text_problem(key):
                    _put(messages, path + (printable(key),), f"the field name {text_problem(key)}")
                    continue
                pending.append((path + (key,), child, depth + 1))
    return messages


def _put(messages, path, message):
    """Add ``message`` at ``path`` in marshmallow's nested form ({"a": {0: {"b": [msg]}}})."""
    if not path:
        messages.setdefault("_schema", []).append(message)
        return
    node = messages
    for part in path[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):  # a message already there: keep the first
            return
        node = child
    leaf = node.setdefault(path[-1], [])
    if isinstance(leaf, list):
        leaf.append(message)


def too_deep(value, max_depth=MAX_JSON_DEPTH):
    """True when parsed JSON nests deeper than ``max_depth`` containers."""
    if not isinstance(value, (dict, list)):
        return False
    # Level by level, and only containers are kept: the scalars, most of a body, are looked
    # at once (a batch of 50 events has some 600).
    level, depth = [value], 1
    while level:
        if depth > max_depth:
            return True
        below = []
        for item in level:
            for child in item.values() if isinstance(item, dict) else item:
                if isinstance(child, (dict, list)):
                    below.append(child)
        level, depth = below, depth + 1
    return False


class SafeSchema(Schema):
    """A schema that applies the text and depth rules to its whole input before any field."""

    def load(self, data, *args, **kwargs):
        problems = input_problems(data)
        if problems:
            raise ValidationError(problems)
        return super().load(data, *args, **kwargs)


def integer(minimum=0, maximum=INT64_MAX, **kwargs):
    """An integer field bounded to ``[minimum, maximum]`` (never wider than 64 bits)."""
    minimum, maximum = max(minimum, INT64_MIN), min(maximum, INT64_MAX)
    return fields.Integer(validate=validate.Range(
        min=minimum, max=maximum, error=f"must be a whole number from {minimum} to {maximum}"),
        **kwargs)


def _utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Timestamp(fields.Field):
    """ISO 8601 with a zone (``Z`` or an offset); loaded as naive UTC, like every stored time.

    Bounded: offset at most ``MAX_UTC_OFFSET``, time from ``EARLIEST_TIME`` to ``FUTURE_SLACK``
    ahead of the server clock (a device clock a little ahead is fine; a year-1 or year-9999
    time is a bug that would break date arithmetic). ``clock_bound=False`` (a report's
    ``now``, which may look ahead) bounds it by ``LATEST_TIME`` instead.
    """

    default_error_messages = {
        "invalid": "must be an ISO 8601 time with a zone, like 2026-11-22T10:31:07.123Z",
        "offset": "must have a UTC offset of at most 14:00 (a real time zone)",
        "range": "must be from 2000-01-01T00:00:00Z to {latest}",
    }

    def __init__(self, clock_bound=True, **kwargs):
        self.clock_bound = clock_bound
        latest = "3 days ahead of the server's clock" if clock_bound else "9998-12-31T23:59:59Z"
        metadata = {"pattern": TIME_PATTERN, "description": (
            f"ISO 8601 with a zone, from 2000-01-01T00:00:00Z to {latest}, "
            "offset at most 14:00"), **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _latest(self):
        return _utcnow() + FUTURE_SLACK if self.clock_bound else LATEST_TIME

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not ISO_WITH_ZONE.match(value):
            raise self.make_error("invalid")
        if value[-1] == "Z":  # what clients send: already UTC, nothing to convert
            try:
                moment = datetime.fromisoformat(value[:-1])
            except ValueError:
                raise self.make_error("invalid") from None
        else:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                raise self.make_error("invalid") from None
            if abs(moment.utcoffset()) > MAX_UTC_OFFSET:
                raise self.make_error("offset")
            try:
                moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
            except OverflowError:  # an offset pushing year 1 or 9999 out of range
                raise self._range_error() from None
        if not EARLIEST_TIME <= moment <= self._latest():
            raise self._range_error()
        return moment

    def _range_error(self):
        shown = (f"3 days ahead of the server's clock ({self._latest().isoformat(timespec='seconds')}Z)"
                 if self.clock_bound else "9998-12-31T23:59:59Z")
        return self.make_error("range", latest=shown)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.isoformat(timespec="milliseconds") + "Z"


class Day(fields.Date):
    """A UTC day, YYYY-MM-DD, from ``EARLIEST_DAY`` to ``LATEST_DAY``."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", metadata={"pattern": DAY_PATTERN}, validate=validate.Range(
            min=EARLIEST_DAY, max=LATEST_DAY,
            error=f"must be a day from {EARLIEST_DAY} to {LATEST_DAY}"), **kwargs)
