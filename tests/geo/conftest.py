"""One place index per test session: built into $PADRON_DATA_DIR when set
(so CI builds it once), else into a pytest cache directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from padron.geo import Resolver, open_resolver


@pytest.fixture(scope="session")
def data_dir(request: pytest.FixtureRequest) -> Path:
    env = os.environ.get("PADRON_DATA_DIR")
    if env:
        return Path(env)
    return Path(request.config.cache.mkdir("padron-geo"))  # type: ignore[union-attr]


@pytest.fixture(scope="session")
def resolver(data_dir: Path) -> Resolver:
    return open_resolver(data_dir, log=lambda message: None)
