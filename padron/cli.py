"""The ``padron`` command: a thin layer over the same services the HTTP API calls."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from padron import __version__, logs
from padron.access import Access, AccessError
from padron.config import ConfigError, Settings, check_data_dir
from padron.ids import iso
from padron.store import BadDatabaseURL, StoreError, open_store
from padron.store.records import API_PERMISSIONS, PERMISSIONS


def _settings(args: argparse.Namespace, *, data_dir_needed: bool = False) -> Settings:
    """The settings of a command; the data folder is checked when the command will
    write there (``data_dir_needed``, or a SQLite database inside it)."""
    settings = Settings.from_env(
        database_url=getattr(args, "database", None),
        data_dir=getattr(args, "data_dir", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        workers=getattr(args, "workers", None),
    )
    if data_dir_needed or _sqlite_inside(settings):
        check_data_dir(settings.data_dir, writable=True)
    return settings


def _sqlite_inside(settings: Settings) -> bool:
    url = settings.database_url
    if not url.startswith("sqlite:///"):
        return False
    path = Path(url[len("sqlite:///") :].split("?", 1)[0]).absolute()
    return settings.data_dir.absolute() in path.parents


def _access(args: argparse.Namespace) -> Access:
    return Access(open_store(_settings(args).database_url))


def cmd_serve(args: argparse.Namespace) -> int:
    from padron.api.server import serve

    return serve(_settings(args, data_dir_needed=True), time.perf_counter())


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':')[0]}:***@{host}" if ":" in creds else url
    return url


def cmd_keys_create(args: argparse.Namespace) -> int:
    made = _access(args).create_key(args.project, args.permissions.split(","), args.label or "")
    if made.project_created:
        print(f"Created project {made.project.name!r} ({made.project.id})")
    print(
        f"Created key {made.key.id} for project {made.project.name!r} "
        f"with {', '.join(made.key.permissions)}"
    )
    print("The key is shown once; padron keeps only its hash:")
    print(made.secret)
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    access = _access(args)
    names = {p.id: p.name for p in access.list_projects()}
    for key in access.list_keys(args.project):
        state = "active" if key.active else f"revoked {iso(key.revoked_at or 0)}"
        if key.last_used_at is not None:
            state += f"  last used {iso(key.last_used_at)}"
        print(
            f"{key.id}  {names.get(key.project_id, key.project_id)}  {','.join(key.permissions)}  "
            f"created {iso(key.created_at)}  {state}  {key.label}".rstrip()
        )
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    if _access(args).revoke(args.key_id):
        print(f"Revoked {args.key_id}")
        return 0
    print(f"padron: no active key {args.key_id!r}", file=sys.stderr)
    return 1


def cmd_projects_list(args: argparse.Namespace) -> int:
    from padron.reading_commands import reading_service

    service = reading_service(args)
    try:
        for p, count in service.projects():
            mode = "reject" if p.reject_unresolved_places else "keep"
            print(
                f"{p.id}  {p.name}  customers={count}  "
                f"unresolved-places={mode}  created {iso(p.created_at)}"
            )
    finally:
        service.store.close()
    return 0


def cmd_projects_set(args: argparse.Namespace) -> int:
    project = _access(args).configure_project(
        args.name, reject_unresolved_places=args.unresolved_places == "reject"
    )
    mode = "rejected (not_found)" if project.reject_unresolved_places else "kept as sent"
    print(f"Project {project.name!r}: states and cities that no data knows are {mode}")
    return 0


def cmd_geo_build(args: argparse.Namespace) -> int:
    from padron.geo import build_index

    settings = _settings(args, data_dir_needed=True)
    started = time.perf_counter()
    path = build_index(settings.data_dir, log=print)
    print(f"Built the place index {path} in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_geo_reresolve(args: argparse.Namespace) -> int:
    from padron.customers.reresolve import reresolve_project
    from padron.runtime import open_runtime
    from padron.transfer.progress import Progress

    runtime = open_runtime(_settings(args), build_index=True)
    try:
        access = runtime.access
        projects = [access.project(args.project)] if args.project else access.list_projects()
        for project in projects:
            bar = Progress(f"reresolve {project.name}", None)

            def show(done: int, total: int, bar: Progress = bar) -> None:
                bar.total = total
                bar.update(done)

            caught = reresolve_project(runtime.customers, project, progress=show)
            bar.finish(caught.stale)
            print(
                f"Project {project.name!r}: {caught.examined:,} customers, "
                f"{caught.kept:,} with a place kept as sent, {caught.copied:,} with a city id "
                f"copied from another place, {caught.stale:,} answered otherwise now, "
                f"{caught.updated:,} updated"
            )
    finally:
        runtime.close()
    return 0


def cmd_about(args: argparse.Namespace) -> int:
    from padron.geo import ATTRIBUTION

    print(
        f"padron {__version__}: a self-hosted customer register "
        "(Biteral API v1 customers endpoints)"
    )
    print()
    print(ATTRIBUTION)
    return 0


def _parser() -> argparse.ArgumentParser:
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--database", help="database URL (overrides PADRON_DATABASE_URL)")
    db.add_argument("--data-dir", help="data folder (overrides PADRON_DATA_DIR)")

    parser = argparse.ArgumentParser(prog="padron", description=__doc__)
    parser.add_argument("--version", action="version", version=f"padron {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser(
        "serve",
        parents=[db],
        help="run the HTTP API",
        description="Run the HTTP API (docs/api.md). At start it says, for each "
        "project, when the place index is newer than the last re-resolution of the "
        "project's customers (run `padron geo reresolve` then).",
    )
    serve.add_argument("--host", help="address to listen on (PADRON_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (PADRON_PORT, default 8000)")
    serve.add_argument("--workers", type=int, help="worker processes (PADRON_WORKERS, default 1)")
    serve.set_defaults(func=cmd_serve)

    keys = sub.add_parser("keys", help="API keys").add_subparsers(
        dest="keys_command", required=True
    )
    create = keys.add_parser("create", parents=[db], help="make a key (and its project when new)")
    create.add_argument("--project", required=True)
    create.add_argument(
        "--permissions",
        default=",".join(API_PERMISSIONS),
        help=f"comma-separated, of {', '.join(PERMISSIONS)} (default: the API's; "
        "dashboard signs in to /ui/)",
    )
    create.add_argument("--label", help="a note to recognise the key by")
    create.set_defaults(func=cmd_keys_create)
    listing = keys.add_parser("list", parents=[db], help="list keys (never their secrets)")
    listing.add_argument("--project")
    listing.set_defaults(func=cmd_keys_list)
    revoke = keys.add_parser("revoke", parents=[db], help="revoke a key by its id (cli_…)")
    revoke.add_argument("key_id")
    revoke.set_defaults(func=cmd_keys_revoke)

    projects = sub.add_parser("projects", help="projects").add_subparsers(
        dest="projects_command", required=True
    )
    projects.add_parser("list", parents=[db], help="list projects").set_defaults(
        func=cmd_projects_list
    )
    pset = projects.add_parser("set", parents=[db], help="change a project's settings")
    pset.add_argument("name")
    pset.add_argument(
        "--unresolved-places",
        "--unresolved-cities",  # its name before it covered states too
        dest="unresolved_places",
        choices=["keep", "reject"],
        required=True,
        help="keep a state or city that no data knows (or knows without a trustworthy id) "
        "as sent, with a warning (default), or reject the customer (not_found)",
    )
    pset.set_defaults(func=cmd_projects_set)

    geo = sub.add_parser("geo", help="the place index").add_subparsers(
        dest="geo_command", required=True
    )
    geo.add_parser("build", parents=[db], help="build the place index now").set_defaults(
        func=cmd_geo_build
    )
    rr = geo.add_parser(
        "reresolve",
        parents=[db],
        help="bring the stored places in line with the place index installed now "
        "(after an upgrade); safe while the server runs",
        description="Plan every stored customer again with the place index installed "
        "now, from what its place stands for as sent: a state or city kept as sent "
        "(text an older index did not know, or knew without a trustworthy id), a city "
        "padron chose from text (re-read from the text kept beside it), a city id that "
        "the index knows only as a copy of another place's id where it is stored "
        "(resolved again by the name of the place it stood for: IT-72 with Q18241891, "
        "Nardò's id copied to Napoli, is 'Napoli'). Those whose answer differs are "
        "written 100 at a time through the API's write path, with a progress bar on "
        "stderr. Safe while the server runs: a customer written meanwhile is planned "
        "again, never overwritten. Each project then records the index, so `padron "
        "serve` stops saying it is behind.",
    )
    rr.add_argument("--project", help="only this project (default: every project)")
    rr.set_defaults(func=cmd_geo_reresolve)

    from padron.transfer.commands import register as register_transfer

    register_transfer(sub, db)

    from padron.reading_commands import register as register_reading

    register_reading(sub, db)

    from padron.alias_commands import register as register_aliases

    register_aliases(sub, db)

    about = sub.add_parser("about", help="version, data sources and their licences")
    about.set_defaults(func=cmd_about)
    return parser


#: Mistakes in how padron is set up or called: one line on stderr, exit status 2.
SETUP_ERRORS: tuple[type[Exception], ...] = (AccessError, ConfigError, BadDatabaseURL, StoreError)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        logs.configure("info")
        return int(args.func(args))
    except SETUP_ERRORS as exc:
        print(f"padron: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
