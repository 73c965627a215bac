"""Alerts: a step's broken runs crossing the threshold post once, recovery posts once,
delivery is retried, several processes post once, and ingest never waits for the receiver.

The receiver is a real HTTP server on loopback (``Receiver``); the service's
own processes run the alerts threads in the service-level tests.
"""
import json
import socketserver
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.folded import ingest_batch
from tests.harness import run_cli, start_service, stop_service
from waymark import alerts, folding
from waymark.models import AlertDue, AlertOutbox, utcnow

THRESHOLD = 3


class Receiver:
    """An incoming-webhook stand-in: records each JSON post; can fail or hang first."""

    def __init__(self, fail_first=0, status=500):
        self.posts, self.attempts = [], 0
        self.fail_first, self.status = fail_first, status
        self.hang = None  # a threading.Event: requests wait on it while set to one
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.attempts += 1
                receiver.arrived.set()
                if receiver.hang is not None:
                    receiver.hang.wait(30)
                failing = receiver.attempts <= receiver.fail_first
                if not failing:
                    receiver.posts.append(json.loads(body))
                self.send_response(receiver.status if failing else 200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count, timeout=20):
        deadline = time.monotonic() + timeout
        while len(self.posts) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.posts

    def close(self):
        if self.hang is not None:
            self.hang.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


def rules(url, retry=0.01, email=None):
    return alerts.Rules(webhook=url, broken_runs=THRESHOLD, window=timedelta(hours=8),
                        retry_seconds=retry, timeout_seconds=5, email=email)


class MailReceiver:
    """An SMTP server on loopback that keeps every message it is given (enough SMTP for smtplib)."""

    def __init__(self):
        self.messages = []
        receiver = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 localhost ESMTP\r\n")
                lines, reading = [], False
                for line in self.rfile:
                    if reading:
                        if line.rstrip(b"\r\n") == b".":
                            receiver.messages.append(b"".join(lines).decode("utf-8"))
                            lines, reading = [], False
                            self.wfile.write(b"250 queued\r\n")
                        else:
                            lines.append(line)
                        continue
                    verb = line[:4].upper()
                    if verb == b"DATA":
                        reading = True
                        self.wfile.write(b"354 go on\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 localhost\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mail():
    running = MailReceiver()
    yield running
    running.close()


def iso(moment):
    return moment.isoformat(timespec="milliseconds") + "Z"


def run_events(guide_id, kind, step_id="amount", ago=timedelta(minutes=1), run_id=None):
    """A one-event run: a ``target_missing`` (a broken run) or a ``step_shown`` at ``step_id``."""
    return {"id": uuid.uuid4().hex, "type": kind, "guide_id": guide_id, "guide_version": 1,
            "step_id": step_id, "step_index": 1, "run_id": run_id or uuid.uuid4().hex,
            "user": "u1", "url": "https://app.example.com/expenses/new?x=1",
            "at": iso(utcnow() - ago)}


def broken(guide_id, count, **kwargs):
    return [run_events(guide_id, "target_missing", **kwargs) for _ in range(count)]


def test_the_fold_marks_only_missing_targets_as_due(database):
    from waymark import ingest
    ingest.ingest_batch(broken("g", 2) + [run_events("g", "step_shown", step_id="other")])
    assert AlertDue.select().count() == 0, "storing alone marks nothing: the fold does"
    folding.catch_up()
    assert [(row.guide_id, row.step_id) for row in AlertDue.select()] == [("g", "amount")]


def test_the_threshold_crossed_once_posts_once_and_recovery_posts_once(database, receiver):
    rule = rules(receiver.url)
    ingest_batch(broken("expense", THRESHOLD - 1))
    alerts.run_once(rule)
    assert receiver.posts == [], "below the threshold: no post"

    ingest_batch(broken("expense", 1))
    alerts.run_once(rule)
    ingest_batch(broken("expense", 4))  # still broken: no second post
    alerts.run_once(rule)
    alerts.run_once(rule)
    [post] = receiver.posts
    assert post["guide_id"] == "expense" and post["step_id"] == "amount"
    assert post["broken_runs"] == THRESHOLD and post["window"] == "8h"
    assert post["url"] == "https://app.example.com/expenses/new"
    assert set(post) >= {"text", "guide_id", "step_id", "broken_runs", "window", "url"}
    assert "amount" in post["text"] and "expense" in post["text"]

    ingest_batch([run_events("expense", "step_shown", ago=timedelta(seconds=1))])
    alerts.run_once(rule)
    alerts.run_once(rule)
    assert [p["alert"] for p in receiver.posts] == ["failing", "recovered"]
    assert "again" in receiver.posts[1]["text"]

    # Broken again after recovering: counted from the recovery, so it takes the threshold again.
    ingest_batch(broken("expense", THRESHOLD - 1, ago=timedelta(0)))
    alerts.run_once(rule)
    assert len(receiver.posts) == 2
    ingest_batch(broken("expense", 1, ago=timedelta(0)))
    alerts.run_once(rule)
    assert [p["alert"] for p in receiver.posts] == ["failing", "recovered", "failing"]


def test_email_gets_the_same_alerts_as_the_webhook(database, receiver, mail):
    email = alerts.Email(to=("ops@example.com",), sender="waymark@example.com", host="127.0.0.1",
                         port=mail.port)
    rule = rules(receiver.url, email=email)
    ingest_batch(broken("mailed", THRESHOLD))
    alerts.run_once(rule)
    alerts.run_once(rule)
    assert len(receiver.posts) == 1
    [message] = mail.messages
    assert "To: ops@example.com" in message and 'Subject: Waymark: step "amount" of guide "mailed"' in message
    assert "broken_runs: 3" in message
    assert AlertOutbox.select().where(AlertOutbox.sent_at.is_null()).count() == 0


def test_an_email_that_fails_is_retried_without_posting_the_webhook_again(database, receiver):
    email = alerts.Email(to=("ops@example.com",), sender="w@example.com", host="127.0.0.1", port=9)
    rule = rules(receiver.url, email=email, retry=30)
    ingest_batch(broken("mailfail", THRESHOLD))
    alerts.run_once(rule)
    alerts.run_once(rule)
    assert len(receiver.posts) == 1
    pending = AlertOutbox.get(AlertOutbox.channel == "email")
    assert pending.sent_at is None and pending.attempts == 1 and pending.last_error


def test_broken_runs_outside_the_window_do_not_count(database, receiver):
    rule = rules(receiver.url)
    ingest_batch(broken("old", THRESHOLD, ago=timedelta(hours=9)))
    alerts.run_once(rule)
    assert receiver.posts == []


def test_a_run_that_recovered_is_not_a_broken_run(database, receiver):
    rule = rules(receiver.url)
    events = []
    for _ in range(THRESHOLD):
        run_id = uuid.uuid4().hex
        events += [run_events("slow", "target_missing", run_id=run_id, ago=timedelta(minutes=2)),
                   run_events("slow", "step_shown", run_id=run_id, ago=timedelta(minutes=1))]
    ingest_batch(events)
    alerts.run_once(rule)
    assert receiver.posts == []


def test_a_tip_whose_target_keeps_missing_alerts_once_and_recovers_when_it_works_again(database, receiver):
    """A tips document has no runs: its page views that missed the tip's target count, and
    the tip recovers once it opens (tip_shown) after its latest miss."""
    from waymark import catalogue

    from .test_schemas_kinds import TIPS
    catalogue.publish(TIPS)
    rule = rules(receiver.url)
    ingest_batch(broken(TIPS["id"], THRESHOLD - 1))
    ingest_batch([run_events(TIPS["id"], "tip_shown", step_id="cost-centre")])  # another tip, working
    alerts.run_once(rule)
    assert receiver.posts == [], "below the threshold: no post"
    ingest_batch(broken(TIPS["id"], 1))
    alerts.run_once(rule)
    alerts.run_once(rule)
    [post] = receiver.posts
    assert (post["alert"], post["guide_id"], post["step_id"], post["broken_runs"]) == (
        "failing", TIPS["id"], "amount", THRESHOLD)
    assert post["text"].startswith(f'Waymark: tip "amount" of tips "{TIPS["id"]}" could not find its target '
                                   f"on {THRESHOLD} page views within 8h.")
    assert post["url"] == "https://app.example.com/expenses/new"

    ingest_batch([run_events(TIPS["id"], "tip_shown", ago=timedelta(seconds=1))])
    alerts.run_once(rule)
    alerts.run_once(rule)
    assert [p["alert"] for p in receiver.posts] == ["failing", "recovered"]
    assert receiver.posts[1]["text"] == f'Waymark: tip "amount" of tips "{TIPS["id"]}" finds its target again.'


def test_a_receiver_that_fails_three_times_still_gets_the_alert(database):
    failing = Receiver(fail_first=3)
    try:
        rule = rules(failing.url, retry=0.02)
        ingest_batch(broken("flaky", THRESHOLD))
        deadline = time.monotonic() + 10
        while not failing.posts and time.monotonic() < deadline:
            alerts.run_once(rule)
            time.sleep(0.02)
        assert len(failing.posts) == 1 and failing.attempts == 4
        row = AlertOutbox.get()
        assert row.sent_at is not None and row.attempts == 4 and row.last_error is None
        for _ in range(3):
            alerts.run_once(rule)
        assert failing.attempts == 4, "a sent alert is never sent again"
    finally:
        failing.close()


def test_retries_back_off(database):
    rule = rules("http://127.0.0.1:9/", retry=10)
    assert [alerts.backoff(n, rule).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
    assert alerts.backoff(30, rule).total_seconds() == alerts.MAX_BACKOFF_SECONDS


def test_a_claimed_post_is_not_claimed_twice(database):
    rule = rules("http://127.0.0.1:9/")
    alerts._enqueue("failing", "k1", {"text": "x"}, utcnow(), rule)
    now = utcnow()
    assert len(alerts.claim(now, rule)) == 1
    assert alerts.claim(now, rule) == [], "claimed rows wait for their lease to end"


def test_ids_cannot_mention_a_whole_slack_channel():
    body = alerts.message("failing", "<!channel>", "a&b", 5, rules("http://x/"), None)
    assert "<!channel>" not in body["text"] and "&lt;!channel&gt;" in body["text"]
    assert body["guide_id"] == "<!channel>"


def test_waymark_alerts_test_posts_a_test_message(database_url, receiver):
    done = run_cli(database_url, "alerts", "test", env={"WAYMARK_ALERT_WEBHOOK": receiver.url})
    assert "delivered" in done.stdout
    [post] = receiver.posts
    assert post["alert"] == "test" and post["text"]

    failed = run_cli(database_url, "alerts", "test", check=False,
                     env={"WAYMARK_ALERT_WEBHOOK": "http://127.0.0.1:9/nothing-listens"})
    assert failed.returncode == 1 and "not delivered" in failed.stderr
    unset = run_cli(database_url, "alerts", "test", check=False, env={"WAYMARK_ALERT_WEBHOOK": ""})
    assert unset.returncode == 1 and "WAYMARK_ALERT_WEBHOOK" in unset.stderr


def test_waymark_alerts_test_mails_when_email_is_set(database_url, mail):
    done = run_cli(database_url, "alerts", "test", env={
        "WAYMARK_ALERT_WEBHOOK": "", "WAYMARK_ALERT_EMAIL_TO": "ops@example.com",
        "WAYMARK_ALERT_SMTP_HOST": "127.0.0.1", "WAYMARK_ALERT_SMTP_PORT": str(mail.port)})
    assert "delivered (email)" in done.stdout
    [message] = mail.messages
    assert "a test alert" in message


# -- the service's own processes ------------------------------------------------------

def alert_env(url):
    return {"WAYMARK_ALERT_WEBHOOK": url, "WAYMARK_ALERT_BROKEN_RUNS": str(THRESHOLD),
            "WAYMARK_ALERT_POLL_SECONDS": "0.1", "WAYMARK_ALERT_RETRY_SECONDS": "0.1",
            "WAYMARK_ALERT_TIMEOUT_SECONDS": "25"}


def send(service, events):
    answer = service.post("/api/v1/events", {"events": events}, token="extension")
    assert answer.status == 200, answer.text
    assert {result["status"] for result in answer.json["results"]} == {"stored"}


def test_two_service_processes_post_each_alert_once(store, make_database_url, receiver):
    url = make_database_url(store)
    pair = [start_service(url, env=alert_env(receiver.url))]
    try:
        pair.append(start_service(url, env=alert_env(receiver.url)))
        guide_id = f"pair-{uuid.uuid4().hex[:6]}"
        # Half the broken runs through each process, as a load balancer would send them.
        for index, events in enumerate([broken(guide_id, 2), broken(guide_id, 2)]):
            send(pair[index], events)
        assert len(receiver.wait_for(1)) == 1
        send(pair[1], [run_events(guide_id, "step_shown", ago=timedelta(0))])
        assert len(receiver.wait_for(2)) == 2
        time.sleep(1)  # ten polls of four alert threads: any double post would have come
        assert [(p["alert"], p["guide_id"]) for p in receiver.posts] == [
            ("failing", guide_id), ("recovered", guide_id)]
    finally:
        for service in pair:
            stop_service(service)


def test_ingest_does_not_wait_for_a_hanging_receiver(store, make_database_url, receiver):
    receiver.hang = threading.Event()
    service = start_service(make_database_url(store), env=alert_env(receiver.url))
    try:
        guide_id = f"hang-{uuid.uuid4().hex[:6]}"
        send(service, broken(guide_id, THRESHOLD))
        assert receiver.arrived.wait(20), "the alert post should have started"
        # The post now hangs (up to 30 s); ingest answers as usual meanwhile.
        for _ in range(5):
            started = time.monotonic()
            send(service, broken(guide_id, 1) + [run_events(guide_id, "step_shown", step_id="x")])
            assert time.monotonic() - started < 5, "ingest must not wait for the webhook"
        assert receiver.posts == []
        receiver.hang.set()
        assert len(receiver.wait_for(1)) == 1
    finally:
        stop_service(service)
