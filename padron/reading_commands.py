"""``padron customers list`` and ``padron changes``: the reading side on the
command line, through the same service calls as ``GET /customers`` and
``GET /customers/changes`` (same filters, same errors, same cursors).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final, TextIO

import msgspec

from padron.customers.cursors import InvalidCursor
from padron.customers.model import Customer, Project
from padron.customers.queries import DEFAULT_LIMIT, MAX_LIMIT, QueryError, parse_changes, parse_list
from padron.customers.reading import CursorExpired
from padron.customers.service import CustomerService, LocationResolver, Rejected
from padron.geo.types import Field as GeoField
from padron.geo.types import Place, Resolution
from padron.ids import iso

_encode: Final = msgspec.json.Encoder().encode
#: The columns of ``--format table``.
_TABLE: Final = ("code", "id", "isActive", "country", "state", "city", "updatedAt")


class _IndexOnDemand:
    """The place index, loaded the first time a command needs a place (a list
    filtered by place): reading commands that need none start at once."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._resolver: LocationResolver | None = None

    def _get(self) -> LocationResolver:
        if self._resolver is None:
            from padron.geo import open_resolver

            self._resolver = open_resolver(self._data_dir, build_if_missing=True, log=print)
        return self._resolver

    def resolve(self, *args: Any, **kw: Any) -> Resolution:
        return self._get().resolve(*args, **kw)

    def describe(self, field: GeoField, id: str, state: str | None = None) -> Place | None:
        return self._get().describe(field, id, state)

    def copied_name(self, place_id: str, country: str | None, state: str | None) -> str | None:
        return self._get().copied_name(place_id, country, state)


def reading_service(args: argparse.Namespace) -> CustomerService:
    """The customer service over the database of ``args`` for commands that
    read (``projects list``, ``export``, ``customers list``, ``changes``);
    close its store when done."""
    from padron.cli import _settings
    from padron.store import open_store

    settings = _settings(args)
    store = open_store(settings.database_url)
    return CustomerService(store, _IndexOnDemand(Path(settings.data_dir)))


def _service(args: argparse.Namespace) -> tuple[CustomerService, Project, Any]:
    runtime = reading_service(args)
    projects = [p for p, _ in runtime.projects()]
    if args.project is not None:
        chosen = [p for p in projects if args.project in (p.name, p.id)]
    else:
        chosen = projects if len(projects) == 1 else []
    if len(chosen) != 1:
        runtime.store.close()
        names = ", ".join(p.name for p in projects) or "none yet"
        raise SystemExit(
            f"padron: name the project with --project (projects: {names})"
            if args.project is None
            else f"padron: no project {args.project!r} (projects: {names})"
        )
    return runtime, chosen[0], runtime.store


def _list_pairs(args: argparse.Namespace) -> list[tuple[str, str]]:
    pairs = []
    for flag, name in (
        ("is_active", "isActive"),
        ("country", "country"),
        ("state", "state"),
        ("city", "city"),
        ("updated_since", "updatedSince"),
        ("updated_before", "updatedBefore"),
        ("code_prefix", "codePrefix"),
    ):
        value = getattr(args, flag)
        if value is not None:
            pairs.append((name, str(value)))
    if args.unresolved:
        pairs.append(("unresolved", "true"))
    return pairs


def _walk(
    service: CustomerService, project: Project, pairs: list[tuple[str, str]]
) -> Iterator[Customer]:
    cursor: str | None = None
    while True:
        paging = [("limit", str(MAX_LIMIT))] + ([("cursor", cursor)] if cursor else [])
        query = parse_list(pairs + paging)
        page = service.list_customers(project, query)
        yield from page.customers
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _write(customers: Iterator[Customer], fmt: str, out: TextIO) -> int:
    from padron.api.envelopes import entity
    from padron.transfer.export import COLUMNS, _csv_row

    n = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for c in customers:
            writer.writerow(_csv_row(c))
            n += 1
    elif fmt == "table":
        rows = [
            [
                c.code,
                c.id,
                "true" if c.is_active else "false",
                c.country or "",
                c.state or "",
                c.city or "",
                iso(c.updated_at),
            ]
            for c in customers
        ]
        widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(_TABLE)]
        for row in [list(_TABLE), *rows]:
            cells = (v.ljust(w) for v, w in zip(row, widths, strict=True))
            out.write("  ".join(cells).rstrip() + "\n")
        n = len(rows)
    else:
        for c in customers:
            out.write(_encode(entity(c)).decode("utf-8") + "\n")
            n += 1
    return n


def cmd_customers_list(args: argparse.Namespace) -> int:
    service, project, runtime = _service(args)
    try:
        _write(_walk(service, project, _list_pairs(args)), args.format, sys.stdout)
    except QueryError as exc:
        print(f"padron: {exc.description}", file=sys.stderr)
        return 2
    except Rejected as exc:
        for problem in exc.customers[0].problems:
            print(f"padron: {problem.field}: {problem.description}", file=sys.stderr)
        return 2
    finally:
        runtime.close()
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    from padron.api.reading import change_entity

    service, project, runtime = _service(args)
    pairs = [("limit", str(args.limit))]
    cursor = args.after
    try:
        while True:
            query = parse_changes(pairs + ([("after", cursor)] if cursor else []))
            token = service.change_token(project) if args.follow else None
            page = service.changes(project, query)
            for change in page.changes:
                sys.stdout.write(_encode(change_entity(change)).decode("utf-8") + "\n")
            if page.changes or cursor is None:
                # Where to resume (--after): every change above was written.
                marker = {
                    "object": "change_cursor",
                    "payload": {"code": "ok", "nextCursor": page.next_cursor},
                }
                sys.stdout.write(_encode(marker).decode("utf-8") + "\n")
            sys.stdout.flush()
            cursor = page.next_cursor
            if page.has_more:
                continue
            if token is None:
                return 0
            service.wait_for_change_blocking(project, token, 30.0)
    except (QueryError, InvalidCursor, CursorExpired) as exc:
        print(f"padron: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        runtime.close()


def cmd_changes_prune(args: argparse.Namespace) -> int:
    from padron.cli import _settings
    from padron.customers.queries import parse_time
    from padron.store import open_store

    try:
        before = parse_time("--before", args.before)
    except QueryError as exc:
        print(f"padron: {exc.description}", file=sys.stderr)
        return 2
    store = open_store(_settings(args).database_url)
    try:
        dropped = store.prune_changes(before)
    finally:
        store.close()
    print(f"Pruned {dropped} changes written before {iso(before)}")
    return 0


def register(sub: Any, db: argparse.ArgumentParser) -> None:
    """Add ``customers list`` and ``changes`` (with ``changes prune``)."""
    project = argparse.ArgumentParser(add_help=False)
    project.add_argument("--project", help="project name or id (needed when there are several)")

    customers = sub.add_parser("customers", help="read customers").add_subparsers(
        dest="customers_command", required=True
    )
    listing = customers.add_parser(
        "list", parents=[db, project], help="list customers, filtered (as GET /customers)"
    )
    listing.add_argument("--active", dest="is_active", action="store_const", const="true")
    listing.add_argument("--inactive", dest="is_active", action="store_const", const="false")
    listing.add_argument("--country", help="any form POST accepts: Spain, ES, ESP, 724, Q29")
    listing.add_argument("--state")
    listing.add_argument("--city")
    listing.add_argument("--updated-since", help="ISO 8601 date or time (inclusive)")
    listing.add_argument("--updated-before", help="ISO 8601 date or time (exclusive)")
    listing.add_argument("--unresolved", action="store_true", help="only places kept as sent")
    listing.add_argument("--code-prefix")
    listing.add_argument("--format", choices=["jsonl", "csv", "table"], default="jsonl")
    listing.set_defaults(func=cmd_customers_list)

    changes = sub.add_parser(
        "changes",
        parents=[db, project],
        help="the change feed as JSON Lines (as GET /customers/changes)",
        description="Print the project's changes after --after as JSON Lines; after each page "
        "a change_cursor line says where to resume. --follow waits for new ones.",
    )
    changes.add_argument("--after", help="a cursor (nextCursor) to resume from")
    changes.add_argument("--follow", action="store_true", help="keep waiting for new changes")
    changes.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="changes per page")
    changes.set_defaults(func=cmd_changes)
    prune_sub = changes.add_subparsers(dest="changes_command")
    prune = prune_sub.add_parser(
        "prune", parents=[db], help="drop changes written before a date (every project)"
    )
    prune.add_argument("--before", required=True, help="ISO 8601 date or time")
    prune.set_defaults(func=cmd_changes_prune)
