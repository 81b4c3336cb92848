"""Imports run one way: ``api → customers → geo / store``, and the small shared
modules (errors, vocabulary, ids) import nothing of padron's.

This reads padron's import statements, every one (also those inside functions
and under ``TYPE_CHECKING``): the layering *is* what is under test, the way an
import linter checks it. A reverse import (the store reading the domain, the
domain reading HTTP) turns it red and names the line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "padron"

#: Lower imports nothing higher. Within one layer, one area imports another only
#: in the top layer (the fronts assemble everything). An area not listed is
#: taken as a front (top layer): nothing below may import it.
LAYERS: dict[str, int] = {
    "padron": 0,  # the package's __init__ (version)
    "padron.errors": 0,
    "padron.vocabulary": 0,
    "padron.ids": 0,
    "padron.config": 1,
    "padron.geo": 2,
    "padron.store": 2,
    "padron.access": 3,
    "padron.customers": 3,
}
TOP = 4
#: A front that may import only these areas (and itself): the dashboard calls
#: the customers service and the access layer, never the store, the place index
#: or the API's modules.
FRONT_IMPORTS: dict[str, set[str]] = {
    "padron.ui": {
        "padron",
        "padron.errors",
        "padron.vocabulary",
        "padron.ids",
        "padron.config",
        "padron.access",
        "padron.customers",
    },
}


def area(module: str) -> str:
    """``padron.store.sqlite`` → ``padron.store``; ``padron.ids`` → ``padron.ids``."""
    parts = module.split(".")
    return ".".join(parts[:2])


def layer(module: str) -> int:
    return LAYERS.get(area(module), TOP)


def module_name(path: Path, root: Path = PACKAGE) -> str:
    relative = path.relative_to(root.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _submodule(root: Path, base: str, name: str) -> str:
    """``from padron import x``: the module ``padron.x`` when x is one, else ``padron``."""
    if base == "padron" and ((root / f"{name}.py").exists() or (root / name).is_dir()):
        return f"padron.{name}"
    return base


def padron_imports(path: Path, root: Path = PACKAGE) -> Iterator[tuple[int, str]]:
    """(line, module) of every import of a padron module in ``path``."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from padron import x`` may name a module: judge the module.
            names = [_submodule(root, base, alias.name) for alias in node.names]
        else:
            continue
        for name in dict.fromkeys(names):
            if name == "padron" or name.startswith("padron."):
                yield node.lineno, name


def violations(root: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        importer = module_name(path, root)
        for line, imported in padron_imports(path, root):
            if area(imported) == area(importer):
                continue
            mine, theirs = layer(importer), layer(imported)
            allowed = FRONT_IMPORTS.get(area(importer))
            if allowed is not None and area(imported) not in allowed:
                found.append(
                    f"{path.relative_to(root.parent)}:{line}: {importer} (a front of "
                    f"{', '.join(sorted(allowed))}) imports {imported}"
                )
            elif theirs > mine or (theirs == mine and mine < TOP):
                found.append(
                    f"{path.relative_to(root.parent)}:{line}: {importer} (layer {mine}) "
                    f"imports {imported} (layer {theirs})"
                )
    return found


def test_imports_run_one_way() -> None:
    found = violations()
    assert not found, "reverse or sideways imports:\n" + "\n".join(found)


def test_a_reverse_import_is_caught(tmp_path: Path) -> None:
    # The checker itself can fail: a store module importing the domain is reported.
    store = tmp_path / "padron" / "store"
    store.mkdir(parents=True)
    (tmp_path / "padron" / "__init__.py").write_text("")
    (store / "__init__.py").write_text("")
    (store / "bad.py").write_text("from padron.customers.model import Written\n")
    (store / "fine.py").write_text("from padron.errors import PadronError\nfrom . import bad\n")
    found = violations(tmp_path / "padron")
    assert len(found) == 1 and "padron/store/bad.py:1" in found[0], found


def test_the_dashboard_reaching_past_the_service_is_caught(tmp_path: Path) -> None:
    # The dashboard may read the customers service, not the store behind it.
    ui = tmp_path / "padron" / "ui"
    ui.mkdir(parents=True)
    (tmp_path / "padron" / "__init__.py").write_text("")
    (ui / "__init__.py").write_text("")
    (ui / "bad.py").write_text("from padron.store.base import Store\n")
    (ui / "fine.py").write_text("from padron.customers.model import Customer\n")
    found = violations(tmp_path / "padron")
    assert len(found) == 1 and "padron/ui/bad.py:1" in found[0], found
