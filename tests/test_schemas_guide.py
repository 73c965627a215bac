"""Guide format v1: every error with its path, warnings apart, and the JSON Schema agreeing."""
import copy
import json
from pathlib import Path

import jsonschema
import pytest

from waymark.schemas.guide import check_guide
from waymark.schemas.kinds import check_document

ROOT = Path(__file__).resolve().parent.parent
JSON_SCHEMA = json.loads((ROOT / "docs" / "guide.schema.json").read_text())

VALID = {
    "id": "submit-expense",
    "title": "Submit your first expense report",
    "description": "Four steps, two minutes.",
    "match": {"include": ["https://expenses.example.com/*"], "exclude": ["*/admin/*"]},
    "audience": {"roles": ["employee"]},
    "start": "auto",
    "frequency": "until_completed",
    "steps": [
        {"id": "new-report", "url": "https://expenses.example.com/reports",
         "target": {"selector": "[data-testid=new-report]", "text": "New report",
                    "fallbacks": ["#new-report", "button.primary"]},
         "title": "Start a report", "body": "Click **New report** to begin.",
         "placement": "bottom", "advance": {"on": "click"}},
        {"id": "amount", "url": "https://expenses.example.com/reports/new*",
         "target": {"selector": "input[name=amount]"}, "title": "Amount",
         "body": "Type the amount on the receipt.",
         "advance": {"on": "input", "pattern": "^[0-9]+([.,][0-9]{1,2})?$"}},
        {"id": "done", "title": "That's it", "body": "Your manager gets it now.",
         "advance": {"on": "next"}, "spotlight": True, "wait_ms": 0, "optional": False},
    ],
}


def changed(**edits):
    """VALID with edits; keys are dotted paths (``steps.1.advance``), value None deletes."""
    return edited(VALID, **edits)


def edited(base, **edits):
    """A copy of ``base`` with edits; keys are dotted paths (``steps.1.advance``), value None deletes."""
    document = copy.deepcopy(base)
    for dotted, value in edits.items():
        *parents, last = dotted.split(".")
        node = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        key = int(last) if isinstance(node, list) else last
        if value is None:
            del node[key]
        else:
            node[key] = value
    return document


def error_paths(document):
    return [item["path"] for item in check_guide(document)["errors"]]


# (document, the error paths marshmallow names); the JSON Schema must also reject each.
INVALID = [
    (changed(id="Submit Expense"), ["id"]),
    (changed(id=None), ["id"]),
    (changed(colour="red"), ["colour"]),
    (changed(title=""), ["title"]),
    (changed(title=3), ["title"]),
    (changed(match={"include": []}), ["match.include"]),
    (changed(match={"exclude": ["*"]}), ["match.include"]),
    (changed(**{"match.include": "https://x/*"}), ["match.include"]),
    (changed(audience={"roles": []}), ["audience.roles"]),
    (changed(audience={"role": "x"}), ["audience.role", "audience.roles"]),
    (changed(start="sometimes"), ["start"]),
    (changed(frequency="daily"), ["frequency"]),
    (changed(steps=[]), ["steps"]),
    (changed(steps={"id": "x"}), ["steps"]),
    (changed(**{"steps.0.title": None}), ["steps[0].title"]),
    (changed(**{"steps.0.colour": "red"}), ["steps[0].colour"]),
    (changed(**{"steps.0.placement": "middle"}), ["steps[0].placement"]),
    (changed(**{"steps.0.target": None}), ["steps[0].advance.on"]),
    (changed(**{"steps.1.target": None}), ["steps[1].advance.on"]),
    (changed(**{"steps.0.target.selector": None}), ["steps[0].target.selector"]),
    (changed(**{"steps.0.target.selector": "a" * 1001}), ["steps[0].target.selector"]),
    (changed(**{"steps.0.target.fallbacks": "#x"}), ["steps[0].target.fallbacks"]),
    (changed(**{"steps.0.advance": {"on": "hover"}}), ["steps[0].advance.on"]),
    (changed(**{"steps.0.advance": {"on": "click", "pattern": "x"}}), ["steps[0].advance.pattern"]),
    (changed(**{"steps.2.advance": {"on": "url"}}), ["steps[2].advance.url"]),
    (changed(**{"steps.2.advance": {"on": "visible"}}), ["steps[2].advance.selector"]),
    (changed(**{"steps.2.advance": {"on": "next", "url": "*"}}), ["steps[2].advance.url"]),
    (changed(**{"steps.2.spotlight": "yes"}), ["steps[2].spotlight"]),
    (changed(**{"steps.2.optional": 1}), ["steps[2].optional"]),
    (changed(**{"steps.2.wait_ms": "5000"}), ["steps[2].wait_ms"]),
    (changed(**{"steps.2.wait_ms": -1}), ["steps[2].wait_ms"]),
    (changed(**{"steps.2.wait_ms": 120_001}), ["steps[2].wait_ms"]),
    (changed(**{"steps.2.body": "x" * 10_001}), ["steps[2].body"]),
    (changed(**{"steps.2": "done"}), ["steps[2]"]),
    ([VALID], ["$"]),
]

# Rules the JSON Schema cannot say; the service alone checks them.
MARSHMALLOW_ONLY = [
    (changed(**{"steps.1.id": "new-report"}), ["steps[1].id"]),
    (changed(**{"steps.0.target.selector": "div > > a"}), ["steps[0].target.selector"]),
    (changed(**{"steps.0.target.fallbacks": ["a[href"]}), ["steps[0].target.fallbacks[0]"]),
    (changed(**{"steps.1.advance.pattern": "(["}), ["steps[1].advance.pattern"]),
    (changed(**{"steps.1.advance.pattern": "(?P<n>x)"}), ["steps[1].advance.pattern"]),
]

VALID_VARIANTS = [
    VALID,
    changed(audience=None, start=None, frequency=None, description=None),
    changed(**{"match.exclude": None}),
    changed(**{"steps.0.advance": None}),
    changed(**{"steps.2.advance": {"on": "url", "url": "*#/active"}}),
    changed(**{"steps.2.advance": {"on": "visible", "selector": "[role=alert]"}}),
    changed(**{"steps.1.advance": {"on": "input"}}),
    changed(**{"steps.1.advance.pattern": "^(?<whole>[0-9]+)$"}),
    changed(**{"$schema": "../docs/guide.schema.json"}),
    changed(steps=[{"id": "only", "title": "A centred step"}]),
]


@pytest.mark.parametrize("document", VALID_VARIANTS)
def test_valid_documents_pass_both_schemas(document):
    assert check_guide(document)["errors"] == []
    jsonschema.validate(document, JSON_SCHEMA)


@pytest.mark.parametrize("document, paths", INVALID)
def test_invalid_documents_fail_both_schemas_at_the_named_path(document, paths):
    assert error_paths(document) == paths
    assert list(jsonschema.Draft202012Validator(JSON_SCHEMA).iter_errors(document)), \
        "the JSON Schema accepts a document the service refuses"


@pytest.mark.parametrize("document, paths", MARSHMALLOW_ONLY)
def test_rules_only_the_service_checks(document, paths):
    assert error_paths(document) == paths


def test_every_error_is_reported_at_once_in_document_order():
    document = changed(id="Bad Id", start="x", **{
        "steps.0.target.selector": "", "steps.2.wait_ms": "slow", "steps.1.advance": {"on": "fly"}})
    assert error_paths(document) == [
        "id", "start", "steps[0].target.selector", "steps[1].advance.on", "steps[2].wait_ms"]


def test_messages_say_what_to_do():
    [error] = check_guide(changed(**{"steps.0.target": None}))["errors"]
    assert "needs a target" in error["message"] and "on: 'next'" in error["message"]
    [unknown] = check_guide(changed(colur="red"))["errors"]
    assert "check the spelling" in unknown["message"]


def test_more_than_twelve_steps_is_a_warning_not_an_error():
    steps = [{"id": f"s{index}", "title": "Step"} for index in range(13)]
    result = check_guide(changed(steps=steps))
    assert result["valid"] is True
    assert [warning["path"] for warning in result["warnings"]] == ["steps"]
    assert check_guide(changed(steps=steps[:12]))["warnings"] == []


@pytest.mark.parametrize("selector", [
    "div > div:nth-child(3)", "ul li:first-child", "body > main > section > button",
])
def test_positional_only_selectors_are_warned(selector):
    result = check_guide(changed(**{"steps.0.target.selector": selector}))
    assert result["valid"]
    assert [w["path"] for w in result["warnings"]] == ["steps[0].target.selector"]
    assert "data-testid" in result["warnings"][0]["message"]


@pytest.mark.parametrize("selector, name", [
    (".css-1x2y3z", "css-1x2y3z"),
    (".sc-bdVaJa", "sc-bdVaJa"),
    (".Button_primary__3xk2a", "Button_primary__3xk2a"),
    ("#\\:r1\\:", ":r1:"),
    ("[id=':R2a:']", ":R2a:"),
    ("#ember123", "ember123"),
    ("#j_id0", "j_id0"),
    ("#ext-gen1234", "ext-gen1234"),
    ("#mat-input-3", "mat-input-3"),
    (".jss42", "jss42"),
])
def test_generated_looking_names_are_warned(selector, name):
    result = check_guide(changed(**{"steps.0.target.fallbacks": [selector]}))
    assert result["valid"]
    [warning] = result["warnings"]
    assert warning["path"] == "steps[0].target.fallbacks[0]"
    assert f"'{name}'" in warning["message"]


@pytest.mark.parametrize("selector", [
    "[data-testid=new-report]", "button[aria-label='Save']", "input[name=amount]", "#new-report",
    "button.primary", ".card-header", "form#login button[type=submit]", "button",
])
def test_stable_selectors_are_not_warned(selector):
    assert check_guide(changed(**{"steps.0.target.selector": selector}))["warnings"] == []


def test_repository_examples_are_valid_in_both_schemas():
    files = sorted((ROOT / "guides").glob("*.json"))
    assert files, "guides/ holds the example guides"
    for path in files:
        document = json.loads(path.read_text())
        assert check_document(document)["errors"] == [], path.name
        jsonschema.validate(document, JSON_SCHEMA)
