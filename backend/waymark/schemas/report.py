"""Query parameters of the report endpoints: typed, bounded, errors named by parameter."""
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from .event import Timestamp


class DateRangeSchema(Schema):
    """``from`` and ``to``: days (YYYY-MM-DD, UTC), both inclusive."""

    class Meta:
        unknown = RAISE

    date_from = fields.Date(data_key="from", load_default=None, format="%Y-%m-%d")
    date_to = fields.Date(data_key="to", load_default=None, format="%Y-%m-%d")

    @validates_schema
    def check_order(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("must not be after 'to'", "from")


class GuideReportQuerySchema(DateRangeSchema):
    """``GET /api/v1/reports/guides/<id>``: version, from, to, role, url, now."""

    version = fields.Integer(load_default=None, validate=validate.Range(min=1))
    role = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    # A prefix, or a glob when it contains * (any run of characters).
    url = fields.String(load_default=None, validate=validate.Length(min=1, max=4096))
    # Report as of this moment (ISO 8601 with a zone): makes "abandoned" reproducible.
    now = Timestamp(load_default=None)


class SummariesQuerySchema(DateRangeSchema):
    now = Timestamp(load_default=None)


class BrokenTargetsQuerySchema(DateRangeSchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class EventExportQuerySchema(Schema):
    """``GET /api/v1/events/export``: a page of raw events in arrival order after ``cursor``."""

    class Meta:
        unknown = RAISE

    # Events whose time (``at``) is at or after ``since`` and before ``until``.
    since = Timestamp(load_default=None)
    until = Timestamp(load_default=None)
    # The ``next_cursor`` of the page before; none: from the first event.
    cursor = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10000))
