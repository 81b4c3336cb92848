"""The ``import`` and ``export`` subcommands; ``padron.cli`` adds them with
:func:`register`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from padron.transfer.files import FORMATS, FileProblem, detect_format, open_source
from padron.transfer.presets import PRESETS

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_FAILED = 2
EXIT_INTERRUPTED = 130


def _settings(args: argparse.Namespace) -> Any:
    from padron.config import Settings

    return Settings.from_env(
        database_url=getattr(args, "database", None), data_dir=getattr(args, "data_dir", None)
    )


def _fail(command: str, message: str) -> int:
    print(f"padron {command}: {message}", file=sys.stderr)
    return EXIT_FAILED


def cmd_import(args: argparse.Namespace) -> int:
    from padron.transfer.convert import parse_map
    from padron.transfer.importer import Importer, ImportStopped
    from padron.transfer.presets import preset
    from padron.transfer.sinks import LocalSink, RemoteSink, Sink

    path = Path(args.file)
    key = args.key or os.environ.get("PADRON_API_KEY")
    if args.url and not key:
        return _fail("import", "--url needs --key KEY (or PADRON_API_KEY in the environment)")
    if not 1 <= args.batch_size <= 100:
        return _fail("import", "--batch-size is 1 to 100")
    runtime = None
    client = None
    try:
        try:
            columns_preset = preset(args.preset)
        except KeyError as exc:
            return _fail("import", str(exc.args[0]))
        mapping = parse_map(args.map)
        fmt = detect_format(path, args.format)
        # The whole file is checked (encoding, header, sheets) before anything is sent.
        source = open_source(
            path, fmt, encoding=args.encoding, sheet=args.sheet, delimiter=args.delimiter
        )
        sink: Sink
        if args.url:
            from padron.client import Client, ClientError, Forbidden

            client = Client(args.url, key or "", timeout=args.timeout)
            try:
                client.status()
            except Forbidden:
                pass  # a key may ingest without the status permission
            except ClientError as exc:
                return _fail("import", f"{args.url}: {exc}")
            sink = RemoteSink(client)
        else:
            from padron.runtime import open_runtime

            runtime = open_runtime(_settings(args), build_index=True)
            sink = LocalSink(runtime.customers, runtime.access.project(args.project))
        importer = Importer(
            path,
            fmt,
            source,
            sink,
            mapping=mapping,
            report=Path(args.report) if args.report else None,
            resume=args.resume,
            restart=args.restart,
            batch_size=args.batch_size,
            progress=not args.quiet,
            preset=columns_preset,
            ignore_unknown=args.ignore_unknown_columns,
        )
        try:
            summary = importer.run()
        except ImportStopped as exc:
            print(f"padron import: {exc}", file=sys.stderr)
            print(
                "padron import: the rows before that batch are imported; fix the cause and "
                "run the same command with --resume",
                file=sys.stderr,
            )
            return EXIT_FAILED
    except FileProblem as exc:
        return _fail("import", str(exc))
    finally:
        if client is not None:
            client.close()
        if runtime is not None:
            runtime.close()
    print(summary.text())
    if not summary.finished:
        return EXIT_INTERRUPTED
    return EXIT_REJECTED if summary.counts.rejected else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from padron.access import Access
    from padron.transfer.export import export

    output = Path(args.output) if args.output else None
    if output is not None and not output.parent.is_dir():
        return _fail("export", f"cannot write {output}: the folder {output.parent} does not exist")
    fmt = args.format or ("csv" if output and output.suffix.lower() == ".csv" else "jsonl")
    from padron.reading_commands import reading_service

    service = reading_service(args)  # the reading path HTTP and CLI share
    store = service.store
    try:
        project = Access(store).project(args.project)
        total = service.count(project)
        try:
            done = export(
                service.export(project, 1000),
                fmt,
                output,
                total=total,
                show_progress=not args.quiet,
            )
        except BrokenPipeError:
            return EXIT_OK
    finally:
        store.close()
    print(
        f"Exported {done:,} customers of {args.project!r}" + (f" to {output}" if output else ""),
        file=sys.stderr,
    )
    return EXIT_OK


def register(subparsers: Any, db_parent_parser: argparse.ArgumentParser) -> None:
    """Add ``import`` and ``export`` to ``padron``'s subcommands."""
    imp = subparsers.add_parser(
        "import",
        parents=[db_parent_parser],
        help="import customers from a CSV, JSON Lines, JSON or .xlsx file",
        description=(
            "Import customers in batches of 100, into a project of the local database "
            "(--project) or a remote padron (--url, --key). Invalid rows go to an error "
            "report and the import goes on. Exit status: 0 all imported, 1 some rows "
            "rejected (see the report), 2 could not import, 130 stopped (use --resume)."
        ),
    )
    imp.add_argument("file", help="the file: .csv, .jsonl/.ndjson, .json (an array) or .xlsx")
    target = imp.add_mutually_exclusive_group(required=True)
    target.add_argument("--project", help="import into this project of the local database")
    target.add_argument("--url", help="import into a remote padron at this base URL")
    imp.add_argument("--key", help="the API key for --url (or PADRON_API_KEY)")
    imp.add_argument("--format", choices=FORMATS, help="the file's format (default: by its name)")
    imp.add_argument(
        "--encoding",
        default="utf-8",
        help="default utf-8 (with or without BOM; a UTF-16 BOM is followed); cp1252, latin-1, "
        "utf-16, …; auto detects it",
    )
    imp.add_argument("--sheet", help="the .xlsx sheet to read (required when there are several)")
    imp.add_argument("--delimiter", help="CSV delimiter (default: guessed from the header)")
    imp.add_argument(
        "--map",
        action="append",
        metavar="SRC=FIELD,...",
        help="rename columns to fields (code, isActive, country, state, city, yearBorn, gender, "
        "metadata); SRC= skips a column",
    )
    imp.add_argument(
        "--ignore-unknown-columns",
        action="store_true",
        help="skip the columns that name no customer field (listed once) instead of stopping",
    )
    imp.add_argument(
        "--preset",
        choices=tuple(PRESETS),
        help="read a platform's customer export as it is (its columns renamed, the rest skipped)",
    )
    imp.add_argument("--report", help="the error report (default: FILE.errors.csv)")
    imp.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    imp.add_argument("--restart", action="store_true", help="ignore an unfinished checkpoint")
    imp.add_argument("--batch-size", type=int, default=100, help=argparse.SUPPRESS)
    imp.add_argument("--timeout", type=float, default=60.0, help="seconds per request (--url)")
    imp.add_argument("--quiet", action="store_true", help="no progress line")
    imp.set_defaults(func=cmd_import)

    exp = subparsers.add_parser(
        "export",
        parents=[db_parent_parser],
        help="write every customer of a project as JSON Lines or CSV",
    )
    exp.add_argument("--project", required=True)
    exp.add_argument("--format", choices=("jsonl", "csv"), help="default: by --output, else jsonl")
    exp.add_argument("--output", help="the file to write (default: standard output)")
    exp.add_argument("--quiet", action="store_true", help="no progress line")
    exp.set_defaults(func=cmd_export)


def main(argv: list[str] | None = None) -> int:
    """``python -m padron.transfer import|export ...``: the two commands on their own."""
    from padron.access import AccessError
    from padron.config import ConfigError
    from padron.store import BadDatabaseURL, StoreError

    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--database", help="database URL (overrides PADRON_DATABASE_URL)")
    db.add_argument("--data-dir", help="data folder (overrides PADRON_DATA_DIR)")
    parser = argparse.ArgumentParser(prog="padron")
    register(parser.add_subparsers(dest="command", required=True), db)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (AccessError, ConfigError, BadDatabaseURL, StoreError) as exc:
        print(f"padron: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
