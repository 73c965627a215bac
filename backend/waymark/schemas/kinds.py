"""Every document kind through one door: ``check_document`` picks the kind's schema.

The kind is the document's ``kind`` (``guide`` when it has none, so every
guide written before kinds existed stays valid). Errors come all at once, in
document order, each with its JSON path (``tips[1].validate.pattern``,
``nudge.actions[2].start``); warnings apart. Warnings that need to know the
clock (a schedule already ended) or the catalogue (an action starting a guide
that is not published) take them as arguments: schemas never read storage.
"""
import re

from marshmallow import EXCLUDE, ValidationError

from ..errors import details_from_messages
from ..models import utcnow
from .document import KINDS, DocumentSchema, kind_of
from .guide import GuideSchema, guide_warnings
from .nudge import NudgeDocumentSchema, nudge_warnings
from .resources import ResourcesDocumentSchema
from .survey import SurveyDocumentSchema, survey_warnings
from .tips import TipsDocumentSchema, tips_warnings

SCHEMAS = {"guide": GuideSchema(), "tips": TipsDocumentSchema(), "resources": ResourcesDocumentSchema(),
           "nudge": NudgeDocumentSchema(), "survey": SurveyDocumentSchema()}
# A document of an unknown kind: its shared fields are still checked.
_shared_fields = DocumentSchema(unknown=EXCLUDE)


def errors_of(schema, document):
    """Every error ``schema`` finds in ``document`` as [{path, message}], in document order."""
    try:
        schema.load(document)
    except ValidationError as error:
        return _sorted_by_path(details_from_messages(error.messages))
    return []


def document_errors(document):
    """Every error in a document of any kind; [] when valid."""
    kind = kind_of(document)
    if kind in SCHEMAS:
        return errors_of(SCHEMAS[kind], document)
    if kind is None:
        return errors_of(SCHEMAS["guide"], document)  # "must be a JSON object"
    return errors_of(_shared_fields, document)  # includes kind: "must be one of …"


def document_warnings(document, now=None, published_guides=None):
    """Valid but likely to hurt, by kind. ``published_guides``: ids a nudge may start (None: unknown)."""
    kind = kind_of(document)
    now = now or utcnow()
    if kind == "guide":
        return guide_warnings(document)
    if kind == "tips":
        return tips_warnings(document)
    if kind == "nudge":
        return nudge_warnings(document, now, published_guides)
    if kind == "survey":
        return survey_warnings(document, now)
    return []


def check_document(document, now=None, published_guides=None):
    """``{"valid", "errors", "warnings"}`` for a parsed document of any kind."""
    errors = document_errors(document)
    warnings = document_warnings(document, now, published_guides) if kind_of(document) in KINDS else []
    return {"valid": not errors, "errors": errors, "warnings": warnings}


_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _sorted_by_path(details):
    """Document order is easier to fix than marshmallow's order: steps[2] before steps[10]."""
    def key(detail):
        return [(0, int(number), "") if number else (1, 0, name)
                for number, name in _PATH_PART.findall(detail["path"])]
    return sorted(details, key=key)
