"""Notification letters: data, generation, safe file names, states (both engines)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from instructeur.errors import UserError, ValidationError
from instructeur.services.notifications import NotificationService, NotificationSettings, salutation
from instructeur.services.porteurs import PorteurData, PorteurService
from instructeur.storage.db import Database
from instructeur.storage.models import Comite, ComitePoint, Dossier, Notification, Porteur
from tests.factories import World, build_world, create_dossier

NBSP = "\u00a0"


def decide(
    db: Database,
    dossier_id: int,
    decision: str,
    votes: dict[int, int] | None = None,
    *,
    motivation: str | None = None,
    conditions: str | None = None,
) -> None:
    with db.session() as s:
        d = s.get(Dossier, dossier_id)
        assert d is not None
        d.statut = decision
        d.decision = decision
        for ligne in d.lignes:
            if ligne.financeur_id is not None:
                ligne.vote_cents = (votes or {}).get(ligne.financeur_id, 0)
        comite = s.scalar(select(Comite).where(Comite.campagne_id == d.campagne_id))
        if comite is None:
            comite = Comite(campagne_id=d.campagne_id, type="financeurs", date_seance=date(2026, 3, 1))
            s.add(comite)
            s.flush()
        s.add(
            ComitePoint(
                comite_id=comite.id,
                dossier_id=d.id,
                decision=decision,
                motivation=motivation,
                conditions=conditions,
            )
        )


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


@pytest.fixture
def world(db: Database) -> World:
    w = build_world(db)
    with db.session() as s:
        p = s.get(Porteur, w.porteur_id)
        assert p is not None
        p.representant_civilite, p.representant_prenom, p.representant_nom = "Mme", "Claire", "Dupont"
        p.representant_fonction, p.adresse, p.code_postal, p.ville = (
            "Présidente",
            "3 rue Pasteur",
            "62200",
            "Boulogne",
        )
    return w


def service(db: Database) -> NotificationService:
    svc = NotificationService(db, user="test")
    svc.save_settings(
        NotificationSettings(
            ville="Boulogne-sur-Mer", signataire="Jean Martin", fonction_signataire="Le Président",
            expediteur="Communauté d'agglomération du Boulonnais",
        )
    )
    return svc


def test_attribution_letter(db: Database, world: World, tmp_path: Path) -> None:
    did = create_dossier(db, world, "26-000001")
    decide(db, did, "retenu", {world.financeurs["EPCI"]: 12_500_00, world.financeurs["ETAT"]: 4_000_00},
           conditions="Bilan intermédiaire à fournir en septembre.")  # fmt: skip
    svc = service(db)
    (letter,) = svc.letters(world.campagne_id)
    assert letter.modele == "attribution"
    assert letter.financeur_id == world.financeurs["EPCI"]  # the pilot (EPCI by default)
    text = svc.preview(did)
    assert "Madame la Présidente" in text
    assert f"12{NBSP}500,00{NBSP}€" in text and "douze mille cinq cents euros" in text
    assert "État — Préfecture du Pas-de-Calais" in text and f"4{NBSP}000,00{NBSP}€" in text
    assert "Bilan intermédiaire" in text and "1er mars 2026" in text
    assert "convention" not in text  # 12 500 € ≤ 23 000 €
    assert "15059" in text and "contrat d'engagement républicain" in text  # RNA → association

    res = svc.generate(world.campagne_id, tmp_path / "out", date_lettre=date(2026, 4, 2))
    (path,) = res.files
    assert path.name == "26-000001_Elan_Solidaire.pdf"
    content = pdf_text(path)
    assert "Élan Solidaire" in content and "26-000001" in content
    # Kept on one line (no-break spaces; pypdf extracts them as plain spaces).
    assert re.search("12[ \u00a0]500,00[ \u00a0]€", content) and "douze mille cinq cents euros" in content
    assert "\u202f" not in content
    rows = svc.list(world.campagne_id)
    assert [(r.etat, r.date_generation, r.fichier) for r in rows] == [
        ("a_signer", date(2026, 4, 2), str(path))
    ]


def test_convention_above_23000(db: Database, world: World) -> None:
    did = create_dossier(db, world, "26-000002")
    decide(db, did, "retenu", {world.financeurs["EPCI"]: 23_000_01})
    text = service(db).preview(did)
    assert "convention" in text and "23 000 €".replace(" ", NBSP) in text
    did2 = create_dossier(db, world, "26-000003")
    decide(db, did2, "retenu", {world.financeurs["EPCI"]: 23_000_00})
    assert "signature d'une convention" not in service(db).preview(did2)


def test_pilot_setting_and_fallback(db: Database, world: World) -> None:
    did = create_dossier(db, world)
    decide(db, did, "retenu", {world.financeurs["ETAT"]: 3_000_00})
    svc = service(db)
    (letter,) = svc.letters(world.campagne_id)
    assert letter.financeur_id == world.financeurs["ETAT"]  # the EPCI voted nothing
    assert letter.fields["autres_financeurs"] == ""
    svc.save_settings(NotificationSettings(financeur_signataire="ETAT"))
    assert svc.settings().financeur_signataire == "ETAT"


def test_refus_and_ajournement(db: Database, world: World, tmp_path: Path) -> None:
    ref = create_dossier(db, world, "26-000010")
    aj = create_dossier(db, world, "26-000011")
    decide(db, ref, "refuse", motivation="Action hors des priorités du contrat de ville.")
    decide(db, aj, "ajourne", motivation="Budget à préciser.")
    svc = service(db)
    refus = svc.preview(ref)
    assert "hors des priorités" in refus and "recours gracieux" in refus and "tribunal administratif" in refus
    assert "deux mois" in refus and "Télérecours citoyens" in refus
    ajournement = svc.preview(aj)
    assert (
        "ajourner" in ajournement and "Budget à préciser" in ajournement and "prochain comité" in ajournement
    )
    res = svc.generate(world.campagne_id, tmp_path, merged=tmp_path / "signer.pdf")
    assert len(res.files) == 2
    pages = sum(len(PdfReader(str(p)).pages) for p in res.files)
    assert res.merged is not None and len(PdfReader(str(res.merged)).pages) == pages
    assert "recours" in pdf_text(next(p for p in res.files if "26-000010" in p.name))


@pytest.mark.parametrize("nom", ["../x", "CON", "a/b\\c", "Élan « Solidaire »"])
def test_safe_file_names(db: Database, world: World, tmp_path: Path, nom: str) -> None:
    pid = PorteurService(db, user="test").create(PorteurData(raison_sociale=nom))
    did = create_dossier(db, world, "../26/000020", porteur_id=pid)
    decide(db, did, "retenu", {world.financeurs["EPCI"]: 1_000_00})
    folder = tmp_path / "lettres"
    (path,) = service(db).generate(world.campagne_id, folder).files
    assert path.parent == folder.resolve() and path.exists()
    assert set(p.name for p in tmp_path.rglob("*.pdf")) == {path.name}
    stem = path.stem.split("_", 1)
    assert ".." not in path.name and "/" not in path.name and "\\" not in path.name
    assert path.stem.upper() != "CON" and stem[0] != ""


def test_states_forward_only_and_dossier_notified(db: Database, world: World, tmp_path: Path) -> None:
    did = create_dossier(db, world)
    decide(db, did, "retenu", {world.financeurs["EPCI"]: 5_000_00})
    svc = service(db)
    (nid,) = svc.generate(world.campagne_id, tmp_path).notification_ids
    back = svc.mark([nid], "a_signer")
    assert back.changed == () and "arrière" in back.refused[0][1]
    assert svc.mark([nid], "a_notifier", date(2026, 4, 5)).changed == (nid,)
    assert svc.mark([nid], "a_signer").refused
    result = svc.mark([nid], "notifie", date(2026, 4, 8))
    assert result.changed == (nid,) and result.dossiers_notifies == (did,)
    with db.session() as s:
        n = s.get(Notification, nid)
        assert n is not None
        assert (n.etat, n.date_signature, n.date_notification) == (
            "notifie",
            date(2026, 4, 5),
            date(2026, 4, 8),
        )
        d = s.get(Dossier, did)
        assert d is not None and (d.statut, d.decision) == ("notifie", "retenu")
    with pytest.raises(UserError):
        svc.mark([nid], "a_generer")
    # A notified dossier is no longer pending; regenerating it by name keeps the state.
    with pytest.raises(UserError):
        svc.generate(world.campagne_id, tmp_path)
    again = svc.generate(world.campagne_id, tmp_path, dossier_ids=[did])
    assert again.unchanged == ("26-000001",)
    assert [r.etat for r in svc.list(world.campagne_id)] == ["notifie"]


def test_templates_edit_and_validation(db: Database, world: World) -> None:
    did = create_dossier(db, world)
    decide(db, did, "retenu", {world.financeurs["EPCI"]: 2_000_00})
    svc = service(db)
    assert "{montant_lettres}" in svc.templates()["attribution"]
    with pytest.raises(ValidationError):
        svc.save_template("attribution", "Objet : x\n\n{inconnu}")
    svc.save_template(
        "attribution", "Objet : Subvention {reference}\n\n{representant},\n\nMontant : {montant}."
    )
    assert svc.preview(did).startswith("Objet\u00a0: Subvention 26-000001")
    svc.save_template("attribution", None)
    assert "douze" not in svc.preview(did) and "deux mille euros" in svc.preview(did)


def test_undecided_dossier_refused(db: Database, world: World) -> None:
    did = create_dossier(db, world)
    with pytest.raises(UserError, match="aucune décision"):
        service(db).letters(world.campagne_id, [did])


def test_salutation() -> None:
    assert salutation("Mme", "présidente") == "Madame la Présidente"
    assert salutation("M.", "Président") == "Monsieur le Président"
    assert salutation("M", "administrateur") == "Monsieur l'Administrateur"
    assert salutation("Mme", None) == "Madame"
    assert salutation(None, "Présidente") == "Madame, Monsieur"
