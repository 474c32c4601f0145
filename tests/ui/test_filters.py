"""Filter panel + proxy: each filter alone, combined with the search, clear-all, summary."""

from __future__ import annotations

from PySide6.QtCore import Qt

from instructeur.domain.statuts import Statut
from instructeur.services.dossiers import DossierService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.labels import LabelService
from instructeur.storage.db import Database
from instructeur.storage.models import Dossier, Objectif, Quartier
from tests.ui.test_main_window import campagne_id, column_texts, make_window
from ui.filters import FilterPanel, summary_text
from ui.models.dossiers import NONE, DossierFilterProxy, DossierFilters, DossierTableModel


def _ids(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {d.reference: d.id for d in s.query(Dossier)}


def _prepare(db: Database) -> dict[str, int]:
    """Objectifs (axe 1 › 1.1), cotations, reconduite, an évaluateur and a label on 2026 dossiers."""
    refs = _ids(db)
    with db.session() as s:
        d1 = s.get(Dossier, refs["2026-001"])
        assert d1 is not None
        contrat_id = d1.campagne.contrat_id
        axe = Objectif(contrat_id=contrat_id, code="1", titre="Cohésion sociale", niveau=0)
        s.add(axe)
        s.flush()
        sub = Objectif(contrat_id=contrat_id, parent_id=axe.id, code="1.1", titre="Éducation", niveau=1)
        other = Objectif(contrat_id=contrat_id, code="2", titre="Emploi", niveau=0)
        s.add_all([sub, other])
        s.flush()
        for ref, objectif, declared, instructed, reconduite in (
            ("2026-001", axe.id, 1, None, False),
            ("2026-002", sub.id, 0, 2, True),
            ("2026-003", other.id, None, None, True),
        ):
            d = s.get(Dossier, refs[ref])
            assert d is not None
            d.objectif_id, d.cotation_declaree, d.cotation_instruite, d.reconduite = (
                objectif,
                declared,
                instructed,
                reconduite,
            )
        refs["axe"], refs["sub"], refs["contrat"] = axe.id, sub.id, contrat_id
        refs["glycines"] = s.query(Quartier).filter_by(nom="Les Glycines").one().id
    refs["claire"] = EvaluateurService(db, user="t").create(refs["contrat"], "Claire")
    EvaluateurService(db, user="t").assign([refs["2026-002"], refs["2026-004"]], refs["claire"])
    refs["label"] = LabelService(db, user="t").add_label([refs["2026-005"]], "À revoir").label_id
    return refs


def _proxy(db: Database) -> tuple[DossierTableModel, DossierFilterProxy]:
    model = DossierTableModel()
    model.set_rows(DossierService(db).list_rows(campagne_id(db, 2026)))
    proxy = DossierFilterProxy()
    proxy.setSourceModel(model)
    return model, proxy


def _refs(proxy: DossierFilterProxy) -> set[str]:
    return {proxy.index(r, 0).data() for r in range(proxy.rowCount())}


def test_each_filter_alone_and_with_search(qtmodeltester, db: Database) -> None:
    ids = _prepare(db)
    model, proxy = _proxy(db)
    financeurs = {f for r in model.rows for f in r.financeur_ids}
    epci = max(financeurs)  # the second financeur of the fixture
    cases = [
        (DossierFilters(statuts=frozenset({Statut.DEPOSE, Statut.RETENU})), {"2026-001", "2026-003"}),
        (DossierFilters(objectif_id=ids["axe"]), {"2026-001", "2026-002"}),  # the axe and its children
        (DossierFilters(objectif_id=ids["sub"]), {"2026-002"}),
        (DossierFilters(quartier_id=ids["glycines"]), {"2026-001", "2026-002", "2026-005"}),
        (DossierFilters(financeur_id=epci), {"2026-001", "2026-002", "2026-004", "2026-005"}),
        (DossierFilters(cotation=2), {"2026-002"}),  # instruite wins over déclarée
        (DossierFilters(cotation=1), {"2026-001"}),
        (DossierFilters(cotation=NONE), {"2026-003", "2026-004", "2026-005"}),
        (DossierFilters(reconduite=True), {"2026-002", "2026-003"}),
        (DossierFilters(reconduite=False), {"2026-001", "2026-004", "2026-005"}),
        (DossierFilters(evaluateur_id=ids["claire"]), {"2026-002", "2026-004"}),
        (DossierFilters(evaluateur_id=NONE), {"2026-001", "2026-003", "2026-005"}),
        (DossierFilters(label_id=ids["label"]), {"2026-005"}),
        (DossierFilters(label_id=NONE), {"2026-001", "2026-002", "2026-003", "2026-004"}),
    ]
    for filters, expected in cases:
        proxy.set_filters(filters)
        assert _refs(proxy) == expected, filters
        assert filters.count == 1
    proxy.set_filters(DossierFilters(quartier_id=ids["glycines"], reconduite=False))
    assert _refs(proxy) == {"2026-001", "2026-005"}
    proxy.set_search("theatre")
    assert _refs(proxy) == {"2026-001"}
    proxy.set_search("parents")
    assert _refs(proxy) == {"2026-005"}
    proxy.sort(model.column_index("porteur"), Qt.SortOrder.DescendingOrder)  # mask follows the sort
    assert _refs(proxy) == {"2026-005"}
    qtmodeltester.check(proxy)
    proxy.set_filters(DossierFilters())
    proxy.set_search("")
    assert proxy.rowCount() == 5
    qtmodeltester.check(proxy)


def test_filters_round_trip_as_dict() -> None:
    f = DossierFilters(statuts=frozenset({Statut.INSTRUIT}), cotation=0, reconduite=False, label_id=NONE)
    assert DossierFilters.from_dict(f.to_dict()) == f
    assert DossierFilters.from_dict(
        {"statuts": ["inconnu", "instruit"], "quartier_id": "x"}
    ) == DossierFilters(statuts=frozenset({Statut.INSTRUIT}))
    assert summary_text(f) == "4 filtres actifs : Statut, Cotation F/H, Nouvelle / reconduite, Label"
    assert summary_text(DossierFilters()) == "Aucun filtre"


def test_panel_in_window_filters_and_clears(qtbot, db: Database) -> None:
    ids = _prepare(db)
    window = make_window(qtbot, db)
    panel: FilterPanel = window.workspace.panel
    assert window.workspace.dock.isVisible()
    assert panel.label_combo.findText("À revoir (1)") > 0
    assert panel.objectif_combo.count() == 4  # « Tous » + 3 nodes
    with qtbot.waitSignal(panel.changed):
        panel.statut_list.item(list(Statut).index(Statut.DEPOSE)).setCheckState(Qt.CheckState.Checked)
    assert column_texts(window, "reference") == ["2026-001"]
    panel.statut_list.item(list(Statut).index(Statut.REFUSE)).setCheckState(Qt.CheckState.Checked)
    panel.evaluateur_combo.setCurrentIndex(panel.evaluateur_combo.findData(ids["claire"]))
    assert column_texts(window, "reference") == ["2026-004"]
    assert "2 filtres actifs" in panel.summary.text()
    assert "2 filtres actifs" in window.workspace.filter_summary.text()
    assert window.count_label.text() == "5 dossiers — 1 affiché"
    window.search_edit.setText("azur")
    assert column_texts(window, "reference") == ["2026-004"]
    window.search_edit.setText("theatre")
    assert window.proxy.rowCount() == 0
    assert window.search_count.text() == "Aucun dossier ne correspond"
    window.search_edit.clear()
    panel.clear_button.click()
    assert window.proxy.rowCount() == 5
    assert panel.summary.text() == "Aucun filtre" and not panel.clear_button.isEnabled()
    assert window.workspace.filter_summary.text() == ""
    assert not window.grab().isNull()


def test_cotation_gap_filter_and_columns(qtmodeltester, db: Database) -> None:
    """« Écart déclarée / instruite »: 2026-002 is declared 0, instructed 2; 2026-001 declared only."""
    from ui.filters import COTATION_CHOICES
    from ui.models.dossiers import GAP

    _prepare(db)
    model, proxy = _proxy(db)
    qtmodeltester.check(model)
    proxy.set_filters(DossierFilters(cotation=GAP))
    assert _refs(proxy) == {"2026-002"}
    assert ("Écart déclarée / instruite", GAP) in COTATION_CHOICES
    rows = {r.reference: n for n, r in enumerate(model.rows)}
    column = model.column_index("cotation")
    assert model.index(rows["2026-002"], column).data() == "2 ⚠"
    assert "écart" in model.index(rows["2026-002"], column).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(rows["2026-001"], column).data() == "1 (décl.)"
    assert model.index(rows["2026-003"], column).data() == ""
    f = DossierFilters(cotation=GAP)
    assert DossierFilters.from_dict(f.to_dict()) == f
    assert summary_text(f) == "1 filtre actif : Cotation F/H"


def test_cotation_gap_choice_in_panel(qtbot, db: Database) -> None:
    from ui.models.dossiers import GAP

    panel = FilterPanel()
    qtbot.addWidget(panel)
    seen: list[DossierFilters] = []
    panel.changed.connect(seen.append)
    panel.cotation_combo.setCurrentIndex(panel.cotation_combo.findData(GAP))
    assert seen[-1].cotation == GAP
    panel.clear()
    assert seen[-1] == DossierFilters()
