"""A contrat's financeurs: their edition (code, nom, type, SIRET), what uses them, and the financeurs
proposed for a new contrat from its référentiel's signataires."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from instructeur.domain.identifiers import normalize_siret, siret_problem
from instructeur.errors import NotFoundError, ValidationError
from instructeur.referentiels import SignataireRef
from instructeur.services import audit
from instructeur.storage.models import (
    FINANCEUR_TYPES,
    ComiteVote,
    Contrat,
    Enveloppe,
    Financeur,
    LigneFinancement,
)

FINANCEUR_TYPE_LABELS = {
    "etat": "État",
    "epci": "EPCI",
    "commune": "Commune",
    "departement": "Département",
    "region": "Région",
    "caf": "CAF",
    "bailleur": "Bailleur",
    "autre": "Autre",
}


@dataclass(frozen=True)
class FinanceurData:
    code: str
    nom: str
    type: str
    siret: str | None = None


@dataclass(frozen=True)
class FinanceurEdit:
    """One line of the financeurs table as edited: `id` None for a new financeur; the lines'
    order is the financeurs' order. `version` (optional) refuses a concurrent edit."""

    id: int | None
    code: str
    nom: str
    type: str
    version: int | None = None
    siret: str | None = None


@dataclass(frozen=True)
class FinanceurUsage:
    financeur_id: int
    dossiers: int  # dossiers with a line of the plan de financement on this financeur
    enveloppes: int  # campagnes giving it a non-zero enveloppe
    votes: int  # comité votes recorded for it

    @property
    def used(self) -> bool:
        return bool(self.dossiers or self.enveloppes or self.votes)


@dataclass(frozen=True)
class FinanceurRow:
    id: int
    code: str
    nom: str
    type: str
    siret: str | None = None


def default_financeurs(epci_nom: str = "") -> list[FinanceurData]:
    """The usual financeurs of a contrat de ville: État, EPCI, Département, Région, CAF."""
    return [
        FinanceurData("ETAT", "État (politique de la ville)", "etat"),
        FinanceurData("EPCI", epci_nom or "Intercommunalité (EPCI)", "epci"),
        FinanceurData("CD", "Conseil départemental", "departement"),
        FinanceurData("REGION", "Conseil régional", "region"),
        FinanceurData("CAF", "Caisse d'allocations familiales", "caf"),
    ]


# --- financeurs proposed from the signataires ---------------------------------------------------

# Signataires that are not financeurs of actions in their own name: État agencies and services
# (the État is the préfecture), chambres, banks, the justice, the employment service.
_NOT_FINANCEUR = re.compile(
    r"^(agence|direction|ministere|caisse primaire|caisse des depots|chambre|banque|bpifrance|rectorat|"
    r"procureur|france travail|pole emploi|education nationale|tribunal)"
)
# (type, pattern on the folded name without its article), first match wins.
_TYPE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("caf", re.compile(r"allocations? familiales?|\bcaf\b")),
    ("epci", re.compile(r"communaute (d'agglomeration|de communes|urbaine)|agglomeration|metropole|intercommunal")),
    ("commune", re.compile(r"^(ville|mairie|commune)\b")),
    ("departement", re.compile(r"^(le )?(departement|conseil departemental)\b")),
    ("region", re.compile(r"^(la )?(region|conseil regional)\b")),
    ("bailleur", re.compile(r"habitat|logis\b|logement|bailleur|cottage|^3 ?f\b|\bsem\b|office public")),
    ("etat", re.compile(r"^(etat|prefecture|prefet|sous-prefecture)\b")),
)
_TYPE_CODES = {"etat": "ETAT", "epci": "EPCI", "departement": "CD", "region": "REGION", "caf": "CAF"}
_ARTICLE = re.compile(r"^(le |la |les |l['’])", re.IGNORECASE)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().replace("’", "'")
    return " ".join(folded.split())


def guess_type(nom: str, epci_nom: str = "") -> str | None:
    """The financeur type a signataire's name suggests, or None (ARS, France Travail, a chambre…)."""
    folded = _fold(_strip(nom))
    if epci_nom and folded == _fold(_strip(epci_nom)):
        return "epci"
    if _NOT_FINANCEUR.search(folded):
        return None
    for kind, pattern in _TYPE_RULES:
        if pattern.search(folded):
            return kind
    return None


def _code_for(nom: str, kind: str) -> str:
    """The type's usual code (ETAT, EPCI, CD, REGION, CAF); a commune's name (« BOULOGNE-SUR-MER »);
    another's significant words, or their initials when too long (« Flandre Opale Habitat » → « FOH »)."""
    if kind in _TYPE_CODES:
        return _TYPE_CODES[kind]
    words = re.sub(r"[^A-Z0-9]+", " ", _fold(_strip(nom)).upper()).split()
    skip = {"VILLE", "DE", "D", "DU", "LA", "LE", "L", "LES", "MAIRIE", "COMMUNE", "DES", "ET"}
    kept = [w for w in words if w not in skip] or words or ["FINANCEUR"]
    code = "-".join(kept)
    if len(code) <= 20:
        return code
    if kind == "commune":  # whole words, as many as fit
        while len(kept) > 1 and len("-".join(kept)) > 20:
            kept.pop()
        return "-".join(kept)[:20]
    return "".join(w[0] for w in kept)[:20]


def _strip(nom: str) -> str:
    nom = " ".join(nom.split())
    return _ARTICLE.sub("", nom, count=1).strip() or nom


def _listed(nom: str, word: str) -> list[str] | None:
    """« Les communes de A, B et C » → [A, B, C]; « Les bailleurs la SEM, X et Y » → [SEM, X, Y]."""
    m = re.match(rf"^(?:les )?{word} (?:de |d'|la |le |les )?(.+)$", nom.strip(), re.IGNORECASE)
    if not m:
        return None
    parts = re.split(r",\s*|\s+et\s+", m.group(1))
    return [" ".join(p.split()) for p in parts if p.strip()]


def _ville(commune: str) -> str:
    """« Ville d'Outreau », « Ville du Portel », « Ville des Mureaux », « Ville de La Madeleine »."""
    folded = _fold(commune)
    if folded.startswith("le "):
        return f"Ville du {commune[3:]}"
    if folded.startswith("les "):
        return f"Ville des {commune[4:]}"
    return f"Ville d'{commune}" if folded[:1] in "aeiouyh" else f"Ville de {commune}"


def financeurs_from_signataires(
    signataires: Sequence[SignataireRef], epci_nom: str = ""
) -> list[FinanceurData]:
    """The signataires that usually fund actions (État, EPCI, communes, Département, Région, CAF,
    bailleurs), as financeurs with their SIRET when the référentiel gives it; each type's usual
    code, unique. The État and the EPCI are always there; without any signataire, the usual five."""
    if not signataires:
        return default_financeurs(epci_nom)
    out: list[FinanceurData] = []
    codes: set[str] = set()

    def add(nom: str, kind: str, siret: str | None) -> None:
        code = base = _code_for(nom, kind)
        n = 2
        while code in codes:
            code = f"{base[:18]}{n}"
            n += 1
        codes.add(code)
        out.append(FinanceurData(code, _strip(nom)[:200], kind, siret))

    for sg in signataires:
        communes, bailleurs = _listed(sg.nom, "communes"), _listed(sg.nom, "bailleurs")
        if communes and not sg.siret:
            for commune in communes:
                add(_ville(commune), "commune", None)
        elif bailleurs and not sg.siret:
            for bailleur in bailleurs:
                add(_strip(bailleur), "bailleur", None)
        elif (kind := sg.type or guess_type(sg.nom, epci_nom)) not in (None, "autre"):
            add(sg.nom, str(kind), sg.siret)
    kinds = {f.type for f in out}
    if "etat" not in kinds:
        add("État (politique de la ville)", "etat", None)
    if "epci" not in kinds:
        add(epci_nom or "Intercommunalité (EPCI)", "epci", None)
    order = ("etat", "epci", "commune", "departement", "region", "caf", "bailleur")
    return sorted(out, key=lambda f: order.index(f.type) if f.type in order else len(order))


# --- validation and usage -----------------------------------------------------------------------


def financeur_problems(rows: Sequence[FinanceurEdit]) -> list[str]:
    problems = []
    seen: dict[str, int] = {}
    for n, r in enumerate(rows, start=1):
        code = r.code.strip().upper()
        where = f"financeur ligne {n}"
        if not code:
            problems.append(f"{where} : code obligatoire")
        elif len(code) > 20:
            problems.append(f"{where} : code « {code} » trop long (20 caractères au plus)")
        elif code in seen:
            problems.append(f"{where} : code « {code} » déjà utilisé ligne {seen[code]}")
        else:
            seen[code] = n
        if not r.nom.strip():
            problems.append(f"{where} ({code or 'sans code'}) : nom obligatoire")
        if r.type not in FINANCEUR_TYPES:
            problems.append(
                f"{where} ({code or 'sans code'}) : type « {r.type} » inconnu "
                f"(attendu : {', '.join(FINANCEUR_TYPE_LABELS[t] for t in FINANCEUR_TYPES)})"
            )
        if r.siret and r.siret.strip():
            problem = siret_problem(r.siret)
            if problem:
                problems.append(f"{where} ({code or 'sans code'}) : {problem}")
    return problems


def clean_siret(siret: str | None) -> str | None:
    return normalize_siret(siret) if siret and siret.strip() else None


def counts(rows: Iterable[Any]) -> dict[int, int]:
    return {int(key): int(n) for key, n in rows}


def financeur_usage(s: Session, contrat_id: int) -> dict[int, FinanceurUsage]:
    fids = list(s.scalars(select(Financeur.id).where(Financeur.contrat_id == contrat_id)))
    if not fids:
        return {}
    dossiers = counts(
        s.execute(
            select(LigneFinancement.financeur_id, func.count(func.distinct(LigneFinancement.dossier_id)))
            .where(LigneFinancement.financeur_id.in_(fids))
            .group_by(LigneFinancement.financeur_id)
        )
    )
    enveloppes = counts(
        s.execute(
            select(Enveloppe.financeur_id, func.count())
            .where(Enveloppe.financeur_id.in_(fids), Enveloppe.montant_cents > 0)
            .group_by(Enveloppe.financeur_id)
        )
    )
    votes = counts(
        s.execute(
            select(ComiteVote.financeur_id, func.count())
            .where(ComiteVote.financeur_id.in_(fids))
            .group_by(ComiteVote.financeur_id)
        )
    )
    return {
        fid: FinanceurUsage(
            fid, int(dossiers.get(fid, 0)), int(enveloppes.get(fid, 0)), int(votes.get(fid, 0))
        )
        for fid in fids
    }


def _usage_text(f: Financeur, u: FinanceurUsage) -> str:
    uses = []
    if u.dossiers:
        uses.append(
            f"{u.dossiers} dossier{'s' if u.dossiers > 1 else ''} le sollicite{'nt' if u.dossiers > 1 else ''}"
        )
    if u.enveloppes:
        uses.append(
            f"une enveloppe lui est attribuée dans {u.enveloppes} campagne{'s' if u.enveloppes > 1 else ''}"
        )
    if u.votes:
        uses.append(
            f"{u.votes} vote{'s' if u.votes > 1 else ''} de comité le concerne{'nt' if u.votes > 1 else ''}"
        )
    return f"financeur {f.code} ({f.nom}) : suppression impossible, " + " ; ".join(uses)


def save_financeurs(s: Session, user: str, c: Contrat, rows: Sequence[FinanceurEdit]) -> list[int]:
    """The contrat's financeurs become `rows` (in this order): lines with an id are updated,
    without one created, financeurs missing from `rows` deleted — refused for a financeur that
    dossiers, enveloppes or comité votes use. Returns the ids in order."""
    problems = financeur_problems(rows)
    if problems:
        raise ValidationError(problems)
    existing = {f.id: f for f in c.financeurs}
    unknown = [r.id for r in rows if r.id is not None and r.id not in existing]
    if unknown:
        raise NotFoundError(f"financeur {unknown[0]} introuvable dans ce contrat")
    kept = {r.id for r in rows if r.id is not None}
    removed = [f for fid, f in existing.items() if fid not in kept]
    usage = financeur_usage(s, c.id)
    refused = [_usage_text(f, u) for f in removed if (u := usage.get(f.id)) is not None and u.used]
    if refused:
        raise ValidationError(refused)
    for r in rows:
        if r.id is not None and r.version is not None and existing[r.id].version != r.version:
            f = existing[r.id]
            raise audit.concurrent_edit(f"Le financeur {f.code}", f.updated_by, f.updated_at)
    changes: dict[str, object] = {}
    original = {fid: (f.code, f.nom, f.type, f.siret, f.position) for fid, f in existing.items()}
    for f in removed:
        changes[f"supprime:{f.code}"] = f.nom
        c.financeurs.remove(f)
        s.delete(f)
    s.flush()  # codes freed before others take them
    # Codes may be swapped between lines: park the renamed ones first (unique constraint).
    for r in rows:
        if r.id is not None and existing[r.id].code != r.code.strip().upper():
            existing[r.id].code = f"~{r.id}"
    s.flush()
    ids: list[int] = []
    for n, r in enumerate(rows):
        code, nom, siret = r.code.strip().upper(), r.nom.strip(), clean_siret(r.siret)
        if r.id is None:
            f = Financeur(code=code, nom=nom, type=r.type, siret=siret, position=n, updated_by=user)
            c.financeurs.append(f)
            changes[f"ajoute:{code}"] = nom
        else:
            f = existing[r.id]
            before = original[r.id]
            f.code, f.nom, f.type, f.siret, f.position = code, nom, r.type, siret, n
            if before[:4] != (code, nom, r.type, siret):
                changes[f"modifie:{before[0]}"] = [list(before[:4]), [code, nom, r.type, siret]]
            if before != (code, nom, r.type, siret, n):
                f.updated_by = user
        s.flush()
        ids.append(f.id)
    if changes:
        audit.record(s, user, "contrat", c.id, "financeurs", changes)
    return ids
