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
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from instructeur.domain.dates import echeance_crf, format_date_long
from instructeur.domain.letter_preflight import LetterHead, letter_preflight
from instructeur.domain.money import amount_in_words, format_amount
from instructeur.domain.statuts import Statut
from instructeur.domain.text import fold, safe_filename
from instructeur.errors import NotFoundError, UserError, ValidationError
from instructeur.exports.letters import (
    MODELES,
    LetterData,
    merge_text,
    render_letters,
    template_fields,
    template_problems,
)
from instructeur.resources import resource_path
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.models import (
    NOTIFICATION_ETATS,
    Campagne,
    Comite,
    ComitePoint,
    Contrat,
    Dossier,
    Financeur,
    Notification,
    Porteur,
    Setting,
    Transition,
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
    "letter_head",
]

CONVENTION_THRESHOLD_CENTS = 23_000_00
ETAT_LABELS = {
    "a_generer": "À générer",
    "a_signer": "À signer",
    "a_notifier": "À notifier",
    "notifie": "Notifié",
    "a_refaire": "À refaire",  # issue 9: the decision was revised after the letter was generated
}
# The forward path of a letter; « a_refaire » (decision revised) leaves it until regenerated.
_FORWARD = ("a_generer", "a_signer", "a_notifier", "notifie")
assert set(_FORWARD) | {"a_refaire"} == set(NOTIFICATION_ETATS)
# States whose letter may be (re)generated: none yet, not signed yet, or a revised decision.
REGENERABLE = ("a_generer", "a_signer", "a_refaire")
_DATE_FIELD = {"a_signer": "date_generation", "a_notifier": "date_signature", "notifie": "date_notification"}
_MODELE_OF = {
    Statut.RETENU.value: "attribution",
    Statut.REFUSE.value: "refus",
    Statut.AJOURNE.value: "ajournement",
}
_PENDING = (Statut.RETENU.value, Statut.REFUSE.value, Statut.AJOURNE.value)
_DECIDED = (*_PENDING, Statut.NOTIFIE.value, Statut.SOLDE.value, Statut.NON_REALISE.value)
_SETTING_PREFIX = "notifications."
_TEMPLATE_PREFIX = "notifications.modele."

# Merge fields offered to templates (values are plain text; empty = condition false).
FIELDS: dict[str, str] = {
    "porteur": "raison sociale du porteur",
    "representant": "appel : « Madame la Présidente »",
    "representant_nom": "« Mme Claire Dupont »",
    "reference": "référence du dossier",
    "intitule": "intitulé de l'action",
    "annee": "année de la campagne",
    "montant": "montant attribué par le financeur de la lettre, en chiffres",
    "montant_lettres": "le même montant en lettres",
    "montant_total": "total voté par tous les financeurs",
    "montant_total_lettres": "le total en lettres",
    "financeur": "financeur de la lettre",
    "autres_financeurs": "autres financeurs et montants votés, en une phrase",
    "autres_financeurs_liste": "autres financeurs, une ligne chacun",
    "conditions": "conditions posées par le comité",
    "motivation": "motivation de la décision",
    "date_comite": "date du comité",
    "contrat": "nom du contrat de ville",
    "epci": "EPCI du contrat",
    "signataire": "nom du signataire",
    "fonction_signataire": "fonction du signataire",
    "date": "date de la lettre",
    "ville": "lieu d'émission",
    "service": "service instructeur",
    "contact": "affaire suivie par",
    "echeance_crf": "date limite du compte rendu financier (CERFA 15059)",
    "montant_superieur_23000": "« oui » si le montant dépasse 23 000 € (convention obligatoire)",
    "association": "« oui » si le porteur est une association ou une fondation",
}


@dataclass(frozen=True)
class NotificationSettings:
    expediteur: str = ""  # sender block, one line each; empty: the contrat's EPCI
    ville: str = ""
    signataire: str = ""
    fonction_signataire: str = ""
    logo: str = ""  # image path
    signature: str = ""  # image path
    financeur_signataire: str = ""  # financeur code; empty: EPCI, else État
    service: str = "politique de la ville"
    contact: str = ""  # « Affaire suivie par … »


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


def default_template(modele: str) -> str:
    if modele not in MODELES:
        raise UserError(f"modèle de lettre inconnu : « {modele} » (attribution, refus ou ajournement)")
    return resource_path("templates", "notifications", f"{modele}.txt").read_text(encoding="utf-8")


def salutation(civilite: str | None, fonction: str | None) -> str:
    """« Madame la Présidente », « Monsieur le Directeur », « Madame », « Madame, Monsieur »."""
    key = fold(civilite or "").rstrip(".")
    title = "Madame" if key in {"mme", "madame", "mlle", "mademoiselle"} else None
    title = "Monsieur" if key in {"m", "monsieur", "mr"} else title
    if title is None:
        return "Madame, Monsieur"
    role = (fonction or "").strip()
    if not role:
        return title
    role = role[0].upper() + role[1:]
    if fold(role[0]) in "aeiouyh":
        return f"{title} l'{role}"
    return f"{title} {'la' if title == 'Madame' else 'le'} {role}"


def _person(p: Porteur) -> str:
    civ = (p.representant_civilite or "").strip()
    if civ and fold(civ).rstrip(".") in {"m", "monsieur", "mr"}:
        civ = "M."
    elif civ and fold(civ).rstrip(".") in {"mme", "madame"}:
        civ = "Mme"
    return " ".join(
        x for x in (civ, (p.representant_prenom or "").strip(), (p.representant_nom or "").strip()) if x
    )


def _lower_first(nom: str) -> str:
    """« Contrat de ville « … » » reads « du contrat de ville « … » » inside a sentence."""
    return nom[0].lower() + nom[1:] if nom.startswith(("Contrat ", "Contrats ")) else nom


def _is_association(p: Porteur) -> bool:
    forme = fold(p.forme_juridique or "")
    return bool(p.rna) or "association" in forme or "fondation" in forme


def letter_head(cfg: NotificationSettings) -> LetterHead:
    """The settings as the pure pre-flight sees them (the image files are looked up here)."""
    return LetterHead(
        expediteur=cfg.expediteur,
        ville=cfg.ville,
        signataire=cfg.signataire,
        fonction_signataire=cfg.fonction_signataire,
        logo=cfg.logo,
        logo_found=not cfg.logo.strip() or Path(cfg.logo.strip()).expanduser().is_file(),
        signature=cfg.signature,
        signature_found=not cfg.signature.strip() or Path(cfg.signature.strip()).expanduser().is_file(),
        service=cfg.service,
        contact=cfg.contact,
    )


class NotificationService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    # --- settings and templates -------------------------------------------------------------

    def settings(self) -> NotificationSettings:
        with self.db.session() as s:
            return self._settings(s)

    @staticmethod
    def _settings(s: Session) -> NotificationSettings:
        rows = s.execute(select(Setting.key, Setting.value).where(Setting.key.like(_SETTING_PREFIX + "%")))
        stored = {k[len(_SETTING_PREFIX) :]: v for k, v in rows}
        values = {f.name: stored[f.name] for f in fields(NotificationSettings) if f.name in stored}
        return replace(NotificationSettings(), **values)

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
                self._put(s, _SETTING_PREFIX + f.name, str(getattr(settings, f.name)).strip())
            audit.record(s, self.user, "setting", 0, "update", {"notifications": "paramètres"})

    def templates(self) -> dict[str, str]:
        """The current text of each modèle: the edited one, else the default shipped with the app."""
        with self.db.session() as s:
            return self._templates(s)

    @staticmethod
    def _templates(s: Session) -> dict[str, str]:
        rows = dict(
            s.execute(
                select(Setting.key, Setting.value).where(Setting.key.like(_TEMPLATE_PREFIX + "%"))
            ).all()
        )
        return {m: rows.get(_TEMPLATE_PREFIX + m) or default_template(m) for m in MODELES}

    def save_template(self, modele: str, text: str | None) -> None:
        """Store an edited template; None or an empty text goes back to the default."""
        default_template(modele)  # validates the name
        if text is not None and text.strip():
            problems = template_problems(text, FIELDS)
            if problems:
                raise ValidationError([f"modèle « {modele} » : {p}" for p in problems])
        with self.db.session() as s:
            key = _TEMPLATE_PREFIX + modele
            if text is None or not text.strip():
                row = s.get(Setting, key)
                if row is not None:
                    s.delete(row)
            else:
                self._put(s, key, text)
            audit.record(s, self.user, "setting", 0, "update", {"modele": modele})

    @staticmethod
    def _put(s: Session, key: str, value: str) -> None:
        row = s.get(Setting, key)
        if row is None:
            s.add(Setting(key=key, value=value))
        else:
            row.value = value

    # --- pre-flight -----------------------------------------------------------------------------

    def preflight(self, modeles: Sequence[str] = MODELES) -> builtins.list[str]:
        """What the letters of these modèles still lack (one French line each; empty: ready)."""
        with self.db.session() as s:
            cfg = self._settings(s)
            tpl = self._templates(s)
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
            return self._letters(s, campagne_id, dossier_ids, date_lettre or date.today())

    def preview(
        self, dossier_id: int, template: str | None = None, *, date_lettre: date | None = None
    ) -> str:
        """The merged text of the dossier's letter (with `template` instead of the stored one)."""
        with self.db.session() as s:
            campagne_id = s.scalar(select(Dossier.campagne_id).where(Dossier.id == dossier_id))
            if campagne_id is None:
                raise NotFoundError(f"dossier {dossier_id} introuvable")
            letter = self._letters(s, campagne_id, [dossier_id], date_lettre or date.today())[0]
        return merge_text(template if template is not None else letter.template, letter.fields)

    def _letters(
        self, s: Session, campagne_id: int, dossier_ids: Sequence[int] | None, today: date
    ) -> builtins.list[LetterData]:
        campagne = s.get(Campagne, campagne_id)
        if campagne is None:
            raise NotFoundError(f"campagne {campagne_id} introuvable")
        contrat = s.get(Contrat, campagne.contrat_id, options=[selectinload(Contrat.financeurs)])
        assert contrat is not None
        cfg = self._settings(s)
        tpl = self._templates(s)
        financeurs = {f.id: f for f in contrat.financeurs}
        pilot = self._pilot(contrat.financeurs, cfg.financeur_signataire)

        query = (
            select(Dossier)
            .where(Dossier.campagne_id == campagne_id)
            .options(selectinload(Dossier.lignes), selectinload(Dossier.porteur))
            .order_by(Dossier.reference)
        )
        if dossier_ids is None:  # awaiting notification, or a letter to redo after a revision
            redo = select(Notification.dossier_id).where(Notification.etat == "a_refaire")
            query = query.where(Dossier.statut.in_(_PENDING) | Dossier.id.in_(redo))
        else:
            query = query.where(Dossier.id.in_(list(dossier_ids)))
        dossiers = list(s.scalars(query))
        if dossier_ids is not None:
            found = {d.id for d in dossiers}
            missing = [str(i) for i in dossier_ids if i not in found]
            if missing:
                raise NotFoundError(f"dossiers introuvables dans cette campagne : {', '.join(missing)}")
            undecided = [d.reference for d in dossiers if d.statut not in _DECIDED or not d.decision]
            if undecided:
                raise UserError("aucune décision de comité pour : " + ", ".join(undecided))
        ids = [d.id for d in dossiers]
        points = self._last_points(s, ids)
        transitions = self._last_transitions(s, ids)

        expediteur = tuple(line.strip() for line in cfg.expediteur.splitlines() if line.strip()) or tuple(
            x for x in (contrat.epci_nom or contrat.nom, f"Service {cfg.service}".strip()) if x
        )
        lieu_date = (f"{cfg.ville}, le " if cfg.ville else "Le ") + format_date_long(today)
        logo = Path(cfg.logo) if cfg.logo else None
        signature = Path(cfg.signature) if cfg.signature else None
        contact = cfg.contact.strip()
        if contact and not fold(contact).startswith("affaire"):
            contact = f"Affaire suivie par : {contact}"

        out: builtins.list[LetterData] = []
        for d in dossiers:
            decision = d.decision if d.decision in _MODELE_OF else d.statut
            modele = _MODELE_OF.get(decision or "", "refus")
            votes = [
                (lg.financeur_id, lg.vote_cents or 0)
                for lg in d.lignes
                if lg.financeur_id is not None and lg.financeur_id in financeurs
            ]
            by_financeur: dict[int, int] = {}
            for fid, cents in votes:
                by_financeur[fid] = by_financeur.get(fid, 0) + cents
            letter_fin = pilot
            if modele == "attribution" and (pilot is None or by_financeur.get(pilot.id, 0) == 0):
                best = max(
                    (fid for fid, c in by_financeur.items() if c > 0),
                    key=lambda fid: (by_financeur[fid], -financeurs[fid].position),
                    default=None,
                )
                if best is not None:
                    letter_fin = financeurs[best]
            montant = by_financeur.get(letter_fin.id, 0) if letter_fin is not None else 0
            total = sum(by_financeur.values())
            others = [
                (financeurs[fid], c)
                for fid, c in sorted(by_financeur.items(), key=lambda item: financeurs[item[0]].position)
                if c > 0 and (letter_fin is None or fid != letter_fin.id)
            ]
            point = points.get(d.id)
            transition = transitions.get(d.id)
            comite_date: date | None = None
            if point is not None and point[1] is not None:
                comite_date = point[1]
            elif point is not None and point[0].decided_at is not None:
                comite_date = point[0].decided_at.date()
            elif transition is not None:
                comite_date = transition.at.date()
            motivation = (point[0].motivation if point else None) or (
                transition.motivation if transition else None
            )
            p = d.porteur
            values = {
                "porteur": p.raison_sociale,
                "representant": salutation(p.representant_civilite, p.representant_fonction),
                "representant_nom": _person(p),
                "reference": d.reference,
                "intitule": d.intitule,
                "annee": str(campagne.annee),
                "montant": format_amount(montant),
                "montant_lettres": amount_in_words(montant),
                "montant_total": format_amount(total),
                "montant_total_lettres": amount_in_words(total),
                "financeur": letter_fin.nom if letter_fin is not None else "",
                "autres_financeurs": ", ".join(f"{f.nom} ({format_amount(c)})" for f, c in others),
                "autres_financeurs_liste": "\n".join(f"{f.nom} : {format_amount(c)}" for f, c in others),
                "conditions": ((point[0].conditions if point else None) or "").strip(),
                "motivation": (motivation or "").strip(),
                "date_comite": format_date_long(comite_date) if comite_date else "",
                "contrat": _lower_first(contrat.nom),
                "epci": contrat.epci_nom,
                "signataire": cfg.signataire,
                "fonction_signataire": cfg.fonction_signataire,
                "date": format_date_long(today),
                "ville": cfg.ville,
                "service": cfg.service,
                "contact": contact,
                "echeance_crf": format_date_long(echeance_crf(campagne.annee, d.date_fin)),
                "montant_superieur_23000": "oui" if montant > CONVENTION_THRESHOLD_CENTS else "",
                "association": "oui" if _is_association(p) else "",
            }
            person = _person(p)
            fonction = (p.representant_fonction or "").strip()
            attention = ""
            if person:
                attention = f"À l'attention de {person}" + (f", {fonction}" if fonction else "")
            town = " ".join(x for x in ((p.code_postal or "").strip(), (p.ville or "").strip().upper()) if x)
            out.append(
                LetterData(
                    dossier_id=d.id,
                    modele=modele,
                    reference=d.reference,
                    porteur=p.raison_sociale,
                    template=tpl[modele],
                    fields=values,
                    expediteur=expediteur,
                    destinataire=tuple(x for x in (p.raison_sociale, attention, p.adresse or "", town) if x),
                    lieu_date=lieu_date,
                    signataire=cfg.signataire,
                    fonction_signataire=cfg.fonction_signataire,
                    affaire_suivie=contact,
                    logo=logo,
                    signature=signature,
                    financeur_id=letter_fin.id if letter_fin is not None else None,
                )
            )
        return out

    @staticmethod
    def _pilot(financeurs: Sequence[Financeur], code: str) -> Financeur | None:
        if code:
            for f in financeurs:
                if fold(f.code) == fold(code):
                    return f
        for kind in ("epci", "etat"):
            for f in financeurs:
                if f.type == kind:
                    return f
        return financeurs[0] if financeurs else None

    @staticmethod
    def _last_points(s: Session, ids: Sequence[int]) -> dict[int, tuple[ComitePoint, date | None]]:
        if not ids:
            return {}
        rows = s.execute(
            select(ComitePoint, Comite.date_seance)
            .join(Comite, Comite.id == ComitePoint.comite_id)
            .where(ComitePoint.dossier_id.in_(list(ids)), ComitePoint.decision.is_not(None))
        ).all()
        best: dict[int, tuple[ComitePoint, date | None]] = {}

        def key(item: tuple[ComitePoint, date | None]) -> tuple[date, datetime, int]:
            pt, seance = item
            return (seance or date.min, pt.decided_at or datetime.min, pt.id)

        for point, seance in rows:
            current = best.get(point.dossier_id)
            if current is None or key((point, seance)) > key(current):
                best[point.dossier_id] = (point, seance)
        return best

    @staticmethod
    def _last_transitions(s: Session, ids: Sequence[int]) -> dict[int, Transition]:
        if not ids:
            return {}
        rows = s.scalars(
            select(Transition)
            .where(Transition.dossier_id.in_(list(ids)), Transition.vers_statut.in_(_PENDING))
            .order_by(Transition.at, Transition.id)
        )
        return {t.dossier_id: t for t in rows}

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
            raise UserError(f"écriture des lettres impossible : {exc}") from None
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
                        (nid, f"notification {nid} : lettre « À refaire » (décision modifiée) ; générez-la de nouveau")
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
