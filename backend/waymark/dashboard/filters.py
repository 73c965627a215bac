"""The filters of the dashboard's pages, read from the URL so a view can be shared.

``from``/``to`` are UTC days, both inclusive. Absent from the URL, the range is
the last DEFAULT_DAYS days; present but empty, that end is open ("All time" is
``from=&to=``). A bad value is refused with a 400 naming the parameter.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from flask import request
from marshmallow import EXCLUDE, ValidationError, fields, validate

from ..errors import ApiError, details_from_messages
from ..models import utcnow
from ..schemas.fields import integer
from ..schemas.report import DateRangeSchema

DEFAULT_DAYS = 30


class _RangeSchema(DateRangeSchema):
    class Meta:
        # Pages tolerate extra parameters (tracking tags in a pasted link); the API does not.
        unknown = EXCLUDE


class _ReportSchema(_RangeSchema):
    version = integer(minimum=1, load_default=None)
    role = fields.String(load_default=None, validate=validate.Length(min=1, max=100))


@dataclass(frozen=True)
class Filters:
    date_from: date | None
    date_to: date | None
    version: int | None = None
    role: str | None = None

    def report_args(self):
        """Keyword arguments of reports.guides.guide_report."""
        return {"version": self.version, "date_from": self.date_from, "date_to": self.date_to,
                "role": self.role}

    def query(self):
        """The URL parameters that show exactly this view (dates spelt out, so a link stays put)."""
        params = {"from": _day(self.date_from), "to": _day(self.date_to)}
        if self.version is not None:
            params["version"] = self.version
        if self.role is not None:
            params["role"] = self.role
        return params

    def range_query(self):
        return {"from": _day(self.date_from), "to": _day(self.date_to)}


def _day(value):
    return value.isoformat() if value else ""


def today():
    return utcnow().date()


def default_range():
    end = today()
    return end - timedelta(days=DEFAULT_DAYS - 1), end


def preset_ranges():
    """Links offered above every page: (label, from, to)."""
    end = today()
    presets = [(f"Last {days} days", (end - timedelta(days=days - 1)).isoformat(), end.isoformat())
               for days in (7, 30, 90)]
    return presets + [("All time", "", "")]


def _load(schema):
    """The page's parameters, blanks dropped; raises ApiError 400 naming the bad one."""
    raw = {key: value.strip() for key, value in request.args.items() if value.strip()}
    try:
        return schema.load(raw)
    except ValidationError as error:
        detail = details_from_messages(error.messages)[0]
        raise ApiError(400, "invalid_query", f"Bad filter {detail['path']!r}: {detail['message']}",
                       path=detail["path"]) from None


def _with_default_range(loaded):
    if "from" not in request.args and "to" not in request.args:
        loaded["date_from"], loaded["date_to"] = default_range()
    return loaded


def range_filters():
    """The date range of the guide list and the broken-targets page."""
    loaded = _with_default_range(_load(_RangeSchema()))
    return Filters(loaded["date_from"], loaded["date_to"])


def report_filters():
    """Version, date range and role of a guide report."""
    loaded = _with_default_range(_load(_ReportSchema()))
    return Filters(loaded["date_from"], loaded["date_to"], loaded["version"], loaded["role"])
