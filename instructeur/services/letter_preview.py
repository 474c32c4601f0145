"""The real PDF of one dossier's letter, in memory, for the template editor's live preview.

Rendered by the same `exports.letters.render_letter` as the generated letters (same layout, fonts,
page breaks), with the template being edited instead of the stored one. Nothing is written to the
dossier: no `Notification` state changes, and the letter head need not be complete yet.
"""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy import select

from instructeur.errors import NotFoundError
from instructeur.exports.letters import render_letter
from instructeur.services.notification_letters import build_letters
from instructeur.storage.db import Database
from instructeur.storage.models import Dossier

__all__ = ["letter_pdf"]


def letter_pdf(
    db: Database, dossier_id: int, template: str | None = None, *, today: date | None = None
) -> bytes:
    """The PDF bytes of the dossier's letter (with `template` instead of the stored one)."""
    with db.session() as s:
        campagne_id = s.scalar(select(Dossier.campagne_id).where(Dossier.id == dossier_id))
        if campagne_id is None:
            raise NotFoundError(f"dossier {dossier_id} introuvable")
        letter = build_letters(s, campagne_id, [dossier_id], today or date.today())[0]
    if template is not None:
        letter = dataclasses.replace(letter, template=template)
    with tempfile.TemporaryDirectory(prefix="instructeur-apercu-") as folder:
        path = Path(folder) / "apercu.pdf"
        render_letter(letter, path)
        return path.read_bytes()
