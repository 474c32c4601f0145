"""Importing dossiers from a messy spreadsheet, on SQLite and PostgreSQL: mapping, totals row,
rejected rows with their Excel position, all-or-nothing, update by référence, porteur dedup."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from instructeur.domain.identifiers import make_siret
from instructeur.imports import dossiers as imp
from instructeur.imports.headers import normalize_header, propose_mapping
from instructeur.imports.reader import read_table
from instructeur.services.contrats import ContratService
from instructeur.storage.db import Database
from instructeur.storage.models import AuditLog, Dossier, LigneFinancement, Porteur, Transition
from tests.factories import World, build_world

TITLE = "Appel à projets 2026 — Contrat de ville"
HEADERS = [
    "N° dossier", "Structure", "SIRET", "Intitulé de l'action", "Coût total",
    "Montant demandé État", "Demandé Agglo", "Quartier(s)", "Date de début", "Suivi interne",
]  # fmt: skip
SIRET_PORTEL = make_siret("4420000000001")
SIRET_THEATRE = make_siret("5000000000001")
BAD_SIRET = "73282932000075"  # Élan Solidaire's SIRET with a wrong key


def messy_rows(*, fixed: bool = False, csv_text: bool = False) -> list[list[object]]:
    """Data rows (Excel rows 4 to 11). Rows 6–9 are wrong unless `fixed`."""

    def when(excel: object, text: str) -> object:
        return text if csv_text else excel

    return [
        ["26-001", "Élan Solidaire", "732 829 320 00074", "Atelier sociolinguistique", "12 500,00 €",
         when(8000, "8000"), "1 234,5", "Damrémont", when(datetime(2026, 3, 2), "02/03/2026"), "vu"],
        ["26-002", "Les Amis du Portel", SIRET_PORTEL, "Football", "12500", "5 000", "2 500",
         "Centre-Ville; chemin vert beaurepaire marlborough", "15/03/2025", None],
        ["26-003", "Théâtre du Détroit", SIRET_THEATRE if fixed else BAD_SIRET, "Théâtre forum",
         "3 000", "1 500", None, "Damrémont", None, None],
        ["26-004", "Compagnie X", None, "Danse", "3 000", "500" if fixed else "-500", None, None, None, None],
        ["26-005", "Compagnie Y", None, "Cinéma", "2000", "1000", None,
         "Résidences Sud du Boulonnais" if fixed else "Zorglub", None, None],
        ["26-007" if fixed else "26-001", "Compagnie Z", None, "Chorale", "800", "400", None, None, None, None],
        ["26-006", "Les Amis du Portel", SIRET_PORTEL, "Natation", when(1500.5, "1500,5"), None, "750",
         "Damrémont", when(46100, "46100"), None],
        ["TOTAL", None, None, None, "35 300,50", "16 400", "4 484,5", None, None, None],
    ]  # fmt: skip


def write_xlsx(path: Path, rows: list[list[object]], headers: list[str] = HEADERS) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append([TITLE])
    ws.append([])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list[object]], encoding: str = "cp1252", delimiter: str = ";") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow([TITLE])
        writer.writerow([])
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


def messy_file(tmp_path: Path, kind: str, *, fixed: bool = False, name: str = "dossiers") -> Path:
    if kind == "xlsx":
        return write_xlsx(tmp_path / f"{name}.xlsx", messy_rows(fixed=fixed))
    return write_csv(tmp_path / f"{name}.csv", messy_rows(fixed=fixed, csv_text=True))


EXPECTED_REJECTIONS = [
    (6, "SIRET", f"SIRET invalide : « {BAD_SIRET} » (clé de contrôle erronée)"),
    (7, "Montant demandé État", "montant négatif : « -500 »"),
    (8, "Quartier(s)", "quartier inconnu : « Zorglub »"),
    (9, "N° dossier", "référence en double dans le fichier (déjà ligne 4)"),
]


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {
            model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Dossier, Porteur, LigneFinancement, Transition, AuditLog)
        }


def dossier(db: Database, reference: str) -> Dossier:
    from sqlalchemy.orm import selectinload

    with db.session() as s:
        d = s.scalars(
            select(Dossier)
            .where(Dossier.reference == reference)
            .options(
                selectinload(Dossier.lignes), selectinload(Dossier.quartiers), selectinload(Dossier.porteur)
            )
        ).one()
        s.expunge_all()
        return d


# --- Headers ---------------------------------------------------------------------------------


def test_header_normalisation() -> None:
    assert normalize_header("N° SIRET") == "n siret"
    assert normalize_header("  Numéro   de dossier ") == "n de dossier"
    assert normalize_header("No dossier") == normalize_header("N° dossier") == "n dossier"
    assert normalize_header("Coût total (€)") == "cout total"
    assert normalize_header("Quartier(s)") == "quartier s"


def test_every_synonym_designates_its_own_field() -> None:
    from instructeur.imports.headers import SYNONYMS, match_header

    clashes = [
        (text, key, match_header(text, []))
        for key, texts in SYNONYMS.items()
        for text in texts
        if match_header(text, []) != key
    ]
    assert clashes == []
    assert match_header("% QPV", []) == "part_qpv_pct"
    assert match_header("QPV", []) == "quartiers"


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_mapping_found_below_title_rows(db: Database, world: World, tmp_path: Path, kind: str) -> None:
    financeurs = ContratService(db).financeurs(world.contrat_id)
    mapping = propose_mapping(read_table(messy_file(tmp_path, kind)), financeurs)
    assert mapping.header_row == 3
    assert mapping.columns == {
        "reference": 0, "raison_sociale": 1, "siret": 2, "intitule": 3, "cout_total_cents": 4,
        "demande:ETAT": 5, "demande:EPCI": 6, "quartiers": 7, "date_debut": 8,
    }  # fmt: skip
    assert mapping.unrecognised == (9,)


def test_synonyms_and_financeur_words(db: Database, world: World, tmp_path: Path) -> None:
    headers = [
        "Numéro de dossier", "Nom de la structure", "N° SIRET", "N° W", "Titre du projet", "Budget total",
        "Subvention sollicitée CAF", "Montant demandé", "Fonds propres", "Quartier prioritaire", "Axe",
        "Reconduction", "Cotation F/H déclarée", "Dont femmes", "Date de dépôt", "Montant demandé Région",
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "s.xlsx", [], headers)
    financeurs = ContratService(db).financeurs(world.contrat_id)
    mapping = propose_mapping(read_table(path), financeurs)
    assert mapping.columns == {
        "reference": 0, "raison_sociale": 1, "siret": 2, "rna": 3, "intitule": 4, "cout_total_cents": 5,
        "demande:CAF": 6, "demande:ETAT": 7, "fonds_propres": 8, "quartiers": 9, "objectif_id": 10,
        "reconduite": 11, "cotation_declaree": 12, "public_femmes": 13, "date_depot": 14,
    }  # fmt: skip
    assert mapping.unknown_amounts == (15,)  # the contrat has no Région financeur


# --- Preview ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_messy_file_preview_rejects_exactly_the_bad_rows(
    db: Database, world: World, tmp_path: Path, kind: str
) -> None:
    path = messy_file(tmp_path, kind)
    p = imp.preview(db, world.campagne_id, path)
    assert p.header_row == 3
    assert p.totals_rows == (11,)
    assert p.unrecognised == ("Suivi interne",)
    got = [(r.row, r.column, r.reason) for r in p.rejected]
    assert [(row, column) for row, column, _ in got] == [
        (row, column) for row, column, _ in EXPECTED_REJECTIONS
    ]
    for (_, _, reason), (_, _, expected) in zip(got, EXPECTED_REJECTIONS, strict=True):
        assert reason.startswith(expected)
    assert "Centre Ville, Chemin Vert - Beaurepaire et Marlborough, Damrémont" in got[2][2]
    assert str(p.rejected[0]) == f"{path.name}, ligne 6, colonne « SIRET » : {EXPECTED_REJECTIONS[0][2]}"
    assert [c.reference for c in p.to_create] == ["26-001", "26-002", "26-006"]
    assert p.porteurs_reused == ("Élan Solidaire",)
    assert p.porteurs_to_create == ("Les Amis du Portel",)  # once, although on two rows


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_apply_refuses_and_writes_nothing(db: Database, world: World, tmp_path: Path, kind: str) -> None:
    before = counts(db)
    with pytest.raises(imp.ImportRejected) as info:
        imp.apply(db, world.campagne_id, messy_file(tmp_path, kind), user="test")
    assert [p.row for p in info.value.problems] == [6, 7, 8, 9]
    assert "4 lignes rejetées" in info.value.message
    assert counts(db) == before


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_fixed_file_creates_dossiers_with_exact_cents(
    db: Database, world: World, tmp_path: Path, kind: str
) -> None:
    before = counts(db)
    result = imp.apply(db, world.campagne_id, messy_file(tmp_path, kind, fixed=True), user="import")
    assert len(result.created_ids) == 7 and not result.updated_ids
    after = counts(db)
    assert after["dossier"] == before["dossier"] + 7
    assert after["porteur"] == before["porteur"] + 5  # Portel once, Théâtre, X, Y, Z; Élan reused
    assert after["transition"] == before["transition"] + 7

    d1 = dossier(db, "26-001")
    assert d1.porteur_id == world.porteur_id
    assert d1.cout_total_cents == 1_250_000
    assert {(li.financeur_id, li.demande_cents) for li in d1.lignes} == {
        (world.financeurs["ETAT"], 800_000),
        (world.financeurs["EPCI"], 123_450),
    }
    assert d1.date_debut == date(2026, 3, 2)
    assert [q.nom for q in d1.quartiers] == ["Damrémont"]
    assert d1.statut == "depose"

    d2 = dossier(db, "26-002")
    assert d2.cout_total_cents == 1_250_000
    assert d2.date_debut == date(2025, 3, 15)
    assert sorted(q.nom for q in d2.quartiers) == ["Centre Ville", "Chemin Vert - Beaurepaire et Marlborough"]

    d6 = dossier(db, "26-006")
    assert d6.porteur_id == d2.porteur_id
    assert d6.cout_total_cents == 150_050
    assert d6.date_debut == date(2026, 3, 19)  # Excel serial 46100
    with db.session() as s:
        transitions = s.scalars(select(Transition).where(Transition.dossier_id == d6.id)).all()
        assert [(t.de_statut, t.vers_statut, t.utilisateur) for t in transitions] == [
            (None, "depose", "import")
        ]
        assert s.scalar(select(func.count()).select_from(Porteur).where(Porteur.siret == SIRET_PORTEL)) == 1


def test_cout_total_defaults_to_sum_of_lines(db: Database, world: World, tmp_path: Path) -> None:
    headers = ["Référence", "Porteur", "Intitulé", "Demandé État", "Demandé CAF", "Fonds propres"]
    path = write_xlsx(tmp_path / "f.xlsx", [["A-1", "Asso", "Action", 1000, "250,25", "99,75"]], headers)
    imp.apply(db, world.campagne_id, path, user="t")
    d = dossier(db, "A-1")
    assert d.cout_total_cents == 135_000
    assert [(li.libelle, li.demande_cents) for li in d.lignes if li.financeur_id is None] == [
        ("Fonds propres", 9_975)
    ]


def test_reimport_same_file_changes_nothing(db: Database, world: World, tmp_path: Path) -> None:
    path = messy_file(tmp_path, "xlsx", fixed=True)
    imp.apply(db, world.campagne_id, path, user="t")
    before = counts(db)
    result = imp.apply(db, world.campagne_id, path, user="t")
    assert result.created_ids == () and result.updated_ids == ()
    assert len(result.preview.unchanged) == 7
    assert result.preview.summary() == "0 dossier créé, 0 mis à jour, 7 inchangés"
    assert counts(db) == before


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_modified_amount_updates_with_diff(db: Database, world: World, tmp_path: Path, kind: str) -> None:
    imp.apply(db, world.campagne_id, messy_file(tmp_path, kind, fixed=True), user="t")
    version = dossier(db, "26-002").version
    rows = messy_rows(fixed=True, csv_text=kind == "csv")
    rows[1][5] = "6 000"
    path = write_xlsx(tmp_path / "v2.xlsx", rows) if kind == "xlsx" else write_csv(tmp_path / "v2.csv", rows)
    porteurs = counts(db)["porteur"]
    result = imp.apply(db, world.campagne_id, path, user="relecteur")
    assert len(result.updated_ids) == 1 and not result.created_ids
    (planned,) = result.preview.to_update
    assert planned.reference == "26-002"
    assert [str(c) for c in planned.changes] == [
        "Montant demandé État 5\u00a0000,00\u00a0€ → 6\u00a0000,00\u00a0€"
    ]
    assert result.preview.summary() == (
        "0 dossier créé, 1 mis à jour (référence 26-002 : Montant demandé État 5\u00a0000,00\u00a0€ → "
        "6\u00a0000,00\u00a0€), 6 inchangés"
    )
    d2 = dossier(db, "26-002")
    assert {li.financeur_id: li.demande_cents for li in d2.lignes}[world.financeurs["ETAT"]] == 600_000
    assert d2.version == version + 1 and d2.updated_by == "relecteur"
    assert counts(db)["porteur"] == porteurs


def test_decided_dossier_is_not_modified(db: Database, world: World, tmp_path: Path) -> None:
    imp.apply(db, world.campagne_id, messy_file(tmp_path, "xlsx", fixed=True), user="t")
    with db.session() as s:
        s.scalars(select(Dossier).where(Dossier.reference == "26-002")).one().statut = "retenu"
    # Same file: nothing to change, accepted.
    assert imp.preview(db, world.campagne_id, messy_file(tmp_path, "xlsx", fixed=True)).ok
    rows = messy_rows(fixed=True)
    rows[1][5] = "6 000"
    p = imp.preview(db, world.campagne_id, write_xlsx(tmp_path / "v2.xlsx", rows))
    assert [(r.row, r.column, r.reason) for r in p.rejected] == [
        (5, None, "dossier déjà décidé (retenu), non modifié")
    ]


def test_crash_midway_leaves_database_unchanged(
    db: Database, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = counts(db)

    def boom(*args: object) -> tuple[int, ...]:
        raise RuntimeError("panne simulée")

    # in the writer's thread on PostgreSQL (dossiers_write.OverlappedWriter), in this one on SQLite
    monkeypatch.setattr("instructeur.imports.dossiers_write.write_creates", boom)
    with pytest.raises(RuntimeError):
        imp.apply(db, world.campagne_id, messy_file(tmp_path, "xlsx", fixed=True), user="t")
    assert counts(db) == before


def test_values_objectif_cotation_reconduite_and_qpv_code(db: Database, world: World, tmp_path: Path) -> None:
    headers = ["Réf.", "Organisme", "Intitulé", "Objectif", "Cotation", "Nouvelle action", "Part QPV",
               "Public prévu", "Dont femmes", "QPV"]  # fmt: skip
    rows = [
        ["B-1", "Asso", "A", "1.1.2", "G1", "non", "45 %", "20", "12", "Damrémont / Centre Ville"],
        ["B-2", "Asso", "B", "Réduire les inégalités Femmes/Hommes", 2, "oui", 0.8, 10, 4, None],
        ["B-3", "Asso", "C", "Quartiers de plein", "3", "peut-être", "120", None, None, None],
        ["B-4", "Asso", "D", "Zzz", None, None, None, None, None, None],
        ["B-5", "Asso", "E", None, None, None, None, "5", "9", None],
    ]
    p = imp.preview(db, world.campagne_id, write_xlsx(tmp_path / "v.xlsx", rows, headers))
    assert [(r.row, r.column) for r in p.rejected] == [
        (6, "Cotation"), (6, "Nouvelle action"), (6, "Part QPV"), (7, "Objectif"), (8, None),
    ]  # fmt: skip
    assert (
        p.rejected[3].reason == "objectif inconnu : « Zzz » (code ou intitulé du cadre stratégique attendu)"
    )
    assert p.rejected[4].reason == "public : femmes + hommes dépassent le public prévu"
    assert [c.reference for c in p.to_create] == ["B-1", "B-2"]
    # A QPV may be named by its official code once known.
    with db.session() as s:
        from instructeur.storage.models import Quartier

        s.get(Quartier, world.quartiers["Damrémont"]).code = "QN06213A"  # type: ignore[union-attr]
    ok = imp.apply(
        db, world.campagne_id, write_xlsx(tmp_path / "w.xlsx", [rows[0], rows[1]], headers), user="t"
    )
    assert len(ok.created_ids) == 2
    b1, b2 = dossier(db, "B-1"), dossier(db, "B-2")
    assert (b1.cotation_declaree, b1.reconduite, b1.part_qpv_pct, b1.public_prevu, b1.public_femmes) == (
        1, True, 45, 20, 12,
    )  # fmt: skip
    assert sorted(q.nom for q in b1.quartiers) == ["Centre Ville", "Damrémont"]
    assert (b2.cotation_declaree, b2.reconduite, b2.part_qpv_pct) == (2, False, 80)
    with db.session() as s:
        from instructeur.storage.models import Objectif

        assert s.get(Objectif, b1.objectif_id).code == "1.1.2"  # type: ignore[union-attr]
        assert b2.objectif_id == b1.objectif_id
    rows[0][9] = "QN06213A"
    p2 = imp.preview(db, world.campagne_id, write_xlsx(tmp_path / "x.xlsx", [rows[0]], headers))
    assert [str(c) for c in p2.to_update[0].changes] == ["QPV Centre Ville, Damrémont → Damrémont"]


def test_unknown_financeur_column_with_amount_is_rejected(db: Database, world: World, tmp_path: Path) -> None:
    headers = ["N° dossier", "Structure", "Intitulé", "Montant demandé Région"]
    path = write_xlsx(
        tmp_path / "r.xlsx", [["C-1", "Asso", "A", "1 000"], ["C-2", "Asso", "B", None]], headers
    )
    p = imp.preview(db, world.campagne_id, path)
    assert [(r.row, r.column) for r in p.rejected] == [(4, "Montant demandé Région")]
    assert "aucun financeur du contrat" in p.rejected[0].reason


def test_mapping_override(db: Database, world: World, tmp_path: Path) -> None:
    headers = ["N° dossier", "Structure", "Intitulé", "Part Agglomération"]
    path = write_xlsx(tmp_path / "o.xlsx", [["D-1", "Asso", "A", "1 000"]], headers)
    financeurs = imp.campagne_financeurs(db, world.campagne_id)
    base = propose_mapping(read_table(path), financeurs)
    assert "demande:EPCI" not in base.columns
    mapping = imp.with_overrides(base, {"demande:EPCI": "D"}, financeurs)
    imp.apply(db, world.campagne_id, path, mapping, user="t")
    assert [li.demande_cents for li in dossier(db, "D-1").lignes] == [100_000]


def test_objectif_is_taken_from_the_main_cadre_only(db: Database, tmp_path: Path) -> None:
    """Saint-Omer's ambitions (« A1 »…) are another classification: no objectif principal."""
    so = build_world(db, "saint-omer-2024")
    headers = ["N° dossier", "Structure", "Intitulé de l'action", "Coût total", "Montant demandé État", "Objectif"]
    rows: list[list[object]] = [
        ["26-101", "Compagnie A", "Atelier", "1 000", "500", "3.2"],
        ["26-102", "Compagnie B", "Chorale", "1 000", "500", "A1"],
    ]
    path = write_xlsx(tmp_path / "so.xlsx", rows, headers)
    p = imp.preview(db, so.campagne_id, path)
    assert [c.reference for c in p.to_create] == ["26-101"]
    assert [(r.row, r.column) for r in p.rejected] == [(5, "Objectif")]
    choices = imp.value_choices(db, so.campagne_id)["objectif_id"]
    assert "3.2" in " ".join(choices) and not any(c.startswith("A1 ") for c in choices)
