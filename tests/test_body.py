"""Step bodies: the Markdown subset, and nothing an author writes ever runs on a page."""
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from waymark.body import body_html, body_nodes, render_body, safe_href

ALLOWED_TAGS = {"p", "strong", "em", "code", "pre", "ul", "ol", "li", "a", "br"}
PAYLOADS = [line.replace("\\n", "\n").replace("\\t", "\t")
            for line in (Path(__file__).parent / "data" / "xss_payloads.txt").read_text().splitlines()
            if line and not line.startswith("#")]


def is_safe_url(url):
    parts = urlsplit(url)
    return (parts.scheme in ("http", "https") and bool(parts.netloc)) or parts.scheme == "mailto"


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def walk(nodes):
    for node in nodes:
        if isinstance(node, dict):
            yield node
            yield from walk(node["children"])


def test_the_corpus_is_big_enough():
    assert len(PAYLOADS) >= 50


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives_in_body_html(payload):
    collector = TagCollector()
    collector.feed(body_html(payload))
    for tag, attributes in collector.tags:
        assert tag in ALLOWED_TAGS, (tag, payload)
        assert set(attributes) <= ({"href", "rel"} if tag == "a" else set()), (attributes, payload)
        if tag == "a":
            assert is_safe_url(attributes["href"]), (attributes, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives_in_body_nodes(payload):
    for node in walk(body_nodes(payload)):
        assert node["tag"] in ALLOWED_TAGS, (node, payload)
        assert set(node) <= {"tag", "children", "href"}
        if node["tag"] == "a":
            assert is_safe_url(node["href"]), (node, payload)
        else:
            assert "href" not in node


def test_raw_html_stays_visible_text():
    assert body_nodes("<b>hi</b>") == [{"tag": "p", "children": ["<b>hi</b>"]}]
    assert body_html("<b>hi</b>") == "<p>&lt;b&gt;hi&lt;/b&gt;</p>"


@pytest.mark.parametrize("markdown, nodes", [
    ("Click **New** or *Cancel*.", [{"tag": "p", "children": [
        "Click ", {"tag": "strong", "children": ["New"]}, " or ",
        {"tag": "em", "children": ["Cancel"]}, "."]}]),
    ("Type `42`", [{"tag": "p", "children": ["Type ", {"tag": "code", "children": ["42"]}]}]),
    ("- one\n- two", [{"tag": "ul", "children": [{"tag": "li", "children": ["one"]},
                                                  {"tag": "li", "children": ["two"]}]}]),
    ("1. one\n2. two", [{"tag": "ol", "children": [{"tag": "li", "children": ["one"]},
                                                    {"tag": "li", "children": ["two"]}]}]),
    ("```\nx < 1\n```", [{"tag": "pre", "children": [{"tag": "code", "children": ["x < 1\n"]}]}]),
    ("a  \nb", [{"tag": "p", "children": ["a", {"tag": "br", "children": []}, "b"]}]),
    ("one\n\ntwo", [{"tag": "p", "children": ["one"]}, {"tag": "p", "children": ["two"]}]),
    ("[Help](https://help.example/a?b=1)", [{"tag": "p", "children": [
        {"tag": "a", "href": "https://help.example/a?b=1", "children": ["Help"]}]}]),
    ("[Mail](mailto:help@example.com)", [{"tag": "p", "children": [
        {"tag": "a", "href": "mailto:help@example.com", "children": ["Mail"]}]}]),
    ("[Relative](/help)", [{"tag": "p", "children": ["Relative"]}]),
    ("# Not a heading", [{"tag": "p", "children": ["# Not a heading"]}]),
    ("Fish &amp; chips", [{"tag": "p", "children": ["Fish & chips"]}]),
    ("", []),
])
def test_markdown_subset(markdown, nodes):
    assert body_nodes(markdown) == nodes


def test_html_and_nodes_say_the_same():
    nodes, markup = render_body("**Hi** [there](https://x.example) `<b>`")
    assert nodes[0]["children"][0] == {"tag": "strong", "children": ["Hi"]}
    assert markup == ('<p><strong>Hi</strong> <a href="https://x.example" rel="noopener noreferrer">'
                      'there</a> <code>&lt;b&gt;</code></p>')


@pytest.mark.parametrize("href, safe", [
    ("https://a.example", True), ("http://a.example/x", True), ("mailto:a@b.example", True),
    ("javascript:alert(1)", False), (" JavaScript:alert(1)", False), ("java\nscript:x", False),
    ("data:text/html,x", False), ("/relative", False), ("http:no-host", False), ("", False),
])
def test_safe_href(href, safe):
    assert (safe_href(href) is not None) is safe
