"""The fiche of a decided dossier (issue 9): the « Voté » column is read-only, visibly, and only
« Modifier la décision… » (tab « Comité et suivi ») changes it — refused without a motivation,
refused on an enveloppe overrun without a dérogation, then accepted: the new amount shows
read-only and the letter already sent is « À refaire ». Screenshots at 1366×768 (tests/shots.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select, update

from instructeur.storage.models import Enveloppe, Notification, Transition
from tests.shots import shot
from tests.ui.test_fiche_instruction import FakeDialogs
from tests.ui.test_fiche_suivi import open_tab, setup  # noqa: F401 - the fixture
from ui.fiche.financement import COL_FINANCEUR, COL_VOTE, VOTE_TOOLTIP
from ui.fiche.revision import RevisionDialog


def _row_of(model, financeur_id: int) -> int:  # type: ignore[no-untyped-def]
    return next(r for r, ligne in enumerate(model.lignes()) if ligne.financeur_id == financeur_id)


def test_vote_column_is_read_only_on_a_decided_dossier(qtbot, setup) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    db, world, did = setup
    fiche, _tab = open_tab(qtbot, db, did, FakeDialogs())
    fiche.resize(1366, 768)
    fiche.tabs.setCurrentWidget(fiche.financement)
    QApplication.processEvents()
    model = fiche.financement.model
    row = _row_of(model, world.financeurs["ETAT"])
    vote = model.index(row, COL_VOTE)
    assert vote.data() == "4\u00a0000,00\u00a0€"
    assert not model.flags(vote) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(vote, "99 999")
    assert vote.data() == "4\u00a0000,00\u00a0€"
    assert vote.data(Qt.ItemDataRole.ToolTipRole) == VOTE_TOOLTIP
    assert model.headerData(COL_VOTE, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == VOTE_TOOLTIP
    assert vote.data(Qt.ItemDataRole.BackgroundRole) is not None  # greyed
    # The voted line keeps its financeur and cannot be removed.
    assert not model.flags(model.index(row, COL_FINANCEUR)) & Qt.ItemFlag.ItemIsEditable
    fiche.financement.table.setCurrentIndex(vote)
    fiche.financement.remove.click()
    assert model.line_count() == 3 and "ne peut pas être supprimée" in fiche.financement.voted_note.text()
    assert "Modifier la décision" in fiche.financement.voted_note.text()
    fiche.grab().save(shot("fiche_plan_de_financement_decide.png"))


def test_modifier_la_decision_refuses_then_accepts(qtbot, setup) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    db, world, did = setup
    etat, epci = world.financeurs["ETAT"], world.financeurs["EPCI"]
    with db.session() as s:  # the EPCI has 5 000 € for the campagne; 3 500 € are voted here
        s.execute(update(Enveloppe).where(Enveloppe.financeur_id == epci).values(montant_cents=5_000_00))
    fiche, tab = open_tab(qtbot, db, did, FakeDialogs())
    assert tab.revise_button.isVisible()
    seen: list[str] = []

    def drive(dialog: RevisionDialog) -> int:
        dialog.show()
        QApplication.processEvents()
        assert dialog.amounts[etat].text() == "4\u00a0000,00\u00a0€"
        # 1. No motivation: refused, the dialog stays open.
        dialog.amounts[epci].setText("6 000")
        assert not dialog.save() and dialog.result_data is None
        seen.append(dialog.message_text())
        # 2. A motivation, but the EPCI's enveloppe would be exceeded: a dérogation is required.
        dialog.motivation.setPlainText("Recours gracieux : budget revu")
        assert not dialog.save()
        seen.append(dialog.message_text())
        dialog.resize(dialog.width(), dialog.height())
        dialog.grab().save(shot("modifier_la_decision_1366x768.png"))
        assert dialog.frameGeometry().height() <= 768 and dialog.frameGeometry().width() <= 1366
        assert dialog.save_button.isVisible()
        # 3. With the dérogation: accepted.
        dialog.derogation.setPlainText("Action prioritaire du quartier")
        assert dialog.save()
        return 1

    tab.run_dialog = drive
    assert tab.revise_decision()
    assert "motivation de la révision est obligatoire" in seen[0]
    assert "enveloppe EPCI dépassée de 1\u00a0000,00\u00a0€" in seen[1] and "dérogation" in seen[1]
    assert "Décision modifiée" in tab.revise_message.plain()
    # The new amount, in the tab and read-only in the plan (the fiche was reloaded).
    text = tab.decision_text()
    assert "Communauté d'agglomération 6 000,00 €" in text and "Total voté 10 000,00 €" in text
    assert "À refaire" in tab.notifications_text()
    fiche.resize(1366, 768)
    fiche.tabs.setCurrentWidget(tab)
    QApplication.processEvents()
    fiche.grab().save(shot("comite_et_suivi_apres_revision.png"))
    model = fiche.financement.model
    vote = model.index(_row_of(model, epci), COL_VOTE)
    assert vote.data() == "6\u00a0000,00\u00a0€" and not model.flags(vote) & Qt.ItemFlag.ItemIsEditable
    with db.session() as s:
        assert s.scalar(select(Notification.etat)) == "a_refaire"
        last = s.scalars(
            select(Transition).where(Transition.dossier_id == did).order_by(Transition.id.desc())
        ).first()
        assert last is not None and last.vers_statut == "retenu"  # notifié → back to the decision
        assert last.motivation == "Révision de la décision (Retenu → Retenu) : Recours gracieux : budget revu"
    # A cancelled dialog writes nothing.
    tab.run_dialog = lambda dialog: 0
    assert not tab.revise_decision()
