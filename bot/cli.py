"""`incident-bot`: serve, scheduler, migrate, demo, config check, status-page build, export."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path

from bot import export
from bot.alerts.ruleconfig import read_rules
from bot.alerts.rules import RuleSet
from bot.clock import utcnow
from bot.config import ConfigError, Settings, load_settings
from bot.configfile import ConfigDocument, ConfigFileError
from bot.db import Database
from bot.drafting.render import render_markdown_many
from bot.errors import IncidentError
from bot.migrate import upgrade
from bot.models import SEVERITIES
from bot.playbook.load import check_all, read_playbook
from bot.playbook.load import schema as playbook_schema
from bot.playbook.models import TRIGGERS, Playbook
from bot.statuspage.components import Component, read_components
from bot.statuspage.static import build as build_static
from bot.workflows.explain import explain


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return int(args.run(args) or 0)
    except ConfigError as exc:
        print(f"incident-bot: {exc}", file=sys.stderr)
        return 2
    except IncidentError as exc:
        print(f"incident-bot: {exc.message}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="incident-bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the bot (HTTP, or Socket Mode with SLACK_APP_TOKEN)")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=None, help="default: $PORT or 3000")
    serve.add_argument("--no-scheduler", action="store_true", help="don't run reminders here")
    serve.set_defaults(run=_serve)

    scheduler = sub.add_parser("scheduler", help="run only the scheduler")
    scheduler.set_defaults(run=_scheduler)

    migrate = sub.add_parser("migrate", help="apply database migrations to DATABASE_URL")
    migrate.set_defaults(run=_migrate)

    demo = sub.add_parser("demo", help="zero-configuration run of the whole product")
    demo.add_argument("--database", default=None, help="SQLAlchemy URL (default: a temp file)")
    demo.set_defaults(run=_demo)

    config = sub.add_parser("config", help="check the INCIDENT_CONFIG file")
    config_sub = config.add_subparsers(dest="config_command", required=True)
    check = config_sub.add_parser("check", help="report every problem of the file, with its line")
    check.add_argument("path", nargs="?", help="default: $INCIDENT_CONFIG or ./incident-bot.yml")
    check.set_defaults(run=_config_check)
    explain = config_sub.add_parser("explain", help="which workflows would run (a dry run)")
    explain.add_argument("path", nargs="?", help="default: $INCIDENT_CONFIG or ./incident-bot.yml")
    explain.add_argument("--severity", choices=SEVERITIES, default="sev3")
    explain.add_argument("--type", dest="incident_type", default=None, metavar="TYPE")
    explain.add_argument("--trigger", choices=TRIGGERS, default="declared")
    explain.set_defaults(run=_config_explain)
    schema = config_sub.add_parser("schema", help="print the JSON Schema of the guided sections")
    schema.set_defaults(run=lambda args: print(json.dumps(playbook_schema(), indent=2)))

    status_page = sub.add_parser("status-page", help="the public status page")
    status_sub = status_page.add_subparsers(dest="status_command", required=True)
    build = status_sub.add_parser("build", help="write the status page as static files")
    build.add_argument("directory", help="where to write index.html, feed.atom, summary.json…")
    build.set_defaults(run=_status_page_build)

    export = sub.add_parser("export", help="print incidents as JSON, CSV or Markdown")
    export.add_argument("incident", nargs="?", default="all", help="incident number or 'all'")
    export.add_argument("--format", choices=("json", "csv", "md"), default="json")
    export.add_argument("--since", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD")
    export.add_argument("--until", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD")
    export.set_defaults(run=_export)
    return parser


def _migrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = Database(settings.DATABASE_URL)
    upgrade(db)
    print(f"incident-bot: database at {db.engine.url.render_as_string()} is up to date")
    return 0


def _config_path(args: argparse.Namespace) -> str | None:
    path = args.path or load_settings().config_path
    if path is None:
        print(
            "incident-bot: no config file to check: INCIDENT_CONFIG is unset and "
            "./incident-bot.yml does not exist",
            file=sys.stderr,
        )
    return path


def check_file(path: str) -> tuple[RuleSet, Playbook, list[Component]]:
    """Every section of the file checked, every problem reported together."""
    rules, playbook, components = check_all(path, (read_rules, read_playbook, _components))
    return rules, playbook, components


def _components(document: ConfigDocument) -> list[Component]:
    """The status page's components, as a reader for check_all."""
    components, problems = read_components(document)
    if problems:
        raise ConfigFileError("", problems)  # check_all names the file
    return components


def _config_check(args: argparse.Namespace) -> int:
    path = _config_path(args)
    if path is None:
        return 1
    try:
        rules, playbook, components = check_file(path)
    except ConfigFileError as exc:
        for problem in exc.problems:
            print(problem.render(path), file=sys.stderr)
        print(f"incident-bot: {len(exc.problems)} problem(s) in {path}", file=sys.stderr)
        return 1
    print(
        f"{path}: OK ({len(rules.rules)} alert rules, {len(playbook.incident_types)} incident "
        f"types, {len(playbook.custom_fields)} custom fields, {len(playbook.workflows)} "
        f"workflows, {len(components)} status page components)"
    )
    return 0


def _config_explain(args: argparse.Namespace) -> int:
    path = _config_path(args)
    if path is None:
        return 1
    try:
        _rules, playbook, _parts = check_file(path)
    except ConfigFileError as exc:
        print(f"incident-bot: {exc} (run `incident-bot config check`)", file=sys.stderr)
        return 1
    lines = explain(
        playbook, severity=args.severity, incident_type=args.incident_type, trigger=args.trigger
    )
    known = args.incident_type is None or args.incident_type in playbook.incident_types
    print("\n".join(lines), file=sys.stdout if known else sys.stderr)
    return 0 if known else 1


def check_config(settings: Settings) -> None:
    """Start-up refuses a config file with problems: one line, naming file, line and problem."""
    path = settings.config_path
    if path is None:
        return
    try:
        check_file(path)
    except ConfigFileError as exc:
        more = len(exc.problems) - 1
        tail = f" (and {more} more: run `incident-bot config check`)" if more else ""
        raise ConfigError(f"{exc}{tail}") from None


def _serve(args: argparse.Namespace) -> int:
    settings = load_settings()
    settings.require_slack(http=not settings.SLACK_APP_TOKEN)
    port = args.port or settings.PORT
    if not settings.SLACK_APP_TOKEN:
        settings.require_metrics_apart(port)
    check_config(settings)
    from bot.server import serve  # deferred: Bolt, the handlers and matplotlib load slowly

    return serve(
        settings,
        host=args.host,
        port=port,
        scheduler=not args.no_scheduler,
    )


def _scheduler(args: argparse.Namespace) -> int:
    settings = load_settings()
    settings.require_slack(http=False)
    check_config(settings)
    from bot.server import run_scheduler_only  # deferred, as in _serve

    return run_scheduler_only(settings)


def _demo(args: argparse.Namespace) -> int:
    from bot.demo.story import run_demo  # deferred, as in _serve

    logging.getLogger().setLevel(logging.WARNING)  # the story, not the logs
    return run_demo(database_url=args.database)


def _status_page_build(args: argparse.Namespace) -> int:
    settings = load_settings()
    check_config(settings)
    db = Database(settings.DATABASE_URL)
    upgrade(db)
    written = build_static(settings, db, Path(args.directory), utcnow())
    print(f"incident-bot: wrote {len(written)} files of the status page to {args.directory}")
    return 0


def _export(args: argparse.Namespace) -> int:
    settings: Settings = load_settings()
    if args.incident != "all" and not args.incident.isdigit():
        raise IncidentError(f"`{args.incident}` is not an incident number or 'all'.")
    db = Database(settings.DATABASE_URL)
    upgrade(db)
    with db.unit_of_work() as session:
        rows = export.load(session, args.incident, args.since, args.until)
        if args.format == "json":
            out = export.to_json(rows, single=args.incident != "all")
        elif args.format == "csv":
            out = export.to_csv(rows)
        else:
            out = render_markdown_many(session, rows, settings)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0
