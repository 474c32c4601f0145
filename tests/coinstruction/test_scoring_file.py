"""Offline co-instruction on both engines: export the scoring file, fill it as an évaluateur would
(openpyxl), import it back; conflicts, wrong campagne, tampered grille, invalid notes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from instructeur.coinstruction.scoring_file import (
    NOT_A_SCORING_FILE,
    apply_import,
    export_scoring_file,
    plan_import,
    read_scoring_file,
)
from instructeur.coinstruction.scoring_format import FIRST_ROW, HEADER_ROW, META_SHEET, SCALE_ROW
from instructeur.errors import UserError, ValidationError
from instructeur.services.campagnes import CampagneService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.grilles import CritereData, GrilleService
from instructeur.services.notation import NotationService
from instructeur.storage.db import Database
from tests.factories import build_world, create_dossier, create_grille


@dataclass
class Setup:
    contrat_id: int
    campagne_id: int
    grille_id: int
    criteres: list[int]  # Public (0–3, poids 2), Budget (0–5), Faisabilité (1–4)
    alice: int
    dossiers: list[int]  # 26-000001, 26-000002, 26-000003


def _setup(db: Database) -> Setup:
    world = build_world(db)
    grille_id, criteres = create_grille(
        db,
        world.campagne_id,
        [
            CritereData("Public QPV", poids=2, echelle_min=0, echelle_max=3),
            CritereData("Budget", poids=1, echelle_min=0, echelle_max=5),
            CritereData("Faisabilité", poids=1, echelle_min=1, echelle_max=4),
        ],
    )
    evaluateurs = EvaluateurService(db, user="chef")
    alice = evaluateurs.create(world.contrat_id, "Alice Martin")
    dossiers = [create_dossier(db, world, reference=f"26-00000{k}") for k in (1, 2, 3)]
    evaluateurs.assign(dossiers, alice)
    return Setup(world.contrat_id, world.campagne_id, grille_id, criteres, alice, dossiers)


def _export(db: Database, setup: Setup, tmp_path: Path) -> Path:
    return export_scoring_file(db, setup.campagne_id, setup.alice, tmp_path / "notation-alice.xlsx")


def _fill(path: Path, rows: dict[str, dict[str, object]]) -> None:
    """Type into the file as an évaluateur would: {référence: {header: value}}."""
    wb = load_workbook(path)
    ws = wb["Notation"]
    headers = {str(ws.cell(HEADER_ROW, c).value): c for c in range(1, ws.max_column + 1)}
    by_ref = {ws.cell(r, 1).value: r for r in range(FIRST_ROW, ws.max_row + 1)}
    for ref, values in rows.items():
        for header, value in values.items():
            column = next(c for h, c in headers.items() if h == header or h.endswith(f". {header}"))
            ws.cell(by_ref[ref], column, value)
    wb.save(path)


def _notes(
    db: Database, dossier: int, evaluateur: int
) -> tuple[dict[int, int], bool, str | None, str | None]:
    ev = NotationService(db).evaluation(dossier, evaluateur)
    return ev.notes, ev.conflit, ev.conflit_motif, ev.commentaire


def test_file_layout(db: Database, tmp_path: Path) -> None:
    setup = _setup(db)
    path = _export(db, setup, tmp_path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Notation", "Aide", "_instructeur"]
    assert wb["_instructeur"].sheet_state == "veryHidden"
    ws = wb["Notation"]
    assert "Alice Martin" in ws["A1"].value
    headers = [ws.cell(HEADER_ROW, c).value for c in range(1, ws.max_column + 1)]
    assert headers[:9] == [
        "Référence", "Porteur", "Intitulé", "Quartiers", "Coût total", "Demandé",
        "1. Public QPV", "2. Budget", "3. Faisabilité",
    ]  # fmt: skip
    assert headers[9:] == ["Total /20", "Conflit d'intérêts (oui/non)", "Motif du conflit", "Commentaire"]
    assert ws.cell(SCALE_ROW, 7).value == "0–3" and ws.cell(SCALE_ROW, 9).value == "1–4"
    assert [ws.cell(r, 1).value for r in range(FIRST_ROW, FIRST_ROW + 3)] == [
        "26-000001",
        "26-000002",
        "26-000003",
    ]
    assert ws.cell(FIRST_ROW, 5).value == 12500 and ws.cell(FIRST_ROW, 6).value == 9000
    assert ws.protection.sheet and ws.cell(FIRST_ROW, 1).protection.locked
    assert not ws.cell(FIRST_ROW, 7).protection.locked and not ws.cell(FIRST_ROW, 12).protection.locked
    validations = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    dv = validations[f"G{FIRST_ROW}:G{FIRST_ROW + 2}"]
    assert (dv.type, dv.formula1, dv.formula2) == ("whole", "0", "3") and "entier" in dv.error
    assert validations[f"K{FIRST_ROW}:K{FIRST_ROW + 2}"].formula1 == '"oui,non"'
    total = ws.cell(FIRST_ROW, 10).value
    assert total.startswith("=IF(") and "ROUND(20*(" in total and "/4,2)" in total
    aide = wb["Aide"]
    assert aide.cell(5, 3).value == "Public QPV" and aide.cell(5, 7).value == 2


def test_round_trip(db: Database, tmp_path: Path) -> None:
    setup = _setup(db)
    path = _export(db, setup, tmp_path)
    _fill(
        path,
        {
            "26-000001": {
                "Public QPV": 3,
                "Budget": 4,
                "Faisabilité": 2,
                "Commentaire": "Très bon projet ; à suivre",
            },
            "26-000002": {"Conflit d'intérêts (oui/non)": "oui", "Motif du conflit": "Membre du bureau"},
        },
    )
    scoring = read_scoring_file(path)
    plan = plan_import(db, setup.campagne_id, scoring)
    assert [(r.reference, r.kind) for r in plan.rows] == [
        ("26-000001", "a_mettre_a_jour"),
        ("26-000002", "a_mettre_a_jour"),
        ("26-000003", "inchangee"),
    ]
    outcome = apply_import(db, plan, {}, user="chef")
    assert outcome.updated == ("26-000001", "26-000002") and outcome.unchanged == 1
    a, b, c = setup.criteres
    assert _notes(db, setup.dossiers[0], setup.alice) == (
        {a: 3, b: 4, c: 2},
        False,
        None,
        "Très bon projet ; à suivre",
    )
    assert _notes(db, setup.dossiers[1], setup.alice) == ({}, True, "Membre du bureau", None)
    # Imported again: nothing left to do.
    again = plan_import(db, setup.campagne_id, read_scoring_file(path))
    assert {r.kind for r in again.rows} == {"identique", "inchangee"}


def test_conflict_shown_and_resolved(db: Database, tmp_path: Path) -> None:
    setup = _setup(db)
    a, b, c = setup.criteres
    path = _export(db, setup, tmp_path)
    # After the export, Bruno changes Alice's évaluation of 26-000001 in the database.
    bruno = NotationService(db, user="bruno")
    ev = bruno.evaluation(setup.dossiers[0], setup.alice)
    bruno.save_notes(ev.id, ev.version, {a: 1, b: 1, c: 1})
    _fill(
        path,
        {
            "26-000001": {"Public QPV": 3, "Budget": 5, "Faisabilité": 4},
            "26-000002": {"Public QPV": 2, "Budget": 2, "Faisabilité": 2},
        },
    )
    plan = plan_import(db, setup.campagne_id, read_scoring_file(path))
    assert [r.kind for r in plan.rows] == ["conflit", "a_mettre_a_jour", "inchangee"]
    conflict = plan.conflicts[0]
    assert conflict.file_values.notes_dict == {a: 3, b: 5, c: 4}
    assert conflict.db_values.notes_dict == {a: 1, b: 1, c: 1}
    assert conflict.db_updated_by == "bruno" and "modifié par bruno le" in conflict.changed_by
    assert "1. Public QPV : 3" in conflict.file_values.describe(plan.criteria)

    with pytest.raises(UserError, match="1 conflit sans décision.*26-000001.*rien n'a été importé"):
        apply_import(db, plan, {})
    assert _notes(db, setup.dossiers[1], setup.alice)[0] == {}  # all or nothing

    apply_import(db, plan, {conflict.evaluation_id: "base"}, user="chef")
    assert _notes(db, setup.dossiers[0], setup.alice)[0] == {a: 1, b: 1, c: 1}
    assert _notes(db, setup.dossiers[1], setup.alice)[0] == {a: 2, b: 2, c: 2}

    # The same file again, resolved « fichier »: the file's values win.
    plan = plan_import(db, setup.campagne_id, read_scoring_file(path))
    assert [r.kind for r in plan.rows] == ["conflit", "identique", "inchangee"]
    apply_import(db, plan, {plan.conflicts[0].evaluation_id: "fichier"}, user="chef")
    assert _notes(db, setup.dossiers[0], setup.alice)[0] == {a: 3, b: 5, c: 4}


def test_changed_in_database_only_is_kept(db: Database, tmp_path: Path) -> None:
    setup = _setup(db)
    a, b, c = setup.criteres
    path = _export(db, setup, tmp_path)
    notation = NotationService(db, user="bruno")
    ev = notation.evaluation(setup.dossiers[2], setup.alice)
    notation.save_notes(ev.id, ev.version, {a: 2})
    plan = plan_import(db, setup.campagne_id, read_scoring_file(path))
    assert plan.rows[2].kind == "base_seule"
    apply_import(db, plan, {})
    assert _notes(db, setup.dossiers[2], setup.alice)[0] == {a: 2}


def test_stale_plan_refused(db: Database, tmp_path: Path) -> None:
    setup = _setup(db)
    a, b, c = setup.criteres
    path = _export(db, setup, tmp_path)
    _fill(path, {"26-000001": {"Public QPV": 3}})
    plan = plan_import(db, setup.campagne_id, read_scoring_file(path))
    notation = NotationService(db, user="bruno")
    ev = notation.evaluation(setup.dossiers[0], setup.alice)
    notation.save_notes(ev.id, ev.version, {b: 2})
    with pytest.raises(UserError, match="modifié par bruno"):
        apply_import(db, plan, {})


def test_wrong_campagne_refused(db: Database, tmp_path: Path) -> None:
    setup = _setup(db)
    path = _export(db, setup, tmp_path)
    other = CampagneService(db, user="test").create(setup.contrat_id, 2025, statut="instruction")
    with pytest.raises(UserError, match=r"concerne la campagne 2026 — .*ouvrez la bonne campagne"):
        plan_import(db, other, read_scoring_file(path))


def test_tampered_header_refused(db: Database, tmp_path: Path) -> None:
    setup = _setup(db)
    path = _export(db, setup, tmp_path)
    wb = load_workbook(path)
    wb["Notation"].cell(HEADER_ROW, 8).value = "2. Budget maîtrisé"
    wb.save(path)
    with pytest.raises(
        UserError,
        match="la grille du fichier ne correspond pas à celle de la campagne .critère « 2. Budget » modifié",
    ):
        read_scoring_file(path)


def test_tampered_scale_refused(db: Database, tmp_path: Path) -> None:
    setup = _setup(db)
    path = _export(db, setup, tmp_path)
    wb = load_workbook(path)
    wb["Notation"].cell(SCALE_ROW, 7).value = "0–5"
    wb.save(path)
    with pytest.raises(UserError, match="ne correspond pas.*échelle modifiée"):
        read_scoring_file(path)


def test_grille_changed_in_database_refused(db: Database, tmp_path: Path) -> None:
    setup = _setup(db)
    path = _export(db, setup, tmp_path)
    grilles = GrilleService(db, user="chef")
    grille = grilles.get(setup.grille_id)
    data = [c.data() for c in grille.criteres]
    data[1] = CritereData("Budget", poids=3, echelle_min=0, echelle_max=5, id=data[1].id)
    grilles.save(setup.grille_id, grille.version, data)
    with pytest.raises(
        UserError,
        match="ne correspond pas à celle de la campagne .critère « Budget » modifié : poids 1 devenu 3",
    ):
        plan_import(db, setup.campagne_id, read_scoring_file(path))


def test_out_of_range_and_bad_values_named(db: Database, tmp_path: Path) -> None:
    setup = _setup(db)
    path = _export(db, setup, tmp_path)
    _fill(
        path,
        {
            "26-000001": {"Public QPV": 7, "Budget": "2,5"},
            "26-000002": {"Conflit d'intérêts (oui/non)": "peut-être"},
            "26-000003": {"Conflit d'intérêts (oui/non)": "oui", "Public QPV": 1},
        },
    )
    with pytest.raises(ValidationError) as info:
        read_scoring_file(path)
    problems = info.value.problems
    assert any(
        f"feuille « Notation », ligne {FIRST_ROW}, colonne G (« 1. Public QPV ») : note 7 hors de l'échelle 0–3"
        in p
        for p in problems
    )
    assert any("colonne H" in p and "« 2,5 » n'est pas un nombre entier" in p for p in problems)
    assert any(
        f"ligne {FIRST_ROW + 1}, colonne K" in p and "répondez « oui » ou « non »" in p for p in problems
    )
    assert any(f"ligne {FIRST_ROW + 2}, colonne L" in p and "motif obligatoire" in p for p in problems)
    assert len(problems) == 4  # the notes of a conflicted row are dropped, not refused


def test_not_a_scoring_file(tmp_path: Path) -> None:
    path = tmp_path / "autre.xlsx"
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet["A1"] = "Référence"
    wb.save(path)
    with pytest.raises(UserError, match=NOT_A_SCORING_FILE):
        read_scoring_file(path)
    garbage = tmp_path / "faux.xlsx"
    garbage.write_bytes(b"pas un classeur")
    with pytest.raises(UserError, match="n.est pas un classeur Excel"):
        read_scoring_file(garbage)


def test_evaluateur_unknown_here(db: Database, tmp_path: Path) -> None:
    setup = _setup(db)
    path = _export(db, setup, tmp_path)
    wb = load_workbook(path)
    meta = wb["_instructeur"]
    for row in meta.iter_rows():
        if row[0].value == "evaluateur_id":
            row[1].value = "999"
    wb.save(path)
    with pytest.raises(UserError, match="inconnu dans cette base"):
        plan_import(db, setup.campagne_id, read_scoring_file(path))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("colonnes", '{"conflit": 11, "motif": 12, "commentaire": 13}'),  # « total » missing
        ("colonnes", '{"total": 0, "conflit": 11, "motif": 12, "commentaire": 13}'),
        ("colonnes", "[10, 11, 12, 13]"),
        (
            "criteres",
            '[{"id": 1, "numero": 1, "libelle": "x", "entete": "1. x", "min": 0, "max": 3, '
            '"poids": 1, "colonne": -1}]',
        ),
        ("criteres", '{"id": 1}'),
    ],
)
def test_tampered_metadata_is_a_french_message(db: Database, tmp_path: Path, key: str, value: str) -> None:
    """Columns the export never writes (missing, outside the sheet, not a mapping) are refused
    with the file's name, never a traceback."""
    setup = _setup(db)
    path = _export(db, setup, tmp_path)
    wb = load_workbook(path)
    meta = wb[META_SHEET]
    row = next(r for r in range(1, meta.max_row + 1) if meta.cell(r, 1).value == key)
    meta.cell(row, 2).value = value
    wb.save(path)
    with pytest.raises(UserError, match=f"notation-alice.xlsx : {NOT_A_SCORING_FILE}"):
        read_scoring_file(path)
