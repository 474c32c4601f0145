"""What a notification letter still lacks before it may be generated (pure; issue 9).

An attribution, refus or ajournement letter is an official decision: it goes out with its sender
block, its place, and a signataire with a fonction, or not at all. The notification service, the
GUI window and the CLI all call `letter_preflight` before rendering anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["LetterHead", "WHERE", "letter_preflight"]

WHERE = "Notifications › Paramètres"

# Settings that a template may merge as a field ({service}, {contact}): required when used.
_OPTIONAL_FIELDS = {"service": "service instructeur manquant", "contact": "« affaire suivie par » manquant"}


@dataclass(frozen=True)
class LetterHead:
    """The letter settings as plain text, plus what the caller found on disk."""

    expediteur: str = ""
    ville: str = ""
    signataire: str = ""
    fonction_signataire: str = ""
    logo: str = ""  # image path, optional; when set it must exist
    logo_found: bool = True
    signature: str = ""  # image path, optional; when set it must exist
    signature_found: bool = True
    service: str = ""
    contact: str = ""


def letter_preflight(head: LetterHead, used_fields: Iterable[str] = ()) -> list[str]:
    """One French line per missing item; empty: the letters may be generated.

    `used_fields` are the merge fields of the chosen templates: a setting merged into the text
    ({service}, {contact}) is required only when a template uses it. The logo and the signature
    image are placed by the layout whenever they are set, so a set path must point to a file.
    """
    missing: list[str] = []
    required = (
        (head.signataire, "signataire manquant"),
        (head.fonction_signataire, "fonction du signataire manquante"),
        (head.ville, "ville (lieu d'émission) manquante"),
        (head.expediteur, "expéditeur (en-tête de la lettre) manquant"),
    )
    for value, what in required:
        if not value.strip():
            missing.append(f"lettres non générées : {what} ({WHERE})")
    used = set(used_fields)
    for name, label in _OPTIONAL_FIELDS.items():
        if name in used and not getattr(head, name).strip():
            missing.append(f"lettres non générées : {label}, le modèle l'utilise ({WHERE})")
    if head.logo.strip() and not head.logo_found:
        missing.append(f"lettres non générées : logo introuvable « {head.logo.strip()} » ({WHERE})")
    if head.signature.strip() and not head.signature_found:
        missing.append(
            f"lettres non générées : image de signature introuvable « {head.signature.strip()} » ({WHERE})"
        )
    return missing
