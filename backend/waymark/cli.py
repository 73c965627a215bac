"""The ``waymark`` command: serve, db, token, guides, alerts, demo."""
import argparse
import os
import sys

from . import config as config_module
from . import db, migrations


def _open_store():
    """Bind the models to the configured database, migrated to the latest schema."""
    url = config_module.from_environment()["DATABASE_URL"]
    try:
        real = db.bind(url)
    except db.DatabaseUrlError as error:
        raise SystemExit(f"waymark: {error}")
    migrations.upgrade(real)
    return real


def cmd_db_upgrade(args):
    """Apply pending migrations."""
    real = db.bind(config_module.from_environment()["DATABASE_URL"])
    applied = migrations.upgrade(real)
    print(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""))
    return 0


def cmd_token_create(args):
    from .tokens import TokenError, create_token
    real = _open_store()
    with real.connection_context():
        try:
            row, plaintext = create_token(args.role, args.label or "")
        except TokenError as error:
            print(f"waymark: {error}", file=sys.stderr)
            return 2
    if args.quiet:
        print(plaintext)
    else:
        print(f"{args.role} token {row.id} (prefix {row.prefix}); it is shown only now:")
        print(plaintext)
    return 0


def cmd_token_revoke(args):
    from .tokens import revoke_token
    real = _open_store()
    with real.connection_context():
        count = revoke_token(args.token)
    if not count:
        print(f"waymark: no active token matches {args.token!r}", file=sys.stderr)
        return 1
    print(f"revoked {count} token(s)")
    return 0


def cmd_token_list(args):
    from .tokens import all_tokens
    real = _open_store()
    with real.connection_context():
        for row in all_tokens():
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            print(f"{row.id}\t{row.role}\t{row.prefix}\t{state}\t{row.label}")
    return 0


def cmd_serve(args):
    """Migrate, optionally publish a folder of guides, then serve with gunicorn."""
    real = _open_store()
    if args.guides:
        from .guide_files import publish_paths
        with real.connection_context():
            if publish_paths([args.guides], out=sys.stdout) != 0:
                return 1
    real.close()
    config_module.configure_logging()  # the service process starts here
    from .server import run_gunicorn
    return run_gunicorn(args.host, args.port, workers=args.workers, threads=args.threads)


def cmd_guides(args):
    from . import guide_files
    real = _open_store()
    with real.connection_context():
        if args.action == "validate":
            return guide_files.validate_paths(args.paths, out=sys.stdout)
        if args.action == "publish":
            return guide_files.publish_paths(args.paths, out=sys.stdout)
        return guide_files.export_directory(args.directory, out=sys.stdout)


def cmd_adopt_target(args):
    """Publish a version of GUIDE whose STEP targets the element healing last found."""
    from .adopt import NothingToAdopt, adopt_healed_target
    from .catalogue import GuideNotFound
    real = _open_store()
    with real.connection_context():
        try:
            adopted = adopt_healed_target(args.guide, args.step)
        except GuideNotFound:
            print(f"waymark: no guide {args.guide!r} in the catalogue", file=sys.stderr)
            return 1
        except (NothingToAdopt, ValueError) as error:
            print(f"waymark: {getattr(error, 'message', error)}", file=sys.stderr)
            return 1
    state = "published" if adopted["created"] else "already the latest:"
    print(f"{args.guide} v{adopted['version']} {state} step {args.step} now targets "
          f"{adopted['target']['selector']}")
    return 0


def cmd_alerts_test(args):
    """Send a test message on every configured alert channel (webhook, email) now."""
    from .alerts import send_test
    failed = 0
    for channel, problem in send_test(config_module.from_environment()).items():
        if problem:
            failed += 1
            print(f"waymark: the test alert was not delivered ({channel}): {problem}", file=sys.stderr)
        else:
            print(f"test alert delivered ({channel})")
    return 1 if failed else 0


def cmd_reports_rebuild(args):
    """Fold the stored events again into runs and rollups (online, a chunk per transaction)."""
    from .events import rebuild
    real = _open_store()
    with real.connection_context():
        count = rebuild(args.guide)
    print(f"rebuilt {count} run(s)" + (f" of guide {args.guide}" if args.guide else ""))
    return 0


def _moment(text):
    """A date (its start) or an ISO 8601 time (UTC unless it says otherwise), as naive UTC."""
    from datetime import datetime, timezone
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (2026-11-22) or an ISO 8601 time")
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def cmd_events_prune(args):
    """Delete the raw events of runs that ended before a date (reports keep their figures)."""
    from .events import prune, prune_other_kinds, retention_cutoff
    from .models import utcnow
    settings = config_module.from_environment()
    now = utcnow()
    before = args.before or retention_cutoff(now, settings["EVENT_RETENTION_DAYS"])
    if before is None:
        print("waymark: give --before DATE or set WAYMARK_EVENT_RETENTION_DAYS", file=sys.stderr)
        return 2
    real = _open_store()
    with real.connection_context():
        pruned_runs, pruned_events = prune(before, now, settings["ABANDON_AFTER_MINUTES"])
        print(f"pruned {pruned_events} event(s) of {pruned_runs} run(s) that ended before {before.isoformat()}")
        if args.other_kinds or settings["EVENT_RETENTION_OTHER_KINDS"]:
            other, help_panel = prune_other_kinds(before)
            print(f"pruned {other} event(s) of other kinds and {help_panel} help-panel event(s) "
                  f"before {before.isoformat()}")
    return 0


def cmd_events_export(args):
    """Write the raw events in arrival order to stdout, as NDJSON or CSV, in constant memory."""
    from .events import as_csv, as_ndjson, export_all
    real = _open_store()
    write = as_csv if args.format == "csv" else as_ndjson
    with real.connection_context():
        for chunk in write(export_all(args.since, args.until)):
            sys.stdout.write(chunk)
    sys.stdout.flush()
    return 0


def cmd_demo(args, demo_args):
    """Run the demo of the clone around us: it is not part of the installed package."""
    script = config_module.demo_directory() / "run.py"
    if not script.is_file():
        raise SystemExit(f"waymark demo: {script} not found. The demo is not part of the installed "
                         f"package; it runs from a clone of the repository: run 'make demo' in the "
                         f"clone, or set WAYMARK_DEMO_DIR to the clone's demo folder.")
    # exec, not a child: Ctrl-C, SIGTERM and the exit status are the demo's own.
    os.execv(sys.executable, [sys.executable, str(script), *demo_args])


def build_parser():
    parser = argparse.ArgumentParser(prog="waymark", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the service (migrates first)")
    serve.add_argument("--host", default=os.environ.get("WAYMARK_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("WAYMARK_PORT", "8000")))
    serve.add_argument("--guides", metavar="DIR", help="publish the guides in DIR on start (unchanged ones are left as they are)")
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WAYMARK_WORKERS", "0")) or None,
                       help="gunicorn worker processes (default: three a CPU, 3 to 8)")
    serve.add_argument("--threads", type=int, default=int(os.environ.get("WAYMARK_THREADS", "0")) or None,
                       help="threads a worker (default: 1)")
    serve.set_defaults(func=cmd_serve)

    database = commands.add_parser("db", help="database maintenance")
    database_actions = database.add_subparsers(dest="action", required=True)
    database_actions.add_parser("upgrade", help="apply pending migrations").set_defaults(func=cmd_db_upgrade)

    token = commands.add_parser("token", help="API tokens")
    token_actions = token.add_subparsers(dest="action", required=True)
    create = token_actions.add_parser("create", help="create a token and print it once")
    create.add_argument("--role", required=True, choices=["extension", "author", "admin"])
    create.add_argument("--label", default="")
    create.add_argument("--quiet", action="store_true", help="print only the token")
    create.set_defaults(func=cmd_token_create)
    revoke = token_actions.add_parser("revoke", help="revoke a token by id, prefix or value")
    revoke.add_argument("token")
    revoke.set_defaults(func=cmd_token_revoke)
    token_actions.add_parser("list", help="list tokens (never their values)").set_defaults(func=cmd_token_list)

    guides = commands.add_parser("guides", help="validate, publish and export guide files")
    guide_actions = guides.add_subparsers(dest="action", required=True)
    validate = guide_actions.add_parser("validate", help="report every problem in guide files; exit 1 if any")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="guide files or folders of them")
    publish = guide_actions.add_parser("publish", help="validate and publish guide files")
    publish.add_argument("paths", nargs="+", metavar="PATH")
    export = guide_actions.add_parser("export", help="write the latest version of every guide to DIR")
    export.add_argument("directory", metavar="DIR")
    for sub in (validate, publish, export):
        sub.set_defaults(func=cmd_guides)
    adopt = guide_actions.add_parser(
        "adopt-target", help="publish a version whose step targets the element healing last found")
    adopt.add_argument("guide", metavar="GUIDE")
    adopt.add_argument("step", metavar="STEP")
    adopt.set_defaults(func=cmd_adopt_target)

    alerts = commands.add_parser("alerts", help="webhook alerts for broken steps")
    alert_actions = alerts.add_subparsers(dest="action", required=True)
    alert_actions.add_parser("test", help="send a test message to the webhook (and email) now").set_defaults(
        func=cmd_alerts_test)

    reports = commands.add_parser("reports", help="report maintenance")
    report_actions = reports.add_subparsers(dest="action", required=True)
    rebuild = report_actions.add_parser("rebuild", help="fold the stored events again into runs and rollups")
    rebuild.add_argument("--guide", metavar="ID", help="only this guide's runs")
    rebuild.set_defaults(func=cmd_reports_rebuild)

    events = commands.add_parser("events", help="raw events: retention and export")
    event_actions = events.add_subparsers(dest="action", required=True)
    prune = event_actions.add_parser("prune", help="delete the events of runs that ended before a date")
    prune.add_argument("--before", type=_moment, metavar="DATE",
                       help="default: WAYMARK_EVENT_RETENTION_DAYS days ago")
    prune.add_argument("--other-kinds", action="store_true",
                       help="also delete the events of tips, nudges, surveys, resources and the help panel "
                            "before the date (their reports lose them; default: "
                            "WAYMARK_EVENT_RETENTION_OTHER_KINDS)")
    prune.set_defaults(func=cmd_events_prune)
    export = event_actions.add_parser("export", help="write raw events to stdout, oldest arrival first")
    export.add_argument("--since", type=_moment, metavar="TIME", help="events at or after (date or ISO time, UTC)")
    export.add_argument("--until", type=_moment, metavar="TIME", help="events before (date or ISO time, UTC)")
    export.add_argument("--format", choices=("ndjson", "csv"), default="ndjson")
    export.set_defaults(func=cmd_events_export)

    # The demo parses its own options (its runner in the clone); ``waymark demo --help`` lists them.
    commands.add_parser("demo", add_help=False,
                        help="the whole product on loopback ports, with example data (from a clone)")
    return parser


def main(argv=None):
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command == "demo":
        return cmd_demo(args, rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    return args.func(args)
