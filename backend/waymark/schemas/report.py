"""Query parameters of the report endpoints: typed, bounded, errors named by parameter."""
from marshmallow import RAISE, ValidationError, fields, validate, validates_schema

from .fields import Day, SafeSchema, Timestamp, integer


class DateRangeSchema(SafeSchema):
    """``from`` and ``to``: days (YYYY-MM-DD, UTC, fields.Day's bounds), both inclusive."""

    class Meta:
        unknown = RAISE

    date_from = Day(data_key="from", load_default=None)
    date_to = Day(data_key="to", load_default=None)

    @validates_schema
    def check_order(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("must not be after 'to'", "from")


class GuideReportQuerySchema(DateRangeSchema):
    """``GET /api/v1/reports/guides/<id>``: version, from, to, role, url, now."""

    version = integer(minimum=1, load_default=None)
    role = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    # A prefix, or a glob when it contains * (any run of characters).
    url = fields.String(load_default=None, validate=validate.Length(min=1, max=4096))
    # Report as of this moment (ISO 8601 with a zone): makes "abandoned" reproducible.
    now = Timestamp(clock_bound=False, load_default=None)


class SummariesQuerySchema(DateRangeSchema):
    now = Timestamp(clock_bound=False, load_default=None)


class BrokenTargetsQuerySchema(DateRangeSchema):
    limit = integer(minimum=1, maximum=1000, load_default=100)


class DocumentReportQuerySchema(GuideReportQuerySchema):
    """The report of a document of any kind: the guide report's filters, plus the page of
    free texts (surveys, exit surveys), newest first."""

    page = integer(minimum=1, maximum=1_000_000, load_default=1)
    per_page = integer(minimum=1, maximum=500, load_default=50)


class HelpReportQuerySchema(DateRangeSchema):
    """``GET /api/v1/reports/help?from=&to=``: the help panel over a date range."""

    limit = integer(minimum=1, maximum=1000, load_default=100)


class EventExportQuerySchema(SafeSchema):
    """``GET /api/v1/events/export``: a page of raw events in arrival order after ``cursor``."""

    class Meta:
        unknown = RAISE

    # Events whose time (``at``) is at or after ``since`` and before ``until``.
    since = Timestamp(clock_bound=False, load_default=None)
    until = Timestamp(clock_bound=False, load_default=None)
    # The ``next_cursor`` of the page before (an arrival position); none: from the first event.
    cursor = integer(minimum=0, load_default=None)
    limit = integer(minimum=1, maximum=10000, load_default=1000)
