"""Progress of a place-index build, reported by stage.

``build.py`` calls :func:`step` as it goes (a label and the fraction of the work
done, 0 to 1); whoever runs the build (``provision.build_in_child``) installs a
listener with :func:`install`. Without one, steps cost nothing.
"""

from __future__ import annotations

from collections.abc import Callable

_listener: Callable[[str, float], None] | None = None


def install(listener: Callable[[str, float], None] | None) -> None:
    """Send every later step to ``listener`` (None: to nobody)."""
    global _listener
    _listener = listener


def step(label: str, fraction: float) -> None:
    """Report that the build reached ``label``, ``fraction`` (0–1) of the way."""
    if _listener is not None:
        _listener(label, fraction)
