"""Acme Expenses: the demo web app Waymark's example guides and e2e tests run on.

Standard library only, so ``waymark demo`` can start it anywhere:

    python demo/app/server.py --host 127.0.0.1 --port 8001

prints exactly one line, ``Demo site listening on http://HOST:PORT/acme/``, and
serves until SIGTERM or SIGINT. ``make_server(host, port)`` gives the server
object for in-process use (tests run it in a thread).

Every answer carries ``Content-Security-Policy: default-src 'self'`` (so the
pages hold no inline script or style); the audit page is stricter still.
"""
import argparse
import mimetypes
import pathlib
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HERE = pathlib.Path(__file__).resolve().parent
PAGES = HERE / "pages"
STATIC = HERE / "static"

BASE_CSP = "default-src 'self'"
# The audit page mimics a locked-down bank-grade app: nothing but same-origin
# scripts and styles, no frames of it, and Trusted Types for DOM sinks.
STRICT_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
              "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; "
              "require-trusted-types-for 'script'")

# Path (without query) -> page file. Full page loads each get their own document.
ROUTES = {
    "/acme/reports": "reports.html",
    "/acme/reports/new": "reports-new.html",
    "/acme/reports/submitted": "reports-submitted.html",
    "/acme/settings": "settings.html",
    "/acme/activity": "activity.html",
    "/acme/cards": "cards.html",
    "/acme/frame/receipt": "frame-receipt.html",
    "/acme/legacy": "legacy.html",
    "/acme/audit": "audit.html",
    "/acme/help": "help.html",
    "/acme/picker": "picker.html",  # author mode: the element picker's e2e fixtures
}
# The single-page section: every path under it is the same document, so a
# reload on a client-side route still works (as with a real SPA's server).
SPA_PREFIX = "/acme/app"
SPA_PAGE = "app.html"
STRICT_PAGES = {"audit.html"}


def page_for(path):
    """The page file that answers ``path``, or None."""
    path = path.rstrip("/") or "/"
    if path in ROUTES:
        return ROUTES[path]
    if path == SPA_PREFIX or path.startswith(SPA_PREFIX + "/"):
        return SPA_PAGE
    return None


def static_file(path):
    """The file under static/ that ``path`` names, or None (never outside static/)."""
    if not path.startswith("/acme/static/"):
        return None
    candidate = (STATIC / path[len("/acme/static/"):]).resolve()
    if STATIC not in candidate.parents or not candidate.is_file():
        return None
    return candidate


class Handler(BaseHTTPRequestHandler):
    server_version = "AcmeExpenses/1.0"

    def log_message(self, *args):
        """Quiet: the demo and the tests print what matters themselves."""

    def do_GET(self):
        self.answer(send_body=True)

    def do_HEAD(self):
        self.answer(send_body=False)

    def answer(self, send_body):
        path = urlsplit(self.path).path
        if path in ("/", "/acme", "/acme/"):
            return self.redirect("/acme/reports")
        page = page_for(path)
        if page:
            csp = STRICT_CSP if page in STRICT_PAGES else BASE_CSP
            return self.send_file(PAGES / page, "text/html; charset=utf-8", csp, send_body)
        asset = static_file(path)
        if asset:
            kind = mimetypes.guess_type(asset.name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind.endswith("javascript"):
                kind += "; charset=utf-8"
            return self.send_file(asset, kind, BASE_CSP, send_body)
        return self.send_bytes(404, b"Not found\n", "text/plain; charset=utf-8", BASE_CSP, send_body)

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_file(self, file, kind, csp, send_body):
        self.send_bytes(200, file.read_bytes(), kind, csp, send_body)

    def send_bytes(self, status, data, kind, csp, send_body):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Content-Security-Policy", csp)
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(data)


class DemoServer(ThreadingHTTPServer):
    daemon_threads = True  # a browser's open keep-alive connection never blocks shutdown

    @property
    def url(self):
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/acme/"


def make_server(host="127.0.0.1", port=0):
    """A ready-to-serve demo site server (port 0: any free port; see ``.url``)."""
    return DemoServer((host, port), Handler)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve the Acme Expenses demo app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port)

    def stop(signum, frame):
        # shutdown() waits for serve_forever to return, so it must run on another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"Demo site listening on {server.url}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
