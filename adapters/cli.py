"""The `groupkeeper` command line."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from adapters.app import MissingCommunity, default_config_path, open_existing, open_store
from adapters.member_cli import add_parser as add_member_parser
from adapters.ops.cli import add_backup_parsers, run_config_dir
from adapters.ops.logs import configure_from
from adapters.points_cli import add_parser as add_points_parser
from adapters.pool_cli import add_parser as add_pool_parser
from adapters.redaction import config_secrets, configure_logging, database_password, hide_secrets
from adapters.report import Report
from adapters.spam_cli import add_parser as add_spam_parser
from bot.config import Config, ConfigError, Locale, load_config
from bot.core.collector import serving
from storage.migrate import SchemaBehind
from storage.url_options import UrlOptionError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    configure_logging(os.environ.get("GROUPKEEPER_LOG", "WARNING").upper())
    hide_secrets([database_password(getattr(args, "db", None))])
    if not getattr(args, "command", None):
        args = parser.parse_args(["run", *(argv or [])])
    try:
        result: int = args.func(args)
        return result
    except KeyboardInterrupt:
        return 130
    except UrlOptionError as exc:
        from adapters.ops.db_failure import source_of

        print(f"groupkeeper: {source_of(getattr(args, 'db', None))}: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        # A database that cannot be reached or a file that cannot be written
        # is the owner's to fix: say which, without a traceback.
        line = _database_failure(exc, args)
        if line is None and not isinstance(
            exc, (OSError, DBAPIError, MissingCommunity, SchemaBehind)
        ):
            raise
        print(f"groupkeeper: {line or _reason(exc)}", file=sys.stderr)
        return 1


def _database_failure(exc: Exception, args: argparse.Namespace) -> str | None:
    """The database's failure in one line, in the community's language (the
    config read again, quietly: the command may have failed before it had
    it); None when `exc` is not the database's."""
    from adapters.app import database_url
    from adapters.ops.db_failure import failure_line

    db = getattr(args, "db", None)
    try:
        config = load_config(getattr(args, "config", None) or default_config_path())
    except (ConfigError, OSError):
        return failure_line(exc, db or os.environ.get("GROUPKEEPER_DB"), _shell_locale())
    return failure_line(exc, database_url(config, db), config.community.locale)


def _shell_locale() -> Locale:
    from bot.config import locale_of

    shell = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return locale_of(shell.partition(".")[0]) or "en"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError):
        return f"database error: {exc.orig or exc}"
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror}"
    if isinstance(exc, ConnectionError):
        return f"cannot connect to the database: {exc}"
    return str(exc) or type(exc).__name__


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="groupkeeper", description="Run a chat community by itself.")
    sub = p.add_subparsers(dest="command")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--config", type=Path, default=None, help="community YAML file")
        sp.add_argument("--db", default=None, help="database URL (overrides the config)")

    run = sub.add_parser("run", help="start the platforms with tokens, else the console")
    common(run)
    run.add_argument(
        "--config-dir", type=Path, default=None, help="serve every community file in DIR"
    )
    run.set_defaults(func=_run)

    console = sub.add_parser("console", help="a local simulated chat")
    common(console)
    console.add_argument("--script", type=Path, help="read script lines from FILE")
    console.add_argument("--json", action="store_true", help="one JSON object per line")
    console.set_defaults(func=_console)

    check = sub.add_parser("check-config", help="validate a community file")
    check.add_argument("file", type=Path, nargs="?")
    check.set_defaults(func=_check_config)

    replay = sub.add_parser("replay", help="run recorded platform updates through the bot")
    common(replay)
    replay.add_argument("--platform", choices=["telegram"], default="telegram")
    replay.add_argument("file", type=Path, help="one Bot API Update (JSON) per line")
    replay.add_argument("--json", action="store_true", help="one JSON object per line")
    replay.set_defaults(func=_replay)

    rules = sub.add_parser("rules", help="work with the community's rules")
    rulesub = rules.add_subparsers(dest="rules_command", required=True)
    test = rulesub.add_parser(
        "test", help="check which rule fires on each message of a TSV file (expected<TAB>text)"
    )
    test.add_argument("file", type=Path, help="TSV: rule id (or -) <TAB> message text")
    test.add_argument("--config", type=Path, default=None, help="community YAML file")
    test.add_argument("--json", action="store_true", help="one JSON object per line")
    test.add_argument("--group", default="test", help="the group the messages are posted in")
    test.add_argument("--newcomer", action="store_true", help="post as a member who just joined")
    test.set_defaults(func=_rules_test)

    add_points_parser(sub, common, _load)
    add_member_parser(sub, common, _load)
    add_spam_parser(sub, common, _load)
    add_pool_parser(sub, common, _load)

    report = sub.add_parser("report", help="the community's metrics as one HTML file")
    common(report)
    report.add_argument("--days", type=int, default=30, help="the period, up to today")
    report.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    report.add_argument("--csv", type=Path, default=None, help="also write the tables here")
    report.set_defaults(func=_report)

    db = sub.add_parser("db", help="database maintenance")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    up = dbsub.add_parser("upgrade", help="apply pending migrations")
    common(up)
    up.set_defaults(func=_db_upgrade)
    add_backup_parsers(dbsub, common, _load)
    return p


def _config_path(given: Path | None, how: str = "--config FILE") -> Path | None:
    """The file named, else the default one (`default_config_path`); None,
    with the owner told how to name one, when nothing names a file and the
    folder holds none of the defaults (rather than "cannot read
    config.example.yaml", a file they never mentioned)."""
    path = given or default_config_path()
    if given is None and not os.environ.get("GROUPKEEPER_CONFIG") and not path.exists():
        from bot.core.i18n import t

        print(t(_shell_locale(), "startup.no_config", folder=Path.cwd(), how=how), file=sys.stderr)
        return None
    return path


def _load(given: Path | None) -> Config | None:
    path = _config_path(given)
    if path is None:
        return None
    try:
        config = load_config(path)
    except ConfigError as exc:
        print(f"{path}: invalid config", file=sys.stderr)
        for line in exc.errors:
            print(line, file=sys.stderr)
        return None
    hide_secrets(config_secrets(config))
    configure_from(config)
    return config


def _warn_without_cjk_font(config: Config) -> None:
    from adapters.charts import has_cjk_font
    from bot.core.i18n import t

    if not has_cjk_font():
        print(f"groupkeeper: {t(config.community.locale, 'startup.no_cjk_font')}", file=sys.stderr)


def _check_config(args: argparse.Namespace) -> int:
    path = _config_path(args.file, "groupkeeper check-config FILE")
    if path is None:
        return 1
    try:
        config = load_config(path)
    except ConfigError as exc:
        for line in exc.errors:
            print(line)
        return 1
    problems = _database_url(config) + _missing_files(config, Path(os.path.abspath(path)).parent)
    for line in problems:
        print(line)
    if problems:
        return 1
    print("ok")
    return 0


def _database_url(config: Config) -> list[str]:
    """The URL's options a driver would refuse (no connection is made):
    the file's, and the environment's that wins over it."""
    from storage.url_options import url_problem

    given = [("database.url", config.database.url)]
    if os.environ.get("GROUPKEEPER_DB"):
        given.append(("GROUPKEEPER_DB", os.environ["GROUPKEEPER_DB"]))
    return [f"{key}: {problem}" for key, url in given if (problem := url_problem(url))]


def _missing_files(config: Config, folder: Path) -> list[str]:
    """The files the config names beside it (schedule content, FAQ files):
    a running bot only logs their absence, so the owner hears it here."""
    # Imported here: `check-config` should not load every feature to start.
    from bot.features.faq.entries import load_entries
    from bot.features.schedule.content import missing_content

    _, faq = load_entries(config.faq, folder, config.community.locale)
    return missing_content(config.schedule, folder) + faq


def _db_upgrade(args: argparse.Namespace) -> int:
    config = _load(args.config)
    if config is None:
        return 1

    async def upgrade() -> None:
        store = await open_store(config, args.db)
        await store.close()

    asyncio.run(upgrade())
    print("database is up to date")
    return 0


def _report(args: argparse.Namespace) -> int:
    from bot.core.clock import SystemClock

    config = _load(args.config)
    if config is None:
        return 1
    if not 1 <= args.days <= 366:
        print("--days must be between 1 and 366", file=sys.stderr)
        return 2
    today = SystemClock().now().astimezone(config.community.tz).date()
    from adapters.report import render_html, write_csv

    report = asyncio.run(_read_report(config, args.db, args.days, today))
    if config.community.locale == "zh":
        _warn_without_cjk_font(config)
    args.out.write_text(render_html(report, config.community.locale), encoding="utf-8")
    print(args.out)
    for path in write_csv(report, args.csv) if args.csv is not None else []:
        print(path)
    return 0


async def _read_report(config: Config, db: str | None, days: int, today: date) -> Report:
    from adapters.report import build_report

    store = await open_existing(config, db, read_only=True)
    try:
        return await build_report(config, store, days, today)
    finally:
        await store.close()


def _console(args: argparse.Namespace) -> int:
    from adapters.console.runner import run_console

    config = _load(args.config)
    if config is None:
        return 1
    script = None
    if args.script is not None:
        try:
            script = args.script.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            print(f"cannot read {args.script}: {exc.strerror}", file=sys.stderr)
            return 1
    path = args.config or default_config_path()
    _warn_without_cjk_font(config)
    return asyncio.run(
        run_console(config, args.db, script=script, json_output=args.json, config_path=path)
    )


def _rules_test(args: argparse.Namespace) -> int:
    """Exit 0 when every line fires what it expects, 1 otherwise."""
    import json

    from bot.features.moderation.rule_trial import run_tests

    config = _load(args.config)
    if config is None:
        return 1
    try:
        lines = args.file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    outcomes = run_tests(config, lines, group=args.group, newcomer=args.newcomer)
    failed = sum(1 for o in outcomes if not o.ok)
    for o in outcomes:
        print(json.dumps(o.as_json(), ensure_ascii=False) if args.json else o.render())
    if not args.json:
        print(f"{len(outcomes) - failed} passed, {failed} failed")
    return 1 if failed else 0


def _replay(args: argparse.Namespace) -> int:
    from adapters.telegram.replay import replay_file

    config = _load(args.config)
    if config is None:
        return 1
    with serving():
        return asyncio.run(replay_file(config, args.db, args.file, json_output=args.json))


def _run(args: argparse.Namespace) -> int:
    if args.config_dir is not None:
        with serving():
            return run_config_dir(args.config_dir, args.db, _load)
    config = _load(args.config)
    if config is None:
        return 1
    platforms = config.platforms
    wanted = [
        name
        for name, token in (
            ("telegram", platforms.telegram.token),
            ("discord", platforms.discord.token),
        )
        if token
    ]
    if not wanted:
        from adapters.console.runner import run_console

        _warn_without_cjk_font(config)
        print("No platform token set: opening the console chat. Type /help; Ctrl-D quits.")
        path = args.config or default_config_path()
        return asyncio.run(
            run_console(config, args.db, script=None, json_output=False, config_path=path)
        )
    from adapters.runners import run_platforms
    from adapters.start_failure import malformed

    # A token that cannot be one is never sent: it would only be refused, or
    # leak a typo'd secret to whatever answers.
    lines = malformed(config, wanted)
    if not lines:
        lines = _unusable_database(config, args.db)
    if not lines:
        _warn_without_cjk_font(config)
        with serving():
            return asyncio.run(run_platforms(args.config or default_config_path(), args.db, wanted))
    for line in lines:
        print(f"groupkeeper: {line}", file=sys.stderr)
    return 1


def _unusable_database(config: Config, db: str | None) -> list[str]:
    """What stops `run` from using the database, said once at start: a
    standby would otherwise wait for it without end, and an owner retry
    opening it with a traceback in the log."""
    from adapters.ops.db_failure import unusable

    line = asyncio.run(unusable(config, db))
    return [line] if line else []


if __name__ == "__main__":
    raise SystemExit(main())
