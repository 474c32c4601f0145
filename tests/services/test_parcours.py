"""The campagne's path: states and count sentences of each step, the proposed next statut."""

from __future__ import annotations

from sqlalchemy import update

from instructeur.domain.statuts import Statut
from instructeur.services.campagnes import CampagneService
from instructeur.services.dossiers import DossierService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.instruction import InstructionService
from instructeur.services.parcours import A_FAIRE, EN_COURS, FAIT, STEPS, parcours, proposed_statut
from instructeur.storage.db import Database
from instructeur.storage.models import Dossier
from tests.factories import build_world, create_dossier, tick_recevabilite


def _states(db: Database, campagne_id: int) -> dict[str, str]:
    return {e.key: e.etat for e in parcours(db, campagne_id).etapes}


def test_empty_campagne_then_dossiers_then_recevabilite_and_notation(db: Database) -> None:
    world = build_world(db)
    p = parcours(db, world.campagne_id)
    assert [e.key for e in p.etapes] == [k for k, _ in STEPS]
    assert p.etape("parametres").etat == FAIT  # 2 enveloppes and the default recevabilité list
    assert "2 enveloppes saisies" in p.etape("parametres").phrases
    assert "signataire des lettres à indiquer" in p.etape("parametres").phrases
    assert p.etape("dossiers").etat == A_FAIRE
    assert p.etape("dossiers").phrases == ("aucun dossier : saisissez-les ou importez-les",)
    assert p.etape("programmation").phrases == ("aucun dossier retenu pour l'instant",)

    ids = [create_dossier(db, world, f"26-00000{n}") for n in range(1, 4)]
    p = parcours(db, world.campagne_id)
    assert p.etape("dossiers").etat == FAIT
    assert p.etape("dossiers").phrases == ("3 dossiers reçus",)
    assert p.etape("recevabilite").etat == A_FAIRE
    assert p.etape("recevabilite").phrases == ("3 dossiers déposés à examiner",)
    assert p.etape("recevabilite").statuts == ("depose", "incomplet")

    service = DossierService(db, user="chef")
    for dossier_id in ids[:2]:
        tick_recevabilite(db, dossier_id)
        service.change_statut(dossier_id, Statut.RECEVABLE)
    service.change_statut(ids[2], Statut.IRRECEVABLE, "Hors du contrat de ville")
    p = parcours(db, world.campagne_id)
    assert p.etape("recevabilite").etat == FAIT
    assert p.etape("recevabilite").phrases == ("1 dossier irrecevable",)
    assert p.etape("notation").etat == A_FAIRE
    assert p.etape("notation").phrases[0] == "2 dossiers sans évaluateur"
    assert p.etape("instruction").phrases == ("2 dossiers à instruire",)

    evaluateurs = EvaluateurService(db, user="chef")
    alice = evaluateurs.create(world.contrat_id, "Alice Martin")
    evaluateurs.assign([ids[0]], alice)
    p = parcours(db, world.campagne_id)
    assert p.etape("notation").etat == EN_COURS
    assert p.etape("notation").phrases == (
        "1 dossier sans évaluateur",
        "1 évaluation sans note",
        "1 évaluation confiée",
    )


def test_instruction_comite_lettres_suivi_and_the_proposed_statut(db: Database) -> None:
    world = build_world(db)  # campagne « instruction »
    a, b = (create_dossier(db, world, ref) for ref in ("26-000001", "26-000002"))
    service = DossierService(db, user="chef")
    instruction = InstructionService(db, user="chef")
    for dossier_id in (a, b):
        tick_recevabilite(db, dossier_id)
        service.change_statut(dossier_id, Statut.RECEVABLE)
        service.change_statut(dossier_id, Statut.EN_INSTRUCTION)
        d = service.get(dossier_id)
        version = instruction.save_cotation(dossier_id, d.version, {}, 0, None)
        instruction.save_avis(dossier_id, version, "favorable", None, {world.financeurs["ETAT"]: 4_000_00})
        service.change_statut(dossier_id, Statut.INSTRUIT)
    p = parcours(db, world.campagne_id)
    assert p.statut == "instruction"
    assert p.etape("instruction").etat == FAIT
    assert p.etape("comite").etat == A_FAIRE
    assert p.etape("comite").phrases == ("2 dossiers instruits à inscrire", "aucun comité")
    assert p.statut_propose == "comite"  # instruction done: « Passer la campagne en comité »

    service.change_statut(a, Statut.EN_COMITE)
    service.change_statut(b, Statut.EN_COMITE)
    service.change_statut(b, Statut.REFUSE, "Hors des priorités")
    states = _states(db, world.campagne_id)
    assert states["comite"] == EN_COURS
    assert parcours(db, world.campagne_id).etape("lettres").phrases == ("1 dossier décidé sans lettre",)

    # Later stages set directly: the path only counts (the séance and letters have their own tests).
    with db.session() as s:
        s.execute(update(Dossier).where(Dossier.id == a).values(statut="notifie", decision="retenu"))
        s.execute(update(Dossier).where(Dossier.id == b).values(statut="notifie"))
    p = parcours(db, world.campagne_id)
    assert p.etape("comite").etat == FAIT
    assert p.etape("lettres").etat == FAIT
    assert p.etape("lettres").phrases == ("2 dossiers notifiés",)
    assert p.etape("programmation").etat == FAIT
    assert p.etape("programmation").phrases[0].startswith("1 dossier retenu, ")
    assert p.etape("suivi").etat == EN_COURS
    assert p.etape("suivi").phrases == ("1 compte rendu financier attendu",)

    # The statut follows the work only when the chef de projet accepts it.
    campagnes = CampagneService(db, user="chef")
    version = campagnes.detail(world.campagne_id).version
    campagnes.set_statut(world.campagne_id, "comite", version)
    p = parcours(db, world.campagne_id)
    assert p.statut == "comite"
    assert p.statut_propose == "cloturee"


def test_proposed_statut_is_none_until_the_step_is_done(db: Database) -> None:
    world = build_world(db)
    etapes = parcours(db, world.campagne_id).etapes
    assert proposed_statut("preparation", etapes) == "ouverte"  # enveloppes and recevabilité set
    assert proposed_statut("ouverte", etapes) is None  # no dossier yet
    assert proposed_statut("cloturee", etapes) is None
