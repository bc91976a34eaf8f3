"""Errors of the write side. Each says what was wrong and how to fix it."""

from __future__ import annotations

from regsearch.errors import RegsearchError


class PermissionDenied(RegsearchError):
    """The signed-in user may not do this (another department's document, wrong role)."""


class NotFound(RegsearchError):
    """No user, department, submission or stored document with that id."""


class Conflict(RegsearchError):
    """The object is not in a state that allows this (a submission already published)."""


class ValidationFailed(RegsearchError):
    """Submitted fields are missing or malformed; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(f"{k}：{v}" for k, v in errors.items()))
        self.errors = errors


class UploadRejected(RegsearchError):
    """An uploaded file is not what it claims to be, too large, or has no readable text."""
