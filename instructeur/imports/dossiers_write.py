"""Writing what an import planned (imports/dossiers.py): new porteurs, new dossiers with their
lines, quartiers and first transition, updates; and, on PostgreSQL, writing while planning.

A 20 000-row import on a server spends as long in the server (inserting, checking foreign keys,
journaling by trigger) as in Python reading and planning the file. `OverlappedWriter` writes the
rows planned so far from a second thread, chunk by chunk, while the main thread plans the next
ones: psycopg releases the GIL while the server works. It is used only when nothing can go wrong
by overlapping: PostgreSQL, all or nothing (any rejected row rolls the one transaction back) and an
empty campagne (only creations: planning never touches the session the writer uses).
"""

from __future__ import annotations

import queue
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from instructeur.domain.statuts import Statut
from instructeur.services import audit
from instructeur.storage.bulk_insert import insert_rows
from instructeur.storage.guards import check_rows
from instructeur.storage.models import Dossier, LigneFinancement, Porteur, Transition, dossier_quartier

if TYPE_CHECKING:
    from instructeur.imports.dossiers_plan import _Context, _Plan

SCALAR_KEYS = (
    "intitule", "description", "objectifs_action", "public_prevu", "public_femmes", "public_hommes",
    "part_qpv_pct", "objectif_id", "date_depot", "date_debut", "date_fin", "reconduite",
    "cotation_declaree", "observations",
)  # fmt: skip
CHUNK_ROWS = 2_000  # rows planned between two hand-overs to the writer


def write_plan(s: Session, ctx: _Context, plan: _Plan, user: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Write everything `plan` holds: (created dossier ids, updated dossier ids)."""
    write_porteurs(s, plan, user)
    created = write_creates(s, ctx, plan, user)
    return created, write_updates(s, ctx, plan, user)


class OverlappedWriter:
    """Writes the creations planned so far (`offer`) from its own thread, in order. `stop` waits for
    it (the session is the writer's until then); `created` gives the ids, or raises what the
    writing raised."""

    def __init__(self, s: Session, ctx: _Context, user: str) -> None:
        self.s, self.ctx, self.user = s, ctx, user
        self._chunks: queue.Queue[_Plan | None] = queue.Queue(maxsize=2)
        self._sent_creates = self._sent_porteurs = 0
        self._created: list[int] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="import-writer", daemon=True)
        self._thread.start()

    def offer(self, plan: _Plan) -> None:
        """Hand over what was planned since the last call (nothing once a row is rejected: the
        transaction will be rolled back anyway)."""
        if plan.problems or self._error is not None:
            return
        chunk = type(plan)(
            plan.mapping,
            creates=plan.creates[self._sent_creates :],
            new_porteurs=plan.new_porteurs[self._sent_porteurs :],
        )
        self._sent_creates, self._sent_porteurs = len(plan.creates), len(plan.new_porteurs)
        if chunk.creates or chunk.new_porteurs:
            self._chunks.put(chunk)

    def stop(self) -> None:
        self._chunks.put(None)
        self._thread.join()

    def created(self) -> tuple[int, ...]:
        if self._error is not None:
            raise self._error
        return tuple(self._created)

    def _run(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self._error is not None:
                continue  # drain: the main thread is still planning
            try:
                write_porteurs(self.s, chunk, self.user)
                self._created.extend(write_creates(self.s, self.ctx, chunk, self.user))
            except BaseException as exc:  # re-raised by created(), in the main thread
                self._error = exc


def _bulk_insert(s: Session, cls: type, rows: list[dict[str, object]], *, ids: bool = True) -> list[int]:
    """Insert `rows` in batches, past the unit of work (a 20 000-row import would spend most of its
    time there), through the same guard as every flush; the new ids in the order of `rows`."""
    check_rows(s, cls, rows)
    # one statement per table on PostgreSQL, so the journal's per-statement triggers fire once
    return insert_rows(s, cls.__table__, rows, ids=ids)  # type: ignore[attr-defined]


def write_porteurs(s: Session, plan: _Plan, user: str) -> None:
    rows: list[dict[str, object]] = []
    for ref in plan.new_porteurs:
        assert ref.data is not None
        rows.append({**vars(ref.data), "updated_by": user})
    for ref, pid in zip(plan.new_porteurs, _bulk_insert(s, Porteur, rows), strict=True):
        ref.id = pid
    audit.record_many(
        s, user, [("porteur", ref.porteur_id(), "create", {"raison_sociale": ref.name, "import": True})
                  for ref in plan.new_porteurs],
    )  # fmt: skip


def write_creates(s: Session, ctx: _Context, plan: _Plan, user: str) -> tuple[int, ...]:
    rows: list[dict[str, object]] = []
    for c in plan.creates:
        data = c.data
        row: dict[str, object] = {key: getattr(data, key) for key in SCALAR_KEYS}
        row.update(
            campagne_id=ctx.campagne.id, statut=Statut.DEPOSE.value, updated_by=user, version=1,
            reference=data.reference, porteur_id=c.porteur.porteur_id(), cout_total_cents=data.cout_total_cents,
            pluriannuel=data.pluriannuel, public_ages=data.public_ages,
        )  # fmt: skip
        rows.append(row)
    ids = _bulk_insert(s, Dossier, rows)
    now = datetime.now()
    lignes: list[dict[str, object]] = []
    quartiers: list[dict[str, int]] = []
    transitions: list[dict[str, object]] = []
    for c, did in zip(plan.creates, ids, strict=True):
        lignes.extend(
            {"dossier_id": did, "financeur_id": li.financeur_id, "libelle": li.libelle,
             "demande_cents": li.demande_cents, "position": n}
            for n, li in enumerate(c.data.lignes)
        )  # fmt: skip
        quartiers.extend({"dossier_id": did, "quartier_id": q.id} for q in c.quartiers)
        transitions.append(
            {"dossier_id": did, "utilisateur": user, "de_statut": None, "vers_statut": Statut.DEPOSE.value,
             "at": now, "motivation": c.historique}
        )  # fmt: skip
    _bulk_insert(s, LigneFinancement, lignes, ids=False)
    _bulk_insert(s, Transition, transitions, ids=False)
    if quartiers:
        insert_rows(s, dossier_quartier, quartiers, ids=False)
    audit.record_many(
        s, user, [("dossier", did, "create", {"reference": c.data.reference, "import": ctx.file})
                  for c, did in zip(plan.creates, ids, strict=True)],
    )  # fmt: skip
    return tuple(ids)


def write_updates(s: Session, ctx: _Context, plan: _Plan, user: str) -> tuple[int, ...]:
    for u in plan.updates:
        d = u.dossier
        with s.no_autoflush:
            for key, value in u.scalars.items():
                setattr(d, key, value)
            if u.porteur is not None:
                d.porteur_id = u.porteur.porteur_id()
            if u.quartiers is not None:
                d.quartiers = list(u.quartiers)
            _update_lines(d, u.lines)
            if u.cout_total is not None:
                d.cout_total_cents = u.cout_total
            d.updated_by = user
        audit.record(
            s, user, "dossier", d.id, "update",
            {c.label: [c.old, c.new] for c in u.changes} | {"import": ctx.file},
        )  # fmt: skip
    return tuple(u.dossier.id for u in plan.updates)


def _update_lines(d: Dossier, lines: dict[int | str, int]) -> None:
    remaining = dict(lines)
    for ligne in list(d.lignes):
        key: int | str = ligne.financeur_id if ligne.financeur_id is not None else ligne.libelle
        if key not in remaining:
            continue
        cents = remaining.pop(key)
        if cents == 0 and ligne.propose_cents is None and ligne.vote_cents is None:
            d.lignes.remove(ligne)
        else:
            ligne.demande_cents = cents
    position = max((li.position for li in d.lignes), default=-1) + 1
    for key, cents in remaining.items():
        if cents:
            d.lignes.append(
                LigneFinancement(
                    financeur_id=key if isinstance(key, int) else None,
                    libelle="" if isinstance(key, int) else key,
                    demande_cents=cents,
                    position=position,
                )
            )
            position += 1
