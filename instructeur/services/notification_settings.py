"""Letter settings and editable templates, stored per database in `Setting` (keys `notifications.*`)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from instructeur.domain.letter_preflight import LetterHead
from instructeur.errors import UserError
from instructeur.exports.letters import (
    MODELES,
)
from instructeur.resources import resource_path
from instructeur.storage.models import (
    Setting,
)

__all__ = [
    "FIELDS",
    "SETTING_PREFIX",
    "TEMPLATE_PREFIX",
    "NotificationSettings",
    "default_template",
    "letter_head",
    "put_setting",
    "read_settings",
    "read_templates",
]

SETTING_PREFIX = "notifications."
TEMPLATE_PREFIX = "notifications.modele."

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


def default_template(modele: str) -> str:
    if modele not in MODELES:
        raise UserError(f"modèle de lettre inconnu : « {modele} » (attribution, refus ou ajournement)")
    return resource_path("templates", "notifications", f"{modele}.txt").read_text(encoding="utf-8")


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


def read_settings(s: Session) -> NotificationSettings:
    rows = s.execute(select(Setting.key, Setting.value).where(Setting.key.like(SETTING_PREFIX + "%")))
    stored = {k[len(SETTING_PREFIX) :]: v for k, v in rows}
    values = {f.name: stored[f.name] for f in fields(NotificationSettings) if f.name in stored}
    return replace(NotificationSettings(), **values)


def read_templates(s: Session) -> dict[str, str]:
    rows = dict(
        s.execute(select(Setting.key, Setting.value).where(Setting.key.like(TEMPLATE_PREFIX + "%"))).all()
    )
    return {m: rows.get(TEMPLATE_PREFIX + m) or default_template(m) for m in MODELES}


def put_setting(s: Session, key: str, value: str) -> None:
    row = s.get(Setting, key)
    if row is None:
        s.add(Setting(key=key, value=value))
    else:
        row.value = value
