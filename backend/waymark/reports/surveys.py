"""Survey reports: a pulse survey's answers, and why people left a guide (its exit survey).

Free texts are returned as the text people wrote, newest first and paged;
they are never interpreted here (the dashboard escapes them, the CSV guards them).
"""
from ..db import query
from ..runs import DISMISSED
from .filters import events_where, iso, rate

SURVEY_TYPES = ("survey_shown", "survey_dismissed", "survey_answered")
TEXTS_PER_PAGE = 50
NPS_SCALE = (0, 10)


def survey_report(guide_id, document, version=None, date_from=None, date_to=None, role=None,
                  page=1, per_page=TEXTS_PER_PAGE, **_):
    """``shown``, ``answered``, ``dismissed``; per choice its count, or for a scale the count per
    value, the ``mean`` and (on 0–10) the ``nps``; the free texts, newest first, paged::

        {"guide_id": "report-pulse", "kind": "survey", "version": None,
         "question": "How easy was it to file this expense?", "shown": 50, "answered": 30,
         "dismissed": 15, "answer_rate": 0.6,
         "scale": {"min": 1, "max": 5, "values": [{"value": 1, "count": 2}, ...], "mean": 3.9, "nps": None},
         "choices": None,
         "texts": {"total": 12, "page": 1, "per_page": 50,
                   "items": [{"text": "Faster please", "at": "2026-11-22T10:31:07.123Z", "value": 2, "choice": None}]}}
    """
    of_survey, params = events_where(SURVEY_TYPES, guide_id, version, date_from, date_to, role)
    totals = dict(query(f"SELECT e.type, COUNT(*) FROM event e WHERE {of_survey} GROUP BY e.type", params))
    answers = _answers(of_survey, params)
    question = (document or {}).get("survey") or {}
    report = {"guide_id": guide_id, "kind": "survey", "version": version,
              "question": question.get("question"), "shown": totals.get("survey_shown", 0),
              "answered": totals.get("survey_answered", 0), DISMISSED: totals.get("survey_dismissed", 0),
              "scale": None, "choices": None}
    report["answer_rate"] = rate(report["answered"], report["shown"])
    if "scale" in question or ("choices" not in question and answers["value"]):
        report["scale"] = _scale(question.get("scale") or {}, answers["value"])
    else:
        report["choices"] = _choices(question.get("choices") or [], answers["choice"])
    report["texts"] = texts(of_survey, params, page, per_page)
    return report


def _answers(of_survey, params):
    """``{"choice": {index: count}, "value": {value: count}}`` of the answered events."""
    rows = query(f"SELECT e.answer_choice, e.answer_value, COUNT(*) FROM event e "
                 f"WHERE {of_survey} AND e.type = 'survey_answered' GROUP BY e.answer_choice, e.answer_value",
                 params)
    found = {"choice": {}, "value": {}}
    for choice, value, count in rows:
        if choice is not None:
            found["choice"][choice] = found["choice"].get(choice, 0) + count
        if value is not None:
            found["value"][value] = found["value"].get(value, 0) + count
    return found


def _choices(labels, counts):
    lines = [{"index": index, "label": label, "count": counts.get(index, 0)}
             for index, label in enumerate(labels)]
    lines += [{"index": index, "label": None, "count": count}
              for index, count in sorted(counts.items()) if index >= len(labels)]
    return lines


def _scale(scale, counts):
    low = scale.get("min", min(counts, default=0))
    high = scale.get("max", max(counts, default=0))
    values = sorted(set(range(low, high + 1)) | set(counts))
    answered = sum(counts.values())
    mean = round(sum(value * count for value, count in counts.items()) / answered, 2) if answered else None
    return {"min": low, "max": high, "min_label": scale.get("min_label"), "max_label": scale.get("max_label"),
            "values": [{"value": value, "count": counts.get(value, 0)} for value in values],
            "mean": mean, "nps": nps(counts) if (low, high) == NPS_SCALE else None}


def nps(counts):
    """Net promoter score of 0–10 answers: % promoters (9–10) − % detractors (0–6), rounded; None if none."""
    answered = sum(counts.values())
    if not answered:
        return None
    promoters = sum(count for value, count in counts.items() if value >= 9)
    detractors = sum(count for value, count in counts.items() if value <= 6)
    return round(100 * (promoters - detractors) / answered)


def texts(of_survey, params, page=1, per_page=TEXTS_PER_PAGE):
    """The free texts of the answers among the events ``of_survey`` selects, newest first, one page."""
    condition = f"{of_survey} AND e.type = 'survey_answered' AND e.answer_text IS NOT NULL AND e.answer_text <> ''"
    [(total,)] = query(f"SELECT COUNT(*) FROM event e WHERE {condition}", params)
    rows = query(f"SELECT e.answer_text, e.at, e.answer_value, e.answer_choice, e.step_index, e.step_id "
                 f"FROM event e WHERE {condition} ORDER BY e.at DESC, e.id DESC LIMIT ? OFFSET ?",
                 [*params, per_page, (page - 1) * per_page])
    return {"total": total, "page": page, "per_page": per_page,
            "items": [{"text": text, "at": iso(at), "value": value, "choice": choice,
                       "step_index": index, "step_id": step_id}
                      for text, at, value, choice, index, step_id in rows]}


def add_exit_reasons(report, document, version=None, date_from=None, date_to=None, role=None,
                     page=1, per_page=TEXTS_PER_PAGE):
    """Add a guide's exit survey to its drop-off report, in place: each step gets
    ``exit_reasons`` (per choice its count, and ``other``: free-text answers), and the report
    gets ``exit_survey`` with the totals and the free-text reasons with their step::

        step["exit_reasons"] = [{"index": 0, "label": "Not now", "count": 3}, ...,
                                {"index": None, "label": "Other", "count": 1}]
        report["exit_survey"] = {"question": "What stopped you?", "shown": 9, "answered": 6,
                                 "dismissed": 3, "texts": {"total": 1, "items": [{"text": ...,
                                 "step_index": 2, "step_id": "review", ...}], ...}}

    Filtered by the events' day, version and role (not by the report's URL filter).
    """
    survey = document.get("exit_survey") or {}
    labels = survey.get("choices") or []
    of_survey, params = events_where(SURVEY_TYPES, report["guide_id"], version, date_from, date_to, role)
    totals = dict(query(f"SELECT e.type, COUNT(*) FROM event e WHERE {of_survey} GROUP BY e.type", params))
    rows = query(f"SELECT e.step_index, e.step_id, e.answer_choice, COUNT(*), "
                 f"SUM(CASE WHEN e.answer_text IS NOT NULL AND e.answer_text <> '' THEN 1 ELSE 0 END) "
                 f"FROM event e WHERE {of_survey} AND e.type = 'survey_answered' "
                 f"GROUP BY e.step_index, e.step_id, e.answer_choice", params)
    by_step = {}
    for index, step_id, choice, count, with_text in rows:
        reasons = by_step.setdefault((index, step_id), {"choices": {}, "other": 0})
        if choice is None:
            reasons["other"] += int(with_text or 0) or count
        else:
            reasons["choices"][choice] = reasons["choices"].get(choice, 0) + count
    for step in report["steps"]:
        reasons = by_step.pop((step["index"], step["step_id"]), {"choices": {}, "other": 0})
        step["exit_reasons"] = _exit_reasons(labels, reasons)
    report["exit_survey"] = {
        "question": survey.get("question"), "choices": labels, "shown": totals.get("survey_shown", 0),
        "answered": totals.get("survey_answered", 0), DISMISSED: totals.get("survey_dismissed", 0),
        "texts": texts(of_survey, params, page, per_page)}
    return report


def _exit_reasons(labels, reasons):
    lines = _choices(labels, reasons["choices"])
    lines.append({"index": None, "label": "Other", "count": reasons["other"]})
    return lines
