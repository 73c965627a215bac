"""Synthetic event streams for the benchmarks: realistic runs of several guides."""
import random
import uuid
from datetime import datetime, timedelta

START = datetime(2026, 8, 1)
STEPS = 5


def run_events(rng, guide_id, version, at):
    """The events of one run: completed, dismissed, abandoned or broken somewhere."""
    run_id, user = uuid.uuid4().hex, f"user-{rng.randrange(5000)}"
    role = rng.choice(("employee", "manager", "sales"))
    url = f"https://app.example.com/{guide_id}/page"
    fate = rng.random()
    stop = rng.randrange(STEPS)
    events = [("guide_started", None, at, None)]
    for index in range(STEPS):
        at += timedelta(seconds=1)
        if fate >= 0.9 and index == stop:
            events.append(("target_missing", index, at + timedelta(seconds=5), None))
            break
        events.append(("step_shown", index, at, None))
        if fate >= 0.5 and index == stop:
            if fate < 0.7:
                events.append(("guide_dismissed", index, at + timedelta(seconds=3), None))
            break
        duration = int(rng.lognormvariate(8, 0.8))
        at += timedelta(milliseconds=duration)
        events.append(("step_completed", index, at, duration))
    else:
        events.append(("guide_completed", STEPS - 1, at + timedelta(milliseconds=10), None))
    rows = []
    for kind, index, moment, duration in events:
        rows.append({
            "id": uuid.uuid4().hex, "type": kind, "guide_id": guide_id, "guide_version": version,
            "step_id": None if index is None else f"step-{index}", "step_index": index,
            "run_id": run_id, "user": user, "role": role, "url": url, "at": moment,
            "duration_ms": duration, "reason": "escape" if kind == "guide_dismissed" else None,
            "wait_ms": 5000 if kind == "target_missing" else None,
            "detail": '{"selectors": [{"selector": "#go", "matches": 0}]}' if kind == "target_missing" else None,
            "received_at": moment,
        })
    return rows


def events(count, guides=50, hot_share=0.2, seed=1, days=90):
    """About ``count`` events; guide-00 gets ``hot_share`` of the runs, the rest share the others."""
    rng = random.Random(seed)
    produced = []
    while len(produced) < count:
        guide = "guide-00" if rng.random() < hot_share else f"guide-{rng.randrange(1, guides):02d}"
        at = START + timedelta(seconds=rng.randrange(days * 86400))
        produced.extend(run_events(rng, guide, rng.choice((1, 2)), at))
    return produced[:count]


def as_api_event(row):
    """A stored-row dict as the extension would send it."""
    event = {key: row[key] for key in ("id", "type", "guide_id", "guide_version", "run_id", "user",
                                       "role", "url") if row[key] is not None}
    event["at"] = row["at"].isoformat(timespec="milliseconds") + "Z"
    for key in ("step_id", "step_index", "duration_ms", "reason", "wait_ms"):
        if row[key] is not None:
            event[key] = row[key]
    if row["type"] == "target_missing":
        event["selectors"] = [{"selector": "#go", "matches": 0}]
    return event
