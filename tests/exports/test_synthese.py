"""SyntheseService on a hand-computed campagne (see tests/exports/__init__.py), on both engines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from instructeur.domain.statuts import Statut
from instructeur.errors import NotFoundError
from instructeur.services.synthese import Montants, SyntheseService, split_equally
from instructeur.storage.db import Database
from tests.exports import HYPERLINK, build_scenario
from tests.services.conftest import db  # noqa: F401 - the two-engine fixture


def test_split_equally_puts_the_remainder_on_the_first_share() -> None:
    assert split_equally(1001, 2) == [501, 500]
    assert split_equally(300_001, 2) == [150_001, 150_000]
    assert split_equally(10, 3) == [4, 3, 3]
    assert split_equally(0, 2) == [0, 0]
    assert sum(split_equally(987_654_321, 7)) == 987_654_321


def test_campagne_synthesis(db: Database) -> None:  # noqa: F811
    sc = build_scenario(db)
    s = SyntheseService(db).campagne(sc.world.campagne_id)

    counts = {c.statut: c.nombre for c in s.statuts}
    assert counts[Statut.RETENU] == 1
    assert counts[Statut.NOTIFIE] == 1
    assert counts[Statut.REFUSE] == 1
    assert counts[Statut.EN_INSTRUCTION] == 1
    assert counts[Statut.DEPOSE] == 1
    assert counts[Statut.IRRECEVABLE] == 1
    assert counts[Statut.SOLDE] == 0
    assert {c.label for c in s.statuts} >= {"Retenu", "Notifié", "En instruction", "Irrecevable"}

    f = {x.code: x for x in s.financeurs}
    # ETAT: demandé over recevables D1 + D2 + D3 + D4 (not D5 déposé, not D6 irrecevable).
    assert f["ETAT"].enveloppe_cents == 100_000_00
    assert f["ETAT"].demande_cents == 5_000_01 + 98_000_00 + 7_000_00 + 1_000_00
    assert f["ETAT"].vote_cents == 3_000_01 + 98_000_00
    assert f["ETAT"].reste_cents == -1_000_01  # enveloppe exceeded
    assert f["ETAT"].taux_utilisation == Decimal("101.00")
    assert f["EPCI"].demande_cents == 4_000_00 + 3_000_00 + 500_00
    assert f["EPCI"].vote_cents == 4_000_00
    assert f["EPCI"].reste_cents == 46_000_00
    assert f["EPCI"].taux_utilisation == Decimal("8.00")
    assert f["CAF"].enveloppe_cents == 0
    assert f["CAF"].vote_cents == 5_000_00
    assert f["CAF"].reste_cents == -5_000_00
    assert f["CAF"].taux_utilisation is None
    assert f["ETAT"].nb_dossiers_demande == 4 and f["ETAT"].nb_dossiers_vote == 2
    assert isinstance(f["ETAT"].vote_cents, int)

    axes = {a.code: a for a in s.axes}
    assert axes["1"].nb_dossiers == 2 and axes["1"].nb_retenus == 1
    assert axes["1"].par_financeur["ETAT"] == Montants(5_000_01 + 1_000_00, 3_000_01)
    assert axes["1"].par_financeur["EPCI"] == Montants(4_000_00 + 500_00, 4_000_00)
    assert axes["1"].total == Montants(10_500_01, 7_000_01)
    assert axes["2"].total == Montants(108_000_00, 103_000_00)
    assert axes["2"].par_financeur["CAF"] == Montants(10_000_00, 5_000_00)
    assert axes[""].titre == "Non rattaché" and axes[""].total == Montants(10_000_00, 0)
    assert s.axes[-1].objectif_id is None  # the « Non rattaché » line comes last
    assert sum(a.total.vote_cents for a in s.axes) == s.totaux.vote_cents

    q = {x.nom: x for x in s.quartiers}
    # D1 (2 QPV) is split equally, the odd cent on « Centre Ville » (first in French order).
    assert q["Centre Ville"].demande_cents == 250_001 + 200_000 + 9_800_000 + 1_000_000
    assert q["Centre Ville"].vote_cents == 150_001 + 200_000 + 9_800_000 + 500_000
    assert q["Damrémont"].demande_cents == 250_000 + 200_000 + 100_000 + 50_000
    assert q["Damrémont"].vote_cents == 150_000 + 200_000
    assert q["Damrémont"].nb_dossiers == 2 and q["Damrémont"].nb_retenus == 1
    assert q["Sans quartier renseigné"].demande_cents == 10_000_00
    assert sum(x.demande_cents for x in s.quartiers) == s.totaux.demande_cents == 128_500_01
    assert sum(x.vote_cents for x in s.quartiers) == s.totaux.vote_cents == 110_000_01
    assert q["Centre Ville"].type_label == "QPV"

    c = {x.niveau: x for x in s.cotations}
    # Entrée: déclarée, else instruite (D2 has none declared → instruite 0).
    assert (c[2].nb_entree, c[2].demande_entree_cents) == (1, 9_000_01)
    assert (c[0].nb_entree, c[0].demande_entree_cents) == (2, 108_000_00 + 10_000_00)
    assert (c[1].nb_entree, c[1].demande_entree_cents) == (1, 1_500_00)
    # Sortie: instruite, else déclarée.
    assert (c[1].nb_sortie, c[1].vote_sortie_cents) == (1, 7_000_01)
    assert (c[0].nb_sortie, c[0].vote_sortie_cents) == (1, 103_000_00)
    assert (c[2].nb_sortie, c[2].vote_sortie_cents) == (0, 0)
    assert c[None].label == "Non cotée" and c[None].nb_entree == 0
    assert sum(x.demande_entree_cents for x in s.cotations) == s.totaux.demande_cents
    assert sum(x.vote_sortie_cents for x in s.cotations) == s.totaux.vote_cents

    nouvelle, reconduite = s.natures
    assert (nouvelle.label, nouvelle.nb_dossiers, nouvelle.nb_retenus) == ("Nouvelle", 3, 1)
    assert (nouvelle.demande_cents, nouvelle.vote_cents) == (20_500_01, 7_000_01)
    assert (reconduite.label, reconduite.nb_dossiers, reconduite.demande_cents) == (
        "Reconduite",
        1,
        108_000_00,
    )
    assert reconduite.vote_cents == 103_000_00

    t = s.totaux
    assert (t.nb_dossiers, t.nb_recevables, t.nb_au_comite, t.nb_retenus) == (6, 4, 3, 2)
    assert t.cout_total_cents == 3 * 12_500_00 + 200_000_00
    assert t.propose_cents == 0
    assert s.contrat_nom and s.annee == 2026 and s.financeur_code is None


def test_synthesis_of_one_financeur(db: Database) -> None:  # noqa: F811
    sc = build_scenario(db)
    s = SyntheseService(db).campagne(sc.world.campagne_id, financeur_code="caf")
    assert s.financeur_code == "CAF"
    assert [f.code for f in s.financeurs] == ["CAF"]
    assert s.totaux.nb_dossiers == 1  # only D2 asks the CAF
    assert (s.totaux.demande_cents, s.totaux.vote_cents) == (10_000_00, 5_000_00)
    assert {a.code: a.total for a in s.axes}["2"] == Montants(10_000_00, 5_000_00)
    assert {q.nom: q.vote_cents for q in s.quartiers}["Centre Ville"] == 5_000_00


def test_programmation_rows(db: Database) -> None:  # noqa: F811
    sc = build_scenario(db)
    service = SyntheseService(db)
    rows = service.programmation_rows(sc.world.campagne_id)
    assert [r.reference for r in rows] == ["26-000001", "26-000002", "26-000003"]  # axe 1, axe 2, none
    r1, r2, r3 = rows
    assert r1.porteur == HYPERLINK and r1.intitule == "-Atelier"
    assert (r1.axe_code, r1.axe_titre) == sc.axe1
    assert r1.objectif_code.startswith("1.")
    assert r1.quartiers == "Centre Ville, Damrémont"
    assert r1.demande == {"ETAT": 5_000_01, "EPCI": 4_000_00, "CAF": 0}
    assert r1.vote == {"ETAT": 3_000_01, "EPCI": 4_000_00, "CAF": None}
    assert (r1.total_demande_cents, r1.total_vote_cents) == (9_000_01, 7_000_01)
    assert r1.taux == Decimal("56.00")
    assert r1.cotation == 1  # instruite first
    assert r1.score == Decimal("14.44")  # mean(5/9, 8/9) × 20, the conflicted évaluation excluded
    assert (r1.decision_label, r1.nature_label, r1.observations) == ("Retenu", "Nouvelle", "+ à suivre")
    assert (r2.nature_label, r2.decision_label, r2.taux) == ("Reconduite", "Retenu", Decimal("51.50"))
    assert r2.score is None
    assert (r3.axe_titre, r3.quartiers, r3.decision_label) == ("Non rattaché", "", "Refusé")
    assert r3.total_vote_cents == 0 and r3.vote["EPCI"] is None

    everything = service.programmation_rows(sc.world.campagne_id, include_all=True)
    assert [r.reference for r in everything] == ["26-000001", "26-000004", "26-000002", "26-000003"]
    assert everything[1].decision_label == "En instruction" and everything[1].total_vote_cents is None

    caf = service.programmation_rows(sc.world.campagne_id, "CAF")
    assert [r.reference for r in caf] == ["26-000002"]
    etat = service.programmation_rows(sc.world.campagne_id, "ETAT")
    assert [r.reference for r in etat] == ["26-000001", "26-000002", "26-000003"]


def test_unknown_campagne_or_financeur(db: Database) -> None:  # noqa: F811
    sc = build_scenario(db)
    service = SyntheseService(db)
    with pytest.raises(NotFoundError, match="campagne 999 introuvable"):
        service.campagne(999)
    with pytest.raises(NotFoundError, match="financeur « NOPE » inconnu.*ETAT, EPCI, CAF"):
        service.programmation_rows(sc.world.campagne_id, "NOPE")


def test_empty_campagne(db: Database) -> None:  # noqa: F811
    from tests.factories import build_world

    world = build_world(db)
    s = SyntheseService(db).campagne(world.campagne_id)
    assert s.totaux.nb_dossiers == 0 and s.totaux.vote_cents == 0
    assert all(q.nom != "Sans quartier renseigné" for q in s.quartiers)
    assert SyntheseService(db).programmation_rows(world.campagne_id) == []
