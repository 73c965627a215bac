"""What the dashboard needs from the catalogue: titles, status, versions, page patterns.

Read straight from the Guide and GuideVersion tables (the catalogue module owns
writing them); a guide that has runs but was never published here still shows,
by its id.
"""
import json

from peewee import JOIN, fn

from ..models import Guide, GuideVersion


def _document_fields(document):
    """Title and page patterns from a published document (tolerant of anything stored)."""
    try:
        parsed = json.loads(document) if document else {}
    except ValueError:
        parsed = {}
    if not isinstance(parsed, dict):
        parsed = {}
    match = parsed.get("match") if isinstance(parsed.get("match"), dict) else {}
    include = [p for p in match.get("include") or [] if isinstance(p, str)]
    title = parsed.get("title") if isinstance(parsed.get("title"), str) else None
    kind = parsed.get("kind") if isinstance(parsed.get("kind"), str) else "guide"
    return {"title": title, "include": include, "kind": kind}


def _latest_versions():
    """A subquery of (guide id, latest version number) per guide."""
    return (GuideVersion
            .select(GuideVersion.guide.alias("guide_id"), fn.MAX(GuideVersion.version).alias("latest"))
            .group_by(GuideVersion.guide)
            .alias("latest_versions"))


def catalogue_entries(guide_id=None):
    """``{guide_id: {"title", "status", "latest_version", "include", "kind"}}`` for the catalogue's guides."""
    latest = _latest_versions()
    query = (Guide
             .select(Guide.id, Guide.status, latest.c.latest, GuideVersion.document)
             .join(latest, JOIN.LEFT_OUTER, on=(latest.c.guide_id == Guide.id))
             .join(GuideVersion, JOIN.LEFT_OUTER,
                   on=((GuideVersion.guide == Guide.id) & (GuideVersion.version == latest.c.latest)))
             .order_by(Guide.id))
    if guide_id is not None:
        query = query.where(Guide.id == guide_id)
    entries = {}
    for gid, status, version, document in query.tuples():
        entries[gid] = {"status": status, "latest_version": version, **_document_fields(document)}
    return entries


def catalogue_entry(guide_id):
    """The catalogue's entry for one guide, or None."""
    return catalogue_entries(guide_id).get(guide_id)


def published_versions(guide_id):
    """The guide's published version numbers, newest first."""
    return [version for (version,) in (GuideVersion
                                       .select(GuideVersion.version)
                                       .where(GuideVersion.guide == guide_id)
                                       .order_by(GuideVersion.version.desc())
                                       .tuples())]
