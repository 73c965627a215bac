"""Alerts: a webhook post when a step keeps breaking, and one when it works again.

The rules (docs/alerts.md, PRODUCT.md "Targets that survive a redesign"):

- a step **fires** when its broken runs (runs.py: a ``target_missing`` at that
  step and no progress after it) that broke within the last
  ``ALERT_WINDOW_HOURS`` (and after the step last recovered) reach
  ``ALERT_BROKEN_RUNS``; it fires once, then stays ``alerting``;
- an alerting step **recovers** when some run shows it after the latest broken
  run at that step; that posts once more, and counting starts again from there;
- a **tip** (a step of a tips document, which has no runs: runs.of_guides) counts
  the page views that missed its target (its ``target_missing`` events) instead
  of broken runs, and recovers when it is seen working after its latest miss
  (``TIP_WORKS``: it opened, or checked its field).

Each alert goes to the webhook (``ALERT_WEBHOOK``) and, when
``ALERT_EMAIL_TO`` and ``ALERT_SMTP_HOST`` are set, by email, on the same rules:
one outbox row per channel, each delivered and retried on its own.

Nothing here runs on the ingest request's path: ingest only inserts the step
into ``alert_due`` (``record_due``, inside its transaction). A background
thread in every service process (``start_worker``) takes the due steps, checks
them, and delivers the outbox. Several processes share the work without double
posts: a step changes state only by ``UPDATE … WHERE state = <old> RETURNING``
(one transaction wins), each post is one ``alert_outbox`` row with a unique
key, and a row is sent by the process that claimed it (``claimed_until``, set
by an ``UPDATE … WHERE claimed_until IS NULL OR < now``; ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL). A process that dies mid-post leaves its claim to
expire, and another one sends it (at least once, never twice otherwise).
"""
import json
import logging
import smtplib
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage

from . import catalogue, db
from .db import database, is_postgres
from .models import utcnow
from .runs import BROKEN, outcome_is_sql

log = logging.getLogger(__name__)

# The two alerts a step can raise (the body's ``alert``; ``test`` for ``waymark alerts test``).
FAILING, RECOVERED = "failing", "recovered"
# A run broken at the step (runs.py owns what "broken" means).
BROKEN_RUN, _ = outcome_is_sql(BROKEN, table="run")
# The events that show a tip's target was there: it opened, or its field was checked.
TIP_WORKS = ("tip_shown", "validation_failed", "validation_passed")
TIPS = "tips"  # the document kind whose steps are tips (schemas/document.py KINDS)

MAX_ATTEMPTS = 12             # then the post is given up (``failed_at``), logged
MAX_BACKOFF_SECONDS = 3600
CLAIM_BATCH = 20
CLAIM_LEASE_SECONDS = 30      # beyond the post's own timeout


@dataclass(frozen=True)
class Email:
    """Where alert emails go, and through which SMTP server."""
    to: tuple
    sender: str
    host: str
    port: int = 25
    user: str = None
    password: str = None
    starttls: bool = False


@dataclass(frozen=True)
class Rules:
    webhook: str
    broken_runs: int
    window: timedelta
    retry_seconds: float
    timeout_seconds: float
    email: Email = field(default=None)

    @classmethod
    def from_config(cls, config):
        return cls(webhook=config["ALERT_WEBHOOK"], broken_runs=config["ALERT_BROKEN_RUNS"],
                   window=timedelta(hours=config["ALERT_WINDOW_HOURS"]),
                   retry_seconds=config["ALERT_RETRY_SECONDS"],
                   timeout_seconds=config["ALERT_TIMEOUT_SECONDS"], email=_email(config))

    @property
    def channels(self):
        """The channels each alert goes to: one outbox row (one delivery) per channel."""
        return [name for name, on in (("webhook", self.webhook), ("email", self.email)) if on]

    @property
    def window_label(self):
        return f"{self.window.total_seconds() / 3600:g}h"


_sql = db.execute  # SQL with ? markers, on either store


def _email(config):
    if not (config.get("ALERT_EMAIL_TO") and config.get("ALERT_SMTP_HOST")):
        return None
    return Email(to=tuple(config["ALERT_EMAIL_TO"]), sender=config["ALERT_EMAIL_FROM"],
                 host=config["ALERT_SMTP_HOST"], port=config["ALERT_SMTP_PORT"],
                 user=config["ALERT_SMTP_USER"], password=config["ALERT_SMTP_PASSWORD"],
                 starttls=config["ALERT_SMTP_STARTTLS"])


def alerts_enabled(config):
    """A webhook or an email channel is configured (else ingest records nothing for alerts)."""
    return bool(config.get("ALERT_WEBHOOK") or _email(config))


# -- ingest's side: cheap, inside its transaction ---------------------------------

def record_due(steps, at):
    """Mark ``steps`` (``(guide_id, step_id)`` pairs) for a check; one row per step at most."""
    steps = sorted(set(steps))  # sorted: concurrent ingests take the rows' locks in one order
    if not steps:
        return
    _sql("INSERT INTO alert_due (guide_id, step_id, due_at) VALUES "
         + ", ".join(["(?, ?, ?)"] * len(steps))
         + " ON CONFLICT (guide_id, step_id) DO NOTHING",
         [value for guide_id, step_id in steps for value in (guide_id, step_id, at)])


def due_steps_of(rows):
    """The steps of stored event rows that may have crossed the threshold."""
    return [(row["guide_id"], row["step_id"]) for row in rows
            if row["type"] == "target_missing" and row["step_id"] is not None]


# -- the checks ----------------------------------------------------------------------

def take_due():
    """Remove and return the due steps (each process gets its own share)."""
    with database.atomic():
        return sorted(tuple(row) for row in
                      _sql("DELETE FROM alert_due RETURNING guide_id, step_id").fetchall())


def broken_runs(guide_id, step_id, rules, now, tip=False):
    """Runs broken at this step within the window and since the step last recovered; for a
    ``tip``, the page views that missed its target (one ``target_missing`` each)."""
    cutoff = now - rules.window
    since = "COALESCE((SELECT recovered_at FROM alert_state WHERE guide_id = ? AND step_id = ?), ?)"
    if tip:
        (count,) = _sql(
            f"SELECT COUNT(*) FROM event WHERE type = 'target_missing' AND guide_id = ? AND step_id = ? "
            f"AND at >= ? AND at > {since}", [guide_id, step_id, cutoff, guide_id, step_id, cutoff]).fetchone()
        return count
    (count,) = _sql(
        f"SELECT COUNT(*) FROM run WHERE guide_id = ? AND missing_step_id = ? AND {BROKEN_RUN} "
        f"AND missing_at >= ? AND missing_at > {since}",
        [guide_id, step_id, cutoff, guide_id, step_id, cutoff]).fetchone()
    return count


def _tips_documents(guide_ids):
    """Those of ``guide_ids`` that are tips documents (their steps are tips)."""
    return {guide_id for guide_id, kind in catalogue.kinds_of(guide_ids).items() if kind == TIPS}


def _latest_missing_url(guide_id, step_id):
    row = _sql("SELECT url FROM event WHERE guide_id = ? AND step_id = ? AND type = 'target_missing' "
               "ORDER BY at DESC LIMIT 1", [guide_id, step_id]).fetchone()
    return row[0] if row else None


def check_step(guide_id, step_id, rules, now):
    """Fire the step's alert if it crossed the threshold; True when this call fired it."""
    tip = guide_id in _tips_documents([guide_id])
    with database.atomic():
        _sql("INSERT INTO alert_state (guide_id, step_id, state, episode) VALUES (?, ?, 'ok', 0) "
             "ON CONFLICT (guide_id, step_id) DO NOTHING", [guide_id, step_id])
        count = broken_runs(guide_id, step_id, rules, now, tip)
        if count < rules.broken_runs:
            return False
        won = _sql("UPDATE alert_state SET state = 'alerting', episode = episode + 1, "
                   "broken_runs = ?, changed_at = ? WHERE guide_id = ? AND step_id = ? "
                   "AND state = 'ok' RETURNING episode",
                   [count, now, guide_id, step_id]).fetchone()
        if won is None:
            return False  # already alerting, or another process fired it just now
        body = message(FAILING, guide_id, step_id, count, rules, _latest_missing_url(guide_id, step_id), tip)
        _enqueue(FAILING, f"{FAILING}:{guide_id}:{step_id}:{won[0]}", body, now, rules)
    return True


def check_recoveries(rules, now):
    """Recover every alerting step that some run showed after its latest broken run (a tip:
    that worked after its latest miss)."""
    alerting = _sql("SELECT guide_id, step_id, episode FROM alert_state WHERE state = 'alerting'").fetchall()
    tips = _tips_documents({guide_id for guide_id, _, _ in alerting})
    recovered = 0
    for guide_id, step_id, episode in alerting:
        tip = guide_id in tips
        if _works_again(guide_id, step_id, tip) and _recover(guide_id, step_id, episode, rules, now, tip):
            recovered += 1
    return recovered


def _works_again(guide_id, step_id, tip):
    """Whether the step was shown (a tip: worked) after its latest failure, or after the alert
    fired when none is left."""
    fired = "(SELECT changed_at FROM alert_state WHERE guide_id = ? AND step_id = ?)"
    if tip:
        shown = _sql(
            f"SELECT 1 FROM event WHERE guide_id = ? AND step_id = ? AND type IN {db.markers(len(TIP_WORKS))} "
            "AND at > COALESCE((SELECT MAX(at) FROM event WHERE type = 'target_missing' AND guide_id = ? "
            f"AND step_id = ?), {fired}) LIMIT 1",
            [guide_id, step_id, *TIP_WORKS, guide_id, step_id, guide_id, step_id]).fetchone()
    else:
        shown = _sql(
            "SELECT 1 FROM run_step WHERE guide_id = ? AND step_id = ? AND shown_at > COALESCE("
            "(SELECT MAX(missing_at) FROM run WHERE guide_id = ? AND missing_step_id = ? "
            f"AND {BROKEN_RUN}), {fired}) LIMIT 1",
            [guide_id, step_id, guide_id, step_id, guide_id, step_id]).fetchone()
    return shown is not None


def _recover(guide_id, step_id, episode, rules, now, tip):
    with database.atomic():
        count = broken_runs(guide_id, step_id, rules, now, tip)
        won = _sql("UPDATE alert_state SET state = 'ok', recovered_at = ?, changed_at = ? "
                   "WHERE guide_id = ? AND step_id = ? AND state = 'alerting' AND episode = ? "
                   "RETURNING episode", [now, now, guide_id, step_id, episode]).fetchone()
        if won is None:
            return False
        body = message(RECOVERED, guide_id, step_id, count, rules, None, tip)
        _enqueue(RECOVERED, f"{RECOVERED}:{guide_id}:{step_id}:{episode}", body, now, rules)
    return True


# -- the message ---------------------------------------------------------------------

def _slack_escape(text):
    """Slack reads <…> as links and mentions (<!channel>); its own escapes keep ids inert."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message(kind, guide_id, step_id, count, rules, url, tip=False):
    """The JSON body of a post; ``text`` is what Slack and Teams incoming webhooks show.
    For a tip, ``broken_runs`` counts the page views that missed its target."""
    guide, step = _slack_escape(guide_id), _slack_escape(step_id)
    what = f"tip \"{step}\" of tips \"{guide}\"" if tip else f"step \"{step}\" of guide \"{guide}\""
    if kind == FAILING:
        text = (f"Waymark: {what} could not find its target "
                f"{'on' if tip else 'in'} {count} {'page views' if tip else 'runs'} within {rules.window_label}.")
        if url:
            text += f" Last seen on {_slack_escape(url)}"
    else:
        text = f"Waymark: {what} finds its target again."
    return {"text": text, "alert": kind, "guide_id": guide_id, "step_id": step_id,
            "broken_runs": count, "window": rules.window_label, "url": url}


def _enqueue(kind, key, body, now, rules):
    """One outbox row per channel; the unique key makes a second enqueue of the same alert a no-op."""
    for channel in rules.channels:
        _sql("INSERT INTO alert_outbox (key, kind, channel, payload, created_at, next_attempt_at, "
             "attempts) VALUES (?, ?, ?, ?, ?, ?, 0) ON CONFLICT (key) DO NOTHING",
             [f"{key}:{channel}", kind, channel, json.dumps(body), now, now])


# -- delivery ------------------------------------------------------------------------

def post_json(url, body, timeout):
    """POST ``body`` as JSON; None when the receiver answered 2xx, else what went wrong."""
    if not url.lower().startswith(("http://", "https://")):
        return f"the webhook must be an http(s) URL, not {url[:40]!r}"
    request = urllib.request.Request(
        url, data=json.dumps(body).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "Waymark-alerts"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
        return None
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (OSError, ValueError) as error:
        return str(error) or type(error).__name__


def send_email(email, body, timeout):
    """Mail the alert; None when the SMTP server took it, else what went wrong."""
    mail = EmailMessage()
    mail["From"], mail["To"] = email.sender, ", ".join(email.to)
    mail["Subject"] = body["text"].split(". ")[0][:200].replace("\n", " ")
    details = "\n".join(f"{name}: {body[name]}" for name in
                        ("guide_id", "step_id", "broken_runs", "window", "url") if body.get(name) is not None)
    mail.set_content(f"{body['text']}\n\n{details}\n")
    try:
        with smtplib.SMTP(email.host, email.port, timeout=timeout) as smtp:
            if email.starttls:
                smtp.starttls()
            if email.user:
                smtp.login(email.user, email.password or "")
            smtp.send_message(mail)
        return None
    except (OSError, smtplib.SMTPException) as error:
        return str(error) or type(error).__name__


def deliver(channel, body, rules):
    """Send one message on ``channel``; None on success, else the problem."""
    if channel == "email":
        return send_email(rules.email, body, rules.timeout_seconds) if rules.email else "email is not configured"
    return post_json(rules.webhook, body, rules.timeout_seconds) if rules.webhook else "no webhook is configured"


def claim(now, rules):
    """Claim the posts due now; another process claiming at once gets other rows (or none)."""
    skip_locked = " FOR UPDATE SKIP LOCKED" if is_postgres() else ""
    free = "(claimed_until IS NULL OR claimed_until < ?)"
    lease = now + timedelta(seconds=rules.timeout_seconds + CLAIM_LEASE_SECONDS)
    with database.atomic():
        return _sql(
            f"UPDATE alert_outbox SET claimed_until = ?, attempts = attempts + 1 WHERE id IN ("
            f"SELECT id FROM alert_outbox WHERE sent_at IS NULL AND failed_at IS NULL "
            f"AND next_attempt_at <= ? AND {free} ORDER BY id LIMIT {CLAIM_BATCH}{skip_locked}) "
            f"AND sent_at IS NULL AND {free} RETURNING id, channel, payload, attempts",
            [lease, now, now, now]).fetchall()


def backoff(attempts, rules):
    return timedelta(seconds=min(rules.retry_seconds * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS))


def _settle(row_id, attempts, error, rules):
    now = utcnow()
    with database.atomic():
        if error is None:
            _sql("UPDATE alert_outbox SET sent_at = ?, claimed_until = NULL, last_error = NULL "
                 "WHERE id = ?", [now, row_id])
        elif attempts >= MAX_ATTEMPTS:
            log.error("alert %s given up after %s attempts: %s", row_id, attempts, error)
            _sql("UPDATE alert_outbox SET failed_at = ?, claimed_until = NULL, last_error = ? "
                 "WHERE id = ?", [now, error, row_id])
        else:
            log.warning("alert %s attempt %s failed: %s", row_id, attempts, error)
            _sql("UPDATE alert_outbox SET next_attempt_at = ?, claimed_until = NULL, last_error = ? "
                 "WHERE id = ?", [now + backoff(attempts, rules), error, row_id])


def deliver_pending(rules):
    """Post every claimed row; return how many were sent."""
    sent = 0
    for row_id, channel, payload, attempts in claim(utcnow(), rules):
        error = deliver(channel, json.loads(payload), rules)
        _settle(row_id, attempts, error, rules)
        sent += error is None
    return sent


# -- the background thread ----------------------------------------------------------

def run_once(rules, now=None):
    """One pass: check the due steps and the alerting ones, then deliver."""
    now = now or utcnow()
    for guide_id, step_id in take_due():
        check_step(guide_id, step_id, rules, now)
    check_recoveries(rules, now)
    return deliver_pending(rules)


def _loop(rules, poll_seconds, stop):
    while not stop.wait(poll_seconds):
        try:
            with database.connection_context():
                run_once(rules)
        except Exception:  # a bad pass must not end the thread: log it, try again next poll
            log.exception("alerts: a pass failed")


def start_worker(config):
    """Start this process's alerts thread when a channel is set; return its stop event."""
    if not alerts_enabled(config):
        return None
    stop = threading.Event()
    thread = threading.Thread(target=_loop, name="waymark-alerts", daemon=True,
                              args=(Rules.from_config(config), config["ALERT_POLL_SECONDS"], stop))
    thread.start()
    return stop


def send_test(config):
    """Send a test message on every configured channel now: ``{channel: None or the problem}``."""
    if not alerts_enabled(config):
        return {"webhook": "WAYMARK_ALERT_WEBHOOK (or WAYMARK_ALERT_EMAIL_TO with "
                           "WAYMARK_ALERT_SMTP_HOST) is not set"}
    rules = Rules.from_config(config)
    body = {"text": "Waymark: a test alert. Alerts for broken guide steps will arrive here.",
            "alert": "test", "guide_id": None, "step_id": None, "broken_runs": 0,
            "window": rules.window_label, "url": None}
    return {channel: deliver(channel, body, rules) for channel in rules.channels}
