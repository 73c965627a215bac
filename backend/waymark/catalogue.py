"""The guide catalogue: publish, archive, history, and the guides that match a page.

The one reader and writer of the Guide and GuideVersion tables: the dashboard's
list, the reports' step titles and the demo read guides through the functions
under "reading". A guide's latest version is ``Guide.latest_version``.

Publishing a document equal to the latest version makes no new version (it
only un-archives an archived guide), so ``waymark serve --guides DIR`` can
publish a folder on every start.

Every document kind lives here (docs/guides.md "Document kinds": guides, tips,
resources, nudges, surveys); "guide" in names below means any of them.

Lookups are served from a per-process cache of every published guide, already
rendered for the extension. Every change to the catalogue writes a new random
``catalogue_revision`` in the Setting table, in the same transaction; each lookup
reads it (one indexed row) and rebuilds the cache when it moved, so several
service processes behind a load balancer never serve an old catalogue.

Nudges and surveys may have a ``schedule``; outside it they are not served. The
cache is per revision, but the clock moves on without a new revision: so each
snapshot knows the moments at which some schedule opens or closes, and the
answers are cached per (url, role, *schedule period*), the period being how
many of those moments have passed. The ETag names the served documents, so it
changes when a schedule opens or closes one.
"""
import bisect
import hashlib
import json
import re
import threading
import uuid
from dataclasses import dataclass, field

from peewee import JOIN, IntegrityError

from .body import render_body
from .db import database, is_postgres
from .models import Guide, GuideVersion, Setting, utcnow
from .schemas.document import DEFAULT_KIND, kind_of, schedule_bounds

REVISION_KEY = "catalogue_revision"
# Bump when the served shape changes, so clients' ETags stop matching.
SERVED_SHAPE = "2"  # 2: every item carries its kind; bodies of every kind rendered
ANSWER_CACHE_SIZE = 512


class GuideNotFound(LookupError):
    """No guide with this id in the catalogue."""


# -- URL globs ---------------------------------------------------------------

def glob_match(glob, text):
    """``*`` is any run of characters, the rest literal, whole text (as extension/src/shared/glob.js).

    No regular expression, so no author's glob can become a slow pattern.
    """
    parts = glob.split("*")
    if len(parts) == 1:
        return glob == text
    first, last = parts[0], parts[-1]
    if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
        return False
    cursor, tail_start = len(first), len(text) - len(last)
    for piece in parts[1:-1]:
        found = text.find(piece, cursor)
        if found == -1 or found + len(piece) > tail_start:
            return False
        cursor = found + len(piece)
    return True


def guide_matches(document, url=None, role=None):
    """Whether a guide applies to a page (``url`` None: any page) for ``role``."""
    audience = document.get("audience")
    if audience and role not in audience.get("roles", []):
        return False
    if url is None:
        return True
    match = document["match"]
    return (any(glob_match(glob, url) for glob in match["include"])
            and not any(glob_match(glob, url) for glob in match.get("exclude", [])))


# -- writing -----------------------------------------------------------------

def _bump_revision():
    """Record that the catalogue changed; call inside the transaction that changed it."""
    value = uuid.uuid4().hex
    updated = Setting.update(value=value).where(Setting.key == REVISION_KEY).execute()
    if not updated:
        try:
            with database.atomic():
                Setting.create(key=REVISION_KEY, value=value)
        except IntegrityError:  # another process created it just now
            Setting.update(value=value).where(Setting.key == REVISION_KEY).execute()


def _ensure_guide_row(guide_id):
    """The Guide row for ``guide_id``, created when new (safe when two processes race)."""
    now = utcnow()
    (Guide
     .insert(id=guide_id, status="published", latest_version=0, created_at=now, updated_at=now)
     .on_conflict_ignore()
     .execute())
    # Lock the row on PostgreSQL so two publishers of one guide take turns.
    query = Guide.select().where(Guide.id == guide_id)
    return (query.for_update() if is_postgres() else query).get()


def _document(guide_id, version):
    """The stored document of one version of a guide, or None."""
    row = (GuideVersion
           .select(GuideVersion.document)
           .where((GuideVersion.guide == guide_id) & (GuideVersion.version == version))
           .first())
    return json.loads(row.document) if row else None


def publish(document):
    """Publish a validated guide; return ``(version, created)``.

    An unchanged document keeps its version (``created`` False); an archived
    guide is published again either way.
    """
    for attempt in range(3):
        try:
            with database.atomic():
                return _publish_once(document)
        except IntegrityError:
            if attempt == 2:
                raise  # two publishers kept colliding on the version number


def _publish_once(document):
    guide = _ensure_guide_row(document["id"])
    now = utcnow()
    if guide.latest_version and _document(guide.id, guide.latest_version) == document:
        if guide.status != "published":
            Guide.update(status="published", updated_at=now).where(Guide.id == guide.id).execute()
            _bump_revision()
        return guide.latest_version, False
    version = guide.latest_version + 1
    GuideVersion.create(guide=guide.id, version=version, published_at=now,
                        document=json.dumps(document, ensure_ascii=False),
                        served=json.dumps(served_guide(document, version), ensure_ascii=False))
    (Guide
     .update(latest_version=version, status="published", updated_at=now)
     .where(Guide.id == guide.id)
     .execute())
    _bump_revision()
    return version, True


def archive(guide_id):
    """Withdraw a guide from the extension; publishing it again brings it back."""
    with database.atomic():
        updated = (Guide
                   .update(status="archived", updated_at=utcnow())
                   .where((Guide.id == guide_id) & (Guide.latest_version > 0))
                   .execute())
        if not updated:
            raise GuideNotFound(guide_id)
        _bump_revision()
    return guide_summary(guide_id)


# -- reading -----------------------------------------------------------------

def guide_summary(guide_id):
    """``{"id", "status", "latest_version", "updated_at"}``; raises GuideNotFound."""
    guide = Guide.get_or_none((Guide.id == guide_id) & (Guide.latest_version > 0))
    if guide is None:
        raise GuideNotFound(guide_id)
    return {"id": guide.id, "status": guide.status, "latest_version": guide.latest_version,
            "updated_at": guide.updated_at.isoformat(timespec="seconds") + "Z"}


def latest(guide_id):
    """The latest document of a guide with its ``version`` and ``status``; raises GuideNotFound."""
    summary = guide_summary(guide_id)
    return {**_document(guide_id, summary["latest_version"]), "version": summary["latest_version"],
            "status": summary["status"]}


def document_of(guide_id, version=None):
    """The document of one version of a guide (the latest when ``version`` is None, or when
    that version does not exist); raises GuideNotFound. Reports read titles and choices here."""
    latest_version = guide_summary(guide_id)["latest_version"]
    found = _document(guide_id, version) if version is not None else None
    return found if found is not None else _document(guide_id, latest_version)


def versions(guide_id):
    """Every version of a guide, newest first: ``[{"version", "published_at"}]``."""
    summary = guide_summary(guide_id)
    rows = (GuideVersion
            .select(GuideVersion.version, GuideVersion.published_at)
            .where(GuideVersion.guide == guide_id)
            .order_by(GuideVersion.version.desc()))
    return {**summary, "versions": [
        {"version": row.version, "published_at": row.published_at.isoformat(timespec="seconds") + "Z"}
        for row in rows]}


def latest_documents():
    """``(document, version)`` of the latest version of every guide, archived ones included."""
    rows = (GuideVersion
            .select(GuideVersion.document, GuideVersion.version)
            .join(Guide, on=((Guide.id == GuideVersion.guide)
                             & (Guide.latest_version == GuideVersion.version)))
            .order_by(GuideVersion.guide))
    return [(json.loads(row.document), row.version) for row in rows]


def every_version():
    """``(guide_id, version, document)`` of every published version, by guide then version."""
    rows = (GuideVersion
            .select(GuideVersion.guide, GuideVersion.version, GuideVersion.document)
            .order_by(GuideVersion.guide, GuideVersion.version))
    return [(row.guide_id, row.version, json.loads(row.document)) for row in rows]


def has_guide(guide_id):
    """Whether the catalogue has a row for ``guide_id`` (published or archived)."""
    return Guide.select().where(Guide.id == guide_id).exists()


def version_numbers(guide_id):
    """The guide's published version numbers, newest first ([] for an unknown guide)."""
    return [version for (version,) in (GuideVersion
                                       .select(GuideVersion.version)
                                       .where(GuideVersion.guide == guide_id)
                                       .order_by(GuideVersion.version.desc())
                                       .tuples())]


def _parsed(document):
    """A stored document as a dict, tolerant of anything stored (None if it is not one)."""
    try:
        parsed = json.loads(document) if document else {}
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _list_fields(document):
    """Title and page patterns of a stored document, for the dashboard's list."""
    parsed = _parsed(document) or {}
    match = parsed.get("match") if isinstance(parsed.get("match"), dict) else {}
    include = [p for p in match.get("include") or [] if isinstance(p, str)]
    title = parsed.get("title") if isinstance(parsed.get("title"), str) else None
    kind = parsed.get("kind") if isinstance(parsed.get("kind"), str) else DEFAULT_KIND
    return {"title": title, "include": include, "kind": kind}


def list_entries(guide_ids=None):
    """``{guide_id: {"status", "latest_version", "title", "include", "kind"}}`` of the catalogue's
    guides (only those of ``guide_ids`` when given), from their latest versions, in one query."""
    query = (Guide
             .select(Guide.id, Guide.status, GuideVersion.version, GuideVersion.document)
             .join(GuideVersion, JOIN.LEFT_OUTER,
                   on=((GuideVersion.guide == Guide.id) & (GuideVersion.version == Guide.latest_version)))
             .order_by(Guide.id))
    if guide_ids is not None:
        query = query.where(Guide.id.in_(sorted(set(guide_ids))))
    return {gid: {"status": status, "latest_version": version, **_list_fields(document)}
            for gid, status, version, document in query.tuples()}


def kinds_of(guide_ids):
    """``{guide_id: kind}`` of those of ``guide_ids`` the catalogue holds, archived ones
    included, each by its latest version (one query, whatever their number)."""
    guide_ids = set(guide_ids)
    return {gid: entry["kind"] for gid, entry in list_entries(guide_ids).items()} if guide_ids else {}


def list_entry(guide_id):
    """``list_entries``' entry for one guide, or None."""
    return list_entries([guide_id]).get(guide_id)


def step_titles(guide_id, version=None):
    """``({step_id: title}, [(index, step_id)])`` of a guide's steps, for its reports.

    Titles are the given version's, else those of the latest version that has the
    step (every version when ``version`` is None); the layout is the given
    version's steps, else the latest's up to it. A guide never published here has
    none of either.
    """
    documents = (GuideVersion
                 .select(GuideVersion.version, GuideVersion.document)
                 .where(GuideVersion.guide == guide_id)
                 .order_by(GuideVersion.version))
    titles, layout = {}, []
    for row in documents:
        parsed = _parsed(row.document)
        if parsed is None:
            continue
        steps = parsed.get("steps") or []
        if version is None or row.version <= version:
            layout = [(index, step.get("id")) for index, step in enumerate(steps)]
        for step in steps:
            if version is None or row.version == version or step.get("id") not in titles:
                titles[step.get("id")] = step.get("title")
    return titles, layout


# -- serving -----------------------------------------------------------------

def served_guide(document, version):
    """A published document as the extension gets it: the document with its ``kind`` and
    ``version``, and beside every ``body`` (a step's, a tip's, a nudge's) its rendering
    as ``body_nodes`` (for the extension) and ``body_html``."""
    return {**_with_rendered_bodies(document), "kind": kind_of(document), "version": version}


def _with_rendered_bodies(node):
    if isinstance(node, list):
        return [_with_rendered_bodies(item) for item in node]
    if not isinstance(node, dict):
        return node
    rendered = {key: _with_rendered_bodies(value) for key, value in node.items()}
    if isinstance(node.get("body"), str):
        rendered["body_nodes"], rendered["body_html"] = render_body(node["body"])
    return rendered


def published_guide_ids():
    """Ids of the published documents of kind ``guide`` (what a nudge may start)."""
    return {guide["id"] for guide in _fresh_snapshot().guides if guide["kind"] == DEFAULT_KIND}


ORIGIN = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#*]*")
LITERAL_ORIGIN = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#*]+(?=[/?#])")


def glob_origin(glob):
    """``scheme://host`` when the glob fixes it literally (then only URLs of that origin match), else None."""
    found = LITERAL_ORIGIN.match(glob)
    return found.group(0) if found else None


@dataclass
class _Snapshot:
    """Every published guide of one catalogue revision, indexed by the origin its globs fix."""
    revision: str
    guides: list  # served guides, ordered by id
    by_origin: dict = field(default_factory=dict)  # "https://host" → [position in guides]
    anywhere: list = field(default_factory=list)  # positions of guides with an open-ended origin
    answers: dict = field(default_factory=dict)  # (url, role, period) → Answer
    boundaries: list = field(default_factory=list)  # sorted moments a schedule opens or closes

    def __post_init__(self):
        self.boundaries = sorted({moment for guide in self.guides
                                  for moment in schedule_bounds(guide) if moment is not None})
        for position, guide in enumerate(self.guides):
            origins = {glob_origin(glob) for glob in guide["match"]["include"]}
            if None in origins:
                self.anywhere.append(position)
                continue
            for origin in origins:
                self.by_origin.setdefault(origin, []).append(position)

    def candidates(self, url):
        """The guides that may match ``url``: those of its origin and the open-ended ones, in order."""
        if url is None:
            return self.guides
        found = ORIGIN.match(url)
        positions = self.by_origin.get(found.group(0), []) if found else []
        return [self.guides[position] for position in sorted({*positions, *self.anywhere})]

    def period(self, now):
        """How many schedule boundaries have passed at ``now``: answers are equal within a period."""
        return bisect.bisect_right(self.boundaries, now)


def in_schedule(document, now):
    """Whether a document is served at ``now`` (naive UTC): from ``from`` (inclusive) to ``until``."""
    start, end = schedule_bounds(document)
    return (start is None or start <= now) and (end is None or now < end)


@dataclass
class Answer:
    guides: list
    etag: str
    body: bytes  # the JSON answer, made once per (url, role) and revision


_lock = threading.Lock()
_snapshot = None


def current_revision():
    row = Setting.get_or_none(Setting.key == REVISION_KEY)
    return row.value if row else ""


def _served_from_row(row):
    if row.served:
        served = json.loads(row.served)
        served.setdefault("kind", DEFAULT_KIND)  # served before kinds existed
        return served
    return served_guide(json.loads(row.document), row.version)  # published before 0002


def _published_snapshot(revision):
    rows = (GuideVersion
            .select(GuideVersion.document, GuideVersion.served, GuideVersion.version)
            .join(Guide, on=((Guide.id == GuideVersion.guide)
                             & (Guide.latest_version == GuideVersion.version)))
            .where(Guide.status == "published")
            .order_by(GuideVersion.guide))
    return _Snapshot(revision, [_served_from_row(row) for row in rows])


def _fresh_snapshot():
    """The cached catalogue, rebuilt when another process (or this one) changed it."""
    global _snapshot
    revision = current_revision()  # read before loading: a change during the load shows next time
    snapshot = _snapshot
    if snapshot is None or snapshot.revision != revision:
        with _lock:
            if _snapshot is None or _snapshot.revision != revision:
                _snapshot = _published_snapshot(revision)
            snapshot = _snapshot
    return snapshot


def matching(url=None, role=None, now=None):
    """The published documents for a page and role at ``now`` (default: the clock), as an
    ``Answer`` (guides, ETag, JSON body)."""
    snapshot = _fresh_snapshot()
    now = now or utcnow()
    key = (url, role, snapshot.period(now))
    answer = snapshot.answers.get(key)
    if answer is None:
        guides = [guide for guide in snapshot.candidates(url)
                  if guide_matches(guide, url, role) and in_schedule(guide, now)]
        body = json.dumps({"guides": guides}, ensure_ascii=False, separators=(",", ":")).encode()
        identity = json.dumps([SERVED_SHAPE] + [[g["id"], g["version"]] for g in guides])
        etag = '"' + hashlib.sha256(identity.encode()).hexdigest()[:32] + '"'
        answer = Answer(guides, etag, body)
        if len(snapshot.answers) >= ANSWER_CACHE_SIZE:
            snapshot.answers.clear()  # crude but bounded: page URLs are unbounded
        snapshot.answers[key] = answer
    return answer
