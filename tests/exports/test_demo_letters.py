"""The demo's letters pass the pre-flight and never leave the signature without the text it signs."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from instructeur.demo import create_demo
from instructeur.services.notifications import NotificationService
from instructeur.storage.db import open_database
from instructeur.storage.models import Dossier

LAST_PARAGRAPH = "Je vous remercie enfin"  # paragraph starts: never hyphenated
CLOSING = "Je vous prie d"


def test_demo_letters_complete_and_signature_with_last_paragraph(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    summary = create_demo(path, dossiers=150)
    db = open_database(path)
    try:
        service = NotificationService(db)
        assert service.preflight() == []  # fictitious letterhead and signataire: complete
        signataire = service.settings().signataire
        campagne = summary.campagne_ids[-2]  # a closed campagne: decided dossiers
        with db.session() as s:
            ids = list(
                s.scalars(
                    select(Dossier.id).where(Dossier.campagne_id == campagne, Dossier.decision == "retenu")
                )
            )
        result = service.generate(campagne, tmp_path / "lettres", ids)
    finally:
        db.close()
    assert len(result.files) == len(ids) > 10
    two_pages = 0
    for file in result.files:
        pages = [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(str(file)).pages]
        where = {
            needle: [n for n, text in enumerate(pages) if needle in text]
            for needle in (LAST_PARAGRAPH, CLOSING, signataire)
        }
        assert len(where[signataire]) == 1, file.name
        assert where[LAST_PARAGRAPH] == where[CLOSING] == where[signataire], file.name
        two_pages += len(pages) > 1
    assert two_pages  # some letters do run onto page 2: the block moved there as a whole
