"""All benchmarks on demo databases, medians, written to docs/PERFORMANCE.md with `--write`.

`./run bench [--write]`. The demo databases are generated once into `var/bench/` (git-ignored):
20 000 dossiers (the list, the fiche, the launch) and 5 000 dossiers, whose largest campagne has
2 000 dossiers (the programmation export, as DESIGN.md §12 states it).
Each measure runs in its own process so that Qt and caches start cold, like a user's session.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"

# (title, module, function, database, [(result key, label, unit, target)])
BENCHES = [
    (
        "Lancement",
        "benchmarks.bench_launch",
        "bench_launch",
        "20k",
        [
            (
                "launch_s",
                "fenêtre principale utilisable (liste affichée) depuis le lancement",
                "s",
                "≤ 0,8 s",
            ),
            ("launch_process_s", "… jusqu'à la fin du processus (sortie de l'interpréteur)", "s", ""),
            ("launch_scores_s", "… et les notes de la grille, affichées juste après", "s", ""),
            (
                "bare_launch_s",
                "référence nue : fenêtre PySide6 + sqlite3 + QAbstractTableModel, mêmes lignes",
                "s",
                "",
            ),
            ("bare_process_s", "… jusqu'à la fin de son processus", "s", ""),
            ("launch_ratio", "rapport lancement / référence nue", "×", "≤ 4×"),
            ("process_ratio", "rapport des processus entiers", "×", ""),
            ("peak_rss_mb", "mémoire (RSS max)", "Mo", "≤ 400 Mo"),
        ],
    ),
    (
        "Liste des dossiers",
        "benchmarks.bench_list",
        "bench_list",
        "20k",
        [
            ("dossiers", "dossiers de la plus grande campagne", "", ""),
            ("load_rows_ms", "chargement de la liste", "ms", ""),
            ("search_keystroke_ms", "frappe dans la recherche", "ms", "≤ 50 ms"),
            ("filter_change_ms", "changement de filtre", "ms", "≤ 50 ms"),
            ("sort_porteur_ms", "tri par porteur", "ms", "≤ 100 ms"),
            ("sort_montant_ms", "tri par montant", "ms", "≤ 100 ms"),
            ("window_ms", "fenêtre construite avec ses données", "ms", ""),
        ],
    ),
    (
        "Fiche dossier",
        "benchmarks.bench_fiche",
        "bench_fiche",
        "20k",
        [
            ("first_open_ms", "première ouverture (charge le contexte de la campagne)", "ms", ""),
            ("open_ms", "ouverture d'une fiche", "ms", "≤ 100 ms"),
        ],
    ),
    (
        "Tableau de programmation",
        "benchmarks.bench_exports",
        "bench_programmation",
        "5k",
        [
            ("dossiers", "dossiers de la campagne", "", ""),
            ("export_programmation_s", "export xlsx", "s", "≤ 3 s"),
            (
                "bare_openpyxl_s",
                "référence : openpyxl nu, mêmes valeurs, mêmes feuilles, sans mise en forme",
                "s",
                "",
            ),
            ("write_s", "écriture du classeur seule (mêmes cellules, mises en forme)", "s", ""),
            ("programmation_ratio", "rapport export complet / openpyxl nu", "×", "≤ 1,5×"),
            ("write_ratio", "rapport écriture seule / openpyxl nu", "×", "≤ 1,5×"),
        ],
    ),
    (
        "Notifications",
        "benchmarks.bench_letters",
        "bench_letters",
        "5k",
        [
            ("median_s", "500 lettres PDF + PDF fusionné", "s", "≤ 5 s (issue 12)"),
            ("workers", "processus de rendu", "", ""),
            ("soffice_s", "référence : LibreOffice headless, 500 lettres HTML d'une page en PDF", "s", ""),
            ("soffice_ratio", "rapport LibreOffice / Instructeur", "×", "≥ 4×"),
        ],
    ),
    (
        "Comités et ordre du jour",
        "benchmarks.bench_comite_window",
        "bench_comite_window",
        "20k",
        [
            (
                "shown_ms",
                "fenêtre affichée (l'ordre du jour se charge en arrière-plan)",
                "ms",
                "≤ 300 ms (issue 11)",
            ),
            ("agenda_ms", "ordre du jour rempli", "ms", ""),
        ],
    ),
    (
        "Comité",
        "benchmarks.bench_comite",
        "bench_comite",
        "5k",
        [("decide_ms", "décision et mise à jour des totaux", "ms", "≤ 50 ms")],
    ),
    (  # benchmarks/bench_import.py: its own fresh bases (the import needs an empty campagne)
        "Import de 20 000 lignes",
        "benchmarks.bench_import",
        "bench_import",
        "5k",
        [
            ("sqlite_import_s", "SQLite : import (lecture, contrôle, écriture)", "s", "≤ 10 s"),
            ("sqlite_preview_s", "SQLite : aperçu de l'assistant", "s", ""),
            ("sqlite_peak_rss_mb", "SQLite : mémoire (RSS max)", "Mo", "≤ 400 Mo"),
            ("pg_import_s", "PostgreSQL : import (lecture, contrôle, écriture)", "s", "≤ 10 s"),
            ("pg_preview_s", "PostgreSQL : aperçu de l'assistant", "s", ""),
            ("pg_peak_rss_mb", "PostgreSQL : mémoire (RSS max)", "Mo", "≤ 400 Mo"),
        ],
    ),
]


def demo_database(size: str) -> Path:
    dossiers = {"20k": 20_000, "5k": 5_000}[size]
    path = CACHE / f"demo_{size}.sqlite"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        from instructeur.demo import create_demo

        print(f"création de {path.name} ({dossiers} dossiers)…", file=sys.stderr)
        create_demo(path, dossiers=dossiers, seed=2026)
    return path


def run_one(module: str, function: str, db: Path) -> dict[str, float] | str:
    code = (
        "import json, sys, importlib\n"
        f"fn = getattr(importlib.import_module({module!r}), {function!r})\n"
        f"print(json.dumps(fn({str(db)!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=1800
    )
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["échec"])[-1]
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def fmt(value: float, unit: str) -> str:
    if unit in ("s",):
        return f"{value:.2f} s".replace(".", ",")
    if unit == "ms":
        return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms".replace(".", ",")
    if unit == "×":
        return f"{value:.1f}×".replace(".", ",")
    if unit == "Mo":
        return f"{value:.0f} Mo"
    return f"{value:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks d'Instructeur (médianes)")
    parser.add_argument("--write", action="store_true", help="écrit docs/PERFORMANCE.md")
    parser.add_argument(
        "--only",
        metavar="TITRE",
        action="append",
        help="seulement ces mesures (ex. Lancement) ; sans --write",
    )
    args = parser.parse_args(argv)
    if args.only and args.write:
        parser.error("--only ne s'utilise pas avec --write (le tableau serait incomplet)")
    lines = [
        "# Performance",
        "",
        f"Mesuré le {date.today():%d/%m/%Y} par `./run bench --write` sur {platform.processor() or platform.machine()}, "
        f"{_cores()} cœurs, Python {platform.python_version()} ; médianes, chaque mesure dans un processus neuf.",
        "Bases : démonstration à 20 000 dossiers (3 campagnes, la plus grande en a 8 000) et à 5 000 dossiers",
        "(la plus grande campagne en a 2 000). Cibles : DESIGN.md §12.",
        "",
        "| mesure | résultat | cible |",
        "|---|---|---|",
    ]
    for title, module, function, size, keys in BENCHES:
        if args.only and title not in args.only:
            continue
        result = run_one(module, function, demo_database(size))
        print(f"{title}: {result}", file=sys.stderr)
        if isinstance(result, str):
            lines.append(f"| {title} | non mesuré : {result} | |")
            continue
        for key, label, unit, target in keys:
            if key in result:
                lines.append(f"| {title} — {label} | {fmt(float(result[key]), unit)} | {target} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        (ROOT / "docs" / "PERFORMANCE.md").write_text(text, encoding="utf-8")
    return 0


def _cores() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    raise SystemExit(main())
