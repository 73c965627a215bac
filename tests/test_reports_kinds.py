"""Reports of tips, nudges, surveys, exit surveys and the help panel, from ingested events. Both stores."""
import copy
import csv
import io
import uuid
from datetime import date

from tests.folded import ingest_batch
from waymark import catalogue, db, events
from waymark.reports.summaries import guide_summaries
from waymark.reports.targets import broken_targets
from waymark.reports.help_panel import help_report
from waymark.reports.kind_export import document_csv, help_csv
from waymark.reports.kinds import document_report
from waymark.reports.surveys import nps

from .test_schemas_kinds import GUIDE, NUDGE, RESOURCES, SURVEY, TIPS


def event(type, guide_id, **fields):
    base = {"id": uuid.uuid4().hex, "type": type, "guide_id": guide_id, "guide_version": 1,
            "run_id": "view-" + uuid.uuid4().hex[:8], "user": "u1", "role": "employee",
            "url": "https://expenses.example.com/reports/new", "at": "2026-11-22T10:00:00Z"}
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def store(events):
    results = ingest_batch(events)
    assert {result["status"] for result in results} == {"stored"}, results


def tip(type, tip_id, index, **fields):
    return event(type, "expense-form-help", step_id=tip_id, step_index=index, **fields)


def test_tips_report_per_tip_with_fixed_share_and_the_most_failed(database):
    catalogue.publish(TIPS)
    store([tip("tip_shown", "amount", 0, user="a"), tip("tip_shown", "amount", 0, user="a"),
           tip("tip_shown", "amount", 0, user="b"),
           *[tip("validation_failed", "amount", 0, user=u) for u in "abcd"],
           *[tip("validation_passed", "amount", 0, user=u) for u in "ab"],
           tip("validation_failed", "cost-centre", 1, user="a"),
           tip("validation_passed", "cost-centre", 1, user="a"),
           tip("tip_shown", "amount", 0, user="c", at="2026-11-25T10:00:00Z"),
           tip("tip_shown", "amount", 0, user="d", role="manager")])
    report = document_report("expense-form-help", date_to=date(2026, 11, 23), role="employee")
    assert report["kind"] == "tips"
    amount, cost = report["tips"]
    assert (amount["tip_id"], amount["title"], amount["shown"], amount["users"]) == ("amount", "Amount", 3, 2)
    assert (amount["validation_failed"], amount["validation_passed"], amount["fixed_rate"]) == (4, 2, 0.5)
    assert (cost["shown"], cost["validation_failed"], cost["validation_passed"], cost["fixed_rate"]) == (0, 1, 1, 1.0)
    assert [line["tip_id"] for line in report["most_failed"]] == ["amount", "cost-centre"]
    everything = document_report("expense-form-help")
    assert (everything["tips"][0]["shown"], everything["tips"][0]["users"]) == (5, 4)
    rows = list(csv.reader(io.StringIO(document_csv(report))))
    assert rows[0] == ["tip_index", "tip_id", "title", "shown", "users", "validation_failed",
                       "validation_passed", "fixed_rate"]
    assert rows[1] == ["0", "amount", "Amount", "3", "2", "4", "2", "0.5"]


def test_a_tip_whose_target_is_missing_is_a_broken_target_but_never_a_run(database):
    # A tip reports its missing target with the page view as run_id (extension/src/content/
    # surfaces.js); only a guide's events make runs, so the tips document must not appear
    # as a guide with a broken run, while the miss stays on the broken-targets report.
    catalogue.publish(TIPS)
    catalogue.publish(GUIDE)
    miss = tip("target_missing", "amount", 0, wait_ms=5000, selectors=[{"selector": "input[name=amount]", "matches": 0}])
    store([miss, tip("tip_shown", "cost-centre", 1, run_id=miss["run_id"]),
           event("guide_started", "submit-expense", run_id="r1"),
           event("guide_completed", "submit-expense", run_id="r1", at="2026-11-22T10:05:00Z"),
           # A document nobody published keeps making runs (events may come before a guide).
           event("target_missing", "not-published", run_id="r2", step_id="a", step_index=0, wait_ms=5000)])

    def check():
        assert [line["guide_id"] for line in guide_summaries()] == ["not-published", "submit-expense"]
        assert db.query("SELECT guide_id FROM run ORDER BY guide_id") == [("not-published",), ("submit-expense",)]
        assert db.query("SELECT COUNT(*) FROM run_step WHERE guide_id = ?", ["expense-form-help"]) == [(0,)]
        missing = {(line["guide_id"], line["step_id"]): line["count"] for line in broken_targets()}
        assert missing == {("expense-form-help", "amount"): 1, ("not-published", "a"): 1}

    check()
    events.rebuild()  # folding every run again from its events keeps it so
    check()


def test_nudge_funnel_follows_the_guides_it_started(database):
    catalogue.publish(GUIDE)
    catalogue.publish(NUDGE)
    n = "travel-policy-2027"
    source = {"kind": "nudge", "id": n}
    store([*[event("nudge_shown", n, user=u) for u in "abcde"], event("nudge_shown", n, user="a"),
           event("nudge_dismissed", n, user="e", reason="close_button"),
           *[event("nudge_action", n, user=u, action={"index": 0, "label": "Show me how"}) for u in "abc"],
           event("nudge_action", n, user="d", action={"index": 1, "label": "Read the policy"}),
           event("guide_started", "submit-expense", run_id="r1", source=source),
           event("guide_completed", "submit-expense", run_id="r1", at="2026-11-22T10:05:00Z"),
           event("guide_started", "submit-expense", run_id="r2", source=source),
           event("guide_dismissed", "submit-expense", run_id="r2", step_id="amount", step_index=0,
                 reason="escape", at="2026-11-22T10:03:00Z"),
           event("guide_started", "submit-expense", run_id="r3", source=source),
           event("guide_started", "submit-expense", run_id="r4"),  # not from the nudge
           event("guide_completed", "submit-expense", run_id="r4", at="2026-11-22T10:05:00Z")])
    report = document_report(n)
    assert (report["kind"], report["shown"], report["users"], report["dismissed"]) == ("nudge", 6, 5, 1)
    assert [(a["label"], a["count"]) for a in report["actions"]] == [
        ("Show me how", 3), ("Read the policy", 1), ("Not now", 0)]
    assert report["actions"][0]["start"] == "submit-expense"
    assert (report["guides_started"], report["guides_completed"]) == (3, 1)
    assert [stage["count"] for stage in report["funnel"]] == [6, 3, 1, 3, 1]
    guide = document_report("submit-expense")
    assert (guide["runs"], guide["completed"], guide["dismissed"]) == (4, 2, 1)  # nudge events made no runs
    rows = list(csv.reader(io.StringIO(document_csv(report))))
    assert rows[-2:] == [["guides_started", "", "3"], ["guides_completed", "", "1"]]


def test_survey_on_a_scale_counts_values_mean_and_texts_newest_first(database):
    catalogue.publish(SURVEY)
    s = "report-pulse"
    store([*[event("survey_shown", s) for _ in range(6)], event("survey_dismissed", s),
           event("survey_answered", s, answer={"value": 5}, at="2026-11-22T10:00:00Z"),
           event("survey_answered", s, answer={"value": 4}, text="Quick", at="2026-11-22T11:00:00Z"),
           event("survey_answered", s, answer={"value": 2}, text="=cmd|' /C calc'!A0", at="2026-11-22T12:00:00Z"),
           event("survey_answered", s, answer={"value": 4}, at="2026-11-23T10:00:00Z")])
    report = document_report(s)
    assert (report["shown"], report["answered"], report["dismissed"], report["answer_rate"]) == (6, 4, 1, 0.6667)
    assert [(v["value"], v["count"]) for v in report["scale"]["values"]] == [(1, 0), (2, 1), (3, 0), (4, 2), (5, 1)]
    assert (report["scale"]["mean"], report["scale"]["nps"], report["choices"]) == (3.75, None, None)
    assert [item["text"] for item in report["texts"]["items"]] == ["=cmd|' /C calc'!A0", "Quick"]
    paged = document_report(s, page=2, per_page=1)
    assert (paged["texts"]["total"], [i["text"] for i in paged["texts"]["items"]]) == (2, ["Quick"])
    rows = list(csv.reader(io.StringIO(document_csv(report))))
    assert ["text", "2", "", "", "2026-11-22T12:00:00.000Z", "'=cmd|' /C calc'!A0"] in rows


def test_survey_with_choices_and_nps_on_zero_to_ten(database):
    with_choices = copy.deepcopy(SURVEY)
    with_choices["survey"] = {"question": "Hardest part?", "choices": ["Amount", "Receipt", "Cost centre"]}
    catalogue.publish(with_choices)
    store([event("survey_answered", "report-pulse", answer={"choice": c}) for c in (0, 2, 2)])
    report = document_report("report-pulse")
    assert [(c["label"], c["count"]) for c in report["choices"]] == [("Amount", 1), ("Receipt", 0), ("Cost centre", 2)]
    assert report["scale"] is None
    assert nps({10: 5, 9: 1, 8: 2, 3: 2}) == 40 and nps({}) is None


def test_exit_survey_reasons_per_step_and_texts_with_their_step(database):
    catalogue.publish(GUIDE)
    g = "submit-expense"
    store([event("guide_started", g, run_id="r1"),
           event("guide_dismissed", g, run_id="r1", step_id="amount", step_index=0, reason="close_button"),
           event("survey_shown", g, run_id="r1", step_id="amount", step_index=0),
           event("survey_answered", g, run_id="r1", step_id="amount", step_index=0, answer={"choice": 1}),
           event("survey_answered", g, run_id="r2", step_id="amount", step_index=0,
                 text="<img src=x onerror=alert(1)>", at="2026-11-22T11:00:00Z"),
           event("survey_answered", g, run_id="r3", step_id="amount", step_index=0, answer={"choice": 1}),
           event("survey_dismissed", g, run_id="r4", step_id="amount", step_index=0)])
    report = document_report(g)
    [step] = report["steps"]
    assert [(r["label"], r["count"]) for r in step["exit_reasons"]] == [
        ("Not now", 0), ("I don't understand this step", 2), ("Other", 1)]
    survey = report["exit_survey"]
    assert (survey["shown"], survey["answered"], survey["dismissed"]) == (1, 3, 1)
    assert [(t["text"], t["step_id"]) for t in survey["texts"]["items"]] == [("<img src=x onerror=alert(1)>", "amount")]
    assert (report["runs"], report["dismissed"]) == (1, 1)
    rows = list(csv.reader(io.StringIO(document_csv(report))))
    assert rows[0][-3:] == ["exit: Not now", "exit: I don't understand this step", "exit: Other"]
    assert rows[1][-3:] == ["0", "2", "1"]


def test_help_report_counts_opens_links_and_unfound_searches(database):
    catalogue.publish(RESOURCES)
    panel = {"guide_version": None, "run_id": None}
    store([*[event("panel_opened", None, **panel) for _ in range(3)],
           *[event("panel_search", None, query=q, results=r, **{**panel, "user": None})
             for q, r in (("Per diem", 0), ("per  DIEM", 0), ("mileage", 0), ("receipts", 2),
                          ("-2+3", 0))],
           event("panel_search", None, query="per diem", results=0, at="2026-12-02T10:00:00Z",
                 **{**panel, "user": None}),
           *[event("resource_opened", "expenses-help", step_index=i) for i in (1, 0, 1, 1)]])
    report = help_report(date_to=date(2026, 11, 30))
    assert (report["panel_opens"], report["searches"], report["unfound_total"]) == (3, 5, 4)
    assert [(u["query"], u["count"]) for u in report["unfound_searches"]] == [
        ("per diem", 2), ("-2+3", 1), ("mileage", 1)]
    assert [(r["title"], r["count"]) for r in report["resources_opened"]] == [
        ("Call the finance hotline", 3), ("Expense policy FAQ", 1)]
    rows = list(csv.reader(io.StringIO(help_csv(report))))
    assert ["unfound_search", "'-2+3", "", "", "1"] in rows
    links = document_report("expenses-help")
    assert [link["opened"] for link in links["links"]] == [1, 3, 0]
