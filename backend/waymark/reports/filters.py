"""The one filter of every report, and the small conversions reports share.

Filters: ``guide_id``; ``version`` (int); ``date_from``/``date_to`` (dates,
inclusive, UTC: on the day a run *started*, or an event happened); ``role``
(the employee's role the events carried); ``url`` (runs with at least one event
on that URL: a prefix, or a glob when it contains ``*``, any run of characters).
As peewee's analytics example builds every report on one filtered query, every
report here builds its SQL on ``where``.
"""
from datetime import datetime, time, timedelta



def day_start(day):
    return datetime.combine(day, time.min)


def like_pattern(url):
    """A LIKE pattern (escape ``\\``) for a URL prefix, or for a glob when it contains ``*``."""
    literal = url.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return literal.replace("*", "%") if "*" in url else literal + "%"


def where(table, guide_id=None, version=None, date_from=None, date_to=None, role=None, url=None,
          day_column="started_at"):
    """``(WHERE clause with ? markers, params)`` selecting rows of ``table`` (an alias).

    The run, run_step and event tables all carry ``guide_id``, ``guide_version``,
    ``role`` and ``run_id``; ``day_column`` is the time the date range applies to
    (a run's ``started_at``, an event's ``at``). Unset filters add nothing.
    """
    clauses, params = [], []
    if guide_id is not None:
        clauses.append(f"{table}.guide_id = ?")
        params.append(guide_id)
    if version is not None:
        clauses.append(f"{table}.guide_version = ?")
        params.append(version)
    if date_from is not None:
        clauses.append(f"{table}.{day_column} >= ?")
        params.append(day_start(date_from))
    if date_to is not None:
        clauses.append(f"{table}.{day_column} < ?")
        params.append(day_start(date_to) + timedelta(days=1))
    if role is not None:
        clauses.append(f"{table}.role = ?")
        params.append(role)
    if url is not None:
        # A count per run through the event(run_id, at) index, not "run_id IN (the guide's
        # events on that URL)": PostgreSQL with statistics not yet gathered planned that IN as
        # a loop over all the guide's events for every run step (1.2 s at 3000 events); an
        # aggregate is never pulled up into a join, so the plan cannot turn (docs/reports.md).
        clauses.append(f"(SELECT COUNT(*) FROM event u WHERE u.run_id = {table}.run_id "
                       f"AND u.url LIKE ? ESCAPE '\\') > 0")
        params.append(like_pattern(url))
    return " AND ".join(clauses) or "1 = 1", params


def rate(part, whole):
    return round(part / whole, 4) if whole else 0.0


def as_date_string(value):
    return value if isinstance(value, str) else value.isoformat()


def as_datetime(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def iso(moment):
    return None if moment is None else as_datetime(moment).isoformat(timespec="milliseconds") + "Z"
