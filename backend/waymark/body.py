"""Step bodies: a small Markdown subset → ``body_nodes`` (for the extension) and ``body_html``.

The subset (docs/guides.md): paragraphs, **strong**, *emphasis*, `code`, code
blocks, bullet and numbered lists, links and line breaks. Raw HTML is never
HTML: it stays visible text. Headings, quotes, rules, images and tables are off,
so their markup also stays text.

``body_nodes`` (docs/contract-notes.md) is a tree of strings and
``{"tag", "children"}`` with tags ``p strong em code pre ul ol li a br``; an
``a`` carries an absolute ``http:``, ``https:`` or ``mailto:`` ``href``, and a
link to anything else is served as its text. ``body_html`` is written from that
same tree with every text escaped, then passed through nh3 as a second guard.
"""
import html
import re
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

SAFE_SCHEMES = ("http", "https", "mailto")
TAGS = {"p", "strong", "em", "code", "pre", "ul", "ol", "li", "a", "br"}
# What markdown-it calls the node → our tag; unlisted containers are unwrapped to their content.
CONTAINER_TAGS = {"paragraph": "p", "strong": "strong", "em": "em", "bullet_list": "ul",
                  "ordered_list": "ol", "list_item": "li"}
# Characters browsers drop or ignore inside a URL scheme ("java\tscript:" is javascript:).
IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f-\x9f]")

_markdown = (MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
             .disable(["heading", "lheading", "blockquote", "hr", "image", "html_block",
                       "html_inline"]))


def safe_href(href):
    """The href when it is an absolute http, https or mailto URL, else None."""
    if not isinstance(href, str):
        return None
    cleaned = IGNORED_IN_SCHEME.sub("", href.strip()) if ":" in href else ""
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None  # "http:foo" is relative in a browser
    return cleaned


def body_nodes(markdown_text):
    """The body as the extension's node tree (a list of strings and tag nodes)."""
    tree = SyntaxTreeNode(_markdown.parse(markdown_text or ""))
    return _merge_strings(_children_nodes(tree))


def _children_nodes(node):
    out = []
    for child in node.children:
        out.extend(_nodes_of(child))
    return out


def _nodes_of(node):
    """The nodes one markdown-it syntax node becomes (a list, as unwrapping yields several)."""
    kind = node.type
    if kind == "text":
        return [node.content]
    if kind == "softbreak":
        return ["\n"]
    if kind == "hardbreak":
        return [{"tag": "br", "children": []}]
    if kind == "code_inline":
        return [{"tag": "code", "children": [node.content]}]
    if kind in ("fence", "code_block"):
        return [{"tag": "pre", "children": [{"tag": "code", "children": [node.content]}]}]
    if kind == "link":
        return _link_nodes(node)
    children = _merge_strings(_children_nodes(node))
    if kind == "paragraph" and node.hidden:
        return children  # a tight list's paragraphs are not drawn as paragraphs
    tag = CONTAINER_TAGS.get(kind)
    return [{"tag": tag, "children": children}] if tag else children


def _link_nodes(node):
    children = _merge_strings(_children_nodes(node))
    href = safe_href(node.attrs.get("href"))
    return [{"tag": "a", "href": href, "children": children}] if href else children


def _merge_strings(nodes):
    merged = []
    for node in nodes:
        if isinstance(node, str) and merged and isinstance(merged[-1], str):
            merged[-1] += node
        elif node != "":
            merged.append(node)
    return merged


def nodes_to_html(nodes):
    """HTML for a node tree, every text and attribute escaped."""
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(html.escape(node))
        elif node["tag"] == "br":
            parts.append("<br>")
        elif node["tag"] in TAGS:
            attributes = f' href="{html.escape(node["href"], quote=True)}"' if node["tag"] == "a" else ""
            parts.append(f"<{node['tag']}{attributes}>{nodes_to_html(node['children'])}</{node['tag']}>")
    return "".join(parts)


def body_html(markdown_text):
    """The body as sanitised HTML, for the dashboard."""
    return sanitise_html(nodes_to_html(body_nodes(markdown_text)))


def sanitise_html(markup):
    """nh3 with only our tags, only href on links, only safe schemes."""
    return nh3.clean(markup, tags=TAGS, attributes={"a": {"href"}},
                     url_schemes=set(SAFE_SCHEMES), link_rel="noopener noreferrer",
                     strip_comments=True)


def render_body(markdown_text):
    """``(body_nodes, body_html)`` for a step's body."""
    nodes = body_nodes(markdown_text)
    return nodes, sanitise_html(nodes_to_html(nodes))
