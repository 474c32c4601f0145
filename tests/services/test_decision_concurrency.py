"""Two comité decisions at the same instant (issue 9): two processes (spawn), each with its own
engine, released by a barrier, decide on two different dossiers, each within the remaining
enveloppe but together above it: two séance decisions, and a séance decision against a revision
(« Modifier la décision ») of another dossier. Repeated; on SQLite and PostgreSQL. The overrun must never be
accepted without a dérogation: exactly one decision passes, the other is refused naming the
enveloppe. The figures are printed (run with -s) and written to
$INSTRUCTEUR_CONCURRENCY_REPORT when set."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
from datetime import date
from typing import Any

from sqlalchemy import func, select, update

from instructeur.storage.db import Database
from instructeur.storage.models import Enveloppe, LigneFinancement

TRIALS = 10
MIXED_TRIALS = 5  # a séance decision against a revision (« Modifier la décision ») of another dossier
REMAINING = 10_000_00  # what is left on the État's enveloppe before each trial
VOTE = 6_000_00  # each decision alone fits, both together exceed by 2 000 €


def _worker(url: str, barrier: Any, tasks: Any, results: Any) -> None:
    """One person in the séance: waits for the other at the barrier, then decides."""
    from instructeur.errors import UserError
    from instructeur.services.comites import ComiteService
    from instructeur.storage.db import open_database

    db = open_database(url, migrate=False)
    service = ComiteService(db, user=f"pid{os.getpid()}")
    try:
        while (task := tasks.get()) is not None:
            kind, target_id, version, etat, amount = task
            barrier.wait(timeout=60)
            try:
                if kind == "decide":
                    service.decide(target_id, version, "retenu", {etat: amount}, None, None)
                else:
                    service.revise_decision(target_id, version, "retenu", {etat: amount}, None, "Recours")
                results.put(("accepted", kind, ""))
            except UserError as exc:
                results.put(("refused", kind, exc.message))
    finally:
        db.close()


def _set_remaining(db: Database, etat: int) -> None:
    """The État's enveloppe: what is already voted + REMAINING."""
    with db.session() as s:
        voted = s.scalar(
            select(func.coalesce(func.sum(LigneFinancement.vote_cents), 0)).where(
                LigneFinancement.financeur_id == etat
            )
        )
        s.execute(
            update(Enveloppe)
            .where(Enveloppe.financeur_id == etat)
            .values(montant_cents=int(voted or 0) + REMAINING)
        )


def _trial_points(db: Database, setup: Any, trial: int) -> tuple[int, list[tuple[int, int]]]:
    """Two fresh instruit dossiers on a comité in séance, REMAINING left on the État's enveloppe."""
    from instructeur.services.comites import ComiteService
    from tests.services.test_comites import _instruit_dossiers

    dossiers = _instruit_dossiers(db, setup.world, [f"C{trial:02d}-A", f"C{trial:02d}-B"])
    _set_remaining(db, setup.world.financeurs["ETAT"])
    service = ComiteService(db, user="test")
    comite_id = service.create(setup.world.campagne_id, "financeurs", date(2026, 4, 9), None, [])
    service.add_points(comite_id, dossiers, order="manuel")
    service.open_seance(comite_id)
    return comite_id, [(p.id, p.version) for p in service.agenda(comite_id)]


def _mixed_trial(db: Database, setup: Any, trial: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Dossier B retenu (1 000 €) by a closed comité, dossier A on a comité in séance; REMAINING left.
    Returns (A's point, version) and (B's dossier, version)."""
    from instructeur.services.comites import ComiteService
    from instructeur.services.dossiers import DossierService
    from tests.services.test_comites import _instruit_dossiers

    etat = setup.world.financeurs["ETAT"]
    a, b = _instruit_dossiers(db, setup.world, [f"M{trial:02d}-A", f"M{trial:02d}-B"])
    service = ComiteService(db, user="test")
    first = service.create(setup.world.campagne_id, "financeurs", date(2026, 3, 1), None, [])
    service.add_points(first, [b])
    service.open_seance(first)
    (pb,) = service.agenda(first)
    _set_remaining(db, etat)  # B's 1 000 € fit whatever was voted before
    service.decide(pb.id, pb.version, "retenu", {etat: 1_000_00}, None, None)
    service.close(first)
    _set_remaining(db, etat)
    second = service.create(setup.world.campagne_id, "financeurs", date(2026, 4, 9), None, [])
    service.add_points(second, [a])
    service.open_seance(second)
    (pa,) = service.agenda(second)
    return (pa.id, pa.version), (b, DossierService(db).get(b).version)


def test_two_simultaneous_decisions_never_exceed_an_enveloppe(db: Database, engine_url: str) -> None:
    from instructeur.services.comites import ComiteService
    from tests.services.test_comites import _setup

    setup = _setup(db, 0)
    etat = setup.world.financeurs["ETAT"]
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    tasks = [ctx.Queue(), ctx.Queue()]
    results = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(engine_url, barrier, q, results)) for q in tasks]
    for w in workers:
        w.start()
    counts = {"trials": 0, "accepted": 0, "refused": 0, "both_accepted": 0}
    mixed = {"trials": 0, "accepted": 0, "refused": 0, "both_accepted": 0}
    try:
        for trial in range(MIXED_TRIALS):
            (point_id, point_version), (dossier_id, dossier_version) = _mixed_trial(db, setup, trial)
            tasks[0].put(("decide", point_id, point_version, etat, VOTE))
            tasks[1].put(("revise", dossier_id, dossier_version, etat, 1_000_00 + VOTE))
            outcome = sorted(results.get(timeout=120) for _ in tasks)
            kinds = [o[0] for o in outcome]
            mixed["trials"] += 1
            mixed["accepted"] += kinds.count("accepted")
            mixed["refused"] += kinds.count("refused")
            mixed["both_accepted"] += kinds == ["accepted", "accepted"]
            assert kinds == ["accepted", "refused"], outcome
            assert (
                "enveloppe ETAT dépassée" in outcome[1][2] and "dérogation est obligatoire" in outcome[1][2]
            )
        for trial in range(TRIALS):
            comite_id, points = _trial_points(db, setup, trial)
            for q, (point_id, version) in zip(tasks, points, strict=True):
                q.put(("decide", point_id, version, etat, VOTE))
            outcome = sorted(results.get(timeout=120) for _ in points)
            counts["trials"] += 1
            kinds = [o[0] for o in outcome]
            counts["accepted"] += kinds.count("accepted")
            counts["refused"] += kinds.count("refused")
            counts["both_accepted"] += kinds == ["accepted", "accepted"]
            assert kinds == ["accepted", "refused"], outcome
            message = outcome[1][2]
            assert "enveloppe ETAT dépassée" in message and "dérogation est obligatoire" in message
            tableau = ComiteService(db).tableau(comite_id)
            assert all(not e.exceeded for e in tableau.enveloppes if e.financeur_id == etat)
    finally:
        for q in tasks:
            q.put(None)
        for w in workers:
            w.join(timeout=60)
            if w.is_alive():
                w.terminate()
    engine = db.url.get_backend_name()
    print(f"\nconcurrence {engine}: séance/séance {json.dumps(counts)}, séance/révision {json.dumps(mixed)}")
    report = os.environ.get("INSTRUCTEUR_CONCURRENCY_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"engine": engine, "seance_seance": counts, "seance_revision": mixed}) + "\n")
    assert counts == {"trials": TRIALS, "accepted": TRIALS, "refused": TRIALS, "both_accepted": 0}
    assert mixed == {
        "trials": MIXED_TRIALS,
        "accepted": MIXED_TRIALS,
        "refused": MIXED_TRIALS,
        "both_accepted": 0,
    }
