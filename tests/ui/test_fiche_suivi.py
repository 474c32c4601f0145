"""Tab « Comité et suivi » of the fiche dossier: the comité's decision with its votes, the
notification letters, the suivi form saved on its own (CRF date → porteur history, « Soldé »), the
late flag, and the close guard. Offscreen, fake dialogs, text set (never typed: P3)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from instructeur.domain.statuts import Statut
from instructeur.services.dossiers import DossierService, move_statut
from instructeur.services.porteurs import PorteurService
from instructeur.services.suivi import SOLDE_SANS_CRF, SuiviData, SuiviService
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import Comite, ComitePoint, ComiteVote, Dossier, Notification
from tests.factories import World, build_world, create_dossier, tick_recevabilite
from tests.ui.test_fiche_instruction import FakeDialogs  # the fiche's dialogs, scripted
from ui.fiche import FicheDossier
from ui.fiche.suivi import NO_DECISION, SuiviTab
from ui.main_window import MainWindow

TODAY = date(2027, 5, 2)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Database, World, int]]:
    """A dossier retenu by the comité des financeurs of 14/04/2026 (État 4 000 €, EPCI 3 500 €),
    then notified."""
    db = open_database(tmp_path / "suivi.sqlite")
    world = build_world(db)
    did = create_dossier(db, world, public_prevu=30, public_femmes=16, public_hommes=14)
    tick_recevabilite(db, did)
    etat, epci = world.financeurs["ETAT"], world.financeurs["EPCI"]
    with db.session() as s:
        d = s.get(Dossier, did)
        assert d is not None
        for target in (Statut.RECEVABLE, Statut.EN_INSTRUCTION, Statut.INSTRUIT, Statut.EN_COMITE):
            move_statut(s, d, target, "test")
        comite = Comite(campagne_id=world.campagne_id, type="financeurs", date_seance=date(2026, 4, 14))
        s.add(comite)
        s.flush()
        point = ComitePoint(
            comite_id=comite.id,
            dossier_id=did,
            decision="retenu",
            conditions="Bilan intermédiaire en octobre",
            motivation="Action attendue par le conseil citoyen",
            decided_at=datetime(2026, 4, 14, 15, 0),
        )
        point.votes = [
            ComiteVote(financeur_id=etat, montant_cents=4_000_00),
            ComiteVote(financeur_id=epci, montant_cents=3_500_00),
        ]
        s.add(point)
        move_statut(s, d, Statut.RETENU, "test")
        for ligne in d.lignes:
            ligne.vote_cents = {etat: 4_000_00, epci: 3_500_00}.get(ligne.financeur_id or 0)
        move_statut(s, d, Statut.NOTIFIE, "test")
        s.add(
            Notification(
                dossier_id=did,
                modele="attribution",
                etat="notifie",
                date_generation=date(2026, 5, 2),
                date_signature=date(2026, 5, 6),
                date_notification=date(2026, 5, 9),
            )
        )
    yield db, world, did
    db.close()


def open_tab(qtbot, db: Database, did: int, dialogs: FakeDialogs) -> tuple[FicheDossier, SuiviTab]:  # type: ignore[no-untyped-def]
    window = MainWindow(db, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    fiche = window.open_fiche(did)
    assert fiche is not None
    fiche.resize(1400, 900)
    fiche.suivi.service = SuiviService(db, today=lambda: TODAY)  # a fixed « today »
    fiche.tabs.setCurrentWidget(fiche.suivi)
    fiche.suivi.refresh()
    QApplication.processEvents()
    return fiche, fiche.suivi


def test_tab_comes_after_instruction_and_shows_decision_votes_and_letter(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    db, _world, did = setup
    fiche, tab = open_tab(qtbot, db, did, FakeDialogs())
    index = fiche.tabs.indexOf(tab)
    assert fiche.tabs.tabText(index) == "&8 Comité et suivi"
    assert fiche.tabs.widget(index - 1) is fiche.instruction
    assert fiche.tabs.isTabEnabled(index)

    text = tab.decision_text()
    assert "Retenu" in text and "Comité des financeurs du 14/04/2026" in text
    assert "État — Préfecture du Pas-de-Calais 4 000,00 €" in text
    assert "Communauté d'agglomération 3 500,00 €" in text
    assert "Total voté 7 500,00 €" in text
    assert "Conditions : Bilan intermédiaire en octobre" in text
    assert "Motivation : Action attendue par le conseil citoyen" in text
    letters = tab.notifications_text()
    assert "Lettre d'attribution" in letters and "Notifié" in letters and "09/05/2026" in letters
    assert tab.crf_recu_le.isEnabled() and not tab.save_button.isEnabled()
    assert "Échéance : 30/06/2027" in tab.echeance_text()
    assert "prévu : 30 (dont 16 F / 14 H)" in tab.beneficiaires_total.text()


def test_save_crf_date_then_solde_succeeds(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    db, world, did = setup
    dialogs = FakeDialogs()
    fiche, tab = open_tab(qtbot, db, did, dialogs)

    # « Soldé » without a CRF date: refused, explained.
    fiche.tabs.setCurrentWidget(fiche.statut)
    fiche.statut.buttons[Statut.SOLDE].click()
    assert SOLDE_SANS_CRF in html.unescape(fiche.banner_label.text())
    assert DossierService(db).get(did).statut is Statut.NOTIFIE

    # Another tab holds unsaved edits: saving the suivi keeps them.
    fiche.identification.intitule.setText("Intitulé en cours de saisie")
    fiche.tabs.setCurrentWidget(tab)
    tab.crf_recu_le.setText("12/03/2027")
    tab.realise.setCurrentIndex(tab.realise.findData("partiel"))
    tab.beneficiaires_femmes.setText("20")
    tab.beneficiaires_hommes.setText("18")
    tab.indicateurs.setPlainText("18 séances ; assiduité 80 %")
    assert tab.unsaved_sections() == ["le suivi"] and tab.save_button.isEnabled()
    tab.save_button.click()
    assert "Suivi enregistré." in tab.message.plain()
    assert tab.unsaved_sections() == []
    assert fiche.identification.intitule.text() == "Intitulé en cours de saisie"
    assert fiche.is_modified()
    saved = SuiviService(db).get(did)
    assert (saved.crf_recu_le, saved.realise, saved.beneficiaires_femmes, saved.version) == (
        date(2027, 3, 12),
        "partiel",
        20,
        1,
    )
    history = PorteurService(db).history(world.porteur_id)
    assert [h.crf_recu_le for h in history if h.dossier_id == did] == [date(2027, 3, 12)]
    fiche.tabs.setCurrentWidget(fiche.historique)
    assert any(r.action == "Suivi" and "CRF reçu le" in r.text for r in fiche.historique.model.rows)
    assert "peut passer à « Soldé »" in tab.hint_label.text()

    fiche.revert()
    fiche.tabs.setCurrentWidget(fiche.statut)
    fiche.statut.buttons[Statut.SOLDE].click()
    assert DossierService(db).get(did).statut is Statut.SOLDE
    assert fiche.statut_pill.text() == "Soldé"


def test_invalid_inputs_and_concurrent_save_are_explained(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    db, _world, did = setup
    fiche, tab = open_tab(qtbot, db, did, FakeDialogs())
    tab.beneficiaires_femmes.setText("douze")
    tab.save_button.click()
    assert "bénéficiaires réels femmes : nombre entier attendu" in tab.message.plain()
    tab.beneficiaires_femmes.setText("12")
    SuiviService(db, user="bob").save(did, 0, SuiviData(realise="oui"))
    tab.save_button.click()
    assert "modifié par bob" in tab.message.plain()
    assert tab.message.reload_button.isVisibleTo(tab)
    tab.message.reload_button.click()
    assert tab.realise.currentData() == "oui" and tab.beneficiaires_femmes.text() == ""
    assert SuiviService(db).get(did).version == 1


def test_late_flag_with_a_fixed_today(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    db, _world, did = setup
    _fiche, tab = open_tab(qtbot, db, did, FakeDialogs())
    tab.service = SuiviService(db, today=lambda: date(2027, 7, 1))
    tab.refresh()
    assert tab.echeance_text() == "Échéance : 30/06/2027 en retard"
    tab.crf_recu_le.setText("01/07/2027")
    assert "reçu après l'échéance" in tab.echeance_text()


def test_dossier_without_decision(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    db, world, _did = setup
    other = create_dossier(db, world, "26-000002")
    _fiche, tab = open_tab(qtbot, db, other, FakeDialogs())
    assert tab.decision_text() == NO_DECISION
    assert tab.notifications_text() == "Aucune notification."
    assert tab.not_retenu.isVisibleTo(tab)
    assert not tab.crf_recu_le.isEnabled() and not tab.save_button.isEnabled()


def test_closing_with_unsaved_suivi_inputs_asks(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    db, _world, did = setup
    dialogs = FakeDialogs()
    fiche, tab = open_tab(qtbot, db, did, dialogs)
    tab.crf_recu_le.setText("12/03/2027")
    dialogs.confirm_answer = False
    fiche.close()
    assert fiche.isVisible()
    assert "onglet Comité et suivi : le suivi" in dialogs.asked[-1]
    # A save of the main form keeps the suivi inputs.
    fiche.identification.intitule.setText("Nouvel intitulé")
    assert fiche.save()
    assert tab.crf_recu_le.text() == "12/03/2027" and tab.unsaved_sections() == ["le suivi"]
    dialogs.confirm_answer = True
    fiche.close()
    assert not fiche.isVisible()
    assert SuiviService(db).get(did).version == 0
