"""One place index per test session: built into $PADRON_TEST_DATA_DIR (or
$PADRON_DATA_DIR) when set, so that CI builds it once, else into a temporary
directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from padron.geo import Resolver, open_resolver


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = os.environ.get("PADRON_TEST_DATA_DIR") or os.environ.get("PADRON_DATA_DIR")
    if env:
        return Path(env)
    return tmp_path_factory.mktemp("padron-geo")


@pytest.fixture(scope="session")
def resolver(data_dir: Path) -> Resolver:
    return open_resolver(data_dir, log=lambda message: None)
