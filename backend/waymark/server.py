"""Serve the app with gunicorn from inside the ``waymark`` command.

Two pieces make errors from below Flask look like the API's own (docs/reports.md
"Errors from every layer"):

- ``BodyGuard`` (WSGI middleware): a body that breaks HTTP framing (a bad chunk)
  becomes a 400 from Flask, not a 500; a body the app answered without reading
  (a 401 or 413 to a large POST) is read and thrown away before the answer, or,
  when too large for that, the connection is closed and the answer says so.
- ``WaymarkWorker`` (gunicorn's threaded worker): requests gunicorn refuses
  before the app sees them (request line or headers too long, too many headers,
  a malformed request line) get the documented JSON error, not gunicorn's HTML;
  and a worker whose master died stops within ORPHAN_GRACE_SECONDS.
"""
import json
import logging
import os

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.http.errors import (ExpectationFailed, ForbiddenProxyRequest, LimitRequestHeaders,
                                  LimitRequestLine, NoMoreData, ParseException,
                                  UnsupportedTransferCoding)
from gunicorn.workers.gthread import ThreadWorker
from werkzeug.exceptions import BadRequest

log = logging.getLogger(__name__)

# A body the app did not read, up to this size, is read and thrown away before the answer
# goes out. A server that answers and closes with the body unread makes the kernel reset
# the connection, and the client's send fails before it can read why (nginx calls the
# cure "lingering close"; gunicorn has none). Larger bodies are not worth the reading.
DRAIN_UNREAD_BODY_BYTES = 64 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024
# How long a worker whose master died goes on finishing the requests it holds. gunicorn's
# graceful_timeout (10 s) is for a master that asked; an orphan serves nobody's plan.
ORPHAN_GRACE_SECONDS = 1
# Gunicorn's own refusals: (exception, status, code); the rest of ParseException is a 400.
_REFUSALS = ((LimitRequestLine, 414, "uri_too_long"),
             (LimitRequestHeaders, 431, "request_header_fields_too_large"),
             (UnsupportedTransferCoding, 501, "not_implemented"),
             (ExpectationFailed, 417, "expectation_failed"),
             (ForbiddenProxyRequest, 403, "forbidden"))
_REASONS = {400: "Bad Request", 403: "Forbidden", 414: "URI Too Long", 417: "Expectation Failed",
            431: "Request Header Fields Too Large", 500: "Internal Server Error",
            501: "Not Implemented"}


class _GuardedInput:
    """``wsgi.input`` that counts what was read and turns framing errors into a 400."""

    def __init__(self, stream):
        self.stream = stream
        self.read_bytes = 0
        self.at_end = False
        self.broken = False

    def _call(self, method, size):
        try:
            data = method(size)
        except (ParseException, NoMoreData) as error:
            self.broken = True
            raise BadRequest(f"The request body is malformed: {error}.") from None
        if (not data and size != 0) or (method == self.stream.read and (size is None or size < 0)):
            self.at_end = True
        self.read_bytes += len(data)
        return data

    def read(self, size=-1):
        return self._call(self.stream.read, size)

    def readline(self, size=-1):
        return self._call(self.stream.readline, size)

    def readlines(self, hint=-1):
        return [line for line in iter(self.readline, b"")]

    def __iter__(self):
        return iter(self.readline, b"")


def _body_length(wsgi_env):
    try:
        return int(wsgi_env.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _chunked(wsgi_env):
    return "chunked" in wsgi_env.get("HTTP_TRANSFER_ENCODING", "").lower()


class BodyGuard:
    """WSGI middleware: framing errors in the body → 400; an unread body never spoils keep-alive."""

    def __init__(self, app):
        self.app = app

    def __call__(self, wsgi_env, start_response):
        guarded = _GuardedInput(wsgi_env["wsgi.input"])
        wsgi_env["wsgi.input"] = guarded

        def start_response_after_the_body(status, headers, exc_info=None):
            if not _drain(guarded, wsgi_env):
                _close_after(start_response)
                headers = [(name, value) for name, value in headers if name.lower() != "connection"]
                headers.append(("Connection", "close"))
            return start_response(status, headers, exc_info)

        return self.app(wsgi_env, start_response_after_the_body)


def _drain(guarded, wsgi_env):
    """Read what is left of the body; True when all of it was read (keep-alive is safe)."""
    length, chunked = _body_length(wsgi_env), _chunked(wsgi_env)
    if guarded.broken:
        return False
    if not chunked and guarded.read_bytes >= length:
        return True
    if chunked and guarded.at_end:
        return True
    if length > DRAIN_UNREAD_BODY_BYTES:
        return False
    try:
        while guarded.read_bytes < DRAIN_UNREAD_BODY_BYTES:
            wanted = _CHUNK_BYTES if chunked else min(_CHUNK_BYTES, length - guarded.read_bytes)
            if wanted <= 0 or not guarded.read(wanted):
                break
    except BadRequest:
        return False
    return guarded.at_end if chunked else guarded.read_bytes >= length


def _close_after(start_response):
    """Tell gunicorn to close the connection after this answer (it ignores the app's
    Connection header as hop-by-hop; its start_response is a method of its Response)."""
    force_close = getattr(getattr(start_response, "__self__", None), "force_close", None)
    if force_close is not None:
        force_close()


def _refusal(exc):
    for kind, status, code in _REFUSALS:
        if isinstance(exc, kind):
            return status, code
    if isinstance(exc, (ParseException, NoMoreData)):
        return 400, "bad_request"
    return 500, "internal_error"


def error_answer(status, code, message):
    """The bytes of a complete HTTP answer carrying the API's JSON error, closing the connection."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode("utf-8")
    head = (f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class WaymarkWorker(ThreadWorker):
    """gunicorn's gthread worker, with JSON refusals and a prompt stop when orphaned."""

    def handle_error(self, req, client, addr, exc):
        status, code = _refusal(exc)
        if status == 500:
            log.error("error handling a request", exc_info=exc)
            message = "The service failed on this request; the error is in its log."
        else:
            log.warning("refused a request from %s: %s", (addr or ("",))[0], exc)
            message = f"The request was refused before it reached the service: {exc}"
        try:
            util.write_nonblock(client, error_answer(status, code, message))
        except Exception:  # the client is gone: nothing to tell it
            log.debug("could not send the refusal")

    orphaned = False

    def is_parent_alive(self):
        if super().is_parent_alive():
            return True
        self.orphaned = True
        self.cfg.set("graceful_timeout", ORPHAN_GRACE_SECONDS)
        return False

    def run(self):
        super().run()
        if self.orphaned:
            # A thread still blocked reading a slow client would keep the process (and its
            # listening socket) alive until that client gives up: nobody is left to wait for.
            logging.shutdown()
            os._exit(0)


class _WaymarkServer(BaseApplication):
    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app
        return BodyGuard(create_app())


def _announce(server):
    for listener in server.LISTENERS:
        print(f"Waymark listening on http://{listener.sock.getsockname()[0]}:"
              f"{listener.sock.getsockname()[1]}", flush=True)


def _start_threads(worker):
    """Each worker runs its own fold, WAL checkpoint and alerts threads (threads do not
    survive gunicorn's fork)."""
    from . import alerts, db, folding
    config = worker.wsgi.app.config  # worker.wsgi is the BodyGuard around the Flask app
    folding.start_worker(config)
    db.start_checkpointer()
    alerts.start_worker(config)


def default_workers():
    """Three single-threaded workers a CPU, 3 at least and 8 at most (docs/reports.md
    "Ingest throughput").

    A request's work is Python, which runs one thread at a time in a process (the GIL),
    so processes, not threads, keep the CPUs busy: a second thread in a worker mostly
    makes the thread that holds SQLite's write lock wait for the GIL, and every other
    writer with it. A worker waits on that lock for part of each batch, so a CPU needs
    more than two of them to stay busy; SQLite lets one writer in at a time, so more
    than 8 would only queue."""
    return min(8, max(3, 3 * (os.cpu_count() or 1)))


DEFAULT_THREADS = 1  # see default_workers; WAYMARK_THREADS adds more (PostgreSQL has no one write lock)


def run_gunicorn(host, port, workers=None, threads=None):
    """Run until SIGINT/SIGTERM; every worker builds its own app (nothing shared in memory)."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "threads": threads or DEFAULT_THREADS,
        "worker_class": "waymark.server.WaymarkWorker",
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": None,
        # gunicorn's largest request line, so that a page URL up to the API's own
        # 4096-character limit reaches the app and gets its JSON error; longer ones get
        # WaymarkWorker's JSON 414. Headers: gunicorn's defaults (100 fields of 8190 bytes).
        "limit_request_line": 8190,
        "when_ready": _announce,
        "post_worker_init": _start_threads,
    }
    _WaymarkServer(options).run()
    return 0
