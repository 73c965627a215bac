"""CSS selectors and input patterns in guides: syntax checks and fragility warnings.

The service has no browser, so syntax is checked structurally (balanced
brackets, parentheses and quotes; no dangling combinators); the browser is the
final judge and reports a selector it cannot use as ``target_missing``.
The warnings name selectors that work today but break with the next release
of the page: positional-only selectors and ids/classes a framework generated.
"""
import re

from marshmallow import ValidationError

MAX_CHECKED_LENGTH = 1000  # schemas.guide.MAX_SELECTOR: longer ones are refused by length
PAIRS = {")": "(", "]": "["}
COMBINATORS = ">+~,"
STRUCTURAL = re.compile(r":(nth-|first-|last-|only-)")
ADVICE = ("prefer data-testid, aria-label, name or role attributes, and add 'text' "
          "(docs/guides.md, 'Targets that survive UI changes')")

# (what made it, pattern) for ids and classes that change between builds or page loads.
GENERATED = [
    ("React's useId", re.compile(r":[rR][0-9a-zA-Z]*:")),
    ("Ember", re.compile(r"^ember\d+$")),
    ("JSF", re.compile(r"(^|:)j_id")),
    ("Ext JS", re.compile(r"^ext-(gen|comp|element)-?\d+")),
    ("a component library's counter", re.compile(
        r"^(mat|cdk|mui|react-select|headlessui|radix|downshift|gwt-uid|yui|rc-[a-z]+)[-_].*\d+")),
    ("CSS-in-JS (emotion, styled-components, JSS)", re.compile(
        r"^(css|jss|emotion)-[a-z0-9]*\d[a-z0-9]*(-|$)|^sc-(?=[a-z0-9]*[A-Z])[a-zA-Z0-9]{5,}$"
        r"|^jss\d+$|^makeStyles-.+-\d+$")),
    ("CSS modules", re.compile(r"__[A-Za-z0-9-]*\d[A-Za-z0-9-]*$")),
]
# Tokens no framework rule names but that only look random: hex hashes, uuids,
# record numbers, digit/letter soup. The element picker's rules, mirrored
# (extension/src/content/pick/generated.js; cases both sides are tested
# against: tests/fixtures/generated_identifiers.json).
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
SEGMENT_SEPARATORS = re.compile(r"[-_:./]+")
RECORD_NUMBER = re.compile(r"^[0-9]{5,}$")
HEX_HASH = re.compile(r"^[0-9a-fA-F]{8,}$")
# A hex escape takes one whitespace after it (`#\33 f9a` is the id "3f9a"), not a combinator.
IDENTIFIER = re.compile(r"[#.]((?:\\[0-9a-fA-F]{1,6}\s?|\\.|[\w-])+)")
ATTRIBUTE_VALUE = re.compile(
    r"\[\s*(?:id|class|for|aria-labelledby|aria-describedby|aria-controls)\s*[~|^$*]?=\s*"
    r"(?:\"([^\"]*)\"|'([^']*)'|([^\]\s]+))")
CSS_HEX_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")
CSS_ESCAPE = re.compile(r"\\(.)")


def _scan(selector):
    """The selector's characters as ``[(index, char, kind)]`` and the quote left open (or None).

    ``kind`` is "escape" (a backslash escape outside a string, both its
    characters), "quoted" (a quote mark, or anything inside a string) or "code".
    """
    chars, quote, index = [], None, 0
    while index < len(selector):
        char = selector[index]
        if char == "\\":
            chars.append((index, char, "quoted" if quote else "escape"))
            index += 2
            continue
        if quote:
            quote = None if char == quote else quote
            chars.append((index, char, "quoted"))
        elif char in "\"'":
            quote = char
            chars.append((index, char, "quoted"))
        else:
            chars.append((index, char, "code"))
        index += 1
    return chars, quote


def structure_problem(selector):
    """What is structurally wrong with a selector, or None."""
    if not selector.strip():
        return "is empty"
    chars, open_quote = _scan(selector)
    stack = []
    for index, char, kind in chars:
        if kind != "code":
            continue
        if char in "([":
            stack.append(char)
        elif char in PAIRS:
            if not stack or stack[-1] != PAIRS[char]:
                return f"has an unmatched '{char}' at character {index + 1}"
            stack.pop()
    if open_quote:
        return f"has an unclosed {open_quote} quote"
    if stack:
        return f"has an unclosed '{stack[-1]}'"
    return _combinator_problem(_outer_text(selector, chars).strip())


def _outer_text(selector, chars=None):
    """The selector with quoted strings and bracket/parenthesis contents blanked out
    (``chars``: its ``_scan``, when already made)."""
    out, depth = [], 0
    for _, char, kind in chars if chars is not None else _scan(selector)[0]:
        if kind == "escape":
            if depth == 0:
                out.append("x")
        elif kind != "code":
            continue
        elif char in "([":
            if depth == 0:
                out.append(char)
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth == 0:
                out.append(char)
        elif depth == 0:
            out.append(char)
    return "".join(out)


def _combinator_problem(outer):
    if outer[0] in COMBINATORS:
        return f"starts with '{outer[0]}': a selector must start with an element, id, class or attribute"
    if outer[-1] in COMBINATORS:
        return f"ends with '{outer[-1]}': something must follow it"
    if re.search(r"[>+~,]\s*[>+~,]", outer):
        return ("has two combinators in a row (the extension already searches open shadow roots "
                "and same-origin frames, so no '>>>' is needed)")
    return None


def check_syntax(selector):
    """Marshmallow validator: raise ValidationError when the selector cannot be valid CSS."""
    if not selector or len(selector) > MAX_CHECKED_LENGTH:
        return  # the length rule already says so; one message per problem
    problem = structure_problem(selector)
    if problem:
        raise ValidationError(f"is not a valid CSS selector: it {problem}")


def check_pattern(pattern):
    """Marshmallow validator for ``advance.pattern`` (a JavaScript regular expression)."""
    if "(?P" in pattern:
        raise ValidationError("uses Python's (?P...) syntax; write named groups as (?<name>...) "
                              "as JavaScript does")
    try:
        re.compile(re.sub(r"\(\?<([A-Za-z_]\w*)>", r"(?P<\1>", pattern))
    except re.error as error:
        raise ValidationError(f"is not a valid regular expression: {error}") from None


# Constructs Python's ``re`` accepts that a browser's ``new RegExp(pattern)`` (no
# flags) rejects or reads as something else. The service has no JavaScript
# engine, so the accepted subset is: what compiles in Python (check_pattern)
# without these (docs/guides.md, "Patterns").
_PY_ONLY_GROUPS = [
    (re.compile(r"\(\?[aiLmsux]*(-[imsx]+)?\)"), "inline flags like (?i) are Python's; JavaScript refuses them "
     "(match both cases with [Aa] instead)"),
    (re.compile(r"\(\?[aiLmsux-]+:"), "scoped flags like (?i:...) work only in the newest browsers"),
    (re.compile(r"\(\?#"), "(?#...) comments are Python's; JavaScript refuses them"),
    (re.compile(r"\(\?>"), "atomic groups (?>...) are Python's; JavaScript refuses them"),
    (re.compile(r"\(\?\("), "conditional groups (?(1)...) are Python's; JavaScript refuses them"),
]
_PY_ONLY_ESCAPES = {"A": "\\A is Python's start of text; in JavaScript it is the letter A (use ^)",
                    "Z": "\\Z is Python's end of text; in JavaScript it is the letter Z (use $)",
                    "z": "\\z is not an anchor in JavaScript (use $)"}


def _outside_classes(pattern):
    """The pattern's tokens outside [...] as (token, index): escapes stay two characters."""
    tokens, in_class, index = [], False, 0
    while index < len(pattern):
        char = pattern[index]
        token = pattern[index:index + 2] if char == "\\" else char
        if not in_class:
            tokens.append(token)
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        index += len(token)
    return tokens


def pattern_warnings(pattern):
    """Warnings for a pattern that compiles here but may not do the same in the browser."""
    warnings = []
    outer = "".join(token if len(token) == 1 else "__" for token in _outside_classes(pattern))
    for found, message in _PY_ONLY_GROUPS:
        if found.search(outer):
            warnings.append(message)
    previous = ""
    for token in _outside_classes(pattern):
        if token[:1] == "\\" and token[1:] in _PY_ONLY_ESCAPES:
            warnings.append(_PY_ONLY_ESCAPES[token[1:]])
        if token == "+" and previous in ("*", "+", "?", "}"):
            warnings.append("possessive quantifiers (a++, a*+) are Python's; JavaScript refuses them")
        previous = "" if previous in ("*", "+", "?", "}") and token in ("+", "?") else token
    return list(dict.fromkeys(warnings))


def is_positional_only(selector):
    """True when the selector names no id, class or attribute: only tags and positions."""
    outer = _outer_text(selector)
    if any(mark in outer for mark in "#.[") or ":has(" in outer or ":is(" in outer or ":where(" in outer:
        return False
    has_combinator = bool(re.search(r"[>+~]|\w\s+[\w*:]", outer.strip()))
    return bool(STRUCTURAL.search(outer)) or has_combinator


def _kind_switches(word):
    """How often a word switches between digits, lower case and upper case letters."""
    def kind(char):
        if "0" <= char <= "9":
            return "d"
        if "a" <= char <= "z":
            return "l"
        return "u" if "A" <= char <= "Z" else "o"
    return sum(kind(a) != kind(b) for a, b in zip(word, word[1:]))


def _random_looking_segment(segment):
    """A dash/underscore-separated part of a name that reads as a hash or a record number."""
    digits = sum("0" <= char <= "9" for char in segment)
    if RECORD_NUMBER.match(segment):
        return True
    if HEX_HASH.match(segment) and digits:
        return True
    # "x7Kq9ZpL2": letters and digits shuffled; "section2Title", "h264" stay readable.
    return (len(segment) >= 5 and digits >= 2 and any(char.isascii() and char.isalpha() for char in segment)
            and _kind_switches(segment) >= 3)


def generated_by(name):
    """What made ``name`` up (a short phrase), or None when it reads as written by a person."""
    for maker, pattern in GENERATED:
        if pattern.search(name):
            return maker
    if UUID.search(name):
        return "a uuid"
    if any(_random_looking_segment(part) for part in SEGMENT_SEPARATORS.split(name)):
        return "a hash or counter (random-looking)"
    return None


def generated_names(selector):
    """(name, maker) for each id or class in the selector that looks generated."""
    names = [_unescape(name) for name in IDENTIFIER.findall(_strings_blanked(selector))]
    for match in ATTRIBUTE_VALUE.finditer(selector):
        value = next(group for group in match.groups() if group is not None)
        names.extend(_unescape(value).split())
    return [(name, maker) for name in names if (maker := generated_by(name))]


def fragility_warnings(selector):
    """Warning messages for a selector that works today but is likely to break."""
    if structure_problem(selector):
        return []  # an error already names it
    warnings = []
    if is_positional_only(selector):
        warnings.append("only says where the element sits (tags and positions), so any layout "
                        "change breaks it: " + ADVICE)
    for name, maker in generated_names(selector):
        warnings.append(f"'{name}' looks generated by {maker} and changes between builds or "
                        "page loads: " + ADVICE)
    return warnings


def _strings_blanked(selector):
    return re.sub(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'", '""', selector)


def _unescape(name):
    name = CSS_HEX_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), name)
    return CSS_ESCAPE.sub(r"\1", name)
