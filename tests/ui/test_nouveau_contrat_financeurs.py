"""New-contrat wizard: the most recent référentiel preselected, financeurs proposed from its
signataires with a SIRET field (validated), carried into the contrat; Paramètres › Financeurs
shows and edits the SIRET."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from instructeur.referentiel_io import import_file, to_dict, write_json
from instructeur.referentiels import SignataireRef, load_referentiel
from instructeur.services.contrats import ContratService
from instructeur.services.financeurs import financeurs_from_signataires, guess_type
from instructeur.storage.db import Database
from ui.parametres.financeurs import FinanceursTab
from ui.parametres.nouveau_contrat import NouveauContratWizard

SIRET_ETAT = "13000548100010"


class FakeDialogs:
    def error(self, *args: object) -> None:
        pass


@pytest.fixture(autouse=True)
def _own_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INSTRUCTEUR_DATA_DIR", str(tmp_path / "donnees"))


def test_signataires_become_financeurs_of_the_right_type() -> None:
    assert guess_type("Agence Régionale de Santé") is None  # not « Région »
    assert guess_type("La Direction Départementale de l'Emploi, du Travail et des Solidarités") is None
    assert guess_type("Conseil Régional Hauts-de-France") == "region"
    assert guess_type("Cap Calaisis Terre d'Opale", "Cap Calaisis Terre d'Opale") == "epci"
    proposed = financeurs_from_signataires(
        [
            SignataireRef("Préfecture du Nord", SIRET_ETAT, None),
            SignataireRef("Les communes de Outreau, Le Portel et Saint-Martin-Boulogne"),
            SignataireRef("Pôle emploi"),
            SignataireRef("Un partenaire", None, "caf"),
        ],
        "CA du Boulonnais",
    )
    assert [(f.code, f.nom, f.type, f.siret) for f in proposed] == [
        ("ETAT", "Préfecture du Nord", "etat", SIRET_ETAT),
        ("EPCI", "CA du Boulonnais", "epci", None),  # always there
        ("OUTREAU", "Ville d'Outreau", "commune", None),
        ("PORTEL", "Ville du Portel", "commune", None),
        ("SAINT-MARTIN", "Ville de Saint-Martin-Boulogne", "commune", None),
        ("CAF", "Un partenaire", "caf", None),
    ]


def test_wizard_preselects_the_most_recent_and_carries_the_siret(qtbot, empty_db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # a référentiel imported by the user, the most recent one, whose État signataire has a SIRET
    data = to_dict(load_referentiel("saint-omer-2024"))
    data.update(code="arras-2025", nom="Arras — contrat 2025", periode=[2025, 2031])
    data["signataires"][0] = {"nom": "Préfecture du Pas-de-Calais", "siret": SIRET_ETAT, "type": "etat"}
    data.setdefault("classifications", []).append(
        {"code": "ZZ", "nom": "Priorités d'Arras", "niveaux": ["Priorité"], "noeuds": [{"code": "Z1", "titre": "Jeunesse"}]}
    )
    path = tmp_path / "arras.json"
    write_json(data, path)
    import_file(path)

    wizard = NouveauContratWizard(empty_db, dialogs=FakeDialogs())  # type: ignore[arg-type]
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.referentiel_page.choice() == "arras-2025"
    assert "(importé)" in wizard.referentiel_page.list.currentItem().text()
    assert "Priorités d'Arras :</b> Priorité (1 élément)" in wizard.referentiel_page.detail_text.text()
    wizard.next()
    wizard.next()
    page = wizard.financeurs_page
    model = page.model
    lines = model.lines
    assert (lines[0].code, lines[0].siret) == ("ETAT", SIRET_ETAT)
    assert model.index(0, 3).data() == SIRET_ETAT
    assert "AIRE-SUR-LYS" in [line.code for line in lines] and "CAF" in [line.code for line in lines]
    assert page.table.isColumnHidden(4) and not page.table.isColumnHidden(3)
    # a wrong SIRET is shown in red and refused by the page
    assert model.setData(model.index(1, 3), "123 456 789 00012")
    assert model.index(1, 3).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "clé de contrôle" in model.index(1, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert not page.validatePage()
    assert "financeur ligne 2 (EPCI) : SIRET invalide" in page.problems.text()
    model.setData(model.index(1, 3), "")
    assert page.validatePage()
    wizard.next()
    wizard.button(wizard.WizardButton.FinishButton).click()
    assert wizard.contrat_id is not None
    rows = {f.code: f.siret for f in ContratService(empty_db).financeurs(wizard.contrat_id)}
    assert rows["ETAT"] == SIRET_ETAT and rows["EPCI"] is None


def test_parametres_financeurs_edit_the_siret(qtbot, db: Database) -> None:  # type: ignore[no-untyped-def]
    contrat_id = ContratService(db).all()[0].id
    tab = FinanceursTab(db, contrat_id, FakeDialogs())  # type: ignore[arg-type]
    qtbot.addWidget(tab)
    assert tab.model.headerData(3, Qt.Orientation.Horizontal) == "SIRET"
    assert tab.model.setData(tab.model.index(0, 3), "130 005 481 00010")
    assert tab.modified and tab.save()
    assert ContratService(db).financeurs(contrat_id)[0].siret == SIRET_ETAT
    assert tab.model.index(0, 3).data() == SIRET_ETAT  # reloaded from the base
    tab.model.setData(tab.model.index(1, 3), "12345678901234")
    assert not tab.save()
    assert "SIRET invalide" in tab.problems.text()
