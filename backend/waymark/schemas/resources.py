"""The ``resources`` kind: links for the help panel (docs/guides.md "Resources").

Links open only ``http:``, ``https:``, ``mailto:`` and ``tel:`` URLs: never
``javascript:`` or ``data:``, whatever an author writes.
"""
from .document import (DocumentSchema, StrictSchema, list_of, nested, string, unknown_field_message,
                       url_with_scheme)

LINK_SCHEMES = ("http", "https", "mailto", "tel")
MAX_LINKS = 50


class LinkSchema(StrictSchema):
    title = string(required=True)
    url = url_with_scheme(LINK_SCHEMES)
    description = string(max_length=500)


class ResourcesDocumentSchema(DocumentSchema):
    error_messages = {**DocumentSchema.error_messages, "unknown": unknown_field_message("resources")}
    links = list_of(nested(LinkSchema), min_length=1, max_length=MAX_LINKS, required=True)
