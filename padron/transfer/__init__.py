"""Bulk import and export of customers from and to files (``padron import``/``export``)."""

from padron.transfer.commands import register
from padron.transfer.files import FileProblem, detect_format, open_source
from padron.transfer.importer import Importer, ImportStopped, Summary

__all__ = [
    "FileProblem",
    "ImportStopped",
    "Importer",
    "Summary",
    "detect_format",
    "open_source",
    "register",
]
