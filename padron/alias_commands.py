"""``padron aliases list|add|remove``: a project's place aliases from the command
line, through the same service as ``/locations/aliases`` (see
:mod:`padron.customers.aliases`). Mistakes are one line on stderr, exit 2."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from padron.ids import iso

#: Aliases read per page when the whole list is printed.
PAGE = 500


def _describe(alias: Any) -> str:
    target = "keep as sent" if alias.place_id is None else alias.place_id
    context = alias.country + (f"/{alias.state}" if alias.state else "")
    return f"{alias.id}  {alias.field}  {alias.value!r} in {context} → {target}"


def _run(args: argparse.Namespace, work: Any) -> int:
    from padron.access import Access
    from padron.customers.aliases import AliasError, AliasNotFound, AliasService
    from padron.reading_commands import reading_service

    service = reading_service(args)
    try:
        project = Access(service.store).project(args.project)
        return int(work(AliasService(service), project))
    except (AliasError, AliasNotFound) as exc:
        print(f"padron: {exc}", file=sys.stderr)
        return 2
    finally:
        service.store.close()


def cmd_aliases_list(args: argparse.Namespace) -> int:
    """Newest first. Every alias, a page at a time; with ``--limit`` or
    ``--cursor``, one page, and the cursor of the next on stderr."""
    from padron.customers.cursors import InvalidCursor

    def work(aliases: Any, project: Any) -> int:
        one_page = args.limit is not None or args.cursor is not None
        cursor = args.cursor
        while True:
            try:
                page = aliases.page(project, args.limit or PAGE, cursor)
            except InvalidCursor as exc:
                print(f"padron: --cursor: {exc}", file=sys.stderr)
                return 2
            for alias in page.aliases:
                print(f"{_describe(alias)}  created {iso(alias.created_at)}")
            cursor = page.next_cursor
            if cursor is None:
                return 0
            if one_page:
                print(f"more: --cursor {cursor}", file=sys.stderr)
                return 0

    return _run(args, work)


def cmd_aliases_add(args: argparse.Namespace) -> int:
    def work(aliases: Any, project: Any) -> int:
        added = aliases.add(
            project,
            field=args.field,
            value=args.value,
            country=args.country,
            state=args.state,
            place_id=None if args.keep_as_sent else args.place,
        )
        verb = "Added" if added.created else "Replaced"
        print(f"{verb} {_describe(added.alias)}")
        print(f"Re-resolved {added.reresolved:,} customers that carry it")
        return 0

    return _run(args, work)


def cmd_aliases_remove(args: argparse.Namespace) -> int:
    def work(aliases: Any, project: Any) -> int:
        gone = aliases.remove(project, args.alias_id)
        print(f"Removed {_describe(gone)} (customers resolved through it keep their place)")
        return 0

    return _run(args, work)


def _page_size(text: str) -> int:
    """``--limit``, read by the same rule as the API's ``limit`` (1-1000)."""
    from padron.customers.queries import QueryError, parse_page

    try:
        return parse_page([("limit", text)])[0]
    except QueryError as exc:
        raise argparse.ArgumentTypeError(exc.description) from None


def register(sub: Any, db: argparse.ArgumentParser) -> None:
    aliases = sub.add_parser(
        "aliases", help="project place aliases: what a sent state or city means"
    ).add_subparsers(dest="aliases_command", required=True)
    listing = aliases.add_parser("list", parents=[db], help="list a project's place aliases")
    listing.add_argument("--project", required=True)
    listing.add_argument(
        "--limit", type=_page_size, help="print one page of this many (1-1000), newest first"
    )
    listing.add_argument("--cursor", help="the page after this one (printed on stderr as 'more:')")
    listing.set_defaults(func=cmd_aliases_list)
    add = aliases.add_parser(
        "add",
        parents=[db],
        help="decide what a sent state or city means in a project; re-resolves at once "
        "the customers that carry it",
    )
    add.add_argument("--project", required=True)
    add.add_argument("--field", required=True, choices=["state", "city"])
    add.add_argument("--value", required=True, help="the value as customers send it")
    add.add_argument("--country", required=True, help="the context: any form (ES, Spain, ESP)")
    add.add_argument("--state", help="a city's context state (any form), if it has one")
    target = add.add_mutually_exclusive_group(required=True)
    target.add_argument("--place", help="the place's id: ISO 3166-2 (state), Wikidata id (city)")
    target.add_argument(
        "--keep-as-sent", action="store_true", help="confirm the value as it is sent"
    )
    add.set_defaults(func=cmd_aliases_add)
    remove = aliases.add_parser(
        "remove", parents=[db], help="remove an alias (future resolutions only)"
    )
    remove.add_argument("--project", required=True)
    remove.add_argument("alias_id", help="the alias's id (pal_…)")
    remove.set_defaults(func=cmd_aliases_remove)
