"""Synthetic history of the kinds beyond walkthroughs, for the demo: tips opened and fields
that failed their check, the help panel, a nudge that starts a guide, a pulse survey after a
submitted report, and exit-survey answers on the runs people closed.

It works on top of the guide runs seed.py made (``with_kind_history``): the
nudge's "Show me how" leads to real runs of its guide (their ``guide_started``
gets the nudge as ``source``, so the nudge's funnel ends in runs that did or did
not complete), the pulse survey follows completed runs, and an exit survey is
asked on each dismissed run at the step it was closed. Deterministic for a seed.

The shape (what the demo pages show):

- tips: the amount is opened most; the cost centre fails its check most and is
  fixed least (its rule is the one people do not know);
- the help panel: most searches find something; "per diem", "mileage rate" and
  "lost receipt" do not (the FAQ's to-do list);
- the exit survey: people leave the first step "not now", the amount because
  they do not understand it, the review because the page looks different;
- the pulse survey: mostly 4s, with a few comments.
"""
import random
import uuid
from datetime import timedelta

from waymark.schemas.document import kind_of, parse_time

from demo.seed import url_from_glob

SEED = 11
PAGE_VIEWS = 160          # views of a page with tips
PANEL_OPENS = 90
NUDGE_FROM_START = 0.35   # share of the nudge's guide's runs that the nudge started
NUDGE_EXTRA_VIEWS = 60    # people who saw the nudge and did not start the guide
PULSE_AFTER_COMPLETION = 0.6
EXIT_ASKED = 0.85
SEARCHES = (("receipt", 2), ("hotel limit", 1), ("approval", 1), ("per diem", 0), ("per diem", 0),
            ("mileage rate", 0), ("lost receipt", 0), ("Per Diem", 0), ("currency", 1), ("taxi", 0))
PULSE_TEXTS = ("The cost centre list is hard to find.", "Faster than last year!",
               "I never know which category a client lunch is.", "Let me attach two receipts at once.")
EXIT_TEXTS = ("I was looking for the per diem rate", "The amount field would not take my comma",
              "Too many steps for a 5 euro taxi")
# How often each tip opens in a page view, fails its check, and is fixed after failing.
TIP_HABITS = {"amount": (0.55, 0.25, 0.85), "cost-centre": (0.4, 0.45, 0.55)}
DEFAULT_HABIT = (0.2, 0.2, 0.7)
# Which exit-survey choice people pick, by the step they left (position in the guide).
EXIT_WEIGHTS = {0: (8, 1, 1, 4), 1: (2, 7, 1, 1), 2: (1, 2, 6, 1)}


class Emitter:
    """Makes events with deterministic ids."""

    def __init__(self, rng):
        self.rng = rng
        self.events = []

    def emit(self, kind, document_id, version, at, user=None, role=None, url=None, run_id=None, **fields):
        event = {"id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), "type": kind,
                 "at": at.isoformat(timespec="milliseconds") + "Z", "url": url, "role": role, **fields}
        if document_id is not None:
            event.update(guide_id=document_id, guide_version=version,
                         run_id=run_id or str(uuid.UUID(int=self.rng.getrandbits(128), version=4)))
        if user is not None:
            event["user"] = user
        self.events.append({key: value for key, value in event.items() if value is not None})
        return event

    def new_id(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _moment(value):
    """An event's ``at`` (ISO with Z) as naive UTC."""
    return parse_time(value)


def _page(document, origin):
    include = (document.get("match") or {}).get("include") or ["/"]
    return url_from_glob(include[0], origin)


def _people(guide_events):
    """The (user, role) pairs of the guide history, so the same people use every kind."""
    return sorted({(event["user"], event.get("role")) for event in guide_events})


def _moments(guide_events):
    """When the history's runs started: the other kinds happen at the same times of day."""
    return [_moment(event["at"]) for event in guide_events if event["type"] == "guide_started"]


def tips_history(emitter, document, version, people, moments, origin):
    rng = emitter.rng
    for _ in range(PAGE_VIEWS):
        user, role = rng.choice(people)
        at, view = rng.choice(moments) + timedelta(seconds=rng.uniform(5, 60)), emitter.new_id()
        common = dict(user=user, role=role, url=_page(document, origin), run_id=view)
        for index, tip in enumerate(document["tips"]):
            opens, fails, fixes = TIP_HABITS.get(tip["id"], DEFAULT_HABIT)
            step = {"step_id": tip["id"], "step_index": index}
            if rng.random() < opens:
                emitter.emit("tip_shown", document["id"], version, at, **common, **step)
            if "validate" in tip and rng.random() < fails:
                at += timedelta(seconds=rng.uniform(2, 10))
                emitter.emit("validation_failed", document["id"], version, at, **common, **step)
                if rng.random() < fixes:
                    at += timedelta(seconds=rng.uniform(2, 15))
                    emitter.emit("validation_passed", document["id"], version, at, **common, **step)
            at += timedelta(seconds=rng.uniform(1, 8))


def help_history(emitter, resources, people, moments, origin):
    """Panel opens, searches (some finding nothing) and links opened from the resources documents."""
    rng = emitter.rng
    links = [(document, version, index) for document, version in resources
             for index in range(len(document["links"]))]
    for _ in range(PANEL_OPENS):
        user, role = rng.choice(people)
        at = rng.choice(moments) + timedelta(seconds=rng.uniform(5, 120))
        url = _page(resources[0][0], origin) if resources else origin
        emitter.emit("panel_opened", None, None, at, user=user, role=role, url=url)
        if rng.random() < 0.45:
            query, results = rng.choice(SEARCHES)
            emitter.emit("panel_search", None, None, at + timedelta(seconds=3), role=role, url=url,
                         query=query, results=results)
        if links and rng.random() < 0.55:
            # Some links are opened far more than others (the FAQ most).
            document, version, index = rng.choices(links, [(4, 1, 2, 1)[i % 4] for i in range(len(links))])[0]
            emitter.emit("resource_opened", document["id"], version, at + timedelta(seconds=6), user=user,
                         role=role, url=url, step_index=index)


def nudge_history(emitter, document, version, guide_events, people, origin):
    """The nudge shown before some runs of the guide it starts (those runs get it as source),
    and to people who dismissed it or read the policy instead."""
    rng = emitter.rng
    nudge = document["nudge"]
    actions = nudge.get("actions") or []
    start = next(((i, a) for i, a in enumerate(actions) if "start" in a), None)
    other = [(i, a) for i, a in enumerate(actions) if "start" not in a]
    url = _page(document, origin)
    schedule = document.get("schedule") or {}
    begins, ends = parse_time(schedule.get("from")), parse_time(schedule.get("until"))

    def in_schedule(moment):
        return (begins is None or moment >= begins) and (ends is None or moment < ends)

    if start is not None:
        index, action = start
        for event in guide_events:
            moment = _moment(event["at"])
            if (event["type"] != "guide_started" or event["guide_id"] != action["start"]
                    or not in_schedule(moment) or rng.random() >= NUDGE_FROM_START):
                continue
            who = dict(user=event["user"], role=event.get("role"), url=url)
            emitter.emit("nudge_shown", document["id"], version, moment - timedelta(seconds=8), **who)
            emitter.emit("nudge_action", document["id"], version, moment - timedelta(seconds=2), **who,
                         action={"index": index, "label": action["label"]})
            event["source"] = {"kind": "nudge", "id": document["id"]}
    moments = [_moment(event["at"]) for event in guide_events if in_schedule(_moment(event["at"]))]
    for _ in range(NUDGE_EXTRA_VIEWS if moments else 0):
        user, role = rng.choice(people)
        at = rng.choice(moments) - timedelta(seconds=rng.uniform(30, 300))
        who = dict(user=user, role=role, url=url)
        emitter.emit("nudge_shown", document["id"], version, at, **who)
        if other and rng.random() < 0.5:
            index, action = rng.choice(other)
            emitter.emit("nudge_action", document["id"], version, at + timedelta(seconds=4), **who,
                         action={"index": index, "label": action["label"]})
        else:
            emitter.emit("nudge_dismissed", document["id"], version, at + timedelta(seconds=3), **who,
                         reason=rng.choice(("close_button", "escape")))


def pulse_history(emitter, document, version, guide_events, origin):
    """The pulse survey after completed runs, once per person, on its scale or its choices."""
    rng = emitter.rng
    question = document["survey"]
    scale = question.get("scale")
    asked = set()
    url = _page(document, origin)
    for event in guide_events:
        if event["type"] != "guide_completed" or event["user"] in asked or rng.random() >= PULSE_AFTER_COMPLETION:
            continue
        asked.add(event["user"])
        at = _moment(event["at"]) + timedelta(seconds=3)
        who = dict(user=event["user"], role=event.get("role"), url=url)
        emitter.emit("survey_shown", document["id"], version, at, **who)
        if rng.random() < 0.3:
            emitter.emit("survey_dismissed", document["id"], version, at + timedelta(seconds=2), **who)
            continue
        if scale:
            values = list(range(scale["min"], scale["max"] + 1))
            weights = [1 + 3 * (position == len(values) - 2) + position for position in range(len(values))]
            answer = {"value": rng.choices(values, weights)[0]}
        else:
            answer = {"choice": rng.randrange(len(question["choices"]))}
        text = rng.choice(PULSE_TEXTS) if question.get("text") and rng.random() < 0.4 else None
        emitter.emit("survey_answered", document["id"], version, at + timedelta(seconds=6), **who,
                     answer=answer, text=text)


def exit_history(emitter, guides, guide_events):
    """An exit survey on each dismissed run of a guide that has one, at the step it was closed."""
    rng = emitter.rng
    for event in guide_events:
        document = guides.get(event["guide_id"])
        if event["type"] != "guide_dismissed" or document is None or rng.random() >= EXIT_ASKED:
            continue
        survey = document["exit_survey"]
        at = _moment(event["at"]) + timedelta(seconds=1)
        same = dict(user=event["user"], role=event.get("role"), url=event.get("url"), run_id=event["run_id"],
                    step_id=event.get("step_id"), step_index=event.get("step_index"))
        version = event["guide_version"]
        emitter.emit("survey_shown", event["guide_id"], version, at, **same)
        roll = rng.random()
        if roll < 0.2:
            emitter.emit("survey_dismissed", event["guide_id"], version, at + timedelta(seconds=2), **same)
        elif roll < 0.3 and survey.get("other"):
            emitter.emit("survey_answered", event["guide_id"], version, at + timedelta(seconds=9), **same,
                         text=rng.choice(EXIT_TEXTS))
        else:
            weights = list(EXIT_WEIGHTS.get(min(event.get("step_index") or 0, 2)))
            choices = survey["choices"]
            weights = (weights + [1] * len(choices))[:len(choices)]
            emitter.emit("survey_answered", event["guide_id"], version, at + timedelta(seconds=3), **same,
                         answer={"choice": rng.choices(range(len(choices)), weights)[0]})


def with_kind_history(documents, guide_events, site_origin, seed=SEED):
    """The guide events (those a nudge started now carry it as ``source``) followed by the
    events of every tips, resources, nudge and survey document, and the exit-survey answers.

    ``documents``: ``[(document, version)]`` of the published latest versions (catalogue.latest_documents).
    """
    rng = random.Random(seed)
    emitter = Emitter(rng)
    guide_events = [dict(event) for event in guide_events]
    people, moments = _people(guide_events), _moments(guide_events)
    if not people or not moments:
        return guide_events
    by_kind = {}
    for document, version in documents:
        by_kind.setdefault(kind_of(document), []).append((document, version))
    for document, version in by_kind.get("tips", []):
        tips_history(emitter, document, version, people, moments, site_origin)
    help_history(emitter, by_kind.get("resources", []), people, moments, site_origin)
    for document, version in by_kind.get("nudge", []):
        nudge_history(emitter, document, version, guide_events, people, site_origin)
    for document, version in by_kind.get("survey", []):
        pulse_history(emitter, document, version, guide_events, site_origin)
    exit_history(emitter, {document["id"]: document for document, _ in by_kind.get("guide", [])
                           if "exit_survey" in document}, guide_events)
    return guide_events + emitter.events
