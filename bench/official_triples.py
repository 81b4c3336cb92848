"""Customer locations as the PHP SDK's bulk example sends them: (country alpha-3,
ISO 3166-2 state code, city name), read straight from the official
countries-states-cities package (countrystatecity-countries, JSON files), not
from padron's index, so the corpus does not share the index's mistakes.

    from official_triples import official_triples
    triples = official_triples(5000, seed=7)   # list of (alpha3, iso_state, city)

Rows whose state has no ISO 3166-2 code are skipped (a shop could not send one).
"""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path
from typing import NamedTuple


class Triple(NamedTuple):
    country: str  # ISO 3166-1 alpha-3
    state: str  # ISO 3166-2 code as the package writes it
    city: str  # the package's name of the city
    lat: float  # the package's position of the city, degrees
    lon: float


def _data_dir() -> Path:
    spec = importlib.util.find_spec("countrystatecity_countries")
    if spec is None or spec.origin is None:
        raise SystemExit("countrystatecity-countries is not installed (requirements-data.txt)")
    return Path(spec.origin).parent / "data"


def all_triples() -> list[Triple]:
    """Every city row of the package with an ISO state code, in file order."""
    data = _data_dir()
    countries = json.loads((data / "countries.json").read_text("utf-8"))
    alpha3 = {c["iso2"]: c["iso3"] for c in countries}
    out: list[Triple] = []
    for country_dir in sorted((data / "by-country").iterdir()):
        states_file = country_dir / "states.json"
        if not states_file.exists() or country_dir.name not in alpha3:
            continue
        states = json.loads(states_file.read_text("utf-8"))
        iso = {s["state_code"]: s.get("iso3166_2") for s in states}
        for cities_file in sorted((country_dir / "states").glob("*/cities.json")):
            code = iso.get(cities_file.parent.name)
            if not code:
                continue
            for row in json.loads(cities_file.read_text("utf-8")):
                try:
                    lat, lon = float(row["latitude"]), float(row["longitude"])
                except (TypeError, ValueError):
                    continue
                out.append(Triple(alpha3[country_dir.name], code, row["name"], lat, lon))
    return out


def official_triples(n: int, seed: int = 7) -> list[Triple]:
    """``n`` rows drawn at random (reproducibly) from :func:`all_triples`."""
    rows = all_triples()
    random.Random(seed).shuffle(rows)
    return rows[:n]
