"""Tab « Instruction » of the fiche dossier: notation (running total, save, conflict, aggregate),
cotation F/H (proposal, justification, gap), avis and proposed amounts, completeness and the
« Instruit » transition. Offscreen, fake dialogs, text set (never typed: P3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from instructeur.domain.statuts import Statut
from instructeur.services.dossiers import DossierService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.instruction import JUSTIFICATION_REQUIRED, InstructionService
from instructeur.services.notation import NotationService
from instructeur.storage.db import Database, open_database
from tests.factories import World, build_world, create_dossier, tick_recevabilite
from ui.fiche import FicheDossier
from ui.fiche.instruction import MOTIVATION_REQUIRED, InstructionTab, plain_text
from ui.main_window import MainWindow


class FakeDialogs:
    def __init__(self) -> None:
        self.answer = "cancel"
        self.text: str | None = None
        self.asked: list[str] = []

    def ask_save_discard_cancel(self, parent: object, title: str, text: str) -> str:
        self.asked.append(text)
        return self.answer

    def ask_text(
        self, parent: object, title: str, label: str, default: str = "", **_kw: object
    ) -> str | None:
        self.asked.append(label)
        return self.text

    confirm_answer = True

    def confirm(self, *args: object, **kwargs: object) -> bool:
        self.asked.append(str(args[2]) if len(args) > 2 else "")
        return self.confirm_answer

    def error(self, *args: object) -> None:
        pass

    def info(self, *args: object) -> None:
        pass

    def report(self, *args: object, **kwargs: object) -> None:
        pass


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Database, World, int, int, int]]:
    """One dossier (déclarée 2, plan balanced) with the default grille and 2 évaluateurs assigned."""
    db = open_database(tmp_path / "instruction.sqlite")
    world = build_world(db)
    did = create_dossier(db, world, cotation_declaree=2)
    tick_recevabilite(db, did)
    evaluateurs = EvaluateurService(db, user="test")
    anne = evaluateurs.create(world.contrat_id, "Anne Évaluatrice")
    bruno = evaluateurs.create(world.contrat_id, "Bruno Évaluateur")
    evaluateurs.assign([did], anne)
    evaluateurs.assign([did], bruno)
    dossiers = DossierService(db, user="test")
    dossiers.change_statut(did, Statut.RECEVABLE)
    dossiers.change_statut(did, Statut.EN_INSTRUCTION)
    yield db, world, did, anne, bruno
    db.close()


def open_tab(qtbot, db: Database, did: int, dialogs: FakeDialogs) -> tuple[FicheDossier, InstructionTab]:  # type: ignore[no-untyped-def]
    window = MainWindow(db, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    fiche = window.open_fiche(did)
    assert fiche is not None
    fiche.resize(1400, 900)
    fiche.tabs.setCurrentWidget(fiche.instruction)
    QApplication.processEvents()
    return fiche, fiche.instruction


def score_all(tab: InstructionTab, value: int) -> None:
    for widget in tab.inputs.values():
        widget.radios[value].click()


def test_notation_running_total_save_conflict_and_aggregate(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    db, _world, did, anne, bruno = setup
    dialogs = FakeDialogs()
    fiche, tab = open_tab(qtbot, db, did, dialogs)
    assert tab.evaluateur_combo.count() == 2
    assert [c.section for c in tab._current.criteres if c.section]  # grouped by section
    first = next(iter(tab.inputs.values()))
    assert first.aide.isVisibleTo(tab) and first.aide.text()  # guidance shown, not a tooltip
    assert "0 — insuffisant" in [r.text() for r in first.radios.values()]

    tab.select_evaluateur(anne)
    assert "incomplet" in plain_text(tab.total_label.text())
    first.radios[3].click()
    assert "(1/8 critères notés)" in plain_text(tab.total_label.text())
    score_all(tab, 3)
    assert "20,00 /20" in plain_text(tab.total_label.text())
    assert tab.save_notes_button.isEnabled()
    tab.commentaire.setPlainText("Très bon projet")
    tab.save_notes_button.click()
    saved = NotationService(db).evaluation(did, anne)
    assert set(saved.notes.values()) == {3} and len(saved.notes) == 8
    assert saved.commentaire == "Très bon projet"
    assert "20,00 /20" in plain_text(tab.aggregate_label.text())
    assert "1 évaluation comptée" in plain_text(tab.aggregate_label.text())
    assert "rang 1 sur 1" in plain_text(tab.aggregate_label.text())
    assert fiche.dossiers.list_rows(fiche.context.campagne_id)[0].score == 20

    tab.select_evaluateur(bruno)
    score_all(tab, 0)
    tab.save_notes_button.click()
    assert "10,00 /20" in plain_text(tab.aggregate_label.text())
    assert "désaccord" in plain_text(tab.aggregate_label.text())

    dialogs.text = "   "
    tab.conflict_button.click()  # the motif is required
    assert "motif est obligatoire" in tab.notation_message.plain()
    assert not NotationService(db).evaluation(did, bruno).conflit
    dialogs.text = "Membre du conseil d'administration du porteur"
    tab.conflict_button.click()
    assert NotationService(db).evaluation(did, bruno).conflit
    assert tab._current is not None and tab._current.evaluateur_id == bruno
    assert "exclue" in plain_text(tab.evaluation_state.text())
    assert not any(r.isEnabled() for w in tab.inputs.values() for r in w.radios.values())
    assert tab.withdraw_button.isVisibleTo(tab) and not tab.conflict_button.isVisibleTo(tab)
    assert "20,00 /20" in plain_text(tab.aggregate_label.text())  # recomputed without Bruno
    assert "1 en conflit d'intérêts" in plain_text(tab.aggregate_label.text())
    assert "conflit" in tab.evaluateur_combo.currentText()

    tab.withdraw_button.click()
    assert not NotationService(db).evaluation(did, bruno).conflit
    assert "10,00 /20" in plain_text(tab.aggregate_label.text())


def test_notation_concurrent_edit_is_refused(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    db, _world, did, anne, _bruno = setup
    _fiche, tab = open_tab(qtbot, db, did, FakeDialogs())
    tab.select_evaluateur(anne)
    other = NotationService(db, user="collègue")
    ev = other.evaluation(did, anne)
    other.save_notes(ev.id, ev.version, {ev.criteres[0].id: 1})
    score_all(tab, 2)
    tab.save_notes_button.click()
    assert "collègue" in tab.notation_message.plain()
    assert tab.notation_message.reload_button.isVisibleTo(tab)
    assert NotationService(db).evaluation(did, anne).notes == {ev.criteres[0].id: 1}


def test_cotation_proposal_justification_and_gap(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    db, _world, did, _anne, _bruno = setup
    fiche, tab = open_tab(qtbot, db, did, FakeDialogs())
    assert "2 —" in plain_text(tab.declared_label.text())  # the porteur's declaration, side by side
    tab.question_boxes["principal"].click()
    assert tab.proposed_level() == 2
    assert "2 — L'égalité F/H est l'objectif principal" in plain_text(tab.proposed_label.text())

    tab.set_retained_level(1)
    assert "obligatoire" in plain_text(tab.justification_label.text())
    assert tab.has_gap()  # déclarée 2, retenue 1
    assert not tab.save_cotation()
    assert JUSTIFICATION_REQUIRED in tab.cotation_message.plain()
    assert InstructionService(db).cotation(did).instruite is None

    tab.justification.setPlainText("Le public visé reste mixte ; l'égalité est un objectif intégré.")
    version_before = fiche.version
    tab.save_cotation_button.click()
    cotation = InstructionService(db).cotation(did)
    assert (cotation.instruite, cotation.proposee, cotation.gap) == (1, 2, True)
    assert cotation.answers["principal"] is True
    assert "enregistrée" in tab.cotation_message.plain()
    assert tab.has_gap() and "Écart" in plain_text(tab.gap_label.text())
    # The fiche follows the new version: its main save is not a false concurrent edit.
    assert fiche.version == DossierService(db).get(did).version != version_before
    fiche.identification.intitule.setText("Atelier sociolinguistique renforcé")
    assert fiche.save()
    assert DossierService(db).get(did).data.intitule == "Atelier sociolinguistique renforcé"


def test_cotation_save_asks_about_unsaved_changes_elsewhere(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    db, _world, did, _anne, _bruno = setup
    dialogs = FakeDialogs()
    fiche, tab = open_tab(qtbot, db, did, dialogs)
    fiche.identification.intitule.setText("Nouvel intitulé")
    tab.set_retained_level(0)
    dialogs.answer = "cancel"
    assert not tab.save_cotation()
    assert InstructionService(db).cotation(did).instruite is None
    assert fiche.is_modified()
    dialogs.answer = "save"
    assert tab.retained_level() == 0  # the guard did not reset the tab
    assert tab.save_cotation()
    assert DossierService(db).get(did).data.intitule == "Nouvel intitulé"
    assert InstructionService(db).cotation(did).instruite == 0
    assert not fiche.is_modified()


def test_avis_amounts_completeness_and_instruit(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    db, world, did, anne, _bruno = setup
    fiche, tab = open_tab(qtbot, db, did, FakeDialogs())
    missing = tab.completeness_text()
    assert "cotation égalité F/H instruite" in missing and "avis technique" in missing
    assert "grille d'analyse" in missing

    # « Instruit » refused from the statut tab, with the same list.
    fiche.tabs.setCurrentWidget(fiche.statut)
    fiche.statut.buttons[Statut.INSTRUIT].click()
    assert DossierService(db).get(did).statut is Statut.EN_INSTRUCTION
    banner = plain_text(fiche.banner_label.text())
    for item in InstructionService(db).missing(did):
        assert item in banner
    fiche.tabs.setCurrentWidget(fiche.instruction)

    # Défavorable without motivation: refused, nothing saved.
    tab.avis_radios["defavorable"].click()
    assert "obligatoire" in plain_text(tab.motivation_label.text())
    assert not tab.save_avis()
    assert MOTIVATION_REQUIRED in tab.avis_message.plain()
    assert DossierService(db).get(did).avis is None

    # Favorable, amounts prefilled with the demandé; one changed, one above the demandé (warned).
    tab.avis_radios["favorable"].click()
    etat, epci = world.financeurs["ETAT"], world.financeurs["EPCI"]
    assert set(tab.proposed_edits) == {etat, epci}
    assert tab.proposed_edits[etat].cents() == 5_000_00
    tab.proposed_edits[etat].setText("4 500,00")
    tab.proposed_edits[epci].setText("4 100")
    tab.save_avis_button.click()
    detail = DossierService(db).get(did)
    assert detail.avis == "favorable"
    proposes = {ligne.financeur_id: ligne.propose_cents for ligne in detail.data.lignes}
    assert proposes[etat] == 4_500_00 and proposes[epci] == 4_100_00
    assert "supérieur au demandé" in tab.avis_message.plain()
    assert fiche.financement.model.lignes()[0].propose_cents == 4_500_00  # the plan tab follows

    # Complete the instruction: a cotation and one complete évaluation.
    tab.set_retained_level(tab.proposed_level())
    assert tab.save_cotation()
    tab.select_evaluateur(anne)
    score_all(tab, 2)
    tab.save_notes_button.click()
    assert "peut passer à « instruit »" in tab.completeness_text()

    fiche.tabs.setCurrentWidget(fiche.statut)
    fiche.statut.buttons[Statut.INSTRUIT].click()
    assert DossierService(db).get(did).statut is Statut.INSTRUIT


def test_closing_the_fiche_asks_about_unsaved_instruction_inputs(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    db, _world, did, _anne, _bruno = setup
    dialogs = FakeDialogs()
    fiche, tab = open_tab(qtbot, db, did, dialogs)
    assert tab.unsaved_sections() == []
    tab.avis_radios["defavorable"].click()
    score_all(tab, 2)
    assert tab.unsaved_sections() == ["la notation", "l'avis et la proposition"]
    dialogs.confirm_answer = False
    fiche.close()
    assert fiche.isVisible() and "la notation, l'avis et la proposition" in dialogs.asked[-1]
    dialogs.confirm_answer = True
    fiche.close()
    assert not fiche.isVisible()
