"""``./run``: the Python it needs, the .venv it keeps, the folder paths are relative to."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _fake_python(folder: Path, version: str) -> Path:
    """An executable that answers like a Python of ``version`` and does nothing else."""
    major, minor = version.split(".")
    script = folder / f"python{version}"
    script.write_text(
        "#!/bin/sh\n"
        f'exec {sys.executable} -c "import sys; sys.version_info = ({major}, {minor}, 0); '
        f'exec(sys.argv[1])" "$2"\n'
    )
    script.chmod(0o755)
    return script


def test_an_old_python_is_refused_in_one_line(tmp_path: Path) -> None:
    old = _fake_python(tmp_path, "3.10")
    done = subprocess.run(
        [str(ROOT / "run"), "padron", "--version"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": str(old)},
        cwd=tmp_path,
        timeout=60,
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert "Python 3.11 or newer" in lines[0] and "3.10" in lines[0]


def test_a_venv_made_by_another_python_is_made_anew(tmp_path: Path) -> None:
    # A checkout of its own whose requirements are empty: only the .venv logic runs.
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    shutil.copy(ROOT / "run", checkout / "run")
    for name in ("requirements.txt", "requirements-data.txt", "requirements-dev.txt", "setup.py"):
        (checkout / name).write_text("")
    (checkout / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "padron-fake"\nversion = "0"\n'
        "[tool.setuptools]\npy-modules = []\n"
    )
    old_bin = checkout / ".venv" / "bin"
    old_bin.mkdir(parents=True)
    (old_bin / "python").symlink_to(_fake_python(tmp_path, "3.10"))
    (old_bin / "padron").write_text("#!/bin/sh\necho stale\n")
    padron = checkout / ".venv" / "bin" / "padron"
    padron.chmod(0o755)
    done = subprocess.run(
        [str(checkout / "run"), "padron"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": sys.executable},
        cwd=tmp_path,
        timeout=300,
    )
    assert "made by Python 3.10" in done.stderr, done.stderr
    made = subprocess.run(
        [str(old_bin / "python"), "-c", "import sys; print(sys.version_info[:2] >= (3, 11))"],
        capture_output=True,
        text=True,
    )
    assert made.stdout.strip() == "True"


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "padron").exists(), reason="needs ./run's .venv")
def test_relative_paths_are_the_callers(tmp_path: Path, data_dir: Path) -> None:
    caller = tmp_path / "elsewhere"
    caller.mkdir()
    (caller / "customers.jsonl").write_text('{"code": "R1", "gender": 1}\n')
    env = {**os.environ, "PADRON_DATA_DIR": str(data_dir)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ROOT / "run"), "padron", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=caller,
            timeout=300,
        )

    db = "sqlite:///relative.db"
    made = run("keys", "create", "--project", "p", "--database", db)
    assert made.returncode == 0, made.stderr
    imported = run("import", "customers.jsonl", "--project", "p", "--database", db, "--quiet")
    assert imported.returncode == 0, imported.stderr
    assert (caller / "relative.db").exists() and not (ROOT / "relative.db").exists()
    exported = run("export", "--project", "p", "--database", db, "--output", "out.jsonl")
    assert exported.returncode == 0, exported.stderr
    assert '"R1"' in (caller / "out.jsonl").read_text()
    assert not (ROOT / "out.jsonl").exists()
