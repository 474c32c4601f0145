"""The import cannot make a dossier « recevable »: a new dossier is « déposé », a « Statut » or a
recevabilité column is not read, a re-import never moves a statut nor ticks a point (both engines)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

from instructeur.domain.statuts import Statut
from instructeur.imports import dossiers as imp
from instructeur.services.dossiers import DossierService
from instructeur.services.fiche import FicheService
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import Dossier
from tests.factories import build_world

HEADERS = ["N° dossier", "Structure", "Intitulé de l'action", "Coût total", "Montant demandé État", "Statut",
           "Contrat d'engagement républicain signé", "Recevabilité"]  # fmt: skip


@pytest.fixture
def db(engine_url: str, tmp_path: Path) -> Iterator[Database]:
    database = open_database(engine_url, backup_dir=tmp_path)
    yield database
    database.close()


def _write(path: Path, intitule: str) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws.append(["26-000300", "Élan Solidaire", intitule, "4 000", "4 000", "Recevable", "oui", "complète"])
    wb.save(path)
    return path


def test_import_creates_deposes_and_never_reaches_recevable(db: Database, tmp_path: Path) -> None:
    world = build_world(db)
    preview = imp.preview(db, world.campagne_id, _write(tmp_path / "a.xlsx", "Atelier"))
    assert {"Statut", "Recevabilité", "Contrat d'engagement républicain signé"} <= set(preview.unrecognised)
    imp.apply(db, world.campagne_id, tmp_path / "a.xlsx", user="import")
    with db.session() as s:
        did = s.query(Dossier.id).filter(Dossier.reference == "26-000300").scalar()
    assert DossierService(db).get(did).statut is Statut.DEPOSE
    assert not any(r.ok for r in FicheService(db).recevabilite(did))
    # A re-import updates the fields, not the statut nor the checklist.
    imp.apply(db, world.campagne_id, _write(tmp_path / "b.xlsx", "Atelier renforcé"), user="import")
    detail = DossierService(db).get(did)
    assert (detail.statut, detail.data.intitule) == (Statut.DEPOSE, "Atelier renforcé")
    assert DossierService(db).recevabilite_missing(did)[1] == "Contrat d'engagement républicain signé"


@pytest.mark.parametrize("statut", [Statut.INSTRUIT, Statut.EN_COMITE])
def test_import_leaves_a_closed_instruction_alone(db: Database, tmp_path: Path, statut: Statut) -> None:
    """The comité decides on what was instructed: a file cannot change an instruit dossier (the
    stateful rules test found a re-import unbalancing an instruit plan, which blocked the séance)."""
    world = build_world(db)
    imp.apply(db, world.campagne_id, _write(tmp_path / "a.xlsx", "Atelier"), user="import")
    with db.session() as s:
        d = s.query(Dossier).filter(Dossier.reference == "26-000300").one()
        d.statut = statut.value
    with pytest.raises(imp.ImportRejected) as refused:
        imp.apply(db, world.campagne_id, _write(tmp_path / "b.xlsx", "Atelier renforcé"), user="import")
    (problem,) = [str(p) for p in refused.value.problems]
    assert f"dossier {statut.label.lower()} : son instruction est close, non modifié" in problem
    with db.session() as s:
        assert s.query(Dossier.intitule).filter(Dossier.reference == "26-000300").scalar() == "Atelier"
