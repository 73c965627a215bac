"""The nginx configuration of docs/reports.md ("Behind nginx"), run as written in a real nginx
in front of a real ``waymark serve``: the service's answers pass through, and each refusal of
either layer reaches an API client as the documented JSON error with its status.

The two ``nginx`` blocks are read from the docs, so the docs are what is tested; only the
upstream's address is the test's service. Raw sockets, as in test_server.py, because an HTTP
library would refuse to send what some of these tests send.
"""
import json
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.harness import free_port, start_service, stop_service
from tests.test_server import _assert_json_error, _read_answer

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # scripts/bootstrap.sh installs it for the tests
DOCUMENTED_UPSTREAM = "server 127.0.0.1:8000;"


def documented_blocks():
    """The ``http`` block and the ``server`` block of docs/reports.md "Behind nginx"."""
    section = (ROOT / "docs" / "reports.md").read_text().split("### Behind nginx", 1)[1].split("\n## ", 1)[0]
    upstream, server = re.findall(r"```nginx\n(.*?)```", section, re.S)
    assert DOCUMENTED_UPSTREAM in upstream
    return upstream, server


@contextmanager
def documented_nginx(service_address):
    """The documented nginx on a free loopback port in front of ``service_address`` (host:port);
    yields the port."""
    if not Path(NGINX).exists():
        pytest.fail(f"nginx is not installed ({NGINX}): `scripts/bootstrap.sh test` installs it")
    upstream, server = documented_blocks()
    prefix = Path(tempfile.mkdtemp(prefix="waymark-nginx-"))
    port = free_port()
    (prefix / "nginx.conf").write_text(f"""
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    {upstream.replace(DOCUMENTED_UPSTREAM, f"server {service_address};")}
    server {{
        listen 127.0.0.1:{port};
        {server}
    }}
}}
""")
    nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, nginx, prefix / "error.log")
        yield port
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        shutil.rmtree(prefix, ignore_errors=True)


def _wait_for_port(port, process, log, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}: "
                               f"{log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not start listening")


@pytest.fixture(scope="module")
def proxied(make_database_url):
    """``(service, nginx port)``: the documented nginx in front of a service on SQLite."""
    service = start_service(make_database_url("sqlite"))
    try:
        with documented_nginx(service.base_url.removeprefix("http://")) as port:
            yield service, port
    finally:
        stop_service(service)


def _through(port, raw):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(raw)
        return _read_answer(connection)


def _post_events(service, events, token="extension"):
    body = json.dumps({"events": events}).encode()
    authorization = f"Authorization: Bearer {service.tokens[token]}\r\n" if token else ""
    return (f"POST /api/v1/events HTTP/1.1\r\nHost: waymark.example.com\r\n{authorization}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


def _event():
    return {"id": uuid.uuid4().hex, "type": "guide_started", "guide_id": "behind-nginx", "guide_version": 1,
            "run_id": uuid.uuid4().hex, "user": "u1", "url": "https://app.example.com/",
            "at": "2026-11-22T10:00:00Z"}


def test_the_service_answers_pass_through(proxied):
    service, port = proxied
    status, _, body = _through(port, b"GET /healthz HTTP/1.1\r\nHost: waymark.example.com\r\n\r\n")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    event = _event()
    status, _, body = _through(port, _post_events(service, [event]))
    assert status == 200 and json.loads(body)["results"] == [{"id": event["id"], "status": "stored"}]
    # The service's own JSON error, untouched: no token.
    assert _assert_json_error(*_through(port, _post_events(service, [event], token=None)), 401)["code"] == "unauthorized"
    status, headers, _ = _through(port, b"GET /dashboard/sign-in HTTP/1.1\r\nHost: waymark.example.com\r\n\r\n")
    assert status == 200 and headers["content-type"].startswith("text/html")


def test_a_body_past_the_proxys_limit_is_its_json_413(proxied):
    service, port = proxied
    raw = (f"POST /api/v1/events HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer {service.tokens['extension']}\r\n"
           f"Content-Type: application/json\r\nContent-Length: {2 * 1024 * 1024}\r\n\r\n{{").encode()
    assert _assert_json_error(*_through(port, raw), 413)["code"] == "payload_too_large"


@pytest.mark.parametrize("length, who", [(10_000, "the service"), (20_000, "nginx")])
def test_a_request_line_too_long_is_a_json_414_from_either_layer(proxied, length, who):
    _, port = proxied
    raw = f"GET /api/v1/guides?url={'x' * length} HTTP/1.1\r\nHost: a\r\n\r\n".encode()
    assert _assert_json_error(*_through(port, raw), 414)["code"] == "uri_too_long", who


@pytest.mark.parametrize("length, who", [(10_000, "the service"), (20_000, "nginx")])
def test_a_header_too_large_is_a_json_431_from_either_layer(proxied, length, who):
    _, port = proxied
    raw = f"GET /api/v1/guides HTTP/1.1\r\nHost: a\r\nX-Big: {'x' * length}\r\n\r\n".encode()
    assert _assert_json_error(*_through(port, raw), 431)["code"] == "request_header_fields_too_large", who


def test_a_malformed_chunked_body_is_the_proxys_json_400(proxied):
    service, port = proxied
    raw = (f"POST /api/v1/events HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer {service.tokens['extension']}\r\n"
           "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n").encode()
    assert _assert_json_error(*_through(port, raw), 400)["code"] == "bad_request"


def test_no_service_process_answering_is_a_json_502(make_database_url):
    """Its own service, stopped: nginx finds nobody upstream."""
    service = start_service(make_database_url("sqlite"))
    stop_service(service)
    with documented_nginx(service.base_url.removeprefix("http://")) as port:
        raw = b"GET /api/v1/guides HTTP/1.1\r\nHost: a\r\n\r\n"
        assert _assert_json_error(*_through(port, raw), 502)["code"] == "service_unavailable"
