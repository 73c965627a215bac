"""backend/waymark/selectors.py against the shared list of generated-looking names.

tests/fixtures/generated_identifiers.json is also read by the extension's
tests (extension/test/generated.test.js), so the element picker and
``waymark guides validate`` agree on what looks generated: a selector the
picker builds never draws the backend's warning, and a name the backend warns
about is never picked.
"""
import json
from pathlib import Path

import pytest

from waymark.selectors import fragility_warnings, generated_names

CASES = json.loads((Path(__file__).resolve().parent / "fixtures" / "generated_identifiers.json").read_text())


def css_escape(name):
    """CSSOM "serialize an identifier", as the browser's CSS.escape (and the picker) writes it."""
    out = []
    for index, char in enumerate(name):
        code = ord(char)
        if code == 0:
            out.append("\ufffd")
        elif 0x1 <= code <= 0x1f or code == 0x7f:
            out.append(f"\\{code:x} ")
        elif char.isascii() and char.isdigit() and (index == 0 or (index == 1 and name[0] == "-")):
            out.append(f"\\{code:x} ")
        elif index == 0 and char == "-" and len(name) == 1:
            out.append("\\-")
        elif code >= 0x80 or char == "-" or char == "_" or (char.isascii() and char.isalnum()):
            out.append(char)
        else:
            out.append("\\" + char)
    return "".join(out)


def selectors_for(name):
    return [f"#{css_escape(name)}", f".{css_escape(name)}"]


def test_css_escape_matches_the_browser():
    # Values CSS.escape gives in Chromium.
    assert css_escape(":r1:") == "\\:r1\\:"
    assert css_escape("3f9a") == "\\33 f9a"
    assert css_escape("-1a") == "-\\31 a"
    assert css_escape("form:j_id12") == "form\\:j_id12"


@pytest.mark.parametrize("name", CASES["generated"])
def test_generated_names_are_warned(name):
    for selector in selectors_for(name):
        assert [found for found, _maker in generated_names(selector)] == [name], selector
        warnings = fragility_warnings(selector)
        assert len(warnings) == 1 and f"'{name}' looks generated" in warnings[0], (selector, warnings)


@pytest.mark.parametrize("name", CASES["stable"])
def test_stable_names_are_not_warned(name):
    for selector in selectors_for(name):
        assert fragility_warnings(selector) == [], selector


def test_a_hex_escape_ends_at_its_space_not_at_a_combinator():
    # "#\\33 f9a2c1d" is the id "3f9a2c1d" (CSS.escape of a name starting with a digit).
    assert generated_names("#\\33 f9a2c1d") == [("3f9a2c1d", "a hash or counter (random-looking)")]
    assert generated_names("#\\33  .toolbar") == []  # the id "3", then a descendant
