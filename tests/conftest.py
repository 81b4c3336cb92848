"""Shared fixtures: the real place index, real databases on both backends.

Every test that takes ``database_url`` (or anything built on it) runs twice:
on a fresh SQLite file and on a fresh PostgreSQL database created on the
machine's server and dropped afterwards. Without a reachable PostgreSQL the
PostgreSQL half is skipped with a message, except under ``CI=true``, where it
fails: CI must always cover both backends.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from padron.access import Access
from padron.api.app import create_app
from padron.config import Settings
from padron.customers.service import CustomerService, LocationResolver
from padron.runtime import Runtime
from padron.store import open_store

PG_ADMIN_URL = os.environ.get(
    "PADRON_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgres"]


ROOT = Path(__file__).resolve().parent.parent
#: The data folder a user's padron writes to when told nothing: the suite must leave it alone.
USER_DATA_DIR = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "padron"
_TRACES: dict[str, object] = {}


def _traces() -> tuple[object, str]:
    """What the suite must not change: the user's data folder and the checkout's git status."""
    home = (
        sorted((str(p), p.stat().st_mtime_ns) for p in USER_DATA_DIR.rglob("*"))
        if USER_DATA_DIR.exists()
        else None
    )
    git = ""
    if (ROOT / ".git").exists():
        git = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    return home, git


def _start_watching() -> None:
    """Run when this conftest is imported (before any test; a conftest below the
    root is loaded after pytest_sessionstart has fired)."""
    _TRACES["before"] = _traces()
    # Whatever a test or a padron it starts does without a --data-dir lands in a
    # temporary folder, never in the user's.
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="padron-test-xdg-")
    _TRACES["xdg"] = os.environ["XDG_DATA_HOME"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(str(_TRACES.get("xdg", "")), ignore_errors=True)
    if "before" not in _TRACES or os.environ.get("PADRON_TEST_ALLOW_TRACES") == "1":
        return
    before, after = _TRACES["before"], _traces()
    if before != after:
        what = "the user's data folder " + str(USER_DATA_DIR)
        if before[1] != after[1]:
            what = "the checkout's files (git status)"
        session.config.get_terminal_writer().line(
            f"\nthe test suite left traces in {what}:\n{after[1] or after[0]}", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_start_watching()


def _test_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The place index takes a while to build: reuse it across runs when told where.
    configured = os.environ.get("PADRON_TEST_DATA_DIR") or os.environ.get("PADRON_DATA_DIR")
    return Path(configured) if configured else tmp_path_factory.mktemp("padron-data")


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _test_data_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def resolver(data_dir: Path) -> LocationResolver:
    from padron.geo import open_resolver

    return open_resolver(data_dir, build_if_missing=True, log=lambda _: None)


def postgres_available() -> str | None:
    """None when the test server answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.fixture(scope="session")
def postgres_admin() -> str:
    why = postgres_available()
    if why is not None:
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({why})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; under CI=true the PostgreSQL tests must run")
        pytest.skip(message + "; PostgreSQL tests skipped")
    return PG_ADMIN_URL


def fresh_postgres_url(admin_url: str) -> Iterator[str]:
    """Create a database of its own on the test server; drop it afterwards."""
    import psycopg

    name = "padron_test_" + secrets.token_hex(6)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'padron.db'}"
        return
    admin = request.getfixturevalue("postgres_admin")
    yield from fresh_postgres_url(admin)


@pytest.fixture
def settings(database_url: str, data_dir: Path) -> Settings:
    return Settings.from_env({}, data_dir=str(data_dir), database_url=database_url)


@pytest.fixture
def runtime(settings: Settings, resolver: LocationResolver) -> Iterator[Runtime]:
    store = open_store(settings.database_url)
    rt = Runtime(settings, store, resolver, Access(store), CustomerService(store, resolver))
    try:
        yield rt
    finally:
        rt.close()


@dataclass
class Api:
    """The in-process HTTP client with one project's key in its headers."""

    client: TestClient
    key: str
    runtime: Runtime

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.key, "X-API-Version": "1"}

    def post(self, body: Any, **kw: Any) -> Any:
        return self.client.post("/customers", json=body, headers=self.headers, **kw)

    def get(self, **params: str) -> Any:
        return self.client.get("/customers", params=params, headers=self.headers)

    def delete(self, **params: str) -> Any:
        return self.client.delete("/customers", params=params, headers=self.headers)


@pytest.fixture
def api(runtime: Runtime) -> Iterator[Api]:
    key = runtime.access.create_key("shop").secret
    with TestClient(
        create_app(runtime, close_runtime=False), raise_server_exceptions=False
    ) as client:
        yield Api(client, key, runtime)
