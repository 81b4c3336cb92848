"""``padron geo reresolve``: customers whose place was kept as sent (by an
older index) are resolved again through the service's write path, and
``padron serve`` says when the index is newer than the last re-resolution."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

from padron.customers.model import Customer
from padron.customers.reresolve import behind, index_id, reresolve_project
from padron.runtime import Runtime
from tests.serving import padron

CUSTOMERS = {
    # as an index that did not know the city would have stored them
    "mollet": ("ESP", "ES-B", "Mataró"),
    "bayern": ("DEU", "Bayern", None),
    # unknown to any index: stays as sent
    "nowhere": ("ESP", "ES-B", "Zzyzx de Abajo"),
    # already canonical: not touched
    "paris": ("FRA", "FR-IDF", "Q90"),
}


def _store_as_an_older_index_did(runtime: Runtime) -> str:
    runtime.access.create_key("shop")
    project = runtime.access.project("shop")
    rows = [
        Customer(
            id=f"cus_old{n:010d}",
            project_id=project.id,
            code=code,
            created_at=1_700_000_000,
            updated_at=1_700_000_000,
            country=country,
            state=state,
            city=city,
        )
        for n, (code, (country, state, city)) in enumerate(CUSTOMERS.items())
    ]

    def plan(stored: Mapping[str, Customer]) -> tuple[list[Customer], None]:
        return rows, None

    runtime.store.write_batch(project.id, list(CUSTOMERS), plan)
    return project.id


def _places(runtime: Runtime, project_id: str) -> dict[str, tuple[object, ...]]:
    out = {}
    for rows in runtime.store.iter_customers(project_id, 100):
        for c in rows:
            out[c.code] = (c.country, c.state, c.city, c.updated_at)
    return out


def test_places_kept_as_sent_are_resolved_again(runtime: Runtime) -> None:
    project_id = _store_as_an_older_index_did(runtime)
    project = runtime.access.project("shop")
    caught = reresolve_project(runtime.customers, project)
    assert (caught.examined, caught.kept, caught.updated) == (4, 3, 2)
    places = _places(runtime, project_id)
    assert places["mollet"][:3] == ("ESP", "ES-B", "Q11492")
    assert places["bayern"][:3] == ("DEU", "DE-BY", None)
    assert places["nowhere"] == ("ESP", "ES-B", "Zzyzx de Abajo", 1_700_000_000)
    assert places["paris"] == ("FRA", "FR-IDF", "Q90", 1_700_000_000)
    assert places["mollet"][3] > 1_700_000_000  # a real update, seen by the change feed
    assert runtime.access.project("shop").places_index == index_id(runtime.resolver)
    # nothing left to do: a second run changes nothing
    again = reresolve_project(runtime.customers, runtime.access.project("shop"))
    assert (again.kept, again.updated) == (1, 0)


def test_serve_says_when_the_index_is_newer_than_the_last_reresolution(
    runtime: Runtime,
) -> None:
    runtime.access.create_key("shop")
    # a project never re-resolved takes the index seen now, silently
    assert behind(runtime.store, runtime.resolver) == []
    assert runtime.access.project("shop").places_index == index_id(runtime.resolver)
    # an index upgrade later
    old = dataclasses.replace(runtime.access.project("shop"), places_index="older-data")
    runtime.store.update_project(old)
    [line] = behind(runtime.store, runtime.resolver)
    assert "'shop'" in line and "padron geo reresolve --project shop" in line
    reresolve_project(runtime.customers, runtime.access.project("shop"))
    assert behind(runtime.store, runtime.resolver) == []


def test_the_command_end_to_end(runtime: Runtime, tmp_path: Path) -> None:
    if not runtime.settings.database_url.startswith("sqlite"):
        return  # the command is the same on both backends; the library runs on both above
    project_id = _store_as_an_older_index_did(runtime)
    out = padron(
        "geo",
        "reresolve",
        "--project",
        "shop",
        "--database",
        runtime.settings.database_url,
        "--data-dir",
        str(runtime.settings.data_dir),
    )
    assert "4 customers, 3 with a place kept as sent, 2 now resolved" in out
    assert _places(runtime, project_id)["mollet"][2] == "Q11492"
