"""End-to-end fixtures: the real service, the demo app (demo/app/), and Chromium with the built extension.

Reusable by other e2e suites (e2e/dashboard/ has its own conftest):

- ``chromium_executable`` (session): Debian's Chromium, or ``$WAYMARK_CHROMIUM``;
- ``playwright_instance`` (session): one sync Playwright driver;
- ``extension_dist`` (session): ``extension/dist``, built when missing or older than its sources;
- ``demo_site`` (session): the Acme Expenses site on a loopback port (base URL, no trailing slash);
- ``e2e_service`` (session): one ``waymark serve`` on SQLite, with a token per role;
- ``browser`` (per test): a fresh profile with the extension loaded (``ExtensionBrowser``);
- ``guide_role`` / ``make_guide`` / ``publish``: a guide no other test can see.

Tests share one service, and the extension fetches every guide published for
its role, so each test gets its own role (``guide_role``) and its guides name
only that role in ``audience``: other tests' guides never show up.
"""
import os
import pathlib
import shutil
import subprocess
import tempfile
import threading
import time

import pytest

from demo.app.server import make_server
from tests.harness import start_service, stop_service

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent

EXTENSION = ROOT / "extension"
DIST = EXTENSION / "dist"


def chromium_path():
    """The Chromium the e2e suites drive: ``$WAYMARK_CHROMIUM``, else Debian's."""
    return os.environ.get("WAYMARK_CHROMIUM", "/usr/lib/chromium/chromium")


def extension_args(dist):
    """Chromium flags that load the unpacked extension and nothing else."""
    return [f"--disable-extensions-except={dist}", f"--load-extension={dist}", "--no-sandbox",
            "--no-first-run", "--no-default-browser-check"]


@pytest.fixture(scope="session")
def chromium_executable():
    path = chromium_path()
    if not os.access(path, os.X_OK):
        pytest.fail(f"Chromium not found at {path}; set WAYMARK_CHROMIUM")
    return path


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        yield playwright


def _dist_is_stale():
    manifest = DIST / "manifest.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [p for folder in ("src", "static") for p in (EXTENSION / folder).rglob("*") if p.is_file()]
    return any(p.stat().st_mtime > built for p in sources)


@pytest.fixture(scope="session")
def extension_dist():
    """The unpacked extension, built first when missing or older than its sources."""
    if _dist_is_stale():
        subprocess.run(["npm", "--prefix", str(EXTENSION), "run", "build"], check=True,
                       capture_output=True, timeout=300)
    return DIST


@pytest.fixture(scope="session")
def demo_site():
    """The Acme Expenses site in a thread on a free loopback port: ``http://127.0.0.1:PORT``."""
    server = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url.removesuffix("/acme/")
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="session")
def e2e_service(tmp_path_factory):
    """One real ``waymark serve`` on SQLite for the e2e session (e2e need not run on both stores)."""
    database = tmp_path_factory.mktemp("e2e-db") / "waymark.db"
    running = start_service(f"sqlite:///{database}")
    yield running
    stop_service(running)


class ExtensionBrowser:
    """Chromium with the extension: its context, its service worker, and test hooks."""

    def __init__(self, context):
        self.context = context
        workers = context.service_workers
        self.worker = workers[0] if workers else context.wait_for_event("serviceworker", timeout=15000)
        self.extension_id = self.worker.url.split("/")[2]

    def configure(self, backend_url, token, user, role):
        """Set the four configuration keys, as the options page would."""
        self.worker.evaluate("cfg => chrome.storage.local.set(cfg)",
                             {"backendUrl": backend_url, "token": token, "user": user, "role": role})

    def storage(self, key):
        return self.worker.evaluate("async key => (await chrome.storage.local.get(key))[key]", key)

    def queued_events(self):
        return self.storage("waymark.queue") or []

    def queued_count(self):
        return self.worker.evaluate("() => waymark.queuedCount()")

    def flush(self, timeout=20.0):
        """Send every queued event now; fails if some are still queued after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.worker.evaluate("() => waymark.flush()")
            if left == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{left} events still queued after {timeout} s")
            time.sleep(0.2)

    def tab_id(self, page):
        """The chrome.tabs id of a Playwright page (matched by URL, then by being active)."""
        return self.worker.evaluate(
            "async url => (await chrome.tabs.query({})).find(t => t.url === url).id", page.url)

    def open_popup(self, page):
        """The toolbar popup for ``page``'s tab (``popup.html?tabId=N``), in a page of its own."""
        popup = self.context.new_page()
        popup.goto(f"chrome-extension://{self.extension_id}/popup.html?tabId={self.tab_id(page)}")
        return popup

    def new_page(self, errors=None):
        """A new tab; page errors are appended to ``errors`` when given."""
        page = self.context.new_page()
        if errors is not None:
            page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page


def launch_extension_browser(playwright, executable, dist, profile):
    """A persistent context (extensions need one) with the extension loaded, headless."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=executable, headless=True, args=extension_args(dist),
        viewport={"width": 1280, "height": 800})
    return ExtensionBrowser(context)


@pytest.fixture
def browser(playwright_instance, chromium_executable, extension_dist):
    """A fresh Chromium profile with the extension loaded (not yet configured)."""
    profile = tempfile.mkdtemp(prefix="waymark-e2e-profile-")
    running = launch_extension_browser(playwright_instance, chromium_executable, extension_dist, profile)
    yield running
    running.context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def guide_role(unique_id):
    """A role only this test's guides target (see the module docstring)."""
    return f"r-{unique_id}"[:60].rstrip("-")


@pytest.fixture
def configured(browser, e2e_service, guide_role, unique_id):
    """The extension pointed at the e2e service with an extension token, this test's role and user."""
    browser.configure(e2e_service.base_url, e2e_service.tokens["extension"], f"user-{unique_id}", guide_role)
    return browser


@pytest.fixture
def make_guide(unique_id, guide_role, demo_site):
    """Build a guide for this test: its own id and audience; globs may use ``{site}``."""
    def make(steps, suffix="", include=("{site}/acme/*",), **fields):
        guide = {
            "id": unique_id + suffix,
            "title": fields.pop("title", "E2E guide"),
            "match": {"include": [glob.format(site=demo_site) for glob in include]},
            "audience": {"roles": [guide_role]},
            "start": "auto",
            "frequency": "always",
            "steps": steps,
        }
        guide.update(fields)
        return guide
    return make


@pytest.fixture
def publish(e2e_service):
    """Publish a guide through the author API; answers its version."""
    def put(guide):
        answer = e2e_service.put(f"/api/v1/guides/{guide['id']}", guide, token="author")
        assert answer.status in (200, 201), (answer.status, answer.text)
        return answer.json["version"]
    return put


@pytest.fixture
def report(e2e_service):
    """The drop-off report of a guide, read with the admin token."""
    def read(guide_id, **params):
        query = "&".join(f"{key}={value}" for key, value in params.items())
        answer = e2e_service.get(f"/api/v1/reports/guides/{guide_id}" + (f"?{query}" if query else ""),
                                 token="admin")
        assert answer.status == 200, (answer.status, answer.text)
        return answer.json
    return read


@pytest.fixture(scope="session")
def fixture_pages():
    """The hard-page fixtures (e2e/fixtures/server.py) on a loopback port: ``http://127.0.0.1:PORT/fixtures``.

    Their third-party libraries come from npm (``e2e/fixtures/package.json``);
    installed here when ``make setup`` has not done it yet.
    """
    from e2e.fixtures import server as fixtures
    if not fixtures.bootstrap_installed():
        subprocess.run(["npm", "--prefix", str(HERE / "fixtures"), "ci", "--no-audit", "--no-fund"], check=True,
                       capture_output=True, timeout=300)
    server = fixtures.make_server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url
    server.shutdown()
    server.server_close()
    thread.join()
