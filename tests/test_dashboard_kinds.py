"""The dashboard pages of tips, nudges, surveys, exit surveys and the help panel, over HTTP
against a real server (both stores): the API's figures on the page, every answer text inert
in the HTML, and every CSV cell guarded against formulas."""
import copy
import csv
import html
import io
import uuid
from html.parser import HTMLParser
from pathlib import Path

from .test_dashboard import admin, cells  # noqa: F401 (admin: the signed-in visitor fixture)
from .test_schemas_kinds import GUIDE, NUDGE, SURVEY, TIPS

PAYLOADS = [line.replace("\\n", "\n")[:500] for line in
            (Path(__file__).parent / "data" / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
CSV_INJECTIONS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "=HYPERLINK(\"http://evil.example\",\"x\")",
                  "\t=1", "=cmd|' /C calc'!A0"]


def own(document, unique_id, **changes):
    mine = copy.deepcopy(document)
    mine["id"] = f"{unique_id}-{document.get('kind', 'guide')}"
    mine.pop("schedule", None)
    mine.update(changes)
    return mine


def publish(service, document):
    answer = service.put(f"/api/v1/guides/{document['id']}", document, token="author")
    assert answer.status == 201, answer.text


def send(service, events):
    for start in range(0, len(events), 100):
        answer = service.post("/api/v1/events", {"events": events[start:start + 100]}, token="extension")
        assert answer.status == 200, answer.text
        assert {r["status"] for r in answer.json["results"]} == {"stored"}, answer.json


def event(type, guide_id, n=0, **fields):
    return {"id": uuid.uuid4().hex, "type": type, "guide_id": guide_id, "guide_version": 1,
            "run_id": f"view-{uuid.uuid4().hex[:8]}", "user": f"u{n}", "role": "employee",
            "at": f"2026-11-22T10:{n % 60:02d}:00Z", **fields}


class Markup(HTMLParser):
    """Every start tag with its attributes, to look for anything a payload could have made live."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def live_markup(body):
    """Tags or attributes in the page that no template of ours writes: what an escaped text never makes."""
    parser = Markup()
    parser.feed(body)
    found = []
    for tag, attrs in parser.tags:
        if tag == "script" and not (attrs.get("src", "").endswith("charts.js") or attrs.get("type") == "application/json"):
            found.append((tag, attrs))
        if tag in ("iframe", "object", "embed", "img", "svg", "math", "base", "meta", "link", "style",
                   "form", "input", "video", "audio", "details", "marquee") and not _ours(tag, attrs):
            found.append((tag, attrs))
        if any(name.startswith("on") for name in attrs) or any(
                "javascript:" in (value or "").lower() for value in attrs.values()):
            found.append((tag, attrs))
    return found


def _ours(tag, attrs):
    return (tag in ("meta", "link", "form", "input", "details")
            and (attrs.get("charset") or attrs.get("name") in ("viewport", "referrer", "csrf_token", "version",
                                                            "role", "from", "to")
                 or attrs.get("rel") == "stylesheet" or attrs.get("class") in ("filters", "sign-out")
                 or tag == "details" or attrs.get("type") in ("hidden", "date")))


def test_survey_page_shows_the_figures_and_every_answer_text_inert(service, admin, unique_id):
    survey = own(SURVEY, unique_id)
    publish(service, survey)
    texts = PAYLOADS + CSV_INJECTIONS
    assert len(PAYLOADS) >= 50
    send(service, [event("survey_shown", survey["id"], n) for n in range(len(texts) + 3)]
         + [event("survey_answered", survey["id"], n, answer={"value": 1 + n % 5}, text=text)
            for n, text in enumerate(texts)])
    report = service.get(f"/api/v1/reports/guides/{survey['id']}?per_page=500", token="admin").json
    status, _, body = admin.get(f"/dashboard/guides/{survey['id']}?from=&to=")
    assert status == 200
    assert live_markup(body) == []
    shown = cells(body)
    assert shown[(None, "shown")][0] == str(report["shown"]) == str(len(texts) + 3)
    assert shown[(None, "answered")][0] == str(len(texts))
    assert shown[(None, "mean")][0] == str(report["scale"]["mean"])
    page_texts = [html.unescape(part.split("</blockquote>")[0])
                  for part in body.split('<blockquote data-field="text">')[1:]]
    assert sorted(page_texts) == sorted(item["text"] for item in report["texts"]["items"][:50])
    csv_body = service.get(f"/api/v1/reports/guides/{survey['id']}.csv?per_page=500", token="admin").text
    text_cells = [row[-1] for row in csv.reader(io.StringIO(csv_body)) if row[0] == "text"]
    assert len(text_cells) == len(texts)
    for cell in text_cells:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell
    dashboard_csv = admin.get(f"/dashboard/guides/{survey['id']}/report.csv?from=&to=&page=2")[2]
    page_cells = [row[-1] for row in csv.reader(io.StringIO(dashboard_csv)) if row[0] == "text"]
    assert len(page_cells) == len(texts) - 50 and "'=1+1" in page_cells
    assert all(cell[:1] not in ("=", "+", "-", "@", "\t", "\r") for cell in page_cells)


def test_guide_page_shows_why_people_left_per_step_with_inert_texts(service, admin, unique_id):
    guide = own(GUIDE, unique_id, steps=[{"id": "amount", "title": "Amount"},
                                          {"id": "review", "title": "<b>Review</b>"}])
    guide["exit_survey"]["choices"] = ["Not now", "=evil()"]
    publish(service, guide)
    g = guide["id"]
    events = []
    for n, (index, answer, text) in enumerate([(0, {"choice": 0}, None), (1, {"choice": 1}, None),
                                               (1, None, PAYLOADS[0]), (1, {"choice": 1}, None)]):
        run = f"run-{uuid.uuid4().hex[:8]}"
        step = {"step_id": guide["steps"][index]["id"], "step_index": index}
        events += [event("guide_started", g, n, run_id=run),
                   event("guide_dismissed", g, n, run_id=run, reason="close_button", **step),
                   event("survey_shown", g, n, run_id=run, **step),
                   event("survey_answered", g, n, run_id=run, **step,
                         **({"answer": answer} if answer else {}), **({"text": text} if text else {}))]
    send(service, events)
    status, _, body = admin.get(f"/dashboard/guides/{g}?from=&to=")
    assert status == 200 and 'data-testid="exit-reasons"' in body
    assert live_markup(body) == []
    assert "&lt;b&gt;Review&lt;/b&gt;" in body
    table = body.split('data-testid="exit-table"')[1].split("</table>")[0]
    rows = [[cell.split('">')[-1] for cell in row.split('data-value="')[1:]] for row in table.split("<tr")[2:]]
    assert [[value.split("<")[0] for value in row] for row in rows] == [["1", "0", "0"], ["0", "2", "1"]]
    csv_rows = list(csv.reader(io.StringIO(admin.get(f"/dashboard/guides/{g}/report.csv?from=&to=")[2])))
    assert csv_rows[0][-3:] == ["exit: Not now", "exit: =evil()", "exit: Other"]  # header cells start with 'exit'


def test_tips_nudge_help_pages_and_the_list_with_kinds(service, admin, unique_id):
    tips, nudge = own(TIPS, unique_id), own(NUDGE, unique_id)
    nudge["nudge"]["actions"][0]["label"] = "<script>alert(1)</script>"
    for document in (tips, nudge):
        publish(service, document)
    query = f"<svg onload=alert(1)> {unique_id}"
    send(service, [*[event("tip_shown", tips["id"], n, step_id="amount", step_index=0) for n in range(3)],
                   *[event("validation_failed", tips["id"], n, step_id="amount", step_index=0) for n in range(4)],
                   event("validation_passed", tips["id"], 1, step_id="amount", step_index=0),
                   event("nudge_shown", nudge["id"], 1), event("nudge_shown", nudge["id"], 2),
                   event("nudge_action", nudge["id"], 1, action={"index": 0, "label": "x"}),
                   {"id": uuid.uuid4().hex, "type": "panel_search", "query": query, "results": 0,
                    "at": "2026-11-22T10:00:00Z"}])
    body = admin.get(f"/dashboard/guides/{tips['id']}?from=&to=")[2]
    assert live_markup(body) == []
    assert '<option value="employee">employee</option>' in body  # the role menu reads the events
    assert "Amount: 4 values failed the check, 25% were then fixed." in html.unescape(body)
    assert cells(body)[("0", "validation_failed")][0] == "4"
    body = admin.get(f"/dashboard/guides/{nudge['id']}?from=&to=")[2]
    assert live_markup(body) == [] and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert (cells(body)[(None, "shown")][0], cells(body)[(None, "guides_started")][0]) == ("2", "0")
    body = admin.get("/dashboard/help?from=&to=")[2]
    assert live_markup(body) == []
    assert html.escape(query, quote=False) in body
    listing = admin.get("/dashboard/?from=&to=")[2]
    kinds = cells(listing)
    assert kinds[(tips["id"], "kind")][0] == "tips" and kinds[(nudge["id"], "kind")][0] == "nudge"
