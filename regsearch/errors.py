"""Exceptions a caller can act on. Every one carries a message that says how to fix it."""

from __future__ import annotations


class RegsearchError(Exception):
    """Base class for every expected regsearch error (the CLI prints it without a traceback)."""


class BadInputFile(RegsearchError):
    """A source file could not be read or parsed; it is reported and skipped."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class BadQuery(RegsearchError):
    """The query or one of its filters is malformed."""


class IndexMissing(RegsearchError):
    """No index at the configured location (or of an incompatible schema version)."""


class IndexBusy(RegsearchError):
    """Another process is writing the index."""


class DocumentNotFound(RegsearchError):
    """No document with that id or 发文字号."""


class IndexDamaged(RegsearchError):
    """The index exists but cannot be read (damaged files, an unreadable meta.json, another
    schema version); the message says how to rebuild it."""


class EmptySource(RegsearchError):
    """A rebuild would produce an empty index and was not asked to (`--allow-empty`)."""


class QueryTooComplex(BadQuery):
    """A query nested too deeply or with too many terms."""


class DatabaseUnavailable(RegsearchError):
    """The database server (REGSEARCH_DATABASE_URL / --database) cannot be reached, or it
    refused the connection; the message names the server and how to fix it."""


class SchemaOutdated(RegsearchError):
    """The database holds an older (or newer) schema than this program; the message names
    `regsearch db migrate` (or an upgrade)."""
