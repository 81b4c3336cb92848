"""The world map's shapes, keyed to padron's countries.

The shapes are world-atlas's ``countries-110m.json`` (Natural Earth 1:110m,
vendored under ``static/vendor/world-atlas/`` by ``scripts/vendor-charts.sh``),
whose countries carry their ISO 3166-1 numeric code as id. Each code is read
by the resolver, as a client's numeric country code would be, which gives the
alpha-3 padron stores. A shape without a code (Kosovo, Northern Cyprus,
Somaliland in this edition) is read by its name, and kept only when that names
a country no other shape stands for, so that a region never wears its
neighbour's count.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Final

from padron.ui.templating import STATIC

TOPOLOGY: Final = STATIC / "vendor" / "world-atlas" / "countries-110m.json"
#: The map's URL on the dashboard (the file above).
TOPOLOGY_URL: Final = "/ui/static/vendor/world-atlas/countries-110m.json"

_lock = threading.Lock()
_keys: dict[str, str] | None = None


def shape_key(shape_id: object, name: str) -> str:
    """How the page names a shape: its numeric id, or ``name:<name>`` without one."""
    return str(shape_id) if shape_id is not None else f"name:{name}"


def shapes() -> list[tuple[str | None, str]]:
    """(numeric id or None, name) of every country shape of the topology."""
    topology = json.loads(TOPOLOGY.read_text("utf-8"))
    return [
        (g.get("id"), str(g.get("properties", {}).get("name", "")))
        for g in topology["objects"]["countries"]["geometries"]
    ]


def shape_countries(country_of: Callable[[str | int], str | None]) -> dict[str, str]:
    """Shape key (:func:`shape_key`) → alpha-3, for every shape that stands for
    a country padron knows; ``country_of`` reads a sent country (the
    resolver's answer, None when it rejects it). Computed once per process."""
    global _keys
    with _lock:
        if _keys is None:
            found: dict[str, str] = {}
            unnamed: list[str] = []
            for shape_id, name in shapes():
                if shape_id is None:
                    unnamed.append(name)
                    continue
                alpha3 = country_of(int(shape_id)) if str(shape_id).isdigit() else None
                if alpha3 is not None:
                    found[shape_key(shape_id, name)] = alpha3
            taken = set(found.values())
            for name in unnamed:
                alpha3 = country_of(name) if name else None
                if alpha3 is not None and alpha3 not in taken:
                    found[shape_key(None, name)] = alpha3
                    taken.add(alpha3)
            _keys = found
        return _keys


__all__ = ["TOPOLOGY", "TOPOLOGY_URL", "shape_countries", "shape_key", "shapes"]
