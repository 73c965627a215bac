"""The reports of every kind as CSV: a header row, then a row per step, tip, funnel stage,
answer or text.

Every cell that came from a person (titles, labels, answer texts, searches)
passes ``export.csv_safe``: a spreadsheet never runs it as a formula (CSV injection).
"""
import csv
import io

from ..runs import DISMISSED
from .export import csv_safe, report_csv


def safe(value):
    return csv_safe(None if value is None else str(value))


def _write(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue()


def _blank(value):
    return "" if value is None else value


def tips_csv(report):
    """``tip_index,tip_id,title,shown,users,validation_failed,validation_passed,fixed_rate``"""
    rows = [("tip_index", "tip_id", "title", "shown", "users", "validation_failed", "validation_passed",
             "fixed_rate")]
    rows += [(_blank(tip["index"]), safe(tip["tip_id"]), safe(tip["title"]), tip["shown"], tip["users"],
              tip["validation_failed"], tip["validation_passed"], tip["fixed_rate"]) for tip in report["tips"]]
    return _write(rows)


def nudge_csv(report):
    """``stage,label,count``: shown, dismissed, each action, guides started, guides completed."""
    rows = [("stage", "label", "count"), ("shown", "", report["shown"]),
            (DISMISSED, "", report[DISMISSED])]
    rows += [(f"action {action['index']}", safe(action["label"]), action["count"]) for action in report["actions"]]
    rows += [("guides_started", "", report["guides_started"]),
             ("guides_completed", "", report["guides_completed"])]
    return _write(rows)


def survey_csv(report):
    """``row,answer,label,count,at,text``: the totals, a row per choice or scale value, then the texts
    of the page asked for (newest first)."""
    rows = [("row", "answer", "label", "count", "at", "text")]
    rows += [("total", name, "", report[name], "", "") for name in ("shown", "answered", DISMISSED)]
    if report["scale"]:
        rows += [("value", line["value"], "", line["count"], "", "") for line in report["scale"]["values"]]
    for line in report["choices"] or []:
        rows.append(("choice", _blank(line["index"]), safe(line["label"]), line["count"], "", ""))
    for item in report["texts"]["items"]:
        answer = item["value"] if item["value"] is not None else item["choice"]
        rows.append(("text", _blank(answer), "", "", item["at"], safe(item["text"])))
    return _write(rows)


def resources_csv(report):
    rows = [("link_index", "title", "url", "opened")]
    rows += [(link["index"], safe(link["title"]), safe(link["url"]), link["opened"]) for link in report["links"]]
    return _write(rows)


def guide_csv(report):
    """The drop-off CSV (export.report_csv); with an exit survey, a column per reason after it."""
    base = report_csv(report)
    if "exit_survey" not in report:
        return base
    rows = list(csv.reader(io.StringIO(base)))
    labels = [line["label"] for line in report["steps"][0]["exit_reasons"]] if report["steps"] else []
    rows[0] += [safe(f"exit: {label}") for label in labels]
    for row, step in zip(rows[1:], report["steps"]):
        row += [line["count"] for line in step["exit_reasons"]]
    return _write(rows)


def document_csv(report):
    """The CSV of a report of any kind."""
    return {"tips": tips_csv, "nudge": nudge_csv, "survey": survey_csv, "resources": resources_csv,
            "guide": guide_csv}[report["kind"]](report)


def help_csv(report):
    """``section,key,title,url,count``: panel totals, resources opened, unfound searches."""
    rows = [("section", "key", "title", "url", "count"),
            ("panel", "opens", "", "", report["panel_opens"]), ("panel", "searches", "", "", report["searches"])]
    rows += [("resource_opened", safe(f"{line['guide_id']}[{line['index']}]"), safe(line["title"]),
              safe(line["url"]), line["count"]) for line in report["resources_opened"]]
    rows += [("unfound_search", safe(line["query"]), "", "", line["count"]) for line in report["unfound_searches"]]
    return _write(rows)
