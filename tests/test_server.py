"""The server below Flask (server.py): HTTP framing errors answered with the API's JSON error,
an unread body that does not spoil keep-alive, and workers that stop when their master dies.

Raw sockets, because an HTTP library would refuse to send what these tests send.
"""
import json
import os
import signal
import socket
import time

import pytest

from tests.harness import start_service, stop_service
from waymark.server import default_workers


def _address(service):
    return "127.0.0.1", int(service.base_url.rsplit(":", 1)[1])


def _read_answer(connection):
    """(status, headers, body) of one HTTP/1.1 answer with a Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers.get("content-length", 0)):
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def _exchange(service, raw):
    with socket.create_connection(_address(service), timeout=10) as connection:
        connection.sendall(raw)
        return _read_answer(connection)


def _assert_json_error(status, headers, body, expected_status):
    assert status == expected_status, body
    assert headers["content-type"] == "application/json", (headers, body)
    error = json.loads(body)["error"]
    assert error["code"] and error["message"]
    return error


LONG = "x" * 9000


@pytest.mark.parametrize("raw, status", [
    (f"GET /api/v1/guides?url={LONG} HTTP/1.1\r\nHost: a\r\n\r\n", 414),
    (f"GET /api/v1/guides HTTP/1.1\r\nHost: a\r\nX-Big: {LONG}\r\n\r\n", 431),
    ("GET /api/v1/guides HTTP/1.1\r\nHost: a\r\n" + "".join(f"X-{n}: y\r\n" for n in range(120)) + "\r\n", 431),
    ("NOT A REQUEST LINE\r\n\r\n", 400),
    ("GET /api/v1/guides HTTP/9.9\r\nHost: a\r\n\r\n", 400),
    ("GET /api/v1/guides HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n", 400),
])
def test_requests_the_server_refuses_get_the_json_error(service, raw, status):
    _assert_json_error(*_exchange(service, raw.encode("latin-1")), status)


@pytest.mark.parametrize("chunks", [b"zz\r\nabc\r\n0\r\n\r\n", b"5\r\nabc", b"3\r\nabcXX0\r\n\r\n"])
def test_a_malformed_chunked_body_is_a_400_and_the_connection_closes(service, chunks):
    head = (f"POST /api/v1/events HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer {service.tokens['extension']}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    with socket.create_connection(_address(service), timeout=10) as connection:
        connection.sendall(head + chunks)
        if chunks == b"5\r\nabc":
            connection.shutdown(socket.SHUT_WR)  # the body ends early
        status, headers, body = _read_answer(connection)
        _assert_json_error(status, headers, body, 400)
        assert headers["connection"] == "close"


def test_a_refusal_before_the_body_is_read_keeps_the_connection_usable(service):
    """A 401 to a large POST: the body is read and thrown away, and the next request on the
    same connection is answered (it used to say keep-alive and then close)."""
    body = json.dumps({"events": [{"pad": "x" * 400_000}]}).encode()
    with socket.create_connection(_address(service), timeout=10) as connection:
        connection.sendall(b"POST /api/v1/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                           b"Content-Length: %d\r\n\r\n" % len(body) + body)
        status, headers, _ = _read_answer(connection)
        assert status == 401 and headers["connection"] == "keep-alive"
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        status, _, answer = _read_answer(connection)
        assert status == 200 and json.loads(answer) == {"status": "ok"}


def test_a_body_too_large_to_drain_closes_the_connection_and_says_so(service):
    """Past DRAIN_UNREAD_BODY_BYTES the body is not read: the answer says Connection: close."""
    with socket.create_connection(_address(service), timeout=10) as connection:
        connection.sendall(b"POST /api/v1/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                           b"Content-Length: %d\r\n\r\n{" % (10 ** 9))
        status, headers, body = _read_answer(connection)
        _assert_json_error(status, headers, body, 401)
        assert headers["connection"] == "close"


def _children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _running(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_stop_promptly_when_the_master_is_killed(make_database_url):
    """A worker whose master died stops within a few seconds, even holding a connection
    (gunicorn's graceful 10 s are for a master that asked)."""
    service = start_service(make_database_url("sqlite"))
    workers = []
    try:
        workers = _children(service.process.pid)
        assert len(workers) == default_workers()
        held = socket.create_connection(_address(service), timeout=10)
        held.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n")  # headers not finished: in flight
        time.sleep(0.3)
        killed = time.monotonic()
        service.process.send_signal(signal.SIGKILL)
        service.process.wait()
        while any(_running(pid) for pid in workers) and time.monotonic() - killed < 30:
            time.sleep(0.1)
        stopped_after = time.monotonic() - killed
        held.close()
        assert stopped_after < 4, f"workers served on for {stopped_after:.1f} s"
    finally:
        for pid in workers:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        stop_service(service)


def test_the_service_checkpoints_the_wal_itself(make_database_url):
    """SQLite's own checkpoint would run inside a COMMIT, with every writer waiting
    (db.WEB_SQLITE_PRAGMAS): the service's thread copies the WAL back instead, so the
    database file holds a batch soon after it is stored, long before the WAL's threshold."""
    import sqlite3
    from urllib.parse import urlparse

    from tests.test_reports import stream
    url = make_database_url("sqlite")
    service = start_service(url)
    try:
        answer = service.post("/api/v1/events", {"events": stream()}, token="extension")
        assert answer.status == 200, answer.text
        path = urlparse(url).path[1:]
        in_the_file, deadline = 0, time.monotonic() + 10
        while in_the_file < len(stream()) and time.monotonic() < deadline:
            time.sleep(0.05)
            # immutable: the database file alone, as if the WAL were not there
            with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as file_only:
                in_the_file = file_only.execute("SELECT COUNT(*) FROM event").fetchone()[0]
        assert in_the_file == len(stream())
    finally:
        stop_service(service)

