"""The fiche's « Rattachement » tab offers one combo per additional classification (Saint-Omer's
ambitions › engagements): the user picks an engagement, saves, and the dossier is classé in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from sqlalchemy import select

from instructeur.services.dossiers import DossierService
from instructeur.services.fiche import FicheService
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import Objectif
from tests.factories import World, build_world, create_dossier
from tests.shots import shot
from tests.ui.test_fiche import FakeDialogs
from ui.fiche import FicheDossier
from ui.fiche.snapshot import load_snapshot


@pytest.fixture
def so(tmp_path: Path) -> Iterator[tuple[Database, World, dict[str, int]]]:
    db = open_database(tmp_path / "so.sqlite")
    world = build_world(db, "saint-omer-2024")
    with db.session() as s:
        codes = dict(s.execute(select(Objectif.code, Objectif.id)).all())
    yield db, world, codes
    db.close()


def _fiche(qtbot, db: Database, world: World, dossier_id: int) -> FicheDossier:  # type: ignore[no-untyped-def]
    context = FicheService(db).context(world.campagne_id)
    fiche = FicheDossier(db, context, load_snapshot(db, dossier_id), dialogs=FakeDialogs())  # type: ignore[arg-type]
    qtbot.addWidget(fiche)
    fiche.resize(1366, 740)
    fiche.show()
    fiche.tabs.setCurrentWidget(fiche.rattachement)
    return fiche


def test_pick_an_engagement_and_save(qtbot, so) -> None:  # type: ignore[no-untyped-def]
    db, world, c = so
    did = create_dossier(db, world, objectif_id=c["3.2"])
    fiche = _fiche(qtbot, db, world, did)
    (combo,) = fiche.rattachement.classement_combos
    assert combo.currentText() == "— Non classé —" and combo.currentData() is None
    assert combo.count() == 1 + 7 + 35
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert texts[1] == "A1  Mieux repérer pour mieux orienter"
    assert "    A2.4  S'appuyer sur les leviers d'intervention" in "\n".join(texts)
    assert "Ambition / engagement :" in [w.text() for w in fiche.rattachement.findChildren(QLabel)]
    # The principal combo lists the main cadre only: no ambition in it.
    principal = fiche.rattachement.principal
    ids = {principal.itemData(i) for i in range(principal.count())}
    assert c["3.2"] in ids and c["A1"] not in ids and c["A2.4"] not in ids

    combo.setFocus()
    target = combo.findData(c["A2.4"])
    while combo.currentIndex() != target:  # the user walks the list with the keyboard
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert fiche.rattachement.classements() == (c["A2.4"],)
    fiche.grab().save(shot("fiche_ambition.png"))
    assert fiche.save()
    assert DossierService(db).get(did).data.classements == (c["A2.4"],)

    reopened = _fiche(qtbot, db, world, did)
    assert reopened.rattachement.classement_combos[0].currentData() == c["A2.4"]
    reopened.rattachement.classement_combos[0].setCurrentIndex(0)
    assert reopened.save()
    assert DossierService(db).get(did).data.classements == ()
    QApplication.processEvents()


def test_contrat_without_classification_shows_no_combo(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = open_database(tmp_path / "cab.sqlite")
    try:
        world = build_world(db)  # Boulonnais: no additional classification
        did = create_dossier(db, world)
        fiche = _fiche(qtbot, db, world, did)
        assert fiche.rattachement.classement_combos == []
        assert fiche.rattachement.classements() == ()
    finally:
        db.close()
