"""A progress line on stderr: rows done, rate and time left."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """Redrawn in place on a terminal (at most 5 times a second); elsewhere (a log
    file, a pipe) one line every ``every`` seconds."""

    def __init__(
        self, label: str, total: int | None, *, stream: TextIO | None = None, every: float = 5.0
    ) -> None:
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.every = 0.2 if self.tty else every
        self.started = time.monotonic()
        self.last = 0.0
        self.base = 0  # rows done before this run (a resumed import)
        self.width = 0

    def line(self, done: int, extra: str = "") -> str:
        elapsed = max(1e-6, time.monotonic() - self.started)
        rate = (done - self.base) / elapsed
        parts = [f"{self.label}: {done:,}"]
        if self.total:
            total = max(self.total, done)
            parts[0] += f"/{total:,} ({100 * done / total:.0f}%)"
            left = (total - done) / rate if rate > 0 else None
            tail = f"{_duration(left)} left" if left is not None else "? left"
        else:
            tail = f"{_duration(elapsed)} elapsed"
        parts.append(f"{rate:,.0f}/s")
        parts.append(tail)
        if extra:
            parts.append(extra)
        return " · ".join(parts)

    def update(self, done: int, extra: str = "", *, force: bool = False) -> None:
        moment = time.monotonic()
        if not force and moment - self.last < self.every:
            return
        self.last = moment
        text = self.line(done, extra)
        if self.tty:
            pad = max(0, self.width - len(text))
            self.stream.write("\r" + text + " " * pad)
            self.width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self, done: int, extra: str = "") -> None:
        self.update(done, extra, force=True)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
