"""A comité decision during the séance: `ComiteService.decide` (committed at once) returning the
updated totals per financeur and per cotation F/H level — what the live bar shows."""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from instructeur.services.comites import ComiteService
from instructeur.storage.db import open_database
from instructeur.storage.models import Comite


def bench_comite(db_path: str | Path, decisions: int = 40) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "seance.sqlite"
        shutil.copyfile(db_path, copy)  # a closed demo file has no WAL: the copy is whole
        db = open_database(copy)
        try:
            with db.session() as s:
                comite_id = max(s.query(Comite.id).all())[0]
            service = ComiteService(db, user="bench")
            start = time.perf_counter()
            points = service.agenda(comite_id)
            agenda_ms = (time.perf_counter() - start) * 1000
            service.open_seance(comite_id)
            times = []
            for point in points[:decisions]:
                votes = {m.financeur_id: m.propose_cents or 0 for m in point.montants}
                start = time.perf_counter()
                service.decide(
                    point.id, point.version, "retenu", votes, None, None, override_motivation="banc d'essai"
                )
                times.append((time.perf_counter() - start) * 1000)
        finally:
            db.close()
    return {"points": float(len(points)), "agenda_ms": agenda_ms, "decide_ms": statistics.median(times)}


if __name__ == "__main__":
    for key, value in bench_comite(sys.argv[1]).items():
        print(f"{key:>12} {value:10.1f}")
