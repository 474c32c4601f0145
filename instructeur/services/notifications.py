"""Notification letters: settings, editable templates, batch generation and the à générer → à signer →
à notifier → notifié workflow (DESIGN.md §4, §8).

Choices (see also `instructeur.exports.letters` for the template syntax):

* **One letter per dossier**, sent by the contrat's pilot: the financeur whose code is the setting
  `financeur_signataire` (default: the contrat's first EPCI financeur, else the État, else the first
  financeur). For an attribution, `{montant}` is that financeur's voted amount and the other
  financeurs' votes are listed (`{autres_financeurs}`); when the pilot voted nothing for a retained
  action, the letter carries the largest vote instead, and `{financeur}` names it.
* The convention sentence (`[[si montant_superieur_23000]]`) depends on the letter's own amount,
  strictly above 23 000,00 € (loi 2000-321 art. 10 applies per granting authority).
* Comité facts (date, conditions, motivation) come from the dossier's last decided `ComitePoint`,
  else from the last transition to the decision (campagnes imported or decided without a comité).
* Without `dossier_ids`, a campagne's letters are those of dossiers awaiting notification (statut
  retenu, refusé or ajourné); named dossiers may be already notified (a reprint) but need a decision.
* Generating moves the dossier's `Notification` row (same modèle) from à générer / à signer to
  à signer with `date_generation` and `fichier`; a row already signed or notified is left as it is
  (the file is rewritten, the state never goes back). `mark` only moves forward; « notifié » also
  moves the dossier retenu/refusé → notifié through `DossierService`.
* Settings and edited templates are stored in `Setting` (keys `notifications.*`), i.e. per database.
"""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from sqlalchemy import select

from instructeur.domain.etats import NOTIFICATION_ETAT_LABELS
from instructeur.domain.letter_preflight import letter_preflight
from instructeur.domain.statuts import Statut
from instructeur.domain.text import safe_filename
from instructeur.errors import NotFoundError, UserError, ValidationError
from instructeur.exports.letter_batch import render_letters
from instructeur.exports.letters import (
    MODELES,
    LetterData,
    merge_text,
    template_fields,
    template_problems,
)
from instructeur.services import audit
from instructeur.services.notification_letters import (
    CONVENTION_THRESHOLD_CENTS,
    build_letters,
    salutation,
)
from instructeur.services.notification_settings import (
    FIELDS,
    SETTING_PREFIX,
    TEMPLATE_PREFIX,
    NotificationSettings,
    default_template,
    letter_head,
    put_setting,
    read_settings,
    read_templates,
)
from instructeur.storage.db import Database
from instructeur.storage.models import (
    NOTIFICATION_ETATS,
    Dossier,
    Financeur,
    Notification,
    Porteur,
    Setting,
)

__all__ = [
    "CONVENTION_THRESHOLD_CENTS",
    "ETAT_LABELS",
    "FIELDS",
    "GenerationResult",
    "MarkResult",
    "NotificationRow",
    "NotificationService",
    "NotificationSettings",
    "REGENERABLE",
    "default_template",
    "letter_head",
    "salutation",
]

ETAT_LABELS = NOTIFICATION_ETAT_LABELS
# The forward path of a letter; « a_refaire » (decision revised) leaves it until regenerated.
_FORWARD = ("a_generer", "a_signer", "a_notifier", "notifie")
assert set(_FORWARD) | {"a_refaire"} == set(NOTIFICATION_ETATS)
# States whose letter may be (re)generated: none yet, not signed yet, or a revised decision.
REGENERABLE = ("a_generer", "a_signer", "a_refaire")
_DATE_FIELD = {"a_signer": "date_generation", "a_notifier": "date_signature", "notifie": "date_notification"}


@dataclass(frozen=True)
class NotificationRow:
    id: int
    dossier_id: int
    reference: str
    porteur: str
    modele: str
    etat: str
    financeur: str
    date_generation: date | None
    date_signature: date | None
    date_notification: date | None
    fichier: str | None

    @property
    def etat_label(self) -> str:
        return ETAT_LABELS.get(self.etat, self.etat)


@dataclass(frozen=True)
class GenerationResult:
    files: tuple[Path, ...]
    merged: Path | None
    notification_ids: tuple[int, ...]
    seconds: float
    cancelled: bool = False
    unchanged: tuple[str, ...] = ()  # references whose notification was already signed/notified


@dataclass(frozen=True)
class MarkResult:
    changed: tuple[int, ...]
    refused: tuple[tuple[int, str], ...]  # (notification id, French reason)
    dossiers_notifies: tuple[int, ...] = ()


class NotificationService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    # --- settings and templates -------------------------------------------------------------

    def settings(self) -> NotificationSettings:
        with self.db.session() as s:
            return read_settings(s)

    def save_settings(self, settings: NotificationSettings) -> None:
        problems = []
        for name in ("logo", "signature"):
            path = getattr(settings, name).strip()
            if path and not Path(path).is_file():
                problems.append(f"{name} : fichier introuvable « {path} »")
        if problems:
            raise ValidationError(problems)
        with self.db.session() as s:
            for f in fields(NotificationSettings):
                put_setting(s, SETTING_PREFIX + f.name, str(getattr(settings, f.name)).strip())
            audit.record(s, self.user, "setting", 0, "update", {"notifications": "paramètres"})

    def templates(self) -> dict[str, str]:
        """The current text of each modèle: the edited one, else the default shipped with the app."""
        with self.db.session() as s:
            return read_templates(s)

    def save_template(self, modele: str, text: str | None) -> None:
        """Store an edited template; None or an empty text goes back to the default."""
        default_template(modele)  # validates the name
        if text is not None and text.strip():
            problems = template_problems(text, FIELDS)
            if problems:
                raise ValidationError([f"modèle « {modele} » : {p}" for p in problems])
        with self.db.session() as s:
            key = TEMPLATE_PREFIX + modele
            if text is None or not text.strip():
                row = s.get(Setting, key)
                if row is not None:
                    s.delete(row)
            else:
                put_setting(s, key, text)
            audit.record(s, self.user, "setting", 0, "update", {"modele": modele})

    # --- pre-flight -----------------------------------------------------------------------------

    def preflight(self, modeles: Sequence[str] = MODELES) -> builtins.list[str]:
        """What the letters of these modèles still lack (one French line each; empty: ready)."""
        with self.db.session() as s:
            cfg = read_settings(s)
            tpl = read_templates(s)
        used: set[str] = set()
        for modele in modeles:
            used |= template_fields(tpl.get(modele, ""))
        return letter_preflight(letter_head(cfg), used)

    # --- letters --------------------------------------------------------------------------------

    def letters(
        self,
        campagne_id: int,
        dossier_ids: Sequence[int] | None = None,
        *,
        date_lettre: date | None = None,
    ) -> builtins.list[LetterData]:
        with self.db.session() as s:
            return build_letters(s, campagne_id, dossier_ids, date_lettre or date.today())

    def preview(
        self, dossier_id: int, template: str | None = None, *, date_lettre: date | None = None
    ) -> str:
        """The merged text of the dossier's letter (with `template` instead of the stored one)."""
        with self.db.session() as s:
            campagne_id = s.scalar(select(Dossier.campagne_id).where(Dossier.id == dossier_id))
            if campagne_id is None:
                raise NotFoundError(f"dossier {dossier_id} introuvable")
            letter = build_letters(s, campagne_id, [dossier_id], date_lettre or date.today())[0]
        return merge_text(template if template is not None else letter.template, letter.fields)

    # --- generation -----------------------------------------------------------------------------

    def generate(
        self,
        campagne_id: int,
        folder: Path,
        dossier_ids: Sequence[int] | None = None,
        merged: Path | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        *,
        date_lettre: date | None = None,
    ) -> GenerationResult:
        """One PDF per dossier in `folder` (« <référence>_<porteur>.pdf »), optionally one merged PDF."""
        start = time.perf_counter()
        today = date_lettre or date.today()
        letters = self.letters(campagne_id, dossier_ids, date_lettre=today)
        if not letters:
            raise UserError("aucune lettre à générer : aucun dossier décidé en attente de notification")
        missing = self.preflight(sorted({letter.modele for letter in letters}))
        if missing:  # an incomplete letter is never written
            raise ValidationError(missing)
        folder = Path(folder).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"{folder} : dossier impossible à créer ({exc.strerror})") from None
        root = folder.resolve()
        jobs: builtins.list[tuple[LetterData, Path]] = []
        used: set[str] = set()
        for letter in letters:
            stem = f"{safe_filename(letter.reference, 40)}_{safe_filename(letter.porteur, 60)}"
            name, n = f"{stem}.pdf", 1
            while name.casefold() in used:
                n += 1
                name = f"{stem}-{n}.pdf"
            used.add(name.casefold())
            path = (root / name).resolve()
            if not path.is_relative_to(root) or path.parent != root:
                raise UserError(f"nom de fichier refusé pour le dossier {letter.reference} : {name}")
            jobs.append((letter, path))
        if merged is not None:
            merged = Path(merged).expanduser().resolve()
            merged.parent.mkdir(parents=True, exist_ok=True)
        try:
            result = render_letters(jobs, merged, progress=progress, cancel=cancel)
        except OSError as exc:
            from instructeur.errors import system_error  # a full disk: the CLI's French line (H10)

            known = system_error(exc)
            raise UserError(f"écriture des lettres impossible : {known.message if known else exc}") from None
        done = {p for p in result.files}
        written = [(letter, path) for letter, path in jobs if path in done]
        ids, unchanged = self._record_generation(written, today)
        return GenerationResult(
            files=result.files,
            merged=result.merged,
            notification_ids=tuple(ids),
            seconds=time.perf_counter() - start,
            cancelled=result.cancelled,
            unchanged=tuple(unchanged),
        )

    def _record_generation(
        self, written: Sequence[tuple[LetterData, Path]], today: date
    ) -> tuple[builtins.list[int], builtins.list[str]]:
        ids: builtins.list[int] = []
        unchanged: builtins.list[str] = []
        if not written:
            return ids, unchanged
        with self.db.session() as s:
            existing = s.scalars(
                select(Notification)
                .where(Notification.dossier_id.in_([letter.dossier_id for letter, _ in written]))
                .order_by(Notification.id)
            ).all()
            by_key = {(n.dossier_id, n.modele): n for n in existing}
            redo = {n.dossier_id: n for n in existing if n.etat == "a_refaire"}
            for letter, path in written:
                row = by_key.get((letter.dossier_id, letter.modele))
                if row is None and letter.dossier_id in redo:  # revised decision, other modèle
                    row = redo[letter.dossier_id]
                    row.modele = letter.modele
                if row is None:
                    row = Notification(dossier_id=letter.dossier_id, modele=letter.modele, etat="a_generer")
                    s.add(row)
                if row.etat in REGENERABLE:
                    row.etat = "a_signer"
                    row.date_generation = today
                    row.financeur_id = letter.financeur_id
                    row.fichier = str(path)
                    row.updated_by = self.user
                else:
                    unchanged.append(letter.reference)
                s.flush()
                ids.append(row.id)
            audit.record(
                s,
                self.user,
                "notification",
                0,
                "generate",
                {"dossiers": [lt.dossier_id for lt, _ in written]},
            )
        return ids, unchanged

    # --- workflow -------------------------------------------------------------------------------

    def mark(self, notification_ids: Sequence[int], etat: str, when: date | None = None) -> MarkResult:
        """Move notifications forward (à signer → à notifier → notifié), with the date of the step."""
        if etat not in _FORWARD or etat == "a_generer":
            raise UserError(f"état de notification invalide : « {etat} » (a_signer, a_notifier ou notifie)")
        when = when or date.today()
        target = _FORWARD.index(etat)
        changed: builtins.list[int] = []
        refused: builtins.list[tuple[int, str]] = []
        to_notify: builtins.list[int] = []
        with self.db.session() as s:
            rows = {
                n.id: n
                for n in s.scalars(select(Notification).where(Notification.id.in_(list(notification_ids))))
            }
            for nid in notification_ids:
                row = rows.get(nid)
                if row is None:
                    refused.append((nid, f"notification {nid} introuvable"))
                    continue
                if row.etat == "a_refaire":  # the decision changed: the old letter must not go out
                    refused.append(
                        (
                            nid,
                            f"notification {nid} : lettre « À refaire » (décision modifiée) ; générez-la de nouveau",
                        )
                    )
                    continue
                current = _FORWARD.index(row.etat)
                if target <= current:
                    refused.append(
                        (
                            nid,
                            f"notification {nid} : passage de « {ETAT_LABELS[row.etat]} » à "
                            f"« {ETAT_LABELS[etat]} » impossible (les états ne reviennent pas en arrière)",
                        )
                    )
                    continue
                for step in _FORWARD[current + 1 : target + 1]:
                    attr = _DATE_FIELD[step]
                    if step == etat or getattr(row, attr) is None:
                        setattr(row, attr, when)
                old = row.etat
                row.etat = etat
                row.updated_by = self.user
                changed.append(nid)
                audit.record(s, self.user, "notification", nid, "update", {"etat": [old, etat], "date": when})
                if etat == "notifie":
                    to_notify.append(row.dossier_id)
        notified: builtins.list[int] = []
        if to_notify:
            notified = self._notify_dossiers(to_notify, refused)
        return MarkResult(tuple(changed), tuple(refused), tuple(notified))

    def _notify_dossiers(
        self, dossier_ids: Sequence[int], refused: builtins.list[tuple[int, str]]
    ) -> builtins.list[int]:
        from instructeur.services.dossiers import DossierService

        with self.db.session() as s:
            eligible = list(
                s.scalars(
                    select(Dossier.id).where(
                        Dossier.id.in_(list(set(dossier_ids))),
                        Dossier.statut.in_((Statut.RETENU.value, Statut.REFUSE.value)),
                    )
                )
            )
        if not eligible:
            return []
        result = DossierService(self.db, self.user).change_statut_many(sorted(eligible), Statut.NOTIFIE)
        refused.extend((0, reason) for _, reason in result.refused)
        return list(result.changed)

    def list(self, campagne_id: int) -> builtins.list[NotificationRow]:
        with self.db.session() as s:
            rows = s.execute(
                select(Notification, Dossier.reference, Porteur.raison_sociale, Financeur.nom)
                .join(Dossier, Dossier.id == Notification.dossier_id)
                .join(Porteur, Porteur.id == Dossier.porteur_id)
                .outerjoin(Financeur, Financeur.id == Notification.financeur_id)
                .where(Dossier.campagne_id == campagne_id)
                .order_by(Dossier.reference, Notification.id)
            ).all()
            return [
                NotificationRow(
                    id=n.id,
                    dossier_id=n.dossier_id,
                    reference=ref,
                    porteur=porteur,
                    modele=n.modele,
                    etat=n.etat,
                    financeur=fin or "",
                    date_generation=n.date_generation,
                    date_signature=n.date_signature,
                    date_notification=n.date_notification,
                    fichier=n.fichier,
                )
                for n, ref, porteur, fin in rows
            ]
