"""Steps whose target went missing, across guides (the broken-targets page) and per guide; and
the degraded ones, shown only thanks to a fallback or to healing.

Counted as events are folded, in rollup_miss (rollups.py), by the day, month and all time of
the miss itself; the events themselves (``type = 'target_missing'`` is a literal so that
the partial index on it applies) are the exact reference and answer URL filters.
"""
import json
from datetime import datetime

from .. import rollups
from ..db import query
from .filters import as_datetime, iso, where

MISSING = "e.type = 'target_missing'"


def group_missing(rows):
    """Group ``(key, url, count, last_seen)`` rows per step: most first, URLs most seen first.

    ``key`` is ``(guide_id, version, step index, step id)``.
    """
    steps = {}
    for key, url, count, last in rows:
        step = steps.setdefault(key, {"count": 0, "urls": {}, "last_seen": None})
        step["count"] += count
        if url is not None:
            step["urls"][url] = step["urls"].get(url, 0) + count
        last = as_datetime(last)
        step["last_seen"] = last if step["last_seen"] is None else max(step["last_seen"], last)
    grouped = []
    for (guide_id, version, index, step_id), step in steps.items():
        urls = sorted(step["urls"], key=lambda u: (-step["urls"][u], u))
        grouped.append({"guide_id": guide_id, "guide_version": version, "step_id": step_id,
                        "step_index": index, "count": step["count"], "urls": urls,
                        "last_seen": step["last_seen"]})
    # Latest first by (datetime.max - seen): .timestamp() fails on a year-1 row.
    grouped.sort(key=lambda g: (-g["count"], datetime.max - g["last_seen"], str(g["guide_id"]),
                                g["step_index"] if g["step_index"] is not None else -1))
    for entry in grouped:
        entry["last_seen"] = iso(entry["last_seen"])
    return grouped


def missing_targets(filters, from_events=False):
    """The misses of one guide, per step, by the miss's own day, version and role (and, with a
    URL filter, of the runs that visited it)::

        [{"step_id": "new-report", "index": 0, "count": 1,
          "urls": ["https://expenses.example.com/reports"], "last_seen": "2026-11-22T10:00:09.000Z"}]

    ``filters`` are guide_report's; read from rollup_miss, or from the events themselves
    when ``from_events`` or a URL filter is given (the reference the tests hold the rollups to).
    """
    if from_events or filters.get("url") is not None:
        in_range, params = where("e", **filters, day_column="at")
        rows = query(f"SELECT e.guide_id, e.guide_version, e.step_index, e.step_id, e.url, COUNT(*), MAX(e.at) "
                     f"FROM event e WHERE {MISSING} AND {in_range} "
                     f"GROUP BY e.guide_id, e.guide_version, e.step_index, e.step_id, e.url", params)
        rows = [((g, v, i, s), url, count, last) for g, v, i, s, url, count, last in rows]
    else:
        rows = rollups.misses(**{k: v for k, v in filters.items() if k != "url"})
    grouped = group_missing(((None, None, index, step_id), url, count, last)
                            for (_, _, index, step_id), url, count, last in rows)
    return [{"step_id": m["step_id"], "index": m["step_index"], "count": m["count"],
             "urls": m["urls"], "last_seen": m["last_seen"]} for m in grouped]


def broken_targets(date_from=None, date_to=None, limit=100, from_events=False):
    """Steps whose target went missing (by the event's day), most first, with the URLs and
    the selectors the latest miss tried::

        [{"guide_id": "submit-expense", "guide_version": 3, "step_id": "amount", "step_index": 1,
          "count": 42, "urls": ["https://expenses.example.com/reports/new"],
          "last_seen": "2026-11-22T10:31:07.123Z",
          "selectors": [{"selector": "input[name=amount]", "matches": 0}],
          "candidates": [{"score": 0.61, "label": "input.amount"}, {"score": 0.58, "label": "input"}]}]

    ``candidates``: what healing considered and refused at the latest miss (too low a
    score, or two look-alikes too close), [] for a target without descriptions.
    Read from rollup_miss, or from the events when ``from_events`` (the tests' reference).
    """
    if from_events:
        in_range, params = where("e", date_from=date_from, date_to=date_to, day_column="at")
        misses = f"{MISSING} AND {in_range}"
        rows = query(
            f"SELECT e.guide_id, e.guide_version, e.step_index, e.step_id, e.url, COUNT(*), MAX(e.at) "
            f"FROM event e WHERE {misses} "
            f"GROUP BY e.guide_id, e.guide_version, e.step_index, e.step_id, e.url", params)
        rows = [((g, v, i, s), url, count, last) for g, v, i, s, url, count, last in rows]
    else:
        rows = rollups.misses(date_from=date_from, date_to=date_to)
    grouped = group_missing(rows)[:limit]
    details = {}
    if grouped:
        details = (_latest_details(misses, params) if from_events
                   else rollups.latest_miss_details(date_from, date_to))
    for entry in grouped:
        key = (entry["guide_id"], entry["guide_version"], entry["step_index"], entry["step_id"])
        detail = details.get(key)
        kept = json.loads(detail) if detail else {}
        entry["selectors"], entry["candidates"] = kept.get("selectors", []), kept.get("candidates", [])
    return grouped


def _latest_per_step(columns, condition, params):
    """``{(guide, version, index, step id): (columns...)}`` of each step's latest event
    matching ``condition`` (latest by time, then id)."""
    picked = ", ".join(columns)
    rows = query(
        f"WITH e AS MATERIALIZED (SELECT * FROM event e WHERE {condition}) "  # as degraded_targets
        f"SELECT guide_id, guide_version, step_index, step_id, {picked} FROM ("
        f"SELECT e.guide_id, e.guide_version, e.step_index, e.step_id, "
        f"{', '.join('e.' + column for column in columns)}, ROW_NUMBER() OVER ("
        f"PARTITION BY e.guide_id, e.guide_version, e.step_index, e.step_id "
        f"ORDER BY e.at DESC, e.id DESC) AS n "
        f"FROM e) latest WHERE n = 1", params)
    return {tuple(row[:4]): tuple(row[4:]) for row in rows}


def _latest_details(misses, params):
    """``{(guide, version, index, step id): detail JSON}`` of each step's latest miss."""
    return {key: detail for key, (detail,) in _latest_per_step(("detail",), misses, params).items()}


# -- degraded: found, but not by the step's own selector -----------------------------

# The words of migration 0010's partial index, so that it applies.
DEGRADED = "e.matched_by IN ('fallback', 'healed')"


def degraded_targets(date_from=None, date_to=None, limit=100):
    """Steps shown only thanks to a fallback selector or to healing (by the event's day),
    most first, with the latest element taken and its score: fix these before they break::

        [{"guide_id": "submit-expense", "guide_version": 3, "step_id": "amount", "step_index": 1,
          "count": 12, "fallback": 0, "healed": 12,
          "urls": ["https://expenses.example.com/reports/new"],
          "first_seen": "2026-11-20T08:00:00.000Z", "last_seen": "2026-11-22T10:31:07.123Z",
          "matched_by": "healed", "score": 0.83,
          "candidate": {"selector": "[data-testid=amount]", "describe": {"v": 1, ...}}}]

    ``matched_by``, ``score`` and ``candidate`` are the latest show's (``candidate``
    is the healed element's fresh target, null after a fallback).
    """
    in_range, params = where("e", date_from=date_from, date_to=date_to, day_column="at")
    shows = f"{DEGRADED} AND {in_range}"
    # MATERIALIZED: the few degraded shows are read from their partial index first. Left to
    # itself, SQLite may walk a whole index of the events in GROUP BY order instead.
    rows = query(
        f"WITH e AS MATERIALIZED (SELECT * FROM event e WHERE {shows}) "
        f"SELECT e.guide_id, e.guide_version, e.step_index, e.step_id, e.url, e.matched_by, COUNT(*), "
        f"MIN(e.at), MAX(e.at) FROM e "
        f"GROUP BY e.guide_id, e.guide_version, e.step_index, e.step_id, e.url, e.matched_by", params)
    steps = {}
    for guide_id, version, index, step_id, url, matched_by, count, first, last in rows:
        step = steps.setdefault((guide_id, version, index, step_id),
                                {"fallback": 0, "healed": 0, "urls": {}, "first": None, "last": None})
        step[matched_by] += count
        if url is not None:
            step["urls"][url] = step["urls"].get(url, 0) + count
        first, last = as_datetime(first), as_datetime(last)
        step["first"] = first if step["first"] is None else min(step["first"], first)
        step["last"] = last if step["last"] is None else max(step["last"], last)
    ordered = sorted(steps.items(), key=lambda item: (
        -(item[1]["fallback"] + item[1]["healed"]), -item[1]["last"].timestamp(), str(item[0][0]),
        item[0][2] if item[0][2] is not None else -1))[:limit]
    latest = _latest_degraded(shows, params) if ordered else {}
    degraded = []
    for key, step in ordered:
        guide_id, version, index, step_id = key
        matched_by, score, candidate = latest.get(key, (None, None, None))
        urls = sorted(step["urls"], key=lambda u: (-step["urls"][u], u))
        degraded.append({"guide_id": guide_id, "guide_version": version, "step_id": step_id,
                         "step_index": index, "count": step["fallback"] + step["healed"],
                         "fallback": step["fallback"], "healed": step["healed"], "urls": urls,
                         "first_seen": iso(step["first"]), "last_seen": iso(step["last"]),
                         "matched_by": matched_by, "score": score, "candidate": candidate})
    return degraded


def _latest_degraded(shows, params):
    """``{(guide, version, index, step id): (matched_by, score, healed target)}`` of each
    step's latest degraded show."""
    latest = _latest_per_step(("matched_by", "match_score", "detail"), shows, params)
    return {key: (matched_by, score, (json.loads(detail) if detail else {}).get("healed_target"))
            for key, (matched_by, score, detail) in latest.items()}


def latest_healed_target(guide_id, step_id):
    """The fresh target of the latest show of this step that healing found, or None."""
    rows = query(
        "SELECT detail FROM event WHERE guide_id = ? AND step_id = ? AND type = 'step_shown' "
        "AND matched_by = 'healed' AND detail IS NOT NULL ORDER BY at DESC, id DESC LIMIT 1",
        [guide_id, step_id])
    return json.loads(rows[0][0]).get("healed_target") if rows else None
