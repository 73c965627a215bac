"""``waymark demo`` as a newcomer runs it: a real process, its printed URLs, a clean stop.

Each test starts ``waymark demo`` in an empty working folder (it uses the
repository's guides/, demo/ and extension/: ``WAYMARK_DEMO_DIR`` names
the clone's demo/ folder, as the working folder has none), reads the labelled lines it
prints, talks to the service, the demo app and the dashboard over HTTP, then
stops it with a signal and checks that no process it started is left and that
its SQLite file passes ``integrity_check``.
"""
import http.cookiejar
import json
import os
import pathlib
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from contextlib import closing

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
GUIDES = [json.loads(path.read_text()) for path in (ROOT / "guides").glob("*.json")]
GUIDE_IDS = {guide["id"] for guide in GUIDES}
AUDIENCE_ROLES = {role for guide in GUIDES for role in (guide.get("audience") or {}).get("roles", [])}
LABEL = re.compile(r"^\s*(Service|Dashboard|Demo app|Extension token|Admin token|Database):\s+(\S+)\s*$")
READY_LINE = "Press Ctrl-C to stop."
SEEDED_RUNS = 60


class DemoProcess:
    """A running ``waymark demo`` whose output is read line by line on a thread."""

    def __init__(self, workdir, *extra, env=None):
        environ = dict(os.environ, **(env or {}))
        environ.pop("WAYMARK_DATABASE_URL", None)  # the demo makes its own database
        environ["WAYMARK_DEMO_DIR"] = str(ROOT / "demo")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "waymark", "demo", "--port", "0", "--site-port", "0",
             "--runs", str(SEEDED_RUNS), *extra],
            cwd=workdir, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)  # its own process group, like a command run in a terminal
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self):
        return "\n".join(self.lines)

    def wait_for(self, text, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return
            if self.process.poll() is not None:
                self.reader.join(5)
                pytest.fail(f"waymark demo exited with {self.process.returncode}:\n{self.output}")
            time.sleep(0.1)
        pytest.fail(f"waymark demo did not print {text!r} in {timeout} s:\n{self.output}")

    def labelled(self):
        """``{label: value}`` of the lines like ``Service:  http://…``."""
        found = {}
        for line in self.lines:
            match = LABEL.match(line)
            if match:
                found[match.group(1)] = match.group(2)
        return found

    def stop(self, signum, timeout=60):
        """SIGTERM to the demo alone (``kill PID``); SIGINT to its whole group, as Ctrl-C in a terminal."""
        if signum == signal.SIGINT:
            os.killpg(self.process.pid, signum)
        else:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._close_output()

    def _close_output(self):
        self.reader.join(5)
        self.process.stdout.close()

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if not self.process.stdout.closed:
            self._close_output()


@pytest.fixture
def start_demo(tmp_path):
    started = []

    def start(*extra, env=None):
        demo = DemoProcess(tmp_path, *extra, env=env)
        started.append(demo)
        demo.wait_for(READY_LINE)
        return demo

    yield start
    for demo in started:
        for pid in descendants(demo.process.pid):
            _kill_quietly(pid)
        demo.kill()


# -- processes -------------------------------------------------------------------------

def _parent_of(pid):
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # the field after the state


def descendants(pid):
    """Every process below ``pid`` (children, grandchildren, …), from /proc."""
    parents = {}
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _parent_of(int(entry.name))
            if parent is not None:
                parents.setdefault(parent, []).append(int(entry.name))
    found, pending = [], [pid]
    while pending:
        children = parents.get(pending.pop(), [])
        found.extend(children)
        pending.extend(children)
    return found


def alive(pid):
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill_quietly(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


# -- HTTP -------------------------------------------------------------------------------

def get(url, token=None, opener=None):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with (opener or urllib.request.build_opener()).open(request, timeout=30) as answer:
        return answer.status, answer.read().decode("utf-8")


def dashboard_session(dashboard_url, admin_token):
    """An opener signed in to the dashboard, as a person does it: the form, its CSRF field, the token."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    _, form = get(dashboard_url + "sign-in", opener=opener)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"csrf_token": csrf, "token": admin_token}).encode()
    with opener.open(urllib.request.Request(dashboard_url + "sign-in", data=body), timeout=30) as answer:
        return opener, answer.geturl(), answer.read().decode("utf-8")


def runs_per_guide(guide_list_html):
    """``{guide_id: runs}`` from the dashboard's guide list."""
    rows = re.findall(r'<tr data-guide-id="([^"]+)">(.*?)</tr>', guide_list_html, re.S)
    return {guide_id: int(re.search(r'data-field="runs" data-value="(\d+)"', row).group(1))
            for guide_id, row in rows}


def served_guides(service_url, token, role):
    status, body = get(f"{service_url}/api/v1/guides?role={role}", token)
    assert status == 200
    return {guide["id"]: guide["version"] for guide in json.loads(body)["guides"]}


# -- the tests -----------------------------------------------------------------------

@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_demo_runs_the_whole_product_and_stops_cleanly(start_demo, tmp_path, signum):
    demo = start_demo("--no-browser")
    urls = demo.labelled()
    assert set(urls) == {"Service", "Dashboard", "Demo app", "Extension token", "Admin token", "Database"}
    for url in (urls["Service"], urls["Dashboard"], urls["Demo app"]):
        assert url.startswith("http://127.0.0.1:")
    # No display here: the three manual steps, with the folder, the service URL and the token.
    assert "Load unpacked" in demo.output and str(ROOT / "extension" / "dist") in demo.output
    assert f"Backend URL: {urls['Service']}" in demo.output
    assert f"Token:       {urls['Extension token']}" in demo.output
    assert "stored" in demo.output and "Seeded 60 runs" in demo.output  # progress while seeding

    # The extension token gets the example guides; the main one is at its fixed second version.
    served = {}
    for role in AUDIENCE_ROLES | {"employee"}:
        served.update(served_guides(urls["Service"], urls["Extension token"], role))
    assert set(served) == GUIDE_IDS
    assert served["submit-expense"] == 2

    status, page = get(urls["Demo app"])
    assert status == 200 and "Acme" in page

    opener, landed, guide_list = dashboard_session(urls["Dashboard"], urls["Admin token"])
    assert landed.rstrip("/").endswith("/dashboard")
    runs = runs_per_guide(guide_list)
    assert set(runs) == GUIDE_IDS
    assert runs["submit-expense"] > 0
    assert SEEDED_RUNS * 0.8 <= sum(runs.values()) <= SEEDED_RUNS

    # The older version's renamed target shows up as broken runs in the report.
    status, body = get(f"{urls['Service']}/api/v1/reports/guides/submit-expense?version=1",
                       urls["Admin token"])
    old = json.loads(body)
    assert status == 200 and old["runs"] > 0 and old["broken"] > 0

    children = descendants(demo.process.pid)
    assert len(children) >= 3  # the demo app, the gunicorn master and its workers
    assert demo.stop(signum) == 0, demo.output
    time.sleep(0.2)
    assert [pid for pid in children if alive(pid)] == []
    assert "Stopped." in demo.output
    with closing(sqlite3.connect(urls["Database"])) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT COUNT(*) FROM run").fetchone()[0] == SEEDED_RUNS
    assert pathlib.Path(urls["Database"]).parent == tmp_path / ".waymark-demo"


def test_a_second_demo_starts_from_a_fresh_database(start_demo):
    first = start_demo("--no-browser")
    first_database = first.labelled()["Database"]
    assert first.stop(signal.SIGTERM) == 0
    second = start_demo("--no-browser")
    urls = second.labelled()
    assert urls["Database"] == first_database
    with closing(sqlite3.connect(urls["Database"])) as connection:
        assert connection.execute("SELECT COUNT(*) FROM run").fetchone()[0] == SEEDED_RUNS
        assert connection.execute("SELECT COUNT(*) FROM token").fetchone()[0] == 2
    assert second.stop(signal.SIGTERM) == 0


def events_of_user(database_path, user):
    with closing(sqlite3.connect(f"file:{database_path}?mode=ro", uri=True)) as connection:
        return connection.execute(
            "SELECT type, step_id, url FROM event WHERE user = ? ORDER BY at", (user,)).fetchall()


def test_demo_opens_chromium_with_the_extension_configured(start_demo):
    """Where a display is available the demo opens Chromium; WAYMARK_DEMO_HEADLESS=1 does it headless."""
    demo = start_demo(env={"WAYMARK_DEMO_HEADLESS": "1"})
    urls = demo.labelled()
    assert "Browser: Chromium with the extension" in demo.output, demo.output
    assert "Load unpacked" not in demo.output
    # The extension, configured with the printed service and token, started the demo app's
    # guide by itself and reported it: events from the demo's own user reach the database.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(events_of_user(urls["Database"], "demo-you")) < 2:
        time.sleep(0.2)
    walked = events_of_user(urls["Database"], "demo-you")
    assert walked[:2] == [("guide_started", None, urls["Demo app"] + "reports"),
                          ("step_shown", "new-report", urls["Demo app"] + "reports")]

    children = descendants(demo.process.pid)
    assert any("chrom" in pathlib.Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
               for pid in children if alive(pid))
    assert demo.stop(signal.SIGINT) == 0, demo.output
    time.sleep(0.5)
    assert [pid for pid in children if alive(pid)] == []
    assert "Exception" not in demo.output and "Traceback" not in demo.output
    with closing(sqlite3.connect(urls["Database"])) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
