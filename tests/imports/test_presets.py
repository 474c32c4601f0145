"""Platform exports imported as they come, with no --mapping (both engines): a démarches-simplifiées
workbook (« Dossiers » + « Etablissements » + « Avis ») and a Dauphin-shaped extraction; warnings that
do not block; QPV abbreviations."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from instructeur.cli.main import main
from instructeur.domain.identifiers import make_siret
from instructeur.domain.statuts import Statut
from instructeur.imports import dossiers as imp
from instructeur.imports.values import QuartierIndex
from instructeur.storage.db import open_database
from instructeur.storage.models import Dossier, Porteur, Transition
from tests.factories import World, build_world

SIRET_PORTEL = make_siret("4420000000001")
SIRET_ELAN = "73282932000074"  # known as « Élan Solidaire » (build_world)
DS_HEADERS = [
    "ID", "Email", "Entreprise raison sociale", "Archivé", "État du dossier", "Dernière mise à jour le",
    "Déposé le", "Passé en instruction le", "Traité le", "Motivation de la décision", "Instructeurs",
    # the démarche's own fields
    "Intitulé de l'action", "Coût total", "Montant demandé État", "Quartier(s)", "Public visé",
    "Avez-vous déjà été financé ?",
    # annotations privées
    "Avis du chef de projet",
]  # fmt: skip
ETAB_HEADERS = [
    "Dossier ID", "Champ", "Établissement SIRET", "Établissement siège social", "Établissement NAF",
    "Établissement Adresse", "Établissement numero voie", "Établissement type voie", "Établissement nom voie",
    "Établissement complément adresse", "Établissement code postal", "Établissement localité",
    "Entreprise forme juridique", "Entreprise raison sociale", "Association RNA", "Association titre",
]  # fmt: skip


def ds_export(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Dossiers"
    ws.append(DS_HEADERS)
    d = datetime(2026, 1, 15, 10, 30)
    ws.append(
        [
            10452,
            "contact@amisduportel.fr",
            None,
            "false",
            "Accepté",
            d,
            d,
            d,
            datetime(2026, 2, 1),
            "Projet conforme au contrat de ville",
            "cdp@agglo.fr",
            "Football au pied des tours",
            4000,
            3000,
            "Beaurepaire",
            40,
            "oui",
            "Porteur fiable",
        ]
    )
    ws.append(
        [
            10453,
            "elan@asso.fr",
            "ELAN SOLIDAIRE ASSOCIATION",
            "false",
            "En instruction",
            d,
            d,
            d,
            None,
            None,
            "cdp@agglo.fr",
            "Atelier sociolinguistique",
            9500,
            5500,
            "Chemin Vert",
            25,
            "non",
            None,
        ]
    )
    ws.append([10454, "x@y.fr", "Compagnie Z", "false", "En construction", d, d, None, None, None, None,
               "Chorale", 800, 1200, "Centre Ville", None, None, None])  # fmt: skip
    etab = wb.create_sheet("Etablissements")
    etab.append(ETAB_HEADERS)
    etab.append(
        [
            10452,
            "Dossier",
            SIRET_PORTEL,
            "true",
            "94.99Z",
            "12 rue des Sports 62480 Le Portel",
            "12",
            "rue",
            "des Sports",
            None,
            "62480",
            "Le Portel",
            "Association déclarée",
            None,
            "W623009876",
            "Les Amis du Portel",
        ]
    )
    etab.append(
        [
            10452,
            "SIRET du partenaire",
            make_siret("5000000000001"),
            "true",
            None,
            None,
            None,
            None,
            None,
            None,
            "62200",
            "Boulogne-sur-Mer",
            None,
            "Partenaire",
            None,
            None,
        ]
    )
    etab.append(
        [
            10453,
            "Dossier",
            SIRET_ELAN,
            "true",
            None,
            "3 place Dalton 62200 Boulogne-sur-Mer",
            None,
            None,
            None,
            None,
            "62200",
            "Boulogne-sur-Mer",
            "Association déclarée",
            None,
            None,
            None,
        ]
    )
    # fmt: skip
    avis = wb.create_sheet("Avis")
    avis.append(["Dossier ID", "Question / Introduction", "Réponse", "Créé le", "Répondu le"])
    wb.save(path)
    return path


def dauphin_export(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Extraction"
    ws.append(["Extraction Dauphin — Politique de la ville 2026"])
    ws.append(["N° dossier Dauphin", "Raison sociale du tiers", "SIRET du tiers", "Adresse du tiers",
               "Code postal du tiers", "Commune du tiers", "Intitulé du dossier", "Coût total du projet",
               "Montant sollicité", "QPV", "Statut du dossier"])  # fmt: skip
    ws.append(["2026-00012", "Les Amis du Portel", SIRET_PORTEL, "12 rue des Sports", "62480", "Le Portel",
               "Football", "5 000", "2 500", "Damrémont", "Transmis"])  # fmt: skip
    wb.save(path)
    return path


@pytest.fixture
def base(engine_url: str, tmp_path: Path) -> tuple[str, World]:
    db = open_database(engine_url, backup_dir=tmp_path)
    world = build_world(db)
    db.close()
    return engine_url, world


def test_demarches_simplifiees_export_without_mapping(
    base: tuple[str, World], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, world = base
    path = ds_export(tmp_path / "export-ds.xlsx")
    code = main(["--db", url, "import", "dossiers", str(path), "--campagne", str(world.campagne_id)])
    out, err = capsys.readouterr()
    (tmp_path / "report.txt").write_text(out)
    assert (code, err) == (0, ""), err
    assert out.splitlines()[0] == "export-ds.xlsx : export démarches-simplifiées reconnu"
    assert "« ID » → N° dossier" in out and "« SIRET (plateforme) » → SIRET" in out
    # Warnings listed, not blocking: the SIRET known under another name, the unbalanced plans.
    assert (
        "Avertissement : export-ds.xlsx, ligne 3, colonne « SIRET (plateforme) » : SIRET connu sous le nom "
        "« Élan Solidaire » (fichier : « ELAN SOLIDAIRE ASSOCIATION ») : rattaché à ce porteur" in out
    )
    assert (
        "ligne 3 : plan de financement déséquilibré : les ressources (5\u00a0500,00\u00a0€) diffèrent du coût total (9\u00a0500,00\u00a0€)"
        in out
    )
    assert (
        "ligne 4, colonne « Montant demandé État » : montant demandé État — Préfecture du Pas-de-Calais (1\u00a0200,00\u00a0€) supérieur au coût total (800,00\u00a0€)"
        in out
    )
    assert out.splitlines()[-1] == "3 dossiers créés, 0 mis à jour, 0 inchangé"

    db = open_database(url)
    try:
        with db.session() as s:
            d = s.scalars(select(Dossier).where(Dossier.reference == "10452")).one()
            assert d.statut == Statut.DEPOSE.value  # the platform's « Accepté » is history, not our statut
            assert [q.nom for q in d.quartiers] == ["Chemin Vert - Beaurepaire et Marlborough"]
            assert (
                d.observations
                == "Avez-vous déjà été financé ? : oui\nAvis du chef de projet : Porteur fiable"
            )
            assert d.date_depot == datetime(2026, 1, 15).date()
            p = s.get(Porteur, d.porteur_id)
            assert p is not None
            assert (p.raison_sociale, p.siret, p.rna) == ("Les Amis du Portel", SIRET_PORTEL, "W623009876")
            assert (p.adresse, p.code_postal, p.ville) == ("12 rue des Sports", "62480", "Le Portel")
            assert p.forme_juridique == "Association déclarée"
            assert p.contact_email == "contact@amisduportel.fr"
            motivation = s.scalars(select(Transition.motivation).where(Transition.dossier_id == d.id)).one()
            assert motivation == (
                "démarches-simplifiées : dossier « Accepté » le 01/02/2026 ; "
                "motivation : Projet conforme au contrat de ville"
            )
            elan = s.scalars(select(Dossier).where(Dossier.reference == "10453")).one()
            assert elan.porteur_id == world.porteur_id  # rattaché by default
            assert [q.nom for q in elan.quartiers] == ["Chemin Vert - Beaurepaire et Marlborough"]
    finally:
        db.close()


def test_siret_conflict_new_porteur_on_request(base: tuple[str, World], tmp_path: Path) -> None:
    url, world = base
    db = open_database(url)
    try:
        options = imp.ImportOptions(nouveaux_porteurs=frozenset({SIRET_ELAN}))
        result = imp.apply(db, world.campagne_id, ds_export(tmp_path / "ds.xlsx"), options=options)
        assert [c.known_as for c in result.preview.siret_conflicts] == ["Élan Solidaire"]
        with db.session() as s:
            elan = s.scalars(select(Dossier).where(Dossier.reference == "10453")).one()
            p = s.get(Porteur, elan.porteur_id)
            assert p is not None and (p.raison_sociale, p.siret) == ("ELAN SOLIDAIRE ASSOCIATION", None)
    finally:
        db.close()


def test_dauphin_export_without_mapping(base: tuple[str, World], tmp_path: Path) -> None:
    url, world = base
    db = open_database(url)
    try:
        path = dauphin_export(tmp_path / "dauphin.xlsx")
        preview = imp.preview(db, world.campagne_id, path)
        assert preview.announcement == "export Dauphin reconnu"
        assert preview.ok, [str(p) for p in preview.rejected]
        assert "Statut du dossier" not in {c.header for c in preview.columns}
        imp.apply(db, world.campagne_id, path)
        with db.session() as s:
            d = s.scalars(select(Dossier).where(Dossier.reference == "2026-00012")).one()
            p = s.get(Porteur, d.porteur_id)
            assert p is not None and (p.siret, p.ville, p.code_postal) == (SIRET_PORTEL, "Le Portel", "62480")
            assert (d.intitule, d.cout_total_cents, d.statut) == ("Football", 5_000_00, Statut.DEPOSE.value)
            assert [li.demande_cents for li in d.lignes] == [2_500_00]
            motivation = s.scalars(select(Transition.motivation).where(Transition.dossier_id == d.id)).one()
            assert motivation == "Dauphin : dossier « Transmis »"
    finally:
        db.close()


def _q(qid: int, nom: str, code: str | None = None, aliases: tuple[str, ...] = ()) -> SimpleNamespace:
    return SimpleNamespace(id=qid, nom=nom, code=code, aliases=[SimpleNamespace(alias=a) for a in aliases])


def test_qpv_abbreviations_match_when_unambiguous() -> None:
    index = QuartierIndex(
        [
            _q(1, "Chemin Vert - Beaurepaire et Marlborough", "QN06201M"),
            _q(2, "Résidences Sud du Boulonnais", aliases=("Tour du Renard",)),
            _q(3, "Beaurepaire Nord"),
            _q(4, "Centre Ville"),
        ]  # type: ignore[list-item]
    )
    assert index.find("Chemin Vert").id == 1  # type: ignore[union-attr]
    assert index.find("chemin-vert").id == 1  # type: ignore[union-attr]
    assert index.find("Marlborough").id == 1  # type: ignore[union-attr]
    assert index.find("qn06201m").id == 1  # type: ignore[union-attr]
    assert index.find("Renard").id == 2  # type: ignore[union-attr]
    assert index.find("Beaurepaire") is None  # two quartiers have it: ambiguous
    assert index.find("et") is None and index.find("du") is None  # short words designate nothing
    assert index.find("Zorglub") is None
    assert index.suggest("Chemin Vert Sud")[0] == "Chemin Vert - Beaurepaire et Marlborough"


def test_bulk_import_keeps_the_journal_chain_and_the_guard(base: tuple[str, World], tmp_path: Path) -> None:
    """Batch inserts still go through the flush guard and append a valid journal chain."""
    from instructeur.errors import ValidationError
    from instructeur.storage.journal_chain import verify
    from instructeur.storage.models import AuditLog
    from tests.imports.test_dossiers_import import write_xlsx

    url, world = base
    db = open_database(url)
    try:
        imp.apply(db, world.campagne_id, ds_export(tmp_path / "ds.xlsx"))
        with db.session() as s:
            assert verify(s.connection()).ok
            entities = s.scalars(select(AuditLog.entity).where(AuditLog.action == "create")).all()
            assert entities.count("dossier") >= 3 and entities.count("porteur") >= 2
        headers = ["N° dossier", "Structure", "Intitulé", "Public prévu"]
        huge = write_xlsx(tmp_path / "huge.xlsx", [["H-1", "Asso", "Action", "3000000000"]], headers)
        with pytest.raises(ValidationError, match="nombre trop grand"):
            imp.apply(db, world.campagne_id, huge)
        with db.session() as s:
            assert s.scalars(select(Dossier).where(Dossier.reference == "H-1")).first() is None
    finally:
        db.close()
