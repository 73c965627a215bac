"""The one filter of the kind reports: a document's events by version, day and role.

Days are UTC and inclusive, on the day the event happened (a tip shown, a
survey answered): these kinds have no runs to date by their start. SQL is
written with ``?`` markers and run through ``query`` on either store.
"""
from datetime import datetime, time, timedelta

from ..db import database, is_postgres


def query(sql, params=()):
    """Run SQL written with ``?`` markers on either store; return all rows."""
    if is_postgres():
        sql = sql.replace("?", "%s")
    return database.execute_sql(sql, list(params)).fetchall()


def day_range(column, date_from, date_to):
    """(clauses, params) for ``column`` within the inclusive days ``date_from``..``date_to``."""
    clauses, params = [], []
    if date_from is not None:
        clauses.append(f"{column} >= ?")
        params.append(datetime.combine(date_from, time.min))
    if date_to is not None:
        clauses.append(f"{column} < ?")
        params.append(datetime.combine(date_to, time.min) + timedelta(days=1))
    return clauses, params


def event_filters(guide_id, types, version=None, date_from=None, date_to=None, role=None, table="e"):
    """WHERE clause (``?`` markers) and parameters: ``guide_id``'s events of ``types``."""
    marks = ", ".join("?" * len(types))
    clauses, params = [f"{table}.guide_id = ?", f"{table}.type IN ({marks})"], [guide_id, *types]
    if version is not None:
        clauses.append(f"{table}.guide_version = ?")
        params.append(version)
    if role is not None:
        clauses.append(f"{table}.role = ?")
        params.append(role)
    days, day_params = day_range(f"{table}.at", date_from, date_to)
    return " AND ".join(clauses + days), params + day_params


def rate(part, whole):
    return round(part / whole, 4) if whole else 0.0


def iso(moment):
    """A stored time (naive UTC; SQLite may hand back a string) as ISO 8601 with Z."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.isoformat(timespec="milliseconds") + "Z"
