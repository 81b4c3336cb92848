"""Reliability tests: report what the fuzzing answered at the end of the run."""

from __future__ import annotations

from typing import Any

from ._support import FUZZ_COUNTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FUZZ_COUNTS:
        total = sum(FUZZ_COUNTS.values())
        by_status = ", ".join(f"{k}: {v}" for k, v in sorted(FUZZ_COUNTS.items()))
        errors = sum(v for k, v in FUZZ_COUNTS.items() if k.startswith("5"))
        terminalreporter.write_line(
            f"fuzzing: {total} requests answered ({by_status}); {errors} with a 5xx"
        )
