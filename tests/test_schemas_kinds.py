"""Every document kind: errors with their paths, warnings apart, and the JSON Schema agreeing.

Guides have their own file (test_schemas_guide.py); this one covers tips,
resources, nudges, surveys and a guide's exit survey.
"""
import json
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest

from waymark.schemas.kinds import check_document

from .test_schemas_guide import edited

ROOT = Path(__file__).resolve().parent.parent
JSON_SCHEMA = json.loads((ROOT / "docs" / "guide.schema.json").read_text())
NOW = datetime(2026, 12, 15)

MATCH = {"include": ["https://expenses.example.com/*"]}
TIPS = {
    "id": "expense-form-help", "kind": "tips", "title": "Help on the expense form", "match": MATCH,
    "tips": [
        {"id": "amount", "target": {"selector": "input[name=amount]"}, "title": "Amount",
         "body": "As on the receipt, e.g. **12.50**.", "show": "beacon", "placement": "right",
         "validate": {"pattern": "^[0-9]+([.,][0-9]{1,2})?$", "required": True,
                      "message": "Use a dot or a comma for cents, e.g. 12.50"}},
        {"id": "cost-centre", "target": {"selector": "input[name=cost_centre]"}, "title": "Cost centre",
         "show": "focus", "validate": {"required": True, "message": "Every report needs a cost centre"}},
    ],
}
RESOURCES = {
    "id": "expenses-help", "kind": "resources", "title": "Help with expenses", "match": MATCH,
    "links": [{"title": "Expense policy FAQ", "url": "https://intranet.example.com/faq/expenses",
               "description": "Limits, receipts, per diem"},
              {"title": "Call the finance hotline", "url": "tel:+33123456789"},
              {"title": "Write to us", "url": "mailto:finance@example.com"}],
}
NUDGE = {
    "id": "travel-policy-2027", "kind": "nudge", "title": "New travel policy", "match": MATCH,
    "frequency": "until_completed",
    "schedule": {"from": "2026-12-01T00:00:00Z", "until": "2027-01-31T00:00:00Z"},
    "nudge": {"style": "banner", "title": "New travel policy from 1 January",
              "body": "Hotels are capped at **€150** a night.",
              "actions": [{"label": "Show me how", "start": "submit-expense"},
                          {"label": "Read the policy", "url": "https://intranet.example.com/travel"},
                          {"label": "Not now", "dismiss": True}]},
}
SURVEY = {
    "id": "report-pulse", "kind": "survey", "title": "Pulse", "match": MATCH, "frequency": "once",
    "survey": {"style": "toast", "question": "How easy was it to file this expense?",
               "scale": {"min": 1, "max": 5, "min_label": "Very hard", "max_label": "Very easy"},
               "text": "What would make it easier?"},
}
GUIDE = {
    "id": "submit-expense", "title": "Submit", "match": MATCH,
    "steps": [{"id": "amount", "title": "Amount"}],
    "exit_survey": {"question": "What stopped you?", "choices": ["Not now", "I don't understand this step"],
                    "other": True},
}
BASES = {"tips": TIPS, "resources": RESOURCES, "nudge": NUDGE, "survey": SURVEY, "guide": GUIDE}


def changed(base, **edits):
    """The base document of a kind with edits; keys are dotted paths (``tips.1.validate``), None deletes."""
    return edited(BASES[base], **edits)


def error_paths(document):
    return [item["path"] for item in check_document(document, now=NOW)["errors"]]


def warning_paths(document, **options):
    result = check_document(document, now=NOW, **options)
    assert result["valid"], result["errors"]
    return [item["path"] for item in result["warnings"]]


VALID = [
    TIPS, RESOURCES, NUDGE, SURVEY, GUIDE,
    changed("tips", **{"tips.0.validate": None, "tips.1.validate": {"pattern": "^[A-Z]{3}-\\d{4}$",
                                                                    "message": "FIN-1200"}}),
    changed("tips", **{"tips.0.wait_ms": 15000, "tips.1.wait_ms": 0}),  # a slow page, and a tip that never waits
    changed("nudge", schedule={"until": "2027-01-31T00:00:00+01:00"}, frequency=None),
    changed("nudge", nudge={"style": "pointer", "target": {"selector": "[data-testid=new-report]"},
                            "placement": "bottom", "body": "New: reports in any currency."}),
    changed("nudge", nudge={"style": "modal", "body": "Hello"}),
    changed("survey", survey={"question": "Which part was hardest?", "choices": ["Amount", "Receipt"]}),
    changed("survey", survey={"question": "How likely are you to recommend it?", "scale": {"min": 0, "max": 10}}),
    changed("guide", exit_survey={"question": "Why?", "choices": ["a", "b"]}),
    changed("resources", **{"links.0.url": "HTTPS://intranet.example.com/x"}),
]

# (document, the error paths marshmallow names); the JSON Schema must reject each too.
INVALID = [
    (changed("tips", kind="tip"), ["kind"]),
    (changed("tips", steps=[]), ["steps"]),
    (changed("tips", tips=[]), ["tips"]),
    (changed("tips", tips=None), ["tips"]),
    (changed("tips", **{"tips.0.target": None}), ["tips[0].target"]),
    (changed("tips", **{"tips.0.title": None}), ["tips[0].title"]),
    (changed("tips", **{"tips.1.show": "always"}), ["tips[1].show"]),
    (changed("tips", **{"tips.1.placement": "middle"}), ["tips[1].placement"]),
    (changed("tips", **{"tips.1.validate.message": None}), ["tips[1].validate.message"]),
    (changed("tips", **{"tips.1.validate.required": "yes"}), ["tips[1].validate.required"]),
    (changed("tips", **{"tips.1.validate": {"message": "x"}}), ["tips[1].validate"]),
    (changed("tips", **{"tips.1.validate.colour": "red"}), ["tips[1].validate.colour"]),
    (changed("tips", **{"tips.0.id": "Amount"}), ["tips[0].id"]),
    (changed("tips", **{"tips.0.wait_ms": 120_001}), ["tips[0].wait_ms"]),
    (changed("tips", **{"tips.0.wait_ms": -1}), ["tips[0].wait_ms"]),
    (changed("tips", **{"tips.1.wait_ms": 1.5}), ["tips[1].wait_ms"]),
    (changed("tips", **{"tips.1.wait_ms": "5000"}), ["tips[1].wait_ms"]),
    (changed("resources", links=[]), ["links"]),
    (changed("resources", **{"links.0.url": "javascript:alert(1)"}), ["links[0].url"]),
    (changed("resources", **{"links.0.url": "data:text/html,hi"}), ["links[0].url"]),
    (changed("resources", **{"links.1.url": "intranet/faq"}), ["links[1].url"]),
    (changed("resources", **{"links.1.title": None}), ["links[1].title"]),
    (changed("nudge", nudge=None), ["nudge"]),
    (changed("nudge", **{"nudge.style": "popup"}), ["nudge.style"]),
    (changed("nudge", **{"nudge.actions.2.dismiss": None}), ["nudge.actions[2]"]),
    (changed("nudge", **{"nudge.actions.2.start": "submit-expense"}), ["nudge.actions[2].start"]),
    (changed("nudge", **{"nudge.actions.0.start": "Submit Expense"}), ["nudge.actions[0].start"]),
    (changed("nudge", **{"nudge.actions.1.url": "javascript:alert(1)"}), ["nudge.actions[1].url"]),
    (changed("nudge", **{"nudge.actions.1.url": "tel:+33123"}), ["nudge.actions[1].url"]),
    (changed("nudge", **{"nudge.actions.0.label": None}), ["nudge.actions[0].label"]),
    (changed("nudge", **{"nudge.target": {"selector": "#x"}}), ["nudge.target"]),
    (changed("nudge", **{"nudge.style": "pointer"}), ["nudge.target"]),
    (changed("nudge", **{"schedule.from": "1 December"}), ["schedule.from"]),
    (changed("nudge", **{"schedule.until": "2026-12-01"}), ["schedule.until"]),
    (changed("nudge", schedule={}), ["schedule"]),
    (changed("nudge", frequency="daily"), ["frequency"]),
    (changed("survey", survey={"question": "Why?"}), ["survey"]),
    (changed("survey", **{"survey.choices": ["a", "b"]}), ["survey.choices"]),
    (changed("survey", **{"survey.style": "banner"}), ["survey.style"]),
    (changed("survey", **{"survey.scale.max": 11}), ["survey.scale.max"]),
    (changed("survey", **{"survey.scale.min": None}), ["survey.scale.min"]),
    (changed("survey", **{"survey.question": None}), ["survey.question"]),
    (changed("survey", steps=[]), ["steps"]),
    (changed("guide", exit_survey={"question": "Why?"}), ["exit_survey.choices"]),
    (changed("guide", exit_survey={"question": "Why?", "choices": ["only one"]}), ["exit_survey.choices"]),
    (changed("guide", **{"exit_survey.other": "yes"}), ["exit_survey.other"]),
    (changed("guide", tips=[]), ["tips"]),
    (changed("guide", kind="guide", schedule={"until": "2027-01-01T00:00:00Z"}), ["schedule"]),
]

# Rules the JSON Schema cannot say; the service alone checks them.
MARSHMALLOW_ONLY = [
    (changed("tips", **{"tips.1.id": "amount"}), ["tips[1].id"]),
    (changed("tips", **{"tips.0.validate.pattern": "(["}), ["tips[0].validate.pattern"]),
    (changed("tips", **{"tips.0.target.selector": "div > > a"}), ["tips[0].target.selector"]),
    (changed("nudge", schedule={"from": "2027-01-31T00:00:00Z", "until": "2026-12-01T00:00:00Z"}),
     ["schedule.until"]),
    (changed("survey", **{"survey.scale.min": 5}), ["survey.scale.max"]),
]


@pytest.mark.parametrize("document", VALID)
def test_valid_documents_pass_both_schemas(document):
    assert error_paths(document) == []
    jsonschema.validate(document, JSON_SCHEMA)


@pytest.mark.parametrize("document, paths", INVALID)
def test_invalid_documents_fail_both_schemas_at_the_named_path(document, paths):
    assert error_paths(document) == paths
    assert list(jsonschema.Draft202012Validator(JSON_SCHEMA).iter_errors(document)), \
        "the JSON Schema accepts a document the service refuses"


@pytest.mark.parametrize("document, paths", MARSHMALLOW_ONLY)
def test_rules_only_the_service_checks(document, paths):
    assert error_paths(document) == paths


def test_every_error_of_a_kind_is_reported_at_once_in_document_order():
    document = changed("nudge", frequency="daily", **{
        "nudge.actions.2.start": "x", "nudge.actions.1.url": "javascript:x", "nudge.style": "popup",
        "schedule.until": "soon"})
    assert error_paths(document) == ["frequency", "nudge.actions[1].url", "nudge.actions[2].start",
                                     "nudge.style", "schedule.until"]


def test_an_unknown_field_names_the_kind():
    [error] = check_document(changed("tips", colour="red"))["errors"]
    assert error["path"] == "colour" and "tips document" in error["message"]


def test_an_unknown_kind_is_one_error_and_the_shared_fields_are_still_checked():
    assert error_paths(changed("tips", kind="popup", id="Bad Id")) == ["id", "kind"]


def test_fragile_tip_and_pointer_targets_are_warned():
    tips = changed("tips", **{"tips.0.target.selector": "form > div:nth-child(2) input",
                              "tips.1.target.fallbacks": [".css-1x2y3z"]})
    assert warning_paths(tips) == ["tips[0].target.selector", "tips[1].target.fallbacks[0]"]
    pointer = changed("nudge", nudge={"style": "pointer", "target": {"selector": "#ember123"}})
    assert warning_paths(pointer) == ["nudge.target.selector"]


@pytest.mark.parametrize("pattern", ["(?i)^fin", "^\\d+\\Z", "a++", "(?#note)x", "(?>ab)c"])
def test_a_pattern_javascript_reads_otherwise_is_warned(pattern):
    document = changed("tips", **{"tips.0.validate.pattern": pattern})
    assert warning_paths(document) == ["tips[0].validate.pattern"]


@pytest.mark.parametrize("pattern", ["^[0-9]+([.,][0-9]{1,2})?$", "^(?<cc>[A-Z]{3})-\\d{4}$",
                                     "^[\\w.+-]+@acme\\.com$", "a+?", "\\++", "[(?i)]"])
def test_ordinary_patterns_are_not_warned(pattern):
    assert warning_paths(changed("tips", **{"tips.0.validate.pattern": pattern})) == []


def test_an_action_starting_a_guide_that_is_not_published_is_warned():
    assert warning_paths(NUDGE, published_guides={"submit-expense"}) == []
    assert warning_paths(NUDGE, published_guides={"other"}) == ["nudge.actions[0].start"]
    assert warning_paths(NUDGE) == []  # no catalogue to ask: no warning


def test_a_schedule_that_has_ended_is_warned():
    ended = changed("nudge", schedule={"until": "2026-12-10T00:00:00Z"})
    assert warning_paths(ended, published_guides={"submit-expense"}) == ["schedule.until"]
    assert warning_paths(changed("survey", schedule={"until": "2026-12-10T00:00:00Z"})) == ["schedule.until"]


def test_more_than_seven_choices_is_a_warning():
    eight = [f"choice {n}" for n in range(8)]
    assert warning_paths(changed("survey", survey={"question": "Q?", "choices": eight})) == ["survey.choices"]
    assert warning_paths(changed("survey", survey={"question": "Q?", "choices": eight[:7]})) == []
    assert warning_paths(changed("guide", **{"exit_survey.choices": eight})) == ["exit_survey.choices"]


def test_every_kind_has_an_example_in_the_repository():
    kinds = {json.loads(path.read_text()).get("kind", "guide") for path in (ROOT / "guides").glob("*.json")}
    assert kinds == {"guide", "tips", "resources", "nudge", "survey"}
    assert "exit_survey" in json.loads((ROOT / "guides" / "submit-expense.json").read_text())
