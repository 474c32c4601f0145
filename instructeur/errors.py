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


# --- team mode: the server's refusals in French (services/equipe.py) ---
class PasswordRequiredError(UserError):
    """The server wants a password and none was available (the GUI asks for it and retries)."""


PASSWORD_REQUIRED = "mot de passe requis : définissez PGPASSWORD ou un fichier .pgpass"


def password_error(reason: str, login: str | None) -> PasswordRequiredError | None:
    """libpq's authentication failures as one French line; None for any other reason."""
    if "no password supplied" in reason:
        return PasswordRequiredError(PASSWORD_REQUIRED)
    if "password authentication failed" in reason:
        who = f" pour « {login} »" if login else ""
        return PasswordRequiredError(f"mot de passe refusé{who} : vérifiez-le (PGPASSWORD, .pgpass)")
    return None


def privilege_error(exc: BaseException) -> UserError | None:
    """A statement refused by the server's grants or row-level security (SQLSTATE 42501)."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) != "42501":
        return None
    import re

    text = str(orig).strip().splitlines()[0] if str(orig).strip() else ""
    if m := re.search(r'row-level security policy for table "([^"]+)"', text):
        return UserError(f"droits insuffisants : cette ligne de « {m[1]} » ne vous est pas permise")
    if m := re.search(r"permission denied for (table|sequence|schema|relation) (\S+)", text):
        kind = {"sequence": "la séquence", "schema": "le schéma"}.get(m[1], "la table")
        return UserError(f"droits insuffisants : accès refusé à {kind} « {m[2]} »")
    return UserError(f"droits insuffisants : {text}")


# --- end team mode ---


# --- failing disks: one French line naming the file (cli/main.py) ---
def system_error(exc: BaseException) -> UserError | None:
    """A full disk or a read-only / forbidden place, as one French line; None for anything else.

    Works on an OSError (its errno and file name) and on a database error wrapping one
    (SQLite « database or disk is full », PostgreSQL SQLSTATE 53100). Real bugs stay tracebacks.
    """
    import errno

    orig = getattr(exc, "orig", None)
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else "écriture impossible"
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return UserError(f"disque plein : {where} (libérez de la place puis recommencez)")
        if exc.errno == errno.EROFS:
            return UserError(f"dossier en lecture seule : {where}")
        if exc.errno in (errno.EACCES, errno.EPERM):
            return UserError(f"accès refusé : {where}")
        return None
    if orig is None:
        return None
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else ""
    if getattr(orig, "sqlstate", None) in ("53100", "53400") or "disk is full" in text:
        return UserError(f"disque plein : base de données ({text})")
    if "readonly database" in text or "read-only" in text:
        return UserError(f"dossier en lecture seule : base de données ({text})")
    if isinstance(orig, OSError):
        return system_error(orig)
    return None


# --- end failing disks ---
