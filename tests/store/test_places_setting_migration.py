"""The project setting that rejected unresolved cities now covers states too:
a database made before the change keeps each project's choice (both backends)."""

from __future__ import annotations

from importlib import resources

from padron.store import migrations, open_store


def _schema_1_with_a_strict_project(database_url: str) -> None:
    sql = resources.files("padron.store").joinpath("migrations")
    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    init = sql.joinpath(backend, "0001_init.sql").read_text("utf-8")
    rows = [
        "CREATE TABLE padron_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        "INSERT INTO padron_migrations VALUES (1, 'init', '2026-01-01 00:00:00')",
        "INSERT INTO projects (id, name, created_at, reject_unresolved_cities) "
        f"VALUES ('prj_strict', 'strict', 1, {'1' if backend == 'sqlite' else 'TRUE'})",
        "INSERT INTO projects (id, name, created_at) VALUES ('prj_lenient', 'lenient', 2)",
    ]
    run_sql(database_url, migrations.split_statements(init) + rows)


def run_sql(database_url: str, statements: list[str]) -> None:
    """Run ``statements`` on the database, as an older padron would have (no migration runner)."""
    if database_url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        conn.close()
    else:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as pg:
            for statement in statements:
                pg.execute(statement)


def test_an_older_database_keeps_each_projects_choice(database_url: str) -> None:
    _schema_1_with_a_strict_project(database_url)
    store = open_store(database_url)
    try:
        projects = {p.name: p for p in store.list_projects()}
        assert projects["strict"].reject_unresolved_places is True
        assert projects["lenient"].reject_unresolved_places is False
        assert projects["strict"].places_index is None
    finally:
        store.close()
