"""The admin dashboard through a real server over HTTP, on both stores.

Refusals (signed out, extension/author/unknown/revoked tokens, bad CSRF), the
session cookie's flags, the security headers, and pages that show exactly the
figures the report API gives for a known event stream.
"""
import csv
import html
import http.cookiejar
import io
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

import pytest
from tests.test_reports import EXPECTED_V1_STEPS, stream

STEP_TITLES = ["Start a report", "Amount", "Receipt", "Submit"]
REPORT_FILTERS = "version=1&from=2026-11-22&to=2026-11-22"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # tests look at the 303 itself


class Visitor:
    """A browser-like HTTP client: keeps cookies, does not follow redirects, sends Accept: text/html."""

    def __init__(self, service):
        self.service = service
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, method, path, form=None, headers=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"Accept": "text/html", **(headers or {})}
        req = urllib.request.Request(self.service.base_url + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=60) as answer:
                return answer.status, answer.headers, answer.read().decode("utf-8")
        except urllib.error.HTTPError as answer:
            return answer.code, answer.headers, answer.read().decode("utf-8")

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, form, **kwargs):
        return self.request("POST", path, form=form, **kwargs)

    def csrf(self, path="/dashboard/sign-in"):
        """The CSRF token of the form on ``path``."""
        status, _, body = self.get(path)
        assert status == 200, body
        return re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)

    def sign_in(self, token):
        """Post the sign-in form with ``token``; answer (status, headers, body)."""
        return self.post("/dashboard/sign-in", {"csrf_token": self.csrf(), "token": token})


class CellReader(HTMLParser):
    """Every element with a data-field: {(row key, field): (data-value, text)}."""

    def __init__(self):
        super().__init__()
        self.cells, self.row, self.open_field, self.text = {}, None, None, ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.row = attrs.get("data-step-index") or attrs.get("data-guide-id")
        if "data-field" in attrs:
            self.open_field, self.text = (attrs["data-field"], attrs.get("data-value")), ""

    def handle_data(self, data):
        if self.open_field:
            self.text += data

    def handle_endtag(self, tag):
        if self.open_field and tag in ("td", "dd"):
            field, value = self.open_field
            self.cells[(self.row, field)] = (value, " ".join(self.text.split()))
            self.open_field = None


def cells(body):
    reader = CellReader()
    reader.feed(body)
    return reader.cells


def publish(service, guide_id, titles=STEP_TITLES, title="Submit your first expense report"):
    document = {"id": guide_id, "title": title,
                "match": {"include": ["https://expenses.example.com/*"]},
                "steps": [{"id": f"step-{i}", "title": t, "body": "Do it."} for i, t in enumerate(titles)]}
    answer = service.put(f"/api/v1/guides/{guide_id}", document, token="author")
    assert answer.status in (200, 201), answer.text


@pytest.fixture
def guide(service, unique_id):
    """A published guide with the known stream of test_reports delivered through the API."""
    publish(service, unique_id)
    events = stream(guide_id=unique_id, prefix=uuid.uuid4().hex[:8] + "-")
    for start in range(0, len(events), 50):
        answer = service.post("/api/v1/events", {"events": events[start:start + 50]}, token="extension")
        assert answer.status == 200, answer.text
    return unique_id


@pytest.fixture
def admin(service):
    visitor = Visitor(service)
    status, headers, body = visitor.sign_in(service.tokens["admin"])
    assert status == 303, body
    return visitor


# -- refusals -------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/guides/g", "/dashboard/guides/g/report.csv",
                                  "/dashboard/broken-targets?from=&to="])
def test_signed_out_visitor_is_sent_to_sign_in(service, path):
    status, headers, body = Visitor(service).get(path)
    assert status == 303
    location = urllib.parse.urlsplit(headers["Location"])
    assert location.path == "/dashboard/sign-in"
    assert urllib.parse.parse_qs(location.query)["next"] == [path]


def test_root_goes_to_the_dashboard(service):
    status, headers, _ = Visitor(service).get("/")
    assert status == 302 and headers["Location"].endswith("/dashboard/")


def test_a_bearer_token_is_not_a_session(service):
    """The pages take only the session cookie: an Authorization header does not open them."""
    status, _, _ = Visitor(service).get("/dashboard/", headers={"Authorization": f"Bearer {service.tokens['admin']}"})
    assert status == 303


@pytest.mark.parametrize("role, status, words", [
    ("extension", 403, "This is an extension token; the dashboard needs an admin token"),
    ("author", 403, "This is an author token; the dashboard needs an admin token"),
    ("wm_adm_not-a-real-token-at-all-0123456789", 401, "This token is unknown or revoked"),
    ("", 401, "This token is unknown or revoked"),
])
def test_only_an_admin_token_signs_in(service, role, status, words):
    visitor = Visitor(service)
    answer_status, headers, body = visitor.sign_in(service.tokens.get(role, role))
    assert answer_status == status
    assert words in html.unescape(body)
    assert visitor.get("/dashboard/")[0] == 303


def test_revoking_the_token_ends_its_sessions(service):
    token = service.cli("token", "create", "--role", "admin", "--quiet").stdout.strip()
    visitor = Visitor(service)
    assert visitor.sign_in(token)[0] == 303
    assert visitor.get("/dashboard/")[0] == 200
    service.cli("token", "revoke", token)
    status, headers, _ = visitor.get("/dashboard/")
    assert status == 303 and "expired=1" in headers["Location"]


def test_sign_out_ends_the_session_even_for_a_copied_cookie(service, admin):
    [cookie] = [c for c in admin.jar if c.name == "waymark_dashboard"]
    copy = Visitor(service)
    copy.jar.set_cookie(cookie)
    assert copy.get("/dashboard/")[0] == 200
    status, headers, _ = admin.post("/dashboard/sign-out", {"csrf_token": admin.csrf("/dashboard/")})
    assert status == 303 and headers["Location"].endswith("/dashboard/sign-in?signed_out=1")
    assert admin.get("/dashboard/")[0] == 303
    assert copy.get("/dashboard/")[0] == 303


def test_forms_refuse_a_wrong_or_missing_csrf_token(service, admin):
    status, _, body = Visitor(service).post("/dashboard/sign-in", {"token": service.tokens["admin"]})
    assert status == 400 and "This form expired or was sent from another site" in body
    status, _, _ = Visitor(service).post("/dashboard/sign-in",
                                         {"csrf_token": "forged", "token": service.tokens["admin"]})
    assert status == 400
    status, _, body = admin.post("/dashboard/sign-out", {"csrf_token": "forged"})
    assert status == 400
    assert admin.get("/dashboard/")[0] == 200  # still signed in: a forged sign-out did nothing


def test_csrf_failure_is_json_for_a_program(service):
    visitor = Visitor(service)
    status, headers, body = visitor.post("/dashboard/sign-in", {"token": "x"}, headers={"Accept": "application/json"})
    assert status == 400 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["error"]["details"] == [{"path": "csrf_token", "message": json.loads(body)["error"]["message"]}]


def test_sign_in_never_redirects_off_site(service):
    visitor = Visitor(service)
    status, headers, _ = visitor.post("/dashboard/sign-in", {
        "csrf_token": visitor.csrf(), "token": service.tokens["admin"], "next": "https://evil.example/dashboard/"})
    assert status == 303 and headers["Location"] == "/dashboard/"


# -- cookie and headers -------------------------------------------------------------------

def test_session_cookie_is_httponly_samesite_and_expires(service):
    status, headers, _ = Visitor(service).sign_in(service.tokens["admin"])
    assert status == 303
    [cookie] = [c for c in headers.get_all("Set-Cookie") if c.startswith("waymark_dashboard=")]
    attributes = {part.strip().split("=")[0].lower(): part.strip().partition("=")[2] for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert attributes["samesite"] == "Lax"
    assert attributes["path"] == "/dashboard"
    assert "secure" not in attributes  # plain http here; https gets Secure (next test)
    hours = (parsedate_to_datetime(attributes["expires"]).timestamp() - time.time()) / 3600
    assert 7.9 < hours <= 8.0
    assert service.tokens["admin"] not in cookie


def test_session_cookie_is_secure_over_https(client, database):
    """In process: the test client can speak https, a loopback server here cannot."""
    from waymark.tokens import create_token
    _, token = create_token("admin")
    page = client.get("/dashboard/sign-in", base_url="https://localhost").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/dashboard/sign-in", data={"csrf_token": csrf, "token": token},
                         base_url="https://localhost")
    assert answer.status_code == 303
    assert "; Secure" in answer.headers["Set-Cookie"]


def test_pages_send_a_strict_content_security_policy(service, admin, guide):
    for path in ("/dashboard/sign-in", "/dashboard/", f"/dashboard/guides/{guide}", "/dashboard/broken-targets"):
        status, headers, body = (Visitor(service) if path.endswith("sign-in") else admin).get(path)
        assert status == 200, path
        policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
        assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
        assert policy["form-action"] == "'self'" and policy["base-uri"] == "'none'"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"
        # Nothing inline for the policy to block: every <script> is a file or a JSON block.
        for tag in re.findall(r"<script[^>]*>", body):
            assert 'src="/dashboard/static/' in tag or 'type="application/json"' in tag, tag
        assert "style=" not in body and "<style" not in body


# -- pages ----------------------------------------------------------------------------

def test_report_page_shows_the_api_figures(service, admin, guide):
    status, _, body = admin.get(f"/dashboard/guides/{guide}?{REPORT_FILTERS}")
    assert status == 200
    api = service.get(f"/api/v1/reports/guides/{guide}?{REPORT_FILTERS}").json
    shown = cells(body)
    for field in ("runs", "completed", "dismissed", "abandoned", "broken", "in_progress"):
        assert int(shown[(None, field)][0]) == api[field], field
    assert [step["reached"] for step in api["steps"]] == [row[1] for row in EXPECTED_V1_STEPS]
    for step in api["steps"]:
        row = str(step["index"])
        assert int(shown[(row, "reached")][0]) == step["reached"]
        assert int(shown[(row, "completed")][0]) == step["completed"]
        for kind in ("dismissed", "abandoned", "broken"):
            assert int(shown[(row, kind)][0]) == step["dropped"][kind]
        assert float(shown[(row, "drop_rate")][0]) == step["drop_rate"]
        assert shown[(row, "drop_rate")][1] == f"{step['drop_rate'] * 100:.1f}%"
        assert int(shown[(row, "p50")][0]) == step["time_ms"]["p50"]
        assert int(shown[(row, "p90")][0]) == step["time_ms"]["p90"]
    assert "Step 2, Amount" in body
    funnel = json.loads(re.search(r'id="chart-funnel-data">(.*?)</script>', body).group(1))
    assert funnel["values"] == [step["reached"] for step in api["steps"]]


def test_report_page_names_the_worst_step(service, admin, guide):
    """With the stream's runs all abandoned-or-ended by now, three steps lose one run each; the
    highest rate of those wins the tie."""
    body = admin.get(f"/dashboard/guides/{guide}?{REPORT_FILTERS}")[2]
    api = service.get(f"/api/v1/reports/guides/{guide}?{REPORT_FILTERS}").json
    dropped = [(sum(s["dropped"].values()), s["drop_rate"], -s["index"], s) for s in api["steps"]]
    worst = max(dropped, key=lambda d: d[:3])[3]
    sentence = (f"Most people leave at step {worst['index'] + 1}, {STEP_TITLES[worst['index']]}: "
                f"{round(worst['drop_rate'] * 100)}% of those who reach it.")
    assert sentence in html.unescape(body)


def test_csv_download_is_the_table_shown(service, admin, guide):
    body = admin.get(f"/dashboard/guides/{guide}?{REPORT_FILTERS}")[2]
    link = html.unescape(re.search(r'href="([^"]+)" download', body).group(1))
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(link).query) == {
        "from": ["2026-11-22"], "to": ["2026-11-22"], "version": ["1"]}
    status, headers, text = admin.get(link)
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert headers["Content-Disposition"].startswith("attachment;")
    assert text == service.get(f"/api/v1/reports/guides/{guide}.csv?{REPORT_FILTERS}").text
    rows = list(csv.DictReader(io.StringIO(text)))
    shown = cells(body)
    assert [row["title"] for row in rows] == STEP_TITLES
    for row in rows:
        for column, field in (("reached", "reached"), ("completed", "completed"),
                              ("dropped_dismissed", "dismissed"), ("dropped_abandoned", "abandoned"),
                              ("dropped_broken", "broken"), ("drop_rate", "drop_rate"),
                              ("p50_ms", "p50"), ("p90_ms", "p90")):
            assert row[column] == shown[(row["step_index"], field)][0], (row["step_index"], column)


def test_report_filters_change_the_figures(service, admin, guide):
    for query in ("role=sales&from=&to=", "version=2&from=&to=", "from=2026-11-21&to=2026-11-21"):
        shown = cells(admin.get(f"/dashboard/guides/{guide}?{query}")[2])
        api = service.get(f"/api/v1/reports/guides/{guide}?{query.replace('&from=&to=', '')}").json
        assert int(shown[(None, "runs")][0]) == api["runs"], query


def test_guide_list_shows_each_guide_against_the_api(service, admin, guide):
    body = admin.get("/dashboard/?from=2026-11-21&to=2026-11-22")[2]
    [summary] = [s for s in service.get("/api/v1/reports/guides?from=2026-11-21&to=2026-11-22").json["guides"]
                 if s["guide_id"] == guide]
    shown = cells(body)
    assert int(shown[(guide, "runs")][0]) == summary["runs"] == 7
    assert float(shown[(guide, "completion_rate")][0]) == summary["completion_rate"]
    assert shown[(guide, "latest_version")][1] == "v1"
    assert shown[(guide, "status")][1] == "published"
    assert shown[(guide, "recently_broken")][0] == str(summary["recently_broken"]).lower()
    assert "Submit your first expense report" in body


def test_broken_targets_page_links_to_the_guide(service, admin, guide):
    body = html.unescape(admin.get("/dashboard/broken-targets?from=2026-11-22&to=2026-11-22")[2])
    assert f'href="/dashboard/guides/{guide}?version=1&from=2026-11-22&to=2026-11-22"' in body
    assert "https://expenses.example.com/reports/1" in body
    assert "#amount" in body


def test_empty_states_say_what_to_do(service, admin, unique_id):
    publish(service, unique_id)
    body = html.unescape(admin.get(f"/dashboard/guides/{unique_id}")[2])
    assert "No runs yet: load the extension and open a page this guide matches" in body
    assert "https://expenses.example.com/*" in body
    body = html.unescape(admin.get("/dashboard/broken-targets?from=2001-01-01&to=2001-01-02")[2])
    assert "Every step found its element in this range" in body


def test_author_text_is_escaped(service, admin, unique_id):
    publish(service, unique_id, title="<img src=x onerror=alert(1)>",
            titles=["</script><script>alert(1)</script>"])
    body = admin.get(f"/dashboard/guides/{unique_id}")[2]
    assert "<img src=x" not in body and "</script><script>alert" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


@pytest.mark.parametrize("query, parameter", [("version=x", "version"), ("from=2026-13-01", "from"),
                                              ("from=2026-11-23&to=2026-11-01", "from")])
def test_bad_filters_are_400_naming_the_parameter(admin, guide, query, parameter):
    status, _, body = admin.get(f"/dashboard/guides/{guide}?{query}")
    assert status == 400
    assert f'data-path="{parameter}"' in body and f"Bad filter &#39;{parameter}&#39;" in body
    status, headers, body = admin.get(f"/dashboard/guides/{guide}/report.csv?{query}",
                                      headers={"Accept": "application/json"})
    assert status == 400 and json.loads(body)["error"]["details"][0]["path"] == parameter


def test_unknown_guide_is_404(admin):
    status, _, body = admin.get("/dashboard/guides/nobody-knows-this-guide")
    assert status == 404 and "No guide &#39;nobody-knows-this-guide&#39;" in body


# -- the pieces behind the pages ------------------------------------------------------------

def test_report_filter_options_list_versions_and_roles_of_runs(database):
    from tests.test_reports import deliver

    from waymark.reports.guides import report_filter_options
    deliver(stream(), seed=3)
    assert report_filter_options("expense") == {"versions": [2, 1], "roles": ["employee", "sales"]}
    assert report_filter_options("nobody") == {"versions": [], "roles": []}


def _step(index, reached, dropped, title=None):
    return {"index": index, "step_id": f"s{index}", "title": title, "reached": reached,
            "dropped": {"dismissed": dropped, "abandoned": 0, "broken": 0},
            "drop_rate": round(dropped / reached, 4) if reached else 0.0}


def test_worst_step_counts_runs_not_rates():
    from waymark.dashboard.presenters import worst_step_sentence
    report = {"steps": [_step(0, 100, 40, "Amount"), _step(1, 2, 2, "Receipt")]}
    assert worst_step_sentence(report) == "Most people leave at step 1, Amount: 40% of those who reach it."
    tie = {"steps": [_step(0, 100, 5), _step(1, 10, 5, "Receipt")]}
    assert worst_step_sentence(tie) == "Most people leave at step 2, Receipt: 50% of those who reach it."
    assert worst_step_sentence({"steps": [_step(0, 10, 0)]}) is None


@pytest.mark.parametrize("ms, text", [(None, "–"), (0, "0 ms"), (850, "850 ms"), (3100, "3.1 s"),
                                      (59_949, "59.9 s"), (125_000, "2 min 05 s")])
def test_durations_read_as_people_read_them(ms, text):
    from waymark.dashboard.presenters import duration
    assert duration(ms) == text


def test_a_recovered_miss_is_not_a_recent_break(database):
    """The list's warning mark counts runs that broke, not slow pages that recovered."""
    from datetime import datetime

    from tests.folded import ingest_batch
    from waymark.reports.summaries import guide_summaries
    events = [e for e in stream() if e["run_id"] in ("D", "F")]
    ingest_batch([e for e in events if e["run_id"] == "F"])
    now = datetime(2026, 11, 23)
    assert guide_summaries(now=now)[0]["recently_broken"] is False
    ingest_batch([e for e in events if e["run_id"] == "D"])
    assert guide_summaries(now=now)[0]["recently_broken"] is True
    assert guide_summaries(now=datetime(2026, 11, 30))[0]["recently_broken"] is False
