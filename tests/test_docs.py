"""The README is the front door: it fails here when a feature is undocumented."""

from __future__ import annotations

import re
from pathlib import Path

from padron.cli import _parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def test_every_environment_variable_padron_reads_is_documented() -> None:
    used: set[str] = set()
    for source in (ROOT / "padron").rglob("*.py"):
        used |= set(re.findall(r"\"(PADRON_[A-Z_]+)\"", source.read_text("utf-8")))
    missing = sorted(name for name in used if name not in README)
    assert not missing, f"README.md does not mention {missing}"


def test_every_command_is_documented() -> None:
    parser = _parser()
    (commands,) = [a for a in parser._actions if a.dest == "command"]
    assert commands.choices
    for name, sub in commands.choices.items():
        sub_actions = [a for a in sub._actions if a.dest.endswith("_command")]
        names = [f"{name} {s}" for a in sub_actions for s in (a.choices or {})] or [name]
        for full in names:
            assert f"padron {full}" in README or f"./run {full}" in README, (
                f"README.md does not show `padron {full}`"
            )


def test_readme_gives_the_test_command_that_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "./run test" in README and "./run test" in ci
