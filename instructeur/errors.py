"""Errors whose message is meant for the user (French, one line, names the place and the reason)."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused operation: the CLI prints the message and exits 2; the GUI shows it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(UserError):
    """One or more field problems; `problems` lists one French line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


class ConcurrentEditError(UserError):
    """Optimistic locking: the row changed since it was read; nothing was written."""


class NotFoundError(UserError):
    """A referenced object does not exist."""
