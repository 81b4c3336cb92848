"""One exception root: every exception class padron defines is a PadronError.

A caller (the HTTP layer's ``answer``, the CLI, an embedding program) catches
padron's own failures in one clause; a class outside the tree escapes it, which
on the server means a 500 instead of the answer it was meant to get.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import padron
from padron.errors import PadronError


def _padron_exception_classes() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for info in pkgutil.walk_packages(padron.__path__, "padron."):
        if info.name.endswith(".__main__"):
            continue  # importing it runs the command line
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(value, BaseException)
                and value.__module__ == info.name
                and value is not PadronError
            ):
                found.append(value)
    return found


def test_every_exception_padron_defines_is_a_padron_error() -> None:
    classes = _padron_exception_classes()
    # The walk must see the tree at all (a broken walk would pass vacuously).
    assert len(classes) >= 20, classes
    outside = sorted(
        f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, PadronError)
    )
    assert outside == [], f"exceptions outside padron.errors.PadronError: {outside}"
