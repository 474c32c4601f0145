"""GUI test fixtures: small databases built with the ORM, Qt paths in test mode."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths

from instructeur.storage.db import Database, open_database
from instructeur.storage.models import (
    Campagne,
    Contrat,
    Dossier,
    Financeur,
    LigneFinancement,
    Porteur,
    Quartier,
)

# Windows read their data synchronously in tests (ui/busy.py); tests/ui/test_busy.py checks the
# background path itself.
os.environ.setdefault("INSTRUCTEUR_SYNC_LOADS", "1")

CONTRAT = "Contrat de ville de Port-Rivière"

# (reference, porteur, intitulé, quartiers, État cents, EPCI cents, statut)
DOSSIERS_2026 = (
    ("2026-001", "Zèbre Théâtre", "Théâtre forum au pied des immeubles", ("Les Glycines",), 500_000, 250_000, "depose"),
    ("2026-002", "Élan Solidaire", "Épicerie solidaire et ateliers cuisine", ("Le Chemin Vert", "Les Glycines"), 1_000_000, 250_000, "en_instruction"),
    ("2026-003", "Eau Vive", "Savoir nager : stages d'été", ("Le Chemin Vert",), 300_000, 0, "retenu"),
    ("2026-004", "Association Azur", "Accompagnement à la scolarité", (), 150_000, 50_000, "refuse"),
    ("2026-005", "Ecole des parents", "Café des parents", ("Les Glycines",), 80_000, 20_000, "ajourne"),
)  # fmt: skip

DOSSIERS_2025 = (
    ("2025-001", "Eau Vive", "Savoir nager 2025", ("Le Chemin Vert",), 200_000, 0, "notifie"),
    ("2025-002", "Zèbre Théâtre", "Théâtre forum 2025", ("Les Glycines",), 100_000, 0, "solde"),
)  # fmt: skip


@pytest.fixture(autouse=True)
def _qt_test_paths(qapp: object) -> None:
    """QSettings and QStandardPaths write under ~/.qttest, never into the real profile."""
    QStandardPaths.setTestModeEnabled(True)


@pytest.fixture(autouse=True)
def _no_window_left_visible(qapp: object) -> Iterator[None]:
    """A window a test left open (not registered with qtbot) must not take part in the next test:
    the main window's « close every window working on the base » would meet it. Hidden, not closed,
    so that no unsaved-work question can block the run."""
    yield
    from PySide6.QtWidgets import QApplication

    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.hide()


def build_database(path: Path, *, with_data: bool = True) -> Database:
    db = open_database(path)
    if not with_data:
        return db
    with db.session() as s:
        contrat = Contrat(
            nom=CONTRAT, epci_nom="Agglomération de Port-Rivière", periode_debut=2024, periode_fin=2030
        )
        etat = Financeur(code="ETAT", nom="État (ANCT)", type="etat", position=0)
        epci = Financeur(code="EPCI", nom="Agglomération", type="epci", position=1)
        contrat.financeurs = [etat, epci]
        quartiers = {nom: Quartier(type="qpv", nom=nom) for nom in ("Le Chemin Vert", "Les Glycines")}
        contrat.quartiers = list(quartiers.values())
        s.add(contrat)
        porteurs: dict[str, Porteur] = {}
        for annee, statut, rows in ((2025, "cloturee", DOSSIERS_2025), (2026, "instruction", DOSSIERS_2026)):
            campagne = Campagne(contrat=contrat, annee=annee, libelle="Appel à projets", statut=statut)
            s.add(campagne)
            for ref, porteur, intitule, qs, etat_cents, epci_cents, dstatut in rows:
                p = porteurs.setdefault(porteur, Porteur(raison_sociale=porteur))
                d = Dossier(
                    campagne=campagne,
                    porteur=p,
                    reference=ref,
                    intitule=intitule,
                    statut=dstatut,
                    cout_total_cents=etat_cents + epci_cents,
                )
                d.quartiers = [quartiers[q] for q in qs]
                d.lignes = [LigneFinancement(financeur=etat, demande_cents=etat_cents, position=0)]
                if epci_cents:
                    d.lignes.append(LigneFinancement(financeur=epci, demande_cents=epci_cents, position=1))
                s.add(d)
    return db


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = build_database(tmp_path / "petite.sqlite")
    yield database
    database.close()


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Database]:
    database = build_database(tmp_path / "vide.sqlite", with_data=False)
    yield database
    database.close()


@pytest.fixture(autouse=True)
def _no_screen_fitter_left(qapp: object) -> Iterator[None]:
    """`make_application` installs the screen fitter on the one QApplication of the run: remove it
    after the test so that the next tests see windows the same way whatever ran before them."""
    yield
    from ui import screen_fit

    screen_fit.uninstall()
