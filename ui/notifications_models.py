"""The notifications window's list: one line per decided dossier and its letter's état (model)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QWidget,
)

from instructeur.domain.dates import format_date
from instructeur.domain.money import format_amount
from instructeur.domain.statuts import Statut
from instructeur.domain.text import sort_key
from instructeur.services.dossiers import DossierService
from instructeur.services.notifications import (
    ETAT_LABELS,
    NotificationService,
)
from instructeur.storage.db import Database
from ui.models.table import ALIGN_CENTER, ALIGN_RIGHT, Column, RowTableModel

MODELE_LABELS = {"attribution": "Attribution", "refus": "Refus", "ajournement": "Ajournement"}
_MODELE_OF = {Statut.RETENU: "attribution", Statut.REFUSE: "refus", Statut.AJOURNE: "ajournement"}
_DECIDED = frozenset(
    {Statut.RETENU, Statut.REFUSE, Statut.AJOURNE, Statut.NOTIFIE, Statut.SOLDE, Statut.NON_REALISE}
)
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg);;Tous les fichiers (*)"
_ETAT_COLORS = {
    "a_generer": "#8a5a00",
    "a_signer": "#174a7c",
    "a_notifier": "#5b3a8c",
    "notifie": "#1b5e20",
    "a_refaire": "#b3261e",  # a revised decision: the letter sent no longer holds
}



@dataclass(frozen=True)
class NotificationLine:
    """A decided dossier and the state of its letter (no `notification_id`: not generated yet)."""

    dossier_id: int
    reference: str
    porteur: str
    decision: str  # French label
    modele: str
    vote_cents: int | None
    etat: str
    notification_id: int | None = None
    financeur: str = ""
    date_generation: date | None = None
    date_signature: date | None = None
    date_notification: date | None = None
    fichier: str | None = None

    @property
    def etat_label(self) -> str:
        return ETAT_LABELS.get(self.etat, self.etat)


def notification_lines(db: Database, campagne_id: int) -> list[NotificationLine]:
    """The campagne's decided dossiers in référence order, each with its letter's state."""
    notifications = {(n.dossier_id, n.modele): n for n in NotificationService(db).list(campagne_id)}
    # A revision may change the modèle (retenu → refusé): the old letter is still the one to redo.
    redo = {n.dossier_id: n for n in notifications.values() if n.etat == "a_refaire"}
    lines: list[NotificationLine] = []
    for d in DossierService(db).list_rows(campagne_id):
        if d.statut not in _DECIDED or d.decision not in _MODELE_OF:
            continue
        modele = _MODELE_OF[d.decision]
        n = notifications.get((d.id, modele)) or redo.get(d.id)
        lines.append(
            NotificationLine(
                dossier_id=d.id,
                reference=d.reference,
                porteur=d.porteur,
                decision=d.decision.label,
                modele=modele,
                vote_cents=d.vote_cents if d.decision is Statut.RETENU else None,
                etat=n.etat if n else "a_generer",
                notification_id=n.id if n else None,
                financeur=n.financeur if n else "",
                date_generation=n.date_generation if n else None,
                date_signature=n.date_signature if n else None,
                date_notification=n.date_notification if n else None,
                fichier=n.fichier if n else None,
            )
        )
    return lines


def _etat_color(line: NotificationLine):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor

    return QColor(_ETAT_COLORS.get(line.etat, "#37474f"))


def _date_sort(d: date | None) -> str | None:
    return d.isoformat() if d else None


COLUMNS: tuple[Column[NotificationLine], ...] = (
    Column("reference", "Référence", lambda r: r.reference, width=110),
    Column("porteur", "Porteur", lambda r: r.porteur, sort_key=sort_key, width=220, stretch=2),
    Column("decision", "Décision", lambda r: r.decision, width=90),
    Column("modele", "Lettre", lambda r: MODELE_LABELS.get(r.modele, r.modele), width=100),
    Column("vote", "Voté", lambda r: r.vote_cents, ALIGN_RIGHT, format_amount, width=120),
    Column(
        "etat",
        "État",
        lambda r: r.etat_label,
        ALIGN_CENTER,
        sort_key=lambda label: [*ETAT_LABELS.values()].index(label) if label in ETAT_LABELS.values() else 9,
        width=100,
        foreground=_etat_color,
    ),
    Column(
        "generation",
        "Générée le",
        lambda r: r.date_generation,
        formatter=format_date,
        sort_key=_date_sort,
        width=100,
    ),
    Column(
        "signature",
        "Signée le",
        lambda r: r.date_signature,
        formatter=format_date,
        sort_key=_date_sort,
        width=100,
    ),
    Column(
        "notification",
        "Notifiée le",
        lambda r: r.date_notification,
        formatter=format_date,
        sort_key=_date_sort,
        width=100,
    ),
    Column(
        "fichier",
        "Fichier",
        lambda r: Path(r.fichier).name if r.fichier else None,
        width=200,
        stretch=1,
        tooltip=lambda r: r.fichier,
    ),
)


class NotificationsModel(RowTableModel[NotificationLine]):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(COLUMNS, parent)

