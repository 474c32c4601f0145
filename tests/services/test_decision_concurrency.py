"""Two comité decisions at the same instant (issue 9): two processes (spawn), each with its own
engine, released by a barrier, decide on two different dossiers, each within the remaining
enveloppe but together above it. Repeated; on SQLite and PostgreSQL. The overrun must never be
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
            point_id, version, etat = task
            barrier.wait(timeout=60)
            try:
                service.decide(point_id, version, "retenu", {etat: VOTE}, None, None)
                results.put(("accepted", point_id, ""))
            except UserError as exc:
                results.put(("refused", point_id, exc.message))
    finally:
        db.close()


def _trial_points(db: Database, setup: Any, trial: int) -> tuple[int, list[tuple[int, int]]]:
    """Two fresh instruit dossiers on a comité in séance; the État's enveloppe set to what is
    already voted + REMAINING."""
    from instructeur.services.comites import ComiteService
    from tests.services.test_comites import _instruit_dossiers

    etat = setup.world.financeurs["ETAT"]
    dossiers = _instruit_dossiers(db, setup.world, [f"C{trial:02d}-A", f"C{trial:02d}-B"])
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
    service = ComiteService(db, user="test")
    comite_id = service.create(setup.world.campagne_id, "financeurs", date(2026, 4, 9), None, [])
    service.add_points(comite_id, dossiers, order="manuel")
    service.open_seance(comite_id)
    return comite_id, [(p.id, p.version) for p in service.agenda(comite_id)]


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
    try:
        for trial in range(TRIALS):
            comite_id, points = _trial_points(db, setup, trial)
            for q, (point_id, version) in zip(tasks, points, strict=True):
                q.put((point_id, version, etat))
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
    print(f"\nconcurrence {engine}: {json.dumps(counts)}")
    report = os.environ.get("INSTRUCTEUR_CONCURRENCY_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"engine": engine, **counts}) + "\n")
    assert counts == {"trials": TRIALS, "accepted": TRIALS, "refused": TRIALS, "both_accepted": 0}
