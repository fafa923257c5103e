"""The `pacewise` command: serve, migrate, manage accounts, back up, purge tombstones."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from app.config import Settings, get_settings
from app.db import make_engine, unit_of_work
from app.errors import DomainError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        print(f"pacewise: configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        return int(args.run(settings, args) or 0)
    except DomainError as exc:
        print(f"pacewise: {exc.detail}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pacewise", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="apply migrations, then serve the app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true",
                       help="load a demo patient and clinician (development only)")
    serve.set_defaults(run=_serve)

    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(run=_migrate)

    user = commands.add_parser("user", help="manage accounts").add_subparsers(
        required=True, metavar="ACTION")
    create = user.add_parser("create", help="create an account (clinicians and admins)")
    create.add_argument("--role", choices=("clinician", "admin", "patient"), required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input instead of a prompt")
    create.set_defaults(run=_user_create)
    for action, disabled in (("disable", True), ("enable", False)):
        toggle = user.add_parser(action, help=f"{action} an account"
                                 + (" and end its sessions" if disabled else ""))
        toggle.add_argument("email")
        toggle.set_defaults(run=_user_toggle, disabled=disabled)

    reset = user.add_parser("reset-password",
                            help="print a one-time link (valid for an hour) to set a new password")
    reset.add_argument("email")
    reset.set_defaults(run=_user_reset)

    backup = commands.add_parser(
        "backup", help="write a consistent copy of the SQLite store to PATH while it serves")
    backup.add_argument("path")
    backup.set_defaults(run=_backup)

    demo = commands.add_parser("demo", help="load the demo patient and clinician, then exit")
    demo.set_defaults(run=_demo)

    purge = commands.add_parser(
        "purge-tombstones",
        help="remove deleted-record tombstones older than DAYS (devices that synced before "
             "them reload from scratch, keeping their unsent changes)")
    purge.add_argument("--older-than", type=_days, required=True, metavar="DAYS")
    purge.set_defaults(run=_purge_tombstones)
    return parser


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from app import migrate

    migrate.upgrade(settings)
    if args.demo:
        if settings.is_production:
            print("pacewise: --demo is refused in production", file=sys.stderr)
            return 2
        _demo(settings, args)
    uvicorn.run("app.main:create_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, proxy_headers=True, server_header=False)
    return 0


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from app import migrate

    migrate.upgrade(settings)
    print("pacewise: database is up to date")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise DomainError("the two passwords differ")
    return first


def _user_create(settings: Settings, args: argparse.Namespace) -> int:
    from app.services import accounts

    password = _read_password(args.password_stdin)
    engine = make_engine(settings)
    with unit_of_work(engine, write=True) as session:
        user = accounts.create_user(session, email=args.email, password=password,
                                    name=args.name, role=args.role)
        print(f"pacewise: created {user.role} {user.email} ({user.id})")
    engine.dispose()
    return 0


def _operator() -> str:
    """Where an admin command came from, for the audit trail: `cli:<system user>`."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in the environment or the password file
        return "cli"


def _user_toggle(settings: Settings, args: argparse.Namespace) -> int:
    from app.services import accounts

    engine = make_engine(settings)
    with unit_of_work(engine, write=True) as session:
        user = accounts.set_disabled(session, email=args.email, disabled=args.disabled,
                                     address=_operator())
        state = "disabled; every session ended" if args.disabled else "enabled"
        print(f"pacewise: {user.email} is {state}")
    engine.dispose()
    return 0


def _user_reset(settings: Settings, args: argparse.Namespace) -> int:
    from app.services import accounts

    engine = make_engine(settings)
    with unit_of_work(engine, write=True) as session:
        token = accounts.start_password_reset(session, email=args.email)
    engine.dispose()
    link = f"{settings.base_url.rstrip('/')}/reset-password/{token}"
    print(f"pacewise: hand this link to {args.email} (one use, valid for an hour):\n{link}")
    return 0


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    from app.services import backup

    if not settings.is_sqlite:
        print("pacewise: for PostgreSQL use pg_dump (see README, Backups)", file=sys.stderr)
        return 2
    pages = backup.sqlite_backup(settings, args.path)
    print(f"pacewise: backed up {pages} pages to {args.path}")
    return 0


def _demo(settings: Settings, _args: argparse.Namespace) -> int:
    from app import migrate
    from app.services import demo

    if settings.is_production:
        print("pacewise: demo data is refused in production", file=sys.stderr)
        return 2
    migrate.upgrade(settings)
    engine = make_engine(settings)
    with unit_of_work(engine, write=True) as session:
        accounts = demo.load(session)
    engine.dispose()
    print("pacewise: demo accounts (development only):")
    for role, email, password in accounts:
        print(f"  {role:<9} {email}  password: {password}")
    return 0


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days (0 or more)")
    return days


def _purge_tombstones(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import timedelta

    from app.services import sync

    engine = make_engine(settings)
    with unit_of_work(engine, write=True) as session:
        report = sync.purge_tombstones(session, older_than=timedelta(days=args.older_than))
    engine.dispose()
    print(f"pacewise: purged {report.tombstones} tombstone(s) older than {args.older_than} "
          f"day(s) from {report.patients} patient(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
