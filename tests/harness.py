"""The test harness: throwaway databases and real ``waymark serve`` processes.

Imported by the fixtures in the root conftest.py, by tests that need a service
of their own (tests/, e2e/) and by the benchmark scripts, as ``tests.harness``.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

POSTGRES_ADMIN_URL = os.environ.get("WAYMARK_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_admin():
    import psycopg2
    connection = psycopg2.connect(POSTGRES_ADMIN_URL)
    connection.autocommit = True
    return connection


def new_postgres_database():
    name = f"waymark_test_{uuid.uuid4().hex[:10]}"
    # Not "with connection": psycopg2 opens a transaction there, and CREATE DATABASE refuses one.
    connection = _postgres_admin()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}", name


def drop_postgres_database(name):
    connection = _postgres_admin()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        connection.close()


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def text(self):
        return self.body.decode("utf-8")


@dataclass
class Service:
    """A running ``waymark serve`` process and the tokens made for it."""
    base_url: str
    database_url: str
    process: subprocess.Popen
    tokens: dict = field(default_factory=dict)
    log_path: str = ""  # the server's stdout and stderr

    def request(self, method, path, json_body=None, token="admin", headers=None, data=None):
        """Send one HTTP request; ``token`` is a role name, a literal token, or None."""
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {self.tokens.get(token, token)}"
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as answer:
                return Response(answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as answer:
            return Response(answer.code, dict(answer.headers), answer.read())

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json_body=None, **kwargs):
        return self.request("POST", path, json_body=json_body, **kwargs)

    def put(self, path, json_body=None, **kwargs):
        return self.request("PUT", path, json_body=json_body, **kwargs)

    def cli(self, *args, check=True):
        """Run the ``waymark`` command against this service's database."""
        return run_cli(self.database_url, *args, check=check)


def run_cli(database_url, *args, check=True, env=None):
    environ = dict(os.environ, WAYMARK_DATABASE_URL=database_url, **(env or {}))
    return subprocess.run([sys.executable, "-m", "waymark", *args], env=environ,
                          capture_output=True, text=True, check=check, timeout=120)


def wait_until_healthy(base_url, process, timeout=30, log_path=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = open(log_path, encoding="utf-8", errors="replace").read() if log_path else ""
            raise RuntimeError(f"waymark serve exited with {process.returncode}: {log}")
        try:
            with urllib.request.urlopen(base_url + "/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"waymark serve did not become ready at {base_url}")


def start_service(database_url, extra_args=(), env=None):
    """Start ``waymark serve`` on a free loopback port, wait until ready, make one token per role."""
    port = free_port()
    environ = dict(os.environ, WAYMARK_DATABASE_URL=database_url, **(env or {}))
    # The server's output goes to a file, not a pipe: nobody reads a pipe while
    # tests run, and a full one would block the server mid-request.
    log = tempfile.NamedTemporaryFile("w", prefix="waymark-serve-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "waymark", "serve", "--host", "127.0.0.1", "--port", str(port),
         *extra_args],
        env=environ, stdout=log, stderr=subprocess.STDOUT, text=True)
    log.close()
    service = Service(f"http://127.0.0.1:{port}", database_url, process, log_path=log.name)
    wait_until_healthy(service.base_url, process, log_path=log.name)
    for role in ("extension", "author", "admin"):
        service.tokens[role] = service.cli("token", "create", "--role", role, "--quiet").stdout.strip()
    return service


def stop_service(service):
    service.process.send_signal(signal.SIGTERM)
    try:
        service.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        service.process.kill()
        service.process.wait()
    os.unlink(service.log_path)
