"""A reproducible demo database (DESIGN.md §5): a real référentiel, fictitious porteurs and dossiers.

`create_demo(path)` builds a contrat from one of the shipped référentiels (through the contrat and
campagne services), then bulk-inserts porteurs, dossiers, plans de financement, statut histories,
évaluations, one comité and suivis with Core `INSERT`s in large batches (primary keys are assigned
here, so rows link without round trips): 20 000 dossiers take a few seconds on SQLite.

Everything comes from one `random.Random(seed)`; dates derive from the campagne years, never from
the clock, so two runs with the same seed give the same rows (only the `updated_at` / audit
timestamps differ). Names of people and organisations are invented; SIRET numbers are valid
(Luhn) but generated, e-mail addresses use the reserved `.invalid` domain and telephone numbers the
range reserved for fiction (01 99 00 xx xx).
"""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from instructeur.demo.common import DEMO_USER, DemoSummary, ProgressCallback
from instructeur.demo.generator import _Generator
from instructeur.errors import UserError
from instructeur.referentiels import Referentiel, load_referentiel
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import Contrat

__all__ = ["DEMO_USER", "DemoSummary", "create_demo"]


def _letter_settings(db: Database, ref: Referentiel) -> None:
    """A complete, clearly fictitious letterhead and signataire, so the demo's letters are whole."""
    from instructeur.services.notifications import NotificationService, NotificationSettings

    commune = ref.communes[0] if ref.communes else "la ville-centre"
    NotificationService(db, user=DEMO_USER).save_settings(
        NotificationSettings(
            expediteur="\n".join(
                [
                    ref.epci_nom,
                    "Direction de la cohésion sociale (démonstration)",
                    "1 place de l'Exemple",
                    commune,
                ]
            ),
            ville=commune,
            signataire="Camille Exemple (signataire fictif)",
            fonction_signataire=f"Pour le président de la {ref.epci_nom}, le vice-président délégué",
            contact="Dominique Démo, cheffe de projet politique de la ville",
        )
    )


def create_demo(
    target: str | Path,
    *,
    dossiers: int = 250,
    seed: int = 2026,
    referentiel: str = "boulonnais-2024",
    progress: ProgressCallback | None = None,
) -> DemoSummary:
    """Create a demo database at `target` (a new file, or an empty server database).

    Refuses (UserError) an existing non-empty file or a database that already holds a contrat:
    a user's data is never overwritten. A file appears complete or not at all (`_build_file`).
    """
    started = time.perf_counter()
    if dossiers < 1:
        raise UserError("démonstration : le nombre de dossiers doit être au moins 1")
    path = _check_target(target)
    ref = load_referentiel(referentiel)
    if path is None:  # a server database: built in place (its own emptiness is checked)
        summary = _build(target, ref, dossiers, seed, progress)
    else:
        summary = _build_file(path, ref, dossiers, seed, progress)
    return replace(summary, seconds=round(time.perf_counter() - started, 3))


def _build(
    target: str | Path, ref: Referentiel, dossiers: int, seed: int, progress: ProgressCallback | None
) -> DemoSummary:
    db = open_database(target)
    try:
        with db.session() as s:
            if s.scalar(select(func.count()).select_from(Contrat)):
                raise UserError(
                    f"{db.display_name} : cette base contient déjà des données ; "
                    "la démonstration ne s'installe que dans une base vide"
                )
        summary = _Generator(db, ref, dossiers, seed, progress).run()
        _letter_settings(db, ref)
        if db.is_sqlite:  # the whole base in the main file before it is renamed
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return summary


def _build_file(
    path: Path, ref: Referentiel, dossiers: int, seed: int, progress: ProgressCallback | None
) -> DemoSummary:
    """All or nothing: build in `.NAME.tmp-XXXX` beside the target, rename it only when complete.
    A killed run leaves at most such a temporary file, which the next run removes."""
    for stale in path.parent.glob(f".{path.name}.tmp-*"):
        stale.unlink(missing_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{secrets.token_hex(4)}")
    previous = _raise_on_sigterm()
    try:
        summary = _build(tmp, ref, dossiers, seed, progress)
        os.replace(tmp, path)
    finally:
        _restore_sigterm(previous)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    return summary


def _raise_on_sigterm() -> Any:
    """SIGTERM becomes SystemExit so that the temporary file is removed (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, stop)


def _restore_sigterm(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def _check_target(target: str | Path) -> Path | None:
    """The SQLite file to create (None for a server URL); refuses an existing non-empty file."""
    text = str(target)
    if "://" in text:
        return None
    path = Path(text).expanduser().resolve()
    if path.is_dir():
        raise UserError(f"{path} : c'est un dossier ; indiquez le nom du fichier de démonstration à créer")
    if path.exists() and path.stat().st_size > 0:
        raise UserError(
            f"{path} existe déjà : la démonstration ne remplace jamais un fichier existant, choisissez un autre nom"
        )
    return path
