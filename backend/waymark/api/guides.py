"""The guide catalogue over HTTP: served guides for the extension, authoring for authors.

Statuses:

- ``GET /api/v1/guides``: 200 with an ETag, 304 when ``If-None-Match`` holds it,
  400 ``invalid_query`` for an oversize ``url``/``role``.
- ``POST /api/v1/guides/validate``: 200 ``{"valid", "errors", "warnings"}`` even
  when invalid (the check worked), plus ``preview`` (the guide as served, version
  0) when valid; 400 ``invalid_json``.
- ``PUT /api/v1/guides/<id>``: 201 new version, 200 unchanged document,
  422 ``invalid_guide`` with every problem in ``details``, 400 ``invalid_json``.
- ``GET .../<id>``, ``GET .../<id>/versions``, ``POST .../<id>/archive``: 404
  ``not_found`` for an unknown id.
- 401 without a valid token, 403 with a token of a role that may not.
"""
from flask import Blueprint, Response, jsonify, request
from werkzeug.routing import BaseConverter

from .. import catalogue
from . import json_body, query_args
from ..errors import ApiError, not_found
from ..schemas.guide import check_guide
from ..schemas.guide_api import GuidesQuerySchema
from ..tokens import require_role

bp = Blueprint("guides", __name__, url_prefix="/api/v1/guides")


class GuideIdConverter(BaseConverter):
    """A guide id in a URL: anything but ``validate``, the check's own path, so that
    GET or PUT /api/v1/guides/validate is a 405 naming POST, not a guide called "validate"."""
    regex = r"(?!validate$)[^/]+"


bp.record_once(lambda state: state.app.url_map.converters.setdefault("guide_id", GuideIdConverter))

# Published versions start at 1: version 0 marks a guide that is only being previewed.
PREVIEW_VERSION = 0


def _etag_matches(etag):
    """Whether the client's If-None-Match names this ETag (weak or strong, or ``*``)."""
    wanted = request.headers.get("If-None-Match", "")
    tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
    return etag in tags or "*" in tags


def _guide_or_404(read, guide_id):
    try:
        return read(guide_id)
    except catalogue.GuideNotFound:
        raise not_found(f"No guide {guide_id!r} in the catalogue; publish it with "
                        f"PUT /api/v1/guides/{guide_id}.") from None


@bp.get("")
@require_role("extension")
def list_guides():
    """The published guides matching ``url`` (optional) for ``role``, with an ETag."""
    args = query_args(GuidesQuerySchema())
    answer = catalogue.matching(args.get("url"), args.get("role"))
    headers = {"ETag": answer.etag, "Cache-Control": "private, no-cache"}
    if _etag_matches(answer.etag):
        return Response(status=304, headers=headers)
    return Response(answer.body, mimetype="application/json", headers=headers)


@bp.post("/validate")
@require_role("author")
def validate_guide():
    """Every error and warning in a guide; nothing is stored.

    A valid guide comes back as the extension would get it once published
    (bodies rendered), so author mode previews exactly what employees will see.
    """
    document = json_body("a guide as JSON")
    result = check_guide(document)
    if result["valid"]:
        result["preview"] = catalogue.served_guide(document, PREVIEW_VERSION)
    return jsonify(result)


@bp.put("/<guide_id:guide_id>")
@require_role("author")
def publish_guide(guide_id):
    """Validate and publish; a changed document becomes a new version."""
    document = json_body("a guide as JSON")
    result = check_guide(document)
    errors = list(result["errors"])
    if isinstance(document, dict) and "id" in document and document["id"] != guide_id:
        errors.insert(0, {"path": "id", "message": (
            f"must equal the id in the URL ({guide_id[:100]!r}); "
            f"PUT the guide to /api/v1/guides/<its id>")})
    if errors:
        raise ApiError(422, "invalid_guide",
                       f"The guide has {len(errors)} error(s); nothing was published.", errors)
    version, created = catalogue.publish(document)
    body = {"id": guide_id, "version": version, "created": created, "warnings": result["warnings"]}
    return jsonify(body), 201 if created else 200


@bp.get("/<guide_id:guide_id>")
@require_role("author")
def get_guide(guide_id):
    """The latest version of a guide, with its ``version`` and ``status``."""
    return jsonify(_guide_or_404(catalogue.latest, guide_id))


@bp.get("/<guide_id:guide_id>/versions")
@require_role("author")
def guide_versions(guide_id):
    """Every version of a guide, newest first."""
    return jsonify(_guide_or_404(catalogue.versions, guide_id))


@bp.post("/<guide_id:guide_id>/archive")
@require_role("author")
def archive_guide(guide_id):
    """Withdraw a guide from the extension; PUT it again to bring it back."""
    return jsonify(_guide_or_404(catalogue.archive, guide_id))
