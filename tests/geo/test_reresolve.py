"""``padron geo reresolve``: customers whose place an older index answered
otherwise (kept as sent, a copied city id, a city chosen from text) are
resolved again through the service's write path, and ``padron serve`` says
when the index is newer than the last re-resolution."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping
from pathlib import Path

from padron.access import Access
from padron.customers.aliasing import value_key
from padron.customers.model import Customer
from padron.customers.reresolve import (
    behind,
    file_index_id,
    index_id,
    index_identity,
    reresolve_project,
)
from padron.runtime import Runtime
from padron.store import open_store
from padron.store.records import PlaceReview, ReviewNotes
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


def _store_as_an_older_index_did(
    runtime: Runtime,
    customers: Mapping[str, tuple[str, str | None, str | None]] = CUSTOMERS,
    reviews: Mapping[str, tuple[str, str, str]] | None = None,
) -> str:
    """Write ``customers`` (code -> stored country, state, city) straight through
    the store, as an older padron's write path would have left them, with a
    place review (code -> country, state, city text sent) for those in
    ``reviews``: what that padron kept of a city it chose."""
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
        for n, (code, (country, state, city)) in enumerate(customers.items())
    ]
    put = tuple(
        PlaceReview(
            customer_id=c.id,
            project_id=project.id,
            code=c.code,
            field="city",
            warning="chosen",
            key=value_key(reviews[c.code][2]),
            value=reviews[c.code][2],
            country=reviews[c.code][0],
            state=reviews[c.code][1],
            place_id=str(c.city),
            candidates=(),
        )
        for c in rows
        if reviews and c.code in reviews
    )

    def plan(stored: Mapping[str, Customer]) -> tuple[list[Customer], None]:
        return rows, None

    runtime.store.write_batch(
        project.id, list(customers), plan, notes=lambda _: ReviewNotes(put=put)
    )
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
    assert (caught.examined, caught.kept, caught.stale, caught.updated) == (4, 3, 2, 2)
    places = _places(runtime, project_id)
    assert places["mollet"][:3] == ("ESP", "ES-B", "Q11492")
    assert places["bayern"][:3] == ("DEU", "DE-BY", None)
    assert places["nowhere"] == ("ESP", "ES-B", "Zzyzx de Abajo", 1_700_000_000)
    assert places["paris"] == ("FRA", "FR-IDF", "Q90", 1_700_000_000)
    assert places["mollet"][3] > 1_700_000_000  # a real update, seen by the change feed
    assert runtime.access.project("shop").places_index == index_id(runtime.resolver)
    # nothing left to do: a second run changes nothing
    again = reresolve_project(runtime.customers, runtime.access.project("shop"))
    assert (again.kept, again.stale, again.updated) == (1, 0, 0)


#: As an index that took the reference data's rows sharing one Wikidata id for
#: one place stored them (issue 10: "IT, Napoli is stored as Q18241891"): each
#: row's own state, and the id its row carries, copied from another place's.
COPIED = {
    "napoli": ("ITA", "IT-72", "Q18241891"),  # Nardò's id, copied to Napoli
    "tokyo": ("JPN", "JP-13", "Q207309"),  # Tokushima's id, copied to Tokyo
    "mollet": ("ESP", "ES-B", "Q11355"),  # Mollet de Peralada's (ES-GI), copied
    # copies of several places lie in Piemonte (Torino, Tornaco, Torrazza
    # Piemonte): which one was meant cannot be told, and it is left alone
    "torino": ("ITA", "IT-21", "Q18288162"),
    # the id's own place lies where it is stored: in line
    "peralada": ("ESP", "ES-GI", "Q11355"),
    "mataro": ("ESP", "ES-B", "Q11492"),
}


def test_city_ids_copied_from_another_place_are_resolved_again_by_name(
    runtime: Runtime,
) -> None:
    project_id = _store_as_an_older_index_did(runtime, COPIED)
    caught = reresolve_project(runtime.customers, runtime.access.project("shop"))
    places = _places(runtime, project_id)
    # never another place's id: the place the id stood for, by its name; these
    # big places have no trustworthy id of their own in any source (kept as sent)
    assert places["napoli"][:3] == ("ITA", "IT-72", "Napoli")
    assert places["tokyo"][:3] == ("JPN", "JP-13", "Tokyo")
    assert places["mollet"][:3] == ("ESP", "ES-B", "Mollet del Vallès")
    assert places["torino"] == ("ITA", "IT-21", "Q18288162", 1_700_000_000)
    assert places["peralada"] == ("ESP", "ES-GI", "Q11355", 1_700_000_000)
    assert places["mataro"] == ("ESP", "ES-B", "Q11492", 1_700_000_000)
    assert (caught.examined, caught.copied, caught.stale, caught.updated) == (6, 3, 3, 3)
    # the places now agree with the index: nothing left to do
    again = reresolve_project(runtime.customers, runtime.access.project("shop"))
    assert (again.copied, again.stale, again.updated) == (0, 0, 0)


def test_a_chosen_city_is_resolved_again_from_the_text_it_sent(runtime: Runtime) -> None:
    # An older index chose Mollet del Vallès' copied id for "Mataró" (ES-B);
    # the text sent is kept in the customer's place review, and the index now
    # reads it as Mataró (Q11492). Without the review the stored id would stand
    # for Mollet del Vallès.
    project_id = _store_as_an_older_index_did(
        runtime,
        {"chosen": ("ESP", "ES-B", "Q11355")},
        reviews={"chosen": ("ESP", "ES-B", "Mataró")},
    )
    caught = reresolve_project(runtime.customers, runtime.access.project("shop"))
    assert _places(runtime, project_id)["chosen"][:3] == ("ESP", "ES-B", "Q11492")
    assert (caught.copied, caught.stale, caught.updated) == (0, 1, 1)
    # resolved without a warning: its review is gone
    assert runtime.store.all_reviews(project_id) == []


def test_the_index_identity_covers_format_and_folding_rules(
    runtime: Runtime, data_dir: Path
) -> None:
    # an index built with other folding rules (or in another format) may answer
    # otherwise: serve must call the projects resolved with it behind
    versions = {"pycountry": "1", "padron-fuse-rules": "6"}
    assert index_identity(versions, 5, "1.aaaa") != index_identity(versions, 5, "2.aaaa")
    assert index_identity(versions, 5, "1.aaaa") != index_identity(versions, 6, "1.aaaa")
    # serve --workers reads it from the index file's header without loading it
    [path] = [p for p in data_dir.glob("geo-index-*.idx") if p.stat().st_size]
    assert file_index_id(path) == index_id(runtime.resolver)


def test_serve_says_when_the_index_is_newer_than_the_last_reresolution(
    runtime: Runtime,
) -> None:
    runtime.access.create_key("shop")
    now = index_id(runtime.resolver)
    # a project never re-resolved takes the index seen now, silently
    assert behind(runtime.store, now) == []
    assert runtime.access.project("shop").places_index == index_id(runtime.resolver)
    # an index upgrade later
    old = dataclasses.replace(runtime.access.project("shop"), places_index="older-data")
    runtime.store.update_project(old)
    [line] = behind(runtime.store, now)
    assert "'shop'" in line and "padron geo reresolve --project shop" in line
    reresolve_project(runtime.customers, runtime.access.project("shop"))
    assert behind(runtime.store, now) == []


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
    assert (
        "4 customers, 3 with a place kept as sent, 0 with a city id copied from another "
        "place, 2 answered otherwise now, 2 updated" in out
    )
    assert _places(runtime, project_id)["mollet"][2] == "Q11492"


def _run_sql(database_url: str, *statements: str) -> None:
    """Statements straight on the database, as an older padron's schema had it."""
    if database_url.startswith("sqlite"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            for statement in statements:
                db.execute(statement)
            db.commit()
        return
    import psycopg

    with psycopg.connect(database_url) as db:
        for statement in statements:
            db.execute(statement)


def test_projects_written_before_the_index_was_recorded_are_behind(database_url: str) -> None:
    # A database of a padron before migration 0003 recorded no index: its
    # customers may hold an older index's answers (copied ids), so serve must
    # not take them as resolved with the index it loads (an empty project may).
    store = open_store(database_url)
    try:
        access = Access(store)
        access.create_key("shop")
        access.create_key("empty")
        shop = access.project("shop")
        store.write_batch(
            shop.id,
            ["napoli"],
            lambda _: (
                [
                    Customer(
                        id="cus_old0000000001",
                        project_id=shop.id,
                        code="napoli",
                        created_at=1_700_000_000,
                        updated_at=1_700_000_000,
                        country="ITA",
                        state="IT-72",
                        city="Q18241891",
                    )
                ],
                None,
            ),
        )
    finally:
        store.close()
    # as the database stood before migration 0009
    _run_sql(
        database_url,
        "UPDATE projects SET places_index = NULL",
        "DELETE FROM padron_migrations WHERE version = 9",
    )
    store = open_store(database_url)
    try:
        [line] = behind(store, "the index loaded now")
        assert "'shop'" in line
        assert behind(store, "the index loaded now") == [line]  # until re-resolved
    finally:
        store.close()
