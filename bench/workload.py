"""The customers the HTTP ingest benchmark sends, and the rows they become.

Locations are drawn from the ``countries_states_cities`` package's CSV files
(the reference data padron's place index is built from): thousands of distinct
cities, with the country spelled as an English name, an alpha-2 or alpha-3
code or its native name, and the state as a name, its own code or its ISO
3166-2 code. Every triple is resolved once with padron's resolver before the
run; those that a shop would get an error for (ambiguous, inconsistent) are
dropped, so that no batch of the run is rejected, and the canonical ids become
the rows of the raw-upsert ceilings (the same rows padron stores).

Everything is seeded: two runs send the same customers.
"""

from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from padron.ids import new_id  # noqa: E402

BATCH = 100
PROJECT_CREATED = 1_700_000_000  # seconds, as padron stores them


def _fixtures() -> Path:
    import countries_states_cities  # type: ignore[import-untyped]

    return Path(countries_states_cities.__file__).parent / "fixtures"


@dataclass(frozen=True, slots=True)
class Place:
    sent: tuple[str, str | None, str]  # country, state, city as the shop sends them
    ids: tuple[str | None, str | None, str | None]  # what padron stores


def places(data_dir: Path, count: int = 6000, seed: int = 7) -> list[Place]:
    """``count`` distinct resolvable (country, state, city) spellings and their ids."""
    from padron.geo import open_resolver

    folder = _fixtures()
    maxint = sys.maxsize
    csv.field_size_limit(maxint)
    countries: dict[str, tuple[str, str, str, str]] = {}
    with (folder / "csc_countries.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            countries[row["iso2"]] = (row["name"], row["iso2"], row["iso3"], row["native"] or "")
    states: dict[tuple[str, str], str] = {}
    with (folder / "csc_states.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            states[(row["country_code"], row["iso2"] or row["state_code"])] = row["name"]
    with (folder / "csc_cities.csv").open(encoding="utf-8") as f:
        cities = [
            (r["country_code"], r["state_code"], r["name"])
            for r in csv.DictReader(f)
            if r["country_code"] in countries
        ]
    rng = random.Random(seed)
    rng.shuffle(cities)
    resolver = open_resolver(data_dir, build_if_missing=False)
    out: list[Place] = []
    seen: set[tuple[str, str | None, str]] = set()
    for cc, sc, city in cities:
        name, iso2, iso3, native = countries[cc]
        country = rng.choice([name, name, iso2, iso3, native or name, name.upper()])
        state_name = states.get((cc, sc))
        roll = rng.random()
        state: str | None
        if roll < 0.35 or not sc:
            state = None  # many shops send no state
        elif roll < 0.65 and state_name:
            state = state_name
        elif roll < 0.85:
            state = f"{cc}-{sc}"
        else:
            state = sc
        sent = (country, state, city)
        if sent in seen:
            continue
        res = resolver.resolve(country, state, city)
        if res.errors:
            continue
        seen.add(sent)
        out.append(Place(sent, (res.country, res.state, res.city)))
        if len(out) >= count:
            break
    return out


@dataclass(frozen=True, slots=True)
class Row:
    """One customer as sent (JSON object) and as the raw ceiling writes it."""

    doc: dict[str, Any]
    row: tuple[Any, ...]  # padron's column order, see sqlite.py _CUSTOMER_COLUMNS


_enc = msgspec.json.Encoder()


def customer(code: str, place: Place, rng: random.Random, project_id: str, at: int) -> Row:
    gender = rng.choice([0, 1, 2, 3, None])
    year = rng.randint(1940, 2006)
    tier = rng.choice(["gold", "silver", "bronze"])
    meta = {"source": "bench", "tier": tier, "visits": rng.randint(0, 500)}
    country, state, city = place.sent
    # A shop that exports whole records sends the state as null when it has none.
    doc: dict[str, Any] = {
        "code": code,
        "isActive": True,
        "country": country,
        "state": state,
        "city": city,
        "yearBorn": year,
        "gender": gender,
        "metadata": meta,
    }
    cid, sid, tid = place.ids
    row = (
        new_id("cus"),
        project_id,
        code,
        at,
        at,
        1,
        cid,
        sid,
        tid,
        year,
        gender,
        _enc.encode(meta).decode(),
    )
    return Row(doc, row)


def stored_code(i: int) -> str:
    """The code of the i-th preloaded customer (random-looking, so new ones
    land all over the b-tree, as a shop's would)."""
    return f"p{(i * 2654435761) % 4294967296:010d}{i:07d}"


def batches(
    places_: list[Place],
    n_batches: int,
    *,
    run: str,
    stored: int,
    update_share: float,
    project_id: str,
    seed: int = 11,
) -> tuple[list[bytes], list[list[tuple[Any, ...]]]]:
    """``n_batches`` pre-encoded bodies of ``BATCH`` customers and their rows.

    New customers get codes unique to ``run``; updates (``update_share`` of
    them) pick a preloaded customer at random and change its fields.
    """
    rng = random.Random(seed)
    bodies: list[bytes] = []
    rows: list[list[tuple[Any, ...]]] = []
    at = PROJECT_CREATED
    n = 0
    for _ in range(n_batches):
        docs = []
        brows = []
        for _ in range(BATCH):
            if stored and rng.random() < update_share:
                code = stored_code(rng.randrange(stored))
            else:
                code = f"{run}{n:08d}"
                n += 1
            r = customer(code, rng.choice(places_), rng, project_id, at)
            docs.append(r.doc)
            brows.append(r.row)
        bodies.append(_enc.encode(docs))
        rows.append(brows)
    return bodies, rows
