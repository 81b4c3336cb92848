from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serving import Server, create_key, start


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, data_dir: Path
) -> Iterator[tuple[Server, str, str]]:
    """A real ``padron serve`` on a fresh SQLite file: (server, full key, database URL)."""
    db = f"sqlite:///{tmp_path_factory.mktemp('client') / 'padron.db'}"
    key = create_key(db, data_dir)
    srv = start(db, data_dir)
    try:
        yield srv, key, db
    finally:
        srv.stop()
