"""Event batches → storage: validated one by one, stored once.

Idempotence comes from the event table's unique ``id`` and
``INSERT … ON CONFLICT DO NOTHING RETURNING id`` (both stores): the ids the
insert returns are the events stored now; every other valid event was already
there (a duplicate). Never a read before the write, so two processes sending
the same events at once still store each event once. A stored event gets the
next arrival position (``event.seq``); folding.py folds it into runs and
rollups after the batch's commit, once, and reports catch up with it before
answering. So a batch is one insert and one commit.

Help panel events (``panel_opened``, ``panel_search``) go to their own table,
``help_event``, which has no user column: a search is stored as its words
(normalised: lower case, single spaces) and its result count, never with anyone's id.
"""
import json
import re
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from . import db
from .errors import details_from_messages
from .models import utcnow
from .schemas.event import PANEL_TYPES, event_id_of, validate_events

EVENT_COLUMNS = ("id", "type", "guide_id", "guide_version", "step_id", "step_index", "run_id",
                 "user", "role", "url", "at", "duration_ms", "reason", "wait_ms", "detail",
                 "received_at", "matched_by", "match_score", "action_index", "action_label",
                 "answer_choice", "answer_value", "answer_text", "source_kind", "source_id")
# The event column that orders events by arrival, a number never given twice (migration
# 0013); the fold (folding.py), export, rebuild and prune read by it.
POSITION = "seq"
HELP_EVENT_COLUMNS = ("id", "type", "role", "url", "at", "query", "results", "received_at")
# PostgreSQL: every transaction that stores events holds this advisory lock shared, first
# thing; ``pause_ingest`` takes it exclusively (folding.settled_position: how far a fold or an
# export page may read).
INGEST_LOCK = 0x57617976  # "Wayv"
# 25 columns × 500 events stays far below SQLite's 32766 parameters per statement.
_INSERT_CHUNK = 500
SPACES = re.compile(r"\s+")


def strip_url(url, keep_query=False):
    """The URL without query string and fragment (they often carry personal data)."""
    if url is None or keep_query:
        return url
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def normalised_query(query):
    """A search as it is stored and grouped: lower case, single spaces, no edges."""
    return SPACES.sub(" ", query).strip().lower()[:200]


def help_event_row(event, received_at, keep_url_query=False):
    """The stored row for one help panel event (see models.HelpEvent): no user, by design."""
    query = event.get("query")
    return {"id": event["id"], "type": event["type"], "role": event["role"],
            "url": strip_url(event["url"], keep_url_query), "at": event["at"],
            "query": None if query is None else normalised_query(query),
            "results": event.get("results"), "received_at": received_at}


def event_row(event, received_at, keep_url_query=False):
    """The stored row for one validated event (see models.Event)."""
    detail = {key: event[key] for key in ("selectors", "healed_target", "candidates", "extra")
              if event.get(key)}
    action, answer, source = event.get("action") or {}, event.get("answer") or {}, event.get("source") or {}
    return {
        "id": event["id"], "type": event["type"], "guide_id": event["guide_id"],
        "guide_version": event["guide_version"], "step_id": event["step_id"],
        "step_index": event["step_index"], "run_id": event["run_id"], "user": event["user"],
        "role": event["role"], "url": strip_url(event["url"], keep_url_query),
        "at": event["at"], "duration_ms": event["duration_ms"], "reason": event["reason"],
        "wait_ms": event["wait_ms"], "detail": json.dumps(detail) if detail else None,
        "received_at": received_at, "matched_by": event.get("matched_by"), "match_score": event.get("score"),
        "action_index": action.get("index"), "action_label": action.get("label"),
        "answer_choice": answer.get("choice"), "answer_value": answer.get("value"),
        "answer_text": event.get("text"),
        "source_kind": source.get("kind"), "source_id": source.get("id"),
    }


def insert_new_events(rows, table="event", columns=None):
    """Insert rows, skipping ids already stored; return the set of ids stored now."""
    columns = columns or EVENT_COLUMNS  # read at the call: tests of older schemas narrow it
    one_row = db.markers(len(columns))
    names = ", ".join(f'"{column}"' for column in columns)
    if not db.is_postgres():
        return _insert_new_sqlite_rows(rows, table, names, one_row, columns)
    stored = set()
    for start in range(0, len(rows), _INSERT_CHUNK):
        chunk = rows[start:start + _INSERT_CHUNK]
        sql = (f'INSERT INTO "{table}" ({names}) VALUES {", ".join([one_row] * len(chunk))} '
               f'ON CONFLICT ("id") DO NOTHING RETURNING "id"')
        cursor = db.execute(sql, [row[c] for row in chunk for c in columns])
        stored.update(found for (found,) in cursor.fetchall())
    return stored


def _insert_new_sqlite_rows(rows, table, names, one_row, columns):
    """SQLite: one prepared INSERT run for each row (executemany: a quarter cheaper than one
    statement of many rows with RETURNING, and this runs while every other writer waits).
    The rows stored now are those past the table's newest rowid before the insert (the
    write transaction holds the lock); that is read back only when some id was already there."""
    [(newest_before,)] = db.query(f'SELECT COALESCE(MAX(rowid), 0) FROM "{table}"')
    cursor = db.execute_many(f'INSERT INTO "{table}" ({names}) VALUES {one_row} ON CONFLICT ("id") DO NOTHING',
                             [[row[column] for column in columns] for row in rows])
    if cursor.rowcount == len(rows):
        return {row["id"] for row in rows}
    return {found for (found,) in db.query(f'SELECT "id" FROM "{table}" WHERE rowid > ?', [newest_before])}


def store_events(rows, help_rows=()):
    """Store event rows (and help panel rows) in one transaction; return the ids stored now.

    Rows are inserted in id order so that two transactions inserting
    overlapping batches on PostgreSQL wait for each other instead of deadlocking.
    """
    with db.write_transaction():
        if db.is_postgres():
            db.query("SELECT pg_advisory_xact_lock_shared(?)", [INGEST_LOCK])
        stored_ids = insert_new_events(sorted(rows, key=lambda row: row["id"])) if rows else set()
        if help_rows:
            stored_ids |= insert_new_events(sorted(help_rows, key=lambda row: row["id"]),
                                            "help_event", HELP_EVENT_COLUMNS)
    return stored_ids


@contextmanager
def pause_ingest():
    """A transaction during which no batch is being stored: it waits for those in flight and
    holds new ones at their start, before they lock anything (so it can never deadlock with
    them). SQLite: its write lock; PostgreSQL: INGEST_LOCK, exclusively."""
    with db.write_transaction():
        if db.is_postgres():
            db.query("SELECT pg_advisory_xact_lock(?)", [INGEST_LOCK])
        yield


def ingest_batch(raw_events, keep_url_query=False):
    """Validate and store a batch; one result per event, in the batch's order.

    A result is ``{"id", "status": "stored"|"duplicate"|"rejected", "errors"?: [{path, message}]}``::

        >>> ingest_batch([good_event, good_event, {"id": "x", "type": "nope"}])
        [{"id": "e1", "status": "stored"}, {"id": "e1", "status": "duplicate"},
         {"id": "x", "status": "rejected",
          "errors": [{"path": "events[2].type", "message": "Must be one of: …"}, …]}]
    """
    received_at = utcnow()
    results, rows, help_rows, first_of_id = [], [], [], {}
    for position, (raw, (event, messages)) in enumerate(zip(raw_events, validate_events(raw_events))):
        if messages is not None:
            results.append({"id": event_id_of(raw), "status": "rejected",
                            "errors": details_from_messages(messages, f"events[{position}]")})
            continue
        results.append({"id": event["id"], "status": None})
        if event["id"] in first_of_id:
            continue  # the same id twice in one batch: the later one is a duplicate
        first_of_id[event["id"]] = len(results) - 1
        if event["type"] in PANEL_TYPES:
            help_rows.append(help_event_row(event, received_at, keep_url_query))
        else:
            rows.append(event_row(event, received_at, keep_url_query))
    stored_ids = store_events(rows, help_rows) if rows or help_rows else set()
    for event_id, position in first_of_id.items():
        if event_id in stored_ids:
            results[position]["status"] = "stored"
    for result in results:
        if result["status"] is None:
            result["status"] = "duplicate"
    return results
