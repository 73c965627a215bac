"""Report figures → what the pages show: rows, the worst step in words, chart data, formats.

Pure functions over the dicts the reports (reports/) return, so the page, the chart and the
CSV are all drawn from one report.
"""


def percent(rate, digits=1):
    """0.4118 → '41.2%' (digits=1) or '41%' (digits=0)."""
    return f"{rate * 100:.{digits}f}%"


def duration(ms):
    """Milliseconds as a person reads them: '850 ms', '3.1 s', '2 min 05 s'; '–' when unknown."""
    if ms is None:
        return "–"
    if ms < 1000:
        return f"{ms} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes} min {seconds:02d} s"


def step_name(step):
    return step.get("title") or step.get("step_id") or "untitled"


def step_label(step):
    """'Step 3, Amount' (steps are numbered from 1 for people; the index is from 0)."""
    return f"Step {step['index'] + 1}, {step_name(step)}"


def dropped_total(step):
    return sum(step["dropped"].values())


def worst_step(report):
    """The step most runs ended at (ties: the higher drop-off rate, then the earlier step), or None.

    Counted in runs, not in rate, so a step two people reached and one left
    does not outrank one where forty of a hundred gave up.
    """
    candidates = [step for step in report["steps"] if dropped_total(step) > 0]
    if not candidates:
        return None
    return min(candidates, key=lambda s: (-dropped_total(s), -s["drop_rate"], s["index"]))


def worst_step_sentence(report):
    """'Most people leave at step 3, Amount: 41% of those who reach it.' or None."""
    step = worst_step(report)
    if step is None:
        return None
    return (f"Most people leave at step {step['index'] + 1}, {step_name(step)}: "
            f"{percent(step['drop_rate'], 0)} of those who reach it.")


def funnel_chart(report):
    """Chart data for the funnel: runs reaching each step."""
    return {"kind": "funnel",
            "labels": [step_label(step) for step in report["steps"]],
            "values": [step["reached"] for step in report["steps"]],
            "series": "Runs that reached the step"}


def trend_rows(report):
    """The trend by day with its completion rate."""
    return [{**day, "rate": (day["completed"] / day["started"]) if day["started"] else 0.0}
            for day in report["trend"]]


def trend_chart(report):
    """Chart data for the daily trend: runs started and the share completed."""
    rows = trend_rows(report)
    return {"kind": "trend",
            "labels": [row["date"] for row in rows],
            "started": [row["started"] for row in rows],
            "completed": [row["completed"] for row in rows],
            "rates": [round(row["rate"] * 100, 1) for row in rows]}


def guide_list_rows(summaries, catalogue):
    """One row per guide, catalogue and runs merged, the most run first::

        [{"guide_id", "title", "kind", "status", "latest_version", "runs", "completion_rate",
          "recently_broken"}]
    """
    by_id = {summary["guide_id"]: summary for summary in summaries}
    rows = []
    for guide_id in sorted(set(by_id) | set(catalogue)):
        summary, entry = by_id.get(guide_id, {}), catalogue.get(guide_id, {})
        rows.append({"guide_id": guide_id,
                     "title": entry.get("title") or guide_id,
                     "kind": entry.get("kind") or "guide",
                     "status": entry.get("status") or "not in catalogue",
                     "latest_version": entry.get("latest_version"),
                     "runs": summary.get("runs", 0),
                     "completed": summary.get("completed", 0),
                     "completion_rate": summary.get("completion_rate", 0.0),
                     "recently_broken": summary.get("recently_broken", False)})
    rows.sort(key=lambda row: (-row["runs"], row["title"].lower(), row["guide_id"]))
    return rows
