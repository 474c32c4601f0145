"""A note and a narrowed scale at the same instant (migration 0008), on SQLite and PostgreSQL: two
processes (spawn), each with its own engine, released by a barrier. One writes the note 3 on a
0–3 critère and keeps its transaction open a moment; the other narrows the scale to 0–2. Each
check alone would pass against what the other has not committed yet; the database must never
keep both: after every trial, no note lies outside its scale."""

from __future__ import annotations

import multiprocessing as mp
import time
from typing import Any

from sqlalchemy import text

from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.grilles import CritereData
from instructeur.services.notation import NotationService
from instructeur.storage.backup import check_database
from instructeur.storage.db import Database
from tests.factories import build_world, create_grille

TRIALS = 4


def _worker(url: str, barrier: Any, tasks: Any, results: Any) -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    from instructeur.storage.db import open_database

    db = open_database(url, migrate=False)
    try:
        while (task := tasks.get()) is not None:
            kind, evaluation_id, critere_id = task
            barrier.wait(timeout=60)
            try:
                with db.engine.begin() as conn:
                    if kind == "note":
                        conn.execute(
                            text("INSERT INTO note (evaluation_id, critere_id, valeur) VALUES (:e, :c, 3)"),
                            {"e": evaluation_id, "c": critere_id},
                        )
                        time.sleep(0.3)  # the other writer acts while this one is not committed
                    else:
                        time.sleep(0.05)
                        conn.execute(
                            text("UPDATE critere SET echelle_max = 2 WHERE id = :c"), {"c": critere_id}
                        )
                results.put((kind, "accepted"))
            except (IntegrityError, OperationalError) as exc:
                results.put((kind, f"refused: {str(exc.orig).splitlines()[0]}"))
    finally:
        db.close()


def _trial(db: Database, world: Any, n: int) -> tuple[int, int]:
    """A fresh campagne: a 0–3 critère and an évaluation without notes."""
    from instructeur.services.campagnes import CampagneService
    from instructeur.services.dossiers import DossierService
    from tests.factories import dossier_data

    campagne_id = CampagneService(db, user="chef").create(world.contrat_id, 2026, libelle=f"Course {n}")
    _, (critere,) = create_grille(db, campagne_id, [CritereData("Public", echelle_min=0, echelle_max=3)])
    evaluateurs = EvaluateurService(db, user="chef")
    alice = evaluateurs.create(world.contrat_id, f"Alice {n}")
    dossier = DossierService(db, user="chef").create(campagne_id, dossier_data(world, f"R{n}"))
    evaluateurs.assign([dossier], alice)
    return NotationService(db).evaluation(dossier, alice).id, critere


def test_a_note_and_a_narrowed_scale_at_the_same_instant(db: Database, engine_url: str) -> None:
    world = build_world(db)
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    tasks = [ctx.Queue(), ctx.Queue()]
    results = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(engine_url, barrier, q, results)) for q in tasks]
    for w in workers:
        w.start()
    outcomes = []
    try:
        for n in range(TRIALS):
            evaluation_id, critere = _trial(db, world, n)
            tasks[0].put(("note", evaluation_id, critere))
            tasks[1].put(("scale", evaluation_id, critere))
            got = dict(results.get(timeout=60) for _ in range(2))
            outcomes.append(got)
            assert check_database(db).problems == [], got
            assert [v for v in got.values() if v == "accepted"] == ["accepted"], got  # never both
    finally:
        for q in tasks:
            q.put(None)
        for w in workers:
            w.join(timeout=30)
    print(engine_url.split(":")[0], outcomes)
