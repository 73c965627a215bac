"""``waymark demo``: the whole product on loopback ports, with example data.

Not part of the installable package: ``waymark demo`` finds this folder
(``demo/`` of the working folder, or ``$WAYMARK_DEMO_DIR``) and runs
``demo/run.py``, which calls ``main`` here. The demo uses the clone around it:
``guides/``, ``extension/`` and the demo app in ``demo/app/``.

In order, printing progress as it goes:

1. build the extension if ``extension/dist/`` is missing (``npm ci`` first if
   its ``node_modules`` is missing);
2. start the demo web app (``demo/app/server.py``) on a free or given port;
3. make a fresh SQLite database in ``.waymark-demo/`` of the working folder,
   migrate it, publish the example guides of ``guides/`` (one of them twice:
   an older version whose target broke, then the fixed one), create an
   extension token and an admin token, and seed a few hundred runs of history
   through the ingest module (seed.py);
4. start ``waymark serve`` on a free or given port;
5. print the labelled lines (``Service:``, ``Dashboard:``, ``Demo app:``,
   ``Extension token:``, ``Admin token:``, ``Database:``) and, with a display,
   open Chromium with the extension loaded and configured on the demo app, or
   else print the three steps to do that by hand;
6. run until Ctrl-C or SIGTERM, then stop every child, wait for each, and
   checkpoint the database so the file is complete on its own. Exit 0.
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time
import urllib.request

from waymark import catalogue, db, migrations
from waymark.guide_files import publish_paths
from waymark.models import utcnow
from waymark.tokens import create_token

from demo import seed
from demo.browser import DemoBrowser, chromium_path, display_available, manual_steps
from demo.processes import (ChildFailed, StopDemo, StopOnSignals, child_environment,
                            first_exited, python_command, start_child, stop_children,
                            wait_for_line)

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA_DIR_NAME = ".waymark-demo"
DEMO_USER = "demo-you"
DEMO_ROLE = "employee"
SEED = 7


def say(message=""):
    print(message, flush=True)


# -- where things are ---------------------------------------------------------------

def repo_path(*parts):
    """A path in the clone this demo folder belongs to."""
    return REPO_ROOT.joinpath(*parts)


def check_repository():
    """The guides folder, the demo site script and the extension folder; SystemExit if one is missing."""
    guides, site, extension = repo_path("guides"), repo_path("demo", "app", "server.py"), repo_path("extension")
    for needed in (guides, site, extension):
        if not needed.exists():
            raise SystemExit(f"waymark demo: {needed} is missing; the demo runs from a clone of the "
                             f"repository (make demo sets it up and runs it).")
    return guides, site, extension


def fresh_data_dir(base):
    """``.waymark-demo/`` in ``base``, emptied of an earlier demo's database and logs."""
    data_dir = pathlib.Path(base) / DATA_DIR_NAME
    data_dir.mkdir(exist_ok=True)
    for old in data_dir.iterdir():
        if old.is_file():
            old.unlink()
        else:
            shutil.rmtree(old)
    return data_dir


# -- the extension ------------------------------------------------------------------

def ensure_extension_built(extension_dir):
    """Build ``extension/dist/`` unless it is there; False (with a warning) when npm is missing."""
    if (extension_dir / "dist" / "manifest.json").exists():
        say(f"Extension: already built in {extension_dir / 'dist'}")
        return True
    npm = shutil.which("npm")
    if npm is None:
        say("Warning: extension/dist/ is missing and npm is not installed, so the extension cannot "
            "be built; the service, dashboard and demo app still run. Install Node.js 20 and npm.")
        return False
    if not (extension_dir / "node_modules").exists():
        say("Installing the extension's build tools (npm ci)…")
        subprocess.run([npm, "--prefix", str(extension_dir), "ci", "--no-audit", "--no-fund"], check=True)
    say("Building the extension (npm run build)…")
    subprocess.run([npm, "--prefix", str(extension_dir), "run", "build"], check=True)
    say(f"Extension: built in {extension_dir / 'dist'}")
    return True


# -- the database -------------------------------------------------------------------

def publish_guides(guides_dir, data_dir):
    """Publish the example guides; the guide with most steps first as an older, broken draft.

    Returns ``{guide_id: (fragile step index of version 1)}`` for the drafted guide.
    """
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(guides_dir.glob("*.json"))]
    drafted = {}
    main = max(documents, key=lambda document: (len(document.get("steps", [])), document.get("id", "")),
               default=None)
    draft, fragile = seed.older_draft(main) if main else (None, None)
    if draft is not None:
        drafts = data_dir / "drafts"
        drafts.mkdir()
        draft_path = drafts / f"{draft['id']}.json"
        draft_path.write_text(json.dumps(draft, indent=2), encoding="utf-8")
        say(f"Publishing an older version of {draft['id']} (its step {fragile} target later broke)…")
        if publish_paths([str(draft_path)], out=sys.stdout) != 0:
            raise SystemExit("waymark demo: the older draft did not publish (see above)")
        drafted[draft["id"]] = fragile
    say(f"Publishing the example guides in {guides_dir}…")
    if publish_paths([str(guides_dir)], out=sys.stdout) != 0:
        raise SystemExit(f"waymark demo: the guides in {guides_dir} did not publish (see above)")
    return drafted


def published_versions(drafted):
    """Every published guide version as seed.GuideVersion, the main guide first."""
    versions = []
    for guide_id, version, document in catalogue.every_version():
        fragile = drafted.get(guide_id) if version == 1 else None
        versions.append(seed.GuideVersion(guide_id, version, document, fragile))
    # The drafted guide is the one people use most; the others follow by id.
    return sorted(versions, key=lambda item: (item.guide_id not in drafted, item.guide_id, item.version))


def roles_of(versions):
    """The roles the guides are for, so every guide gets runs; seed's defaults if none names any."""
    roles = {role for item in versions for role in (item.document.get("audience") or {}).get("roles", [])}
    return tuple(sorted(roles | {DEMO_ROLE})) if roles else seed.ROLES


def seed_history(versions, runs, site_origin):
    """Generate and store ``runs`` runs of history, printing progress."""
    plan = seed.SeedPlan(versions=versions, runs=runs, now=utcnow(), site_origin=site_origin,
                         seed=SEED, roles=roles_of(versions))
    say(f"Seeding {runs} runs of history over the last {plan.days} days…")
    events = seed.generate_events(plan)

    def progress(done, total):
        say(f"  stored {done} of {total} events")

    totals = seed.ingest_events(events, progress=progress)
    say(f"Seeded {runs} runs ({totals['stored']} events).")


def prepare_database(database_url, guides_dir, data_dir, runs, site_origin):
    """Migrate, publish, make the two tokens, seed; return ``(extension token, admin token)``."""
    real = db.bind(database_url)
    say("Creating the demo database…")
    migrations.upgrade(real)
    with real.connection_context():
        drafted = publish_guides(guides_dir, data_dir)
        _, extension_token = create_token("extension", label="waymark demo")
        _, admin_token = create_token("admin", label="waymark demo")
        if runs > 0:
            seed_history(published_versions(drafted), runs, site_origin)
    real.close()
    return extension_token, admin_token


def finish_database(database_path):
    """Fold the write-ahead log into the file and check it; return SQLite's integrity verdict."""
    real = db.open_database(f"sqlite:///{database_path}")
    with real.connection_context():
        real.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return real.execute_sql("PRAGMA integrity_check").fetchone()[0]


# -- the services -------------------------------------------------------------------

def start_site(site_script, host, port, data_dir):
    """The demo web app; returns ``(child, its URL)``."""
    child = start_child("the demo app", python_command(str(site_script), "--host", host, "--port", str(port)),
                        str(data_dir / "demo-app.log"), env=child_environment())
    found = wait_for_line(child, r"Demo site listening on (\S+)")
    return child, found.group(1)


def start_service(host, port, database_url, data_dir):
    """``waymark serve`` on the demo database; returns ``(child, base URL)`` once it is ready."""
    child = start_child("waymark serve",
                        python_command("-m", "waymark", "serve", "--host", host, "--port", str(port)),
                        str(data_dir / "service.log"),
                        env=child_environment(WAYMARK_DATABASE_URL=database_url))
    found = wait_for_line(child, r"Waymark listening on (http://\S+)")
    base = found.group(1)
    wait_until_ready(base, child)
    return child, base


def wait_until_ready(base, child, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise ChildFailed(f"{child.name} exited:\n{child.log_tail()}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise ChildFailed(f"{child.name} did not get ready at {base}:\n{child.log_tail()}")


# -- telling the user ------------------------------------------------------------------

def print_summary(service_url, app_url, extension_token, admin_token, extension_dir, database_path):
    say()
    say("Waymark demo is running.")
    say()
    for label, value in (("Service", service_url), ("Dashboard", service_url + "/dashboard/"),
                         ("Demo app", app_url), ("Extension token", extension_token),
                         ("Admin token", admin_token), ("Extension", extension_dir / "dist"),
                         ("Database", database_path)):
        say(f"  {label + ':':<17} {value}")
    say()
    say("In the dashboard, sign in with the admin token: the guide list shows the seeded runs;")
    say("open 'Submit your first expense report' to see where people dropped, per step and version.")


def open_browser_or_explain(args, extension_dir, service_url, app_url, extension_token):
    """Open Chromium when there is a display (or WAYMARK_DEMO_HEADLESS=1); else print the manual steps."""
    headless = os.environ.get("WAYMARK_DEMO_HEADLESS") == "1"
    executable = chromium_path()
    wanted = not args.no_browser and (display_available() or headless)
    if not wanted or executable is None or not (extension_dir / "dist" / "manifest.json").exists():
        if wanted:
            say("Chromium (or the built extension) was not found, so no browser was opened.")
        say()
        say(manual_steps(extension_dir / "dist", service_url, extension_token, app_url))
        return None
    say(f"Opening Chromium ({executable}) with the extension…")
    browser = DemoBrowser(extension_dir / "dist", executable, headless=headless)
    try:
        extension_id = browser.open({"backendUrl": service_url, "token": extension_token,
                                     "user": DEMO_USER, "role": DEMO_ROLE},
                                    [app_url, service_url + "/dashboard/"])
    except Exception as error:  # noqa: BLE001 - the demo is useful without the browser
        browser.close()
        say(f"Could not open Chromium ({error}).")
        say(manual_steps(extension_dir / "dist", service_url, extension_token, app_url))
        return None
    say(f"Browser: Chromium with the extension {extension_id}, configured for {service_url} "
        f"as '{DEMO_USER}' ({DEMO_ROLE}); the demo app's guide starts by itself.")
    return browser


# -- the command -------------------------------------------------------------------------

def run_until_stopped(children):
    """Wait for Ctrl-C or SIGTERM (StopDemo); a child that dies on its own ends the demo with 1."""
    while True:
        dead = first_exited(children)
        if dead is not None:
            say(f"{dead.name} stopped unexpectedly (status {dead.process.returncode}):")
            say(dead.log_tail())
            return 1
        time.sleep(0.3)


def build_parser():
    parser = argparse.ArgumentParser(prog="waymark demo",
                                     description="The whole product on loopback ports, with example data.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="service port (0: a free one)")
    parser.add_argument("--site-port", type=int, default=0, help="demo web app port (0: a free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open Chromium even with a display")
    parser.add_argument("--runs", type=int, default=300, help="how many seeded runs of history")
    return parser


def main(argv=None):
    return run_demo(build_parser().parse_args(argv))


def run_demo(args):
    """The ``waymark demo`` command; see the module docstring."""
    guides_dir, site_script, extension_dir = check_repository()
    data_dir = fresh_data_dir(os.getcwd())
    database_path = data_dir / "waymark.db"
    database_url = f"sqlite:///{database_path}"
    children, browser, status = [], None, 0
    with StopOnSignals() as signals:
        try:
            ensure_extension_built(extension_dir)
            say("Starting the demo app…")
            site, app_url = start_site(site_script, args.host, args.site_port, data_dir)
            children.append(site)
            site_origin = app_url.split("/acme")[0]
            extension_token, admin_token = prepare_database(
                database_url, guides_dir, data_dir, args.runs, site_origin)
            say("Starting the service…")
            service, service_url = start_service(args.host, args.port, database_url, data_dir)
            children.append(service)
            print_summary(service_url, app_url, extension_token, admin_token, extension_dir, database_path)
            browser = open_browser_or_explain(args, extension_dir, service_url, app_url, extension_token)
            say()
            say("Press Ctrl-C to stop.")
            status = run_until_stopped(children)
        except StopDemo as stop:
            say(f"\nStopping ({stop})…")
        except (ChildFailed, subprocess.CalledProcessError) as error:
            say(f"waymark demo: {error}")
            status = 1
        finally:
            signals.quiet()
            if browser is not None:
                browser.close()
            stop_children(children)
            if database_path.exists():
                say(f"Stopped. Database {database_path}: {finish_database(database_path)}.")
    return status
