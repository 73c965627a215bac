"""Kind report figures → what their pages show: sentences in words and chart data.

Pure functions over the dicts kind_reports/ returns (presenters.py does the
same for the drop-off report), so the page, its chart and its CSV agree.
"""
from .presenters import percent, step_label

KIND_NAMES = {"guide": "Guide", "tips": "Tips", "resources": "Resources", "nudge": "Nudge", "survey": "Survey"}


def kind_name(kind):
    return KIND_NAMES.get(kind, kind)


def tip_name(tip):
    return tip.get("title") or tip.get("tip_id") or "untitled"


def most_failed_sentences(report, limit=3):
    """The fields people get wrong most, in words, most first::

        ["Amount: 12 values failed the check, 75% were then fixed."]
    """
    sentences = []
    for line in report["most_failed"][:limit]:
        failed = line["validation_failed"]
        sentences.append(f"{line['title'] or line['tip_id']}: {failed} value{'s' if failed != 1 else ''} "
                         f"failed the check, {percent(line['fixed_rate'], 0)} were then fixed.")
    return sentences


def tips_chart(report):
    """Grouped bars per tip: shown, failed, fixed."""
    tips = report["tips"]
    return {"kind": "grouped", "labels": [tip_name(tip) for tip in tips],
            "series": [{"label": "Shown", "values": [tip["shown"] for tip in tips]},
                       {"label": "Validation failed", "values": [tip["validation_failed"] for tip in tips]},
                       {"label": "Fixed after a warning", "values": [tip["validation_passed"] for tip in tips]}]}


def nudge_chart(report):
    """The nudge's funnel as horizontal bars with their numbers."""
    return {"kind": "funnel", "labels": [stage["stage"][:1].upper() + stage["stage"][1:] for stage in report["funnel"]],
            "values": [stage["count"] for stage in report["funnel"]], "series": "People"}


def nudge_sentence(report):
    """'Of 200 showings, 60 led to an action and 41 completed guides (20.5%).' or None."""
    shown = report["shown"]
    if not shown:
        return None
    acted = sum(action["count"] for action in report["actions"] if not action.get("dismiss"))
    completed = report["guides_completed"]
    return (f"Of {shown} showing{'s' if shown != 1 else ''}, {acted} led to an action and {completed} "
            f"to a completed guide ({percent(completed / shown)}).")


def survey_chart(report):
    """The answers' distribution: a bar per scale value or per choice."""
    if report["scale"]:
        values = report["scale"]["values"]
        labels = [str(line["value"]) for line in values]
        if labels and report["scale"].get("min_label"):
            labels[0] += f" ({report['scale']['min_label']})"
        if labels and report["scale"].get("max_label"):
            labels[-1] += f" ({report['scale']['max_label']})"
        return {"kind": "funnel", "labels": labels, "values": [line["count"] for line in values],
                "series": "Answers"}
    choices = report["choices"] or []
    return {"kind": "funnel", "labels": [line["label"] or f"choice {line['index']}" for line in choices],
            "values": [line["count"] for line in choices], "series": "Answers"}


def exit_reasons_chart(report):
    """A stacked bar per step: why people left it (each exit survey reason a series)."""
    steps = [step for step in report["steps"] if "exit_reasons" in step]
    reasons = steps[0]["exit_reasons"] if steps else []
    return {"kind": "stacked", "labels": [step_label(step) for step in steps],
            "series": [{"label": reason_label(reason),
                        "values": [step["exit_reasons"][position]["count"] for step in steps]}
                       for position, reason in enumerate(reasons)]}


def reason_label(reason):
    """A reason's label; a choice the document no longer has is named by its number."""
    return reason["label"] or f"choice {reason['index'] + 1}"


def step_of(report, index):
    """'Step 2, Amount' for a step index of the report (the text's step), or '–'."""
    for step in report["steps"]:
        if step["index"] == index:
            return step_label(step)
    return "–" if index is None else f"Step {index + 1}"


def pages(texts):
    """``(previous page or None, next page or None)`` of a page of texts."""
    last = max(1, -(-texts["total"] // texts["per_page"]))
    page = texts["page"]
    return (page - 1 if page > 1 else None), (page + 1 if page < last else None)
