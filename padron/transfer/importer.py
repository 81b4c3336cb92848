"""``padron import``: a file of customers into a project, in batches of 100.

The loop: read rows → customers (rows that cannot be read or converted go
straight to the error report) → send a batch → when the target refuses some
customers, report them and send the rest of the batch again without them →
append the report, then write the checkpoint → next batch. The checkpoint
(next to the report) says how far the file is done and the counts so far; a
run with ``resume`` truncates the report to what the checkpoint knew and skips
the rows it covers, so no row is reported twice and none is skipped. Ctrl-C
(SIGINT) or SIGTERM stops after the batch in flight.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import signal
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Final, TextIO

from padron.errors import PadronError
from padron.transfer.convert import (
    Columns,
    RowProblem,
    customer_code,
    from_cells,
    from_object,
    plan_columns,
    skipped_note,
    unknown_note,
)
from padron.transfer.files import FileProblem, Format, RawRow, Source
from padron.transfer.progress import Progress
from padron.transfer.sinks import Accepted, BatchRejected, Sink, SinkFailed

BATCH: Final = 100
CHECKPOINT_VERSION: Final = 1
REPORT_HEADER: Final = ("row", "code", "field", "error_code", "description", "original_row")


class ImportStopped(PadronError):
    """The import could not go on; the checkpoint allows ``--resume``."""


@dataclass(slots=True)
class Counts:
    rows: int = 0  # customer rows handled (sent or rejected)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    unresolved_cities: int = 0

    def add(self, done: Accepted) -> None:
        self.created += done.created
        self.updated += done.updated
        self.unchanged += done.unchanged
        self.unresolved_cities += done.unresolved_cities


@dataclass(slots=True)
class Summary:
    counts: Counts
    finished: bool
    report: Path
    checkpoint: Path
    last_row: int
    resumed_from: int = 0
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        c = self.counts
        head = "Imported" if self.finished else f"Stopped after row {self.last_row}"
        lines = [
            f"{head}: {c.rows:,} rows — created {c.created:,}, updated {c.updated:,}, "
            f"unchanged {c.unchanged:,}, rejected {c.rejected:,}, "
            f"unresolved cities {c.unresolved_cities:,}"
        ]
        if c.rejected:
            lines.append(f"Rejected rows and why: {self.report}")
        if not self.finished:
            lines.append(f"Continue with the same command and --resume ({self.checkpoint})")
        return "\n".join(lines)


def default_report(path: Path) -> Path:
    return path.with_name(path.name + ".errors.csv")


def checkpoint_path(report: Path) -> Path:
    return report.with_name(report.name + ".checkpoint")


def fingerprint(path: Path) -> dict[str, Any]:
    """What identifies the file: its size and a hash of its first MiB."""
    with path.open("rb") as f:
        head = hashlib.sha256(f.read(1 << 20)).hexdigest()
    return {"size": path.stat().st_size, "head_sha256": head}


class Report:
    """The error report: one CSV line per field error of each rejected row."""

    def __init__(self, path: Path, keep_bytes: int | None) -> None:
        self.path = path
        if keep_bytes is None:
            path.write_bytes(b"")
        self.f = path.open("r+b")
        if keep_bytes is None:
            self._write([REPORT_HEADER])
        else:
            self.f.truncate(keep_bytes)
            self.f.seek(keep_bytes)

    def _write(self, rows: Sequence[Sequence[Any]]) -> None:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        self.f.write(buf.getvalue().encode("utf-8"))

    def add(
        self, row: int, code: str | None, problems: Sequence[RowProblem], original: str
    ) -> None:
        self._write([(row, code or "", f, c, d, original) for f, c, d in problems])

    def flush(self) -> int:
        self.f.flush()
        return self.f.tell()

    def close(self) -> None:
        self.f.close()


@dataclass(slots=True)
class Pending:
    row: int
    original: str
    customer: dict[str, Any]


class _Stopper:
    """SIGINT/SIGTERM set a flag, checked between batches; a second Ctrl-C stops at once."""

    def __init__(self) -> None:
        self.requested = False
        self._old: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.requested = True
        print(
            "\npadron import: stopping after the batch in flight (Ctrl-C again to stop now)",
            file=sys.stderr,
            flush=True,
        )

    def __enter__(self) -> _Stopper:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError):  # not the main thread: no handler
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


class Importer:
    def __init__(
        self,
        path: Path,
        fmt: Format,
        source: Source,
        sink: Sink,
        *,
        mapping: Mapping[str, str],
        report: Path | None = None,
        resume: bool = False,
        restart: bool = False,
        batch_size: int = BATCH,
        progress: bool = True,
        stderr: TextIO | None = None,
        preset: Mapping[str, str] | None = None,
        ignore_unknown: bool = False,
    ) -> None:
        self.path = path
        self.fmt = fmt
        self.source = source
        self.sink = sink
        self.mapping = dict(mapping)
        self.report_path = report or default_report(path)
        self.checkpoint = checkpoint_path(self.report_path)
        self.resume = resume
        self.restart = restart
        self.batch_size = batch_size
        self.stderr = stderr if stderr is not None else sys.stderr
        self.show_progress = progress
        self.columns: Columns | None = None
        if source.columns is not None:
            self.columns = plan_columns(
                path,
                source.columns,
                self.mapping,
                preset=preset,
                ignore_unknown=ignore_unknown or bool(preset),
            )
        # The checkpoint knows the columns as renamed by a preset too.
        self.identity_map = {**(preset or {}), **self.mapping} if preset else self.mapping

    # checkpoint ------------------------------------------------------------

    def _identity(self) -> dict[str, Any]:
        return {
            "version": CHECKPOINT_VERSION,
            "file": str(self.path.resolve()),
            "format": self.fmt,
            "target": self.sink.target,
            "map": self.identity_map,
            **fingerprint(self.path),
        }

    def _load_checkpoint(self) -> dict[str, Any] | None:
        if not self.checkpoint.exists():
            return None
        try:
            data = json.loads(self.checkpoint.read_text("utf-8"))
        except (ValueError, OSError) as exc:
            raise FileProblem(f"{self.checkpoint}: the checkpoint cannot be read: {exc}") from None
        if not isinstance(data, dict):
            raise FileProblem(f"{self.checkpoint}: not a checkpoint of padron import")
        return data

    def _save_checkpoint(self, identity: dict[str, Any], state: dict[str, Any]) -> None:
        tmp = self.checkpoint.with_name(self.checkpoint.name + ".tmp")
        tmp.write_text(json.dumps({**identity, **state}, indent=1), "utf-8")
        os.replace(tmp, self.checkpoint)

    def _start(self) -> tuple[int, Counts, int | None]:
        """(rows to skip up to, counts so far, report bytes to keep or None for a new one)."""
        identity = self._identity()
        saved = self._load_checkpoint()
        if saved is None or self.restart:
            if self.resume and saved is None:
                print(
                    f"padron import: no checkpoint {self.checkpoint}; starting from the first row",
                    file=self.stderr,
                )
            return 0, Counts(), None
        differs = [
            k
            for k in ("file", "format", "target", "map", "size", "head_sha256")
            if saved.get(k) != identity[k]
        ]
        if not self.resume:
            if saved.get("finished"):
                return 0, Counts(), None
            raise FileProblem(
                f"{self.checkpoint}: an unfinished import of this file is recorded there (up to "
                f"row {saved.get('row')}); continue it with --resume or start over with --restart"
            )
        if differs:
            raise FileProblem(
                f"{self.checkpoint}: the checkpoint was made for another import "
                f"({', '.join(differs)} differ); start over with --restart"
            )
        counts = Counts(**saved["counts"])
        keep = int(saved["report_bytes"])
        if not self.report_path.exists() or self.report_path.stat().st_size < keep:
            raise FileProblem(
                f"{self.report_path}: the error report is shorter than the checkpoint knew it; "
                "start over with --restart"
            )
        return int(saved["row"]), counts, keep

    # the loop ----------------------------------------------------------------

    def _customers(
        self, rows: Iterator[RawRow], report: Report, counts: Counts
    ) -> Iterator[Pending]:
        for raw in rows:
            if raw.values is None:
                counts.rows += 1
                counts.rejected += 1
                report.add(raw.row, None, [("", "unreadable_row", raw.broken or "")], raw.original)
                print(f"padron import: {self.path}: row {raw.row}: {raw.broken}", file=self.stderr)
                continue
            if self.columns is not None:
                customer, problems = from_cells(self.columns, raw.values)
            else:
                customer, problems = from_object(self.mapping, raw.values), []
            if problems:
                counts.rows += 1
                counts.rejected += 1
                report.add(raw.row, customer_code(customer) or None, problems, raw.original)
                continue
            yield Pending(raw.row, raw.original, customer)

    def _send(self, batch: list[Pending], report: Report, counts: Counts) -> None:
        while batch:
            try:
                done = self.sink.send([p.customer for p in batch])
            except BatchRejected as exc:
                refused = {r.index: r for r in exc.refused if 0 <= r.index < len(batch)}
                if not refused:
                    raise ImportStopped(
                        f"the target refused a batch without naming a customer: {exc}"
                    ) from None
                for index in sorted(refused):
                    r = refused[index]
                    p = batch[index]
                    code = r.code if r.code is not None else customer_code(p.customer) or None
                    report.add(p.row, code, r.problems, p.original)
                    counts.rejected += 1
                    counts.rows += 1
                batch = [p for i, p in enumerate(batch) if i not in refused]
                continue
            counts.add(done)
            counts.rows += len(batch)
            return

    def run(self) -> Summary:
        skip, counts, keep = self._start()
        identity = self._identity()
        report = Report(self.report_path, keep)
        notes: list[str] = list(self.source.notes)
        if self.columns is not None and self.columns.skipped:
            notes.append(skipped_note(self.columns.skipped))
        if self.columns is not None and self.columns.unknown:
            notes.append(unknown_note(self.columns.unknown))
        for note in notes:
            print(f"padron import: {self.path}: {note}", file=self.stderr)
        progress = Progress(f"{self.path.name}", self.source.estimate, stream=self.stderr)
        progress.base = skip
        last_row = skip
        finished = False

        def save(done: bool) -> None:
            # Only at a consistent point: every row up to last_row sent or reported.
            state = {
                "row": last_row,
                "counts": asdict(counts),
                "report_bytes": report.flush(),
                "finished": done,
            }
            self._save_checkpoint(identity, state)

        if skip:
            print(
                f"padron import: resuming {self.path} after row {skip:,} "
                f"({counts.rows:,} rows done before)",
                file=self.stderr,
            )
        save(False)
        seen = [skip]

        def rows() -> Iterator[RawRow]:
            for r in self.source:
                if r.row > skip:
                    seen[0] = r.row
                    yield r

        try:
            with _Stopper() as stopper:
                batch: list[Pending] = []
                stream = self._customers(rows(), report, counts)
                while True:
                    item = next(stream, None)
                    if item is not None:
                        batch.append(item)
                        if len(batch) < self.batch_size:
                            continue
                    if batch:
                        try:
                            self._send(batch, report, counts)
                        except SinkFailed as exc:
                            raise ImportStopped(
                                f"{self.sink.target} did not take the batch of rows "
                                f"{batch[0].row}–{batch[-1].row}: {exc}"
                            ) from None
                        last_row = batch[-1].row
                        batch = []
                    if item is None:
                        finished = True
                        last_row = seen[0]
                        save(True)
                        break
                    save(False)
                    if self.show_progress:
                        progress.update(last_row, f"rejected {counts.rejected:,}")
                    if stopper.requested:
                        break
        finally:
            report.close()
            if self.show_progress:
                progress.finish(last_row, f"rejected {counts.rejected:,}")
        return Summary(counts, finished, self.report_path, self.checkpoint, last_row, skip, notes)


__all__ = ["BATCH", "FileProblem", "ImportStopped", "Importer", "Summary", "default_report"]
