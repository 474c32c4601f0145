"""Benchmark of the dossier import: 20 000 rows into a fresh campagne, on SQLite and PostgreSQL.

    python -m benchmarks.bench_import            # both engines (PostgreSQL when initdb is found)

Timed: the wizard's preview, then the import as `instructeur import dossiers FICHIER --campagne ID`
does it (one pass: read, plan and write in one transaction). Each engine runs in its
own process, whose peak memory (VmHWM) is reported; the file is generated once, in another
process, into var/bench/ (git-ignored). Target (issue 13): ≤ 10 s and ≤ 400 MB on each engine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
ROWS = 20_000
HEADERS = [
    "N° dossier", "Raison sociale", "SIRET", "Intitulé de l'action", "Description", "Coût total",
    "Montant demandé État", "Demandé Agglo", "Fonds propres", "Quartier(s)", "Date de début", "Date de fin",
    "Public prévu", "Dont femmes", "Cotation F/H déclarée", "Nouvelle / reconduite", "Observations",
]  # fmt: skip
QUARTIERS = ("Damrémont", "Centre Ville", "Beaurepaire", "Résidences Sud du Boulonnais", "Chemin Vert")


def write_file(path: Path, rows: int = ROWS) -> Path:
    """A realistic file: 4 000 porteurs (each on 5 rows), amounts as text, dates as dates."""
    from datetime import date

    from openpyxl import Workbook

    from instructeur.domain.identifiers import make_siret

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Dossiers")
    ws.append(HEADERS)
    for n in range(rows):
        p = n % 4000
        etat, agglo, propres = 1000 + n % 5000, 500 + n % 700, 300
        ws.append([
            f"26-{n:06d}", f"Association n° {p}", make_siret(f"{400000000 + p:09d}0001"),
            f"Action {n} : ateliers de quartier", "Ateliers hebdomadaires ouverts aux habitants du quartier, "
            "animés par des bénévoles formés ; sorties culturelles pendant les vacances scolaires.",
            f"{etat + agglo + propres} €", f"{etat},00", str(agglo), propres, QUARTIERS[n % len(QUARTIERS)],
            date(2026, 1 + n % 12, 1), date(2026, 12, 31), 40 + n % 60, 20, n % 3, "N" if n % 2 else "R",
            "Reçu par courriel" if n % 10 == 0 else None,
        ])  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(url: str, path: str) -> dict[str, Any]:
    """In a fresh process: a contrat, a campagne, then preview + import of `path` (as the CLI does)."""
    from instructeur.imports import dossiers as imp
    from instructeur.referentiels import load_referentiel
    from instructeur.services.campagnes import CampagneService
    from instructeur.services.contrats import ContratService, FinanceurData
    from instructeur.storage.db import open_database

    db = open_database(url)
    try:
        contrats = ContratService(db, user="bench")
        contrat_id = contrats.create_from_referentiel(
            load_referentiel("boulonnais-2024"),
            financeurs=[FinanceurData("ETAT", "État", "etat"), FinanceurData("EPCI", "Agglo", "epci")],
        )
        campagne_id = CampagneService(db, user="bench").create(contrat_id, 2026, statut="instruction")
        start = time.perf_counter()
        preview = imp.preview(db, campagne_id, path)  # the wizard's preview step
        preview_s = time.perf_counter() - start
        assert preview.ok, [str(p) for p in preview.rejected[:5]]
        start = time.perf_counter()
        result = imp.apply(db, campagne_id, path, user="bench")  # what the CLI does, in one pass
        total_s = time.perf_counter() - start
        return {
            "created": len(result.created_ids),
            "preview_s": preview_s,
            "import_s": total_s,
            "peak_rss_mb": _peak_mb(),
        }
    finally:
        db.close()


def _in_process(url: str, path: Path) -> dict[str, Any]:
    code = f"import json; from benchmarks.bench_import import measure; print(json.dumps(measure({url!r}, {str(path)!r})))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError((done.stderr.strip().splitlines() or ["échec"])[-1])
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _file() -> Path:
    path = CACHE / f"import_{ROWS // 1000}k.xlsx"
    if not path.exists():
        code = f"from benchmarks.bench_import import write_file; from pathlib import Path; write_file(Path({str(path)!r}))"
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=600)
    return path


def _postgres(tmp: Path) -> Any:
    """A throw-away cluster, as the tests start it (tests/conftest.py), or None without initdb."""
    from tests.conftest import PostgresServer, _find_pg_bindir

    bindir = _find_pg_bindir()
    if bindir is None:
        return None
    server = PostgresServer(bindir, tmp)
    server.initdb()
    server.start()
    return server


def bench_import(db_path: str | Path | None = None) -> dict[str, Any]:
    """Seconds and peak MB of a 20 000-row import on each engine (`db_path` is not used: the import
    needs an empty campagne, so each engine gets a fresh base)."""
    path = _file()
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp).chmod(0o755)  # the cluster runs as an unprivileged user when we are root
        sqlite = _in_process(f"sqlite:///{Path(tmp) / 'import.sqlite'}", path)
        out.update({f"sqlite_{k}": v for k, v in sqlite.items()})
        server = _postgres(Path(tmp) / "pg")
        if server is not None:
            try:
                pg = _in_process(server.create_database(), path)
                out.update({f"pg_{k}": v for k, v in pg.items()})
            finally:
                server.stop()
    return out


if __name__ == "__main__":
    print(json.dumps(bench_import(), indent=2))
