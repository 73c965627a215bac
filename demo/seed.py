"""Synthetic history for the demo: a few hundred runs of the published guides.

The runs are made of real contract events (PRODUCT.md "Events, version 1")
and stored through ``ingest.ingest_batch``, so the reports the dashboard shows
are computed exactly as they are in production. The same seed, ``now`` and
guides always give the same events.

The shape is meant to look like a real rollout:

- runs start over the last ``days`` days, more on weekdays and in office hours;
- people close a tooltip most often on the first step, give up most on steps
  where they must type something, and take longer there (log-normal step
  times, so p90 is a few times p50);
- a guide with two versions had a step whose target broke in version 1 (the
  app renamed the button); version 2 fixed it, so the broken runs and the
  ``target_missing`` events with their selector match counts sit in version 1;
- optional steps are sometimes skipped because their target is missing;
- a few people go back a step.
"""
import json
import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from waymark import folding
from waymark.ingest import ingest_batch

ROLES = ("employee", "manager", "contractor")
USERS_PER_ROLE = {"employee": 60, "manager": 15, "contractor": 10}
DISMISS_REASONS = (("close_button", 60), ("escape", 30), ("other", 10))
# Median seconds on a step by how it advances: typing takes longest.
MEDIAN_SECONDS = {"next": 4, "click": 6, "input": 14, "url": 8, "visible": 6}
BATCH_SIZE = 500  # the event endpoint's limit, kept here too


@dataclass
class GuideVersion:
    """One published version of a guide, as the seed needs it."""
    guide_id: str
    version: int
    document: dict
    fragile_step: int = None  # index of the step whose target is broken in this version


@dataclass
class SeedPlan:
    """What to generate: the guide versions, how many runs, and where the demo app lives."""
    versions: list
    runs: int
    now: object  # naive UTC datetime: runs end before it
    site_origin: str = "http://127.0.0.1:8001"
    days: int = 30
    seed: int = 7
    roles: tuple = ROLES
    users: list = field(default_factory=list)


# -- where events happen -----------------------------------------------------------

def url_from_glob(glob, origin):
    """A concrete URL on ``origin`` for a URL glob (``*://host:*/acme/expenses/*`` →
    ``http://127.0.0.1:8001/acme/expenses/``): the path part, with each ``*`` left out."""
    if "//" in glob:
        after_scheme = glob.split("//", 1)[1]
        path = after_scheme[after_scheme.find("/"):] if "/" in after_scheme else "/"
    else:
        path = glob.lstrip("*")
    path = path.replace("*", "")
    if not path.startswith("/"):
        path = "/" + path
    return origin.rstrip("/") + path


def step_urls(document, origin):
    """The URL each step is shown on: its own ``url``, else the previous step's, else the guide's page."""
    include = (document.get("match") or {}).get("include") or ["/"]
    current = url_from_glob(include[0], origin)
    urls = []
    for step in document["steps"]:
        if step.get("url"):
            current = url_from_glob(step["url"], origin)
        urls.append(current)
    return urls


# -- who runs the guides ------------------------------------------------------------

def make_users(rng, roles):
    """Pseudonymous users with a fixed role each: ``[(user, role), ...]``."""
    users = []
    for role in roles:
        count = USERS_PER_ROLE.get(role, 10)
        users.extend((f"demo-{role}-{number:03d}", role) for number in range(1, count + 1))
    return users


def audience_roles(document, all_roles):
    """The roles a guide is for: its audience's, else everyone's."""
    roles = (document.get("audience") or {}).get("roles")
    return tuple(roles) if roles else tuple(all_roles)


# -- when things happen -------------------------------------------------------------

def run_start(rng, now, first_day, last_day):
    """A start time between ``first_day`` and ``last_day`` days ago: weekdays, office hours (UTC)."""
    while True:
        days_ago = rng.uniform(last_day, first_day)
        moment = now - timedelta(days=days_ago)
        weekend = moment.weekday() >= 5
        if weekend and rng.random() < 0.8:
            continue  # a few people work at weekends
        hour = rng.gauss(13, 2.5)
        if not 7 <= hour < 20:
            continue
        moment = moment.replace(hour=int(hour), minute=rng.randrange(60), second=rng.randrange(60),
                                microsecond=rng.randrange(1000) * 1000)
        if moment < now - timedelta(hours=1):
            return moment


def step_seconds(rng, step):
    """Time on a step: log-normal around the median for its kind of advance."""
    median = MEDIAN_SECONDS.get(step.get("advance", {}).get("on", "next"), 6)
    if step.get("body") and len(step["body"]) > 120:
        median += 3  # more to read
    return median * math.exp(rng.gauss(0, 0.8))


# -- an older version -------------------------------------------------------------

def older_draft(document):
    """An earlier version of a guide whose target broke when the app changed: ``(draft, step index)``.

    The first targeted step after the first has, in the draft, an id selector the
    app no longer renders and no fallbacks or text to recover with; the current
    file is the fix. ``(None, None)`` when the guide has no such step.
    """
    for index, step in enumerate(document["steps"]):
        if index > 0 and step.get("target") and not step.get("optional"):
            draft = json.loads(json.dumps(document))
            draft["steps"][index]["target"] = {"selector": f"#{step['id']}-button"}
            return draft, index
    return None, None


# -- one run -------------------------------------------------------------------------

@dataclass
class RunContext:
    """Everything one run's events share."""
    rng: random.Random
    guide: GuideVersion
    run_id: str
    user: str
    role: str
    urls: list
    clock: object  # naive UTC datetime, moved forward as the run goes
    events: list = field(default_factory=list)

    def emit(self, kind, step_index=None, **extra):
        """Append one event at the current clock."""
        steps = self.guide.document["steps"]
        event = {"id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
                 "type": kind, "guide_id": self.guide.guide_id,
                 "guide_version": self.guide.version, "run_id": self.run_id,
                 "user": self.user, "role": self.role,
                 "url": self.urls[step_index or 0],
                 "at": self.clock.isoformat(timespec="milliseconds") + "Z"}
        if step_index is not None:
            event.update(step_id=steps[step_index]["id"], step_index=step_index)
        event.update(extra)
        self.events.append(event)

    def wait(self, seconds):
        self.clock += timedelta(seconds=seconds)


def drop_chances(step, index, fragile):
    """Per-step chances that the run ends here: ``(dismissed, abandoned, broken)``."""
    advance = step.get("advance", {}).get("on", "next")
    dismissed = 0.11 if index == 0 else 0.025
    abandoned = 0.07 if advance == "input" else 0.03 if advance in ("url", "visible") else 0.015
    broken = 0.35 if fragile else (0.004 if step.get("target") else 0.0)
    return dismissed, abandoned, broken


def selector_counts(rng, step, fragile):
    """``target_missing.selectors``: each selector tried, with how many elements it matched."""
    target = step.get("target") or {}
    selectors = [target.get("selector", "body")] + list(target.get("fallbacks") or [])
    counts = []
    for position, selector in enumerate(selectors):
        # A renamed button matches nothing; a generic fallback may match elements whose text differs.
        matches = 0 if fragile or position == 0 else rng.choice((0, 0, 2, 3))
        counts.append({"selector": selector, "matches": matches})
    return counts


def walk_run(context):
    """Walk one run step by step, emitting its events until it completes or drops."""
    rng, guide = context.rng, context.guide
    steps = guide.document["steps"]
    context.emit("guide_started")
    context.wait(rng.uniform(0.2, 0.9))
    index = 0
    while index < len(steps):
        step = steps[index]
        fragile = index == guide.fragile_step
        wait_ms = int(step.get("wait_ms", 5000))
        if step.get("optional") and step.get("target") and rng.random() < 0.3:
            context.wait(wait_ms / 1000)
            context.emit("target_missing", index, wait_ms=wait_ms, selectors=selector_counts(rng, step, False))
            index += 1
            continue  # an optional step whose target is missing is skipped
        dismissed, abandoned, broken = drop_chances(step, index, fragile)
        if rng.random() < broken:
            context.wait(wait_ms / 1000)
            context.emit("target_missing", index, wait_ms=wait_ms,
                         selectors=selector_counts(rng, step, fragile))
            return
        context.emit("step_shown", index)
        seconds = step_seconds(rng, step)
        roll = rng.random()
        if roll < dismissed:
            context.wait(seconds * rng.uniform(0.1, 0.6))
            reason = rng.choices([r for r, _ in DISMISS_REASONS], [w for _, w in DISMISS_REASONS])[0]
            context.emit("guide_dismissed", index, reason=reason)
            return
        if roll < dismissed + abandoned:
            return  # nothing more happens: after the abandonment window the run counts as abandoned
        if index > 0 and rng.random() < 0.04:
            go_back(context, index)
        context.wait(seconds)
        context.emit("step_completed", index, duration_ms=int(seconds * 1000))
        context.wait(rng.uniform(0.1, 1.5))
        index += 1
    context.emit("guide_completed", len(steps) - 1)


def go_back(context, index):
    """The employee goes back a step, does it again, and returns."""
    rng, steps = context.rng, context.guide.document["steps"]
    context.wait(rng.uniform(1, 4))
    context.emit("step_back", index)
    context.emit("step_shown", index - 1)
    again = step_seconds(rng, steps[index - 1]) * 0.6
    context.wait(again)
    context.emit("step_completed", index - 1, duration_ms=int(again * 1000))
    context.emit("step_shown", index)


# -- the whole history ---------------------------------------------------------------

def version_windows(versions, days):
    """``{(guide_id, version): (first_day, last_day)}`` days ago: an older version gets the older days."""
    by_guide = {}
    for item in versions:
        by_guide.setdefault(item.guide_id, []).append(item.version)
    windows = {}
    for guide_id, numbers in by_guide.items():
        numbers.sort()
        span = days / len(numbers)
        for position, number in enumerate(numbers):
            first = days - position * span
            windows[(guide_id, number)] = (first, max(first - span, 0))
    return windows


def generate_events(plan):
    """Every event of ``plan.runs`` runs, spread over the guide versions; deterministic for a seed."""
    rng = random.Random(plan.seed)
    users = plan.users or make_users(rng, plan.roles)
    windows = version_windows(plan.versions, plan.days)
    # Guides near the top of the list get more traffic, as real guides do.
    weights = [1.0 / (1 + position * 0.4) for position in range(len(plan.versions))]
    events = []
    for _ in range(plan.runs):
        guide = rng.choices(plan.versions, weights)[0]
        allowed = audience_roles(guide.document, plan.roles)
        candidates = [user for user in users if user[1] in allowed] or users
        user, role = rng.choice(candidates)
        first_day, last_day = windows[(guide.guide_id, guide.version)]
        context = RunContext(rng=rng, guide=guide,
                             run_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                             user=user, role=role, urls=step_urls(guide.document, plan.site_origin),
                             clock=run_start(rng, plan.now, first_day, last_day))
        walk_run(context)
        events.extend(context.events)
    return events


def ingest_events(events, progress=None):
    """Store events through the ingest module in batches, then fold them (as the service's
    fold thread would: waymark/folding.py); return ``{status: count}``."""
    totals = {"stored": 0, "duplicate": 0, "rejected": 0}
    for start in range(0, len(events), BATCH_SIZE):
        for result in ingest_batch(events[start:start + BATCH_SIZE]):
            totals[result["status"]] += 1
            if result["status"] == "rejected":
                raise ValueError(f"seed event rejected: {result}")  # a bug in this module
        if progress:
            progress(min(start + BATCH_SIZE, len(events)), len(events))
    folding.catch_up()
    return totals
