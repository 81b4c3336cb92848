"""``padron aliases list|add|remove``: the same service as the HTTP API; a
mistake is one line on stderr and exit status 2, and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from padron.cli import main
from padron.runtime import Runtime

BARCELONA = "Q1492"


def _edited(cursor: str) -> str:
    """The cursor with its last two characters changed (never to themselves:
    a cursor that happens to end in "AA" must not pass for an edited one)."""
    return cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_remove(
    runtime: Runtime, database_url: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = runtime.access.create_key("shop").project
    runtime.customers.ingest(
        project,
        [(("code", "a"), ("country", "ES"), ("state", "ES-B"), ("city", "Villa Nowhere"))],
    )
    db = ("--database", database_url, "--data-dir", str(data_dir), "--project", "shop")
    where = ("--field", "city", "--value", "Villa Nowhere", "--country", "Spain", "--state", "B")

    code, out, err = run(capsys, "aliases", "add", *db, *where, "--place", BARCELONA)
    assert code == 0, err
    assert "Re-resolved 1 customers" in out
    stored = runtime.customers.get(project, code="a")
    assert stored is not None and stored.city == BARCELONA

    code, out, _ = run(capsys, "aliases", "list", *db)
    [line] = out.splitlines()
    alias_id = line.split()[0]
    assert alias_id.startswith("pal_") and "'Villa Nowhere' in ESP/ES-B → Q1492" in line

    code, out, _ = run(capsys, "aliases", "remove", *db, alias_id)
    assert code == 0 and alias_id in out
    assert run(capsys, "aliases", "list", *db)[1] == ""


@pytest.mark.parametrize(
    "mistake",
    [
        ("--field", "city", "--value", "X", "--country", "FR", "--place", BARCELONA),
        ("--field", "city", "--value", "X", "--country", "Narnia", "--keep-as-sent"),
        ("--field", "state", "--value", "X", "--country", "ES", "--place", "Q0"),
    ],
)
def test_a_mistake_is_one_line_and_exit_2(
    runtime: Runtime,
    database_url: str,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    mistake: tuple[str, ...],
) -> None:
    project = runtime.access.create_key("shop").project
    db = ("--database", database_url, "--data-dir", str(data_dir), "--project", "shop")
    code, out, err = run(capsys, "aliases", "add", *db, *mistake)
    assert code == 2 and out == ""
    assert err.startswith("padron: ") and len(err.strip().splitlines()) == 1
    assert runtime.store.list_aliases(project.id) == []
    code, _, err = run(capsys, "aliases", "remove", *db, "pal_nothing")
    assert code == 2 and "pal_nothing" in err


def test_list_pages_with_limit_and_cursor(
    runtime: Runtime, database_url: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from padron.customers.aliases import AliasService

    project = runtime.access.create_key("shop").project
    for n in range(3):
        AliasService(runtime.customers).add(
            project, field="city", value=f"Villa {n}", country="ES", place_id=None
        )
    db = ("--database", database_url, "--data-dir", str(data_dir), "--project", "shop")

    code, out, _ = run(capsys, "aliases", "list", *db)
    assert code == 0 and len(out.splitlines()) == 3
    everything = out.splitlines()
    code, out, err = run(capsys, "aliases", "list", *db, "--limit", "2")
    assert code == 0 and out.splitlines() == everything[:2]
    assert err.startswith("more: --cursor ")
    cursor = err.split()[-1]
    code, out, err = run(capsys, "aliases", "list", *db, "--limit", "2", "--cursor", cursor)
    assert code == 0 and out.splitlines() == everything[2:] and err == ""
    code, out, err = run(capsys, "aliases", "list", *db, "--cursor", _edited(cursor))
    assert code == 2 and out == "" and err.startswith("padron: --cursor:")
