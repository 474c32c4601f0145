"""Life cycle of a dossier (DESIGN.md §3): statuts, allowed moves, required motivations.

Pure rules, no storage: the dossier service applies them inside its transaction.
"""

from __future__ import annotations

from enum import StrEnum


class Statut(StrEnum):
    DEPOSE = "depose"
    INCOMPLET = "incomplet"
    IRRECEVABLE = "irrecevable"
    RECEVABLE = "recevable"
    EN_INSTRUCTION = "en_instruction"
    INSTRUIT = "instruit"
    EN_COMITE = "en_comite"
    RETENU = "retenu"
    AJOURNE = "ajourne"
    REFUSE = "refuse"
    NOTIFIE = "notifie"
    SOLDE = "solde"
    NON_REALISE = "non_realise"

    @property
    def label(self) -> str:
        return STATUT_LABELS[self]


STATUT_LABELS: dict[Statut, str] = {
    Statut.DEPOSE: "Déposé",
    Statut.INCOMPLET: "Incomplet",
    Statut.IRRECEVABLE: "Irrecevable",
    Statut.RECEVABLE: "Recevable",
    Statut.EN_INSTRUCTION: "En instruction",
    Statut.INSTRUIT: "Instruit",
    Statut.EN_COMITE: "En comité",
    Statut.RETENU: "Retenu",
    Statut.AJOURNE: "Ajourné",
    Statut.REFUSE: "Refusé",
    Statut.NOTIFIE: "Notifié",
    Statut.SOLDE: "Soldé",
    Statut.NON_REALISE: "Non réalisé",
}

# Decisions of a comité: the statut they lead to is also kept on the dossier (`decision`),
# so that « notifié » still knows whether the action was retenue or refusée.
DECISIONS = (Statut.RETENU, Statut.AJOURNE, Statut.REFUSE)

# Statuts of a dossier that passed the recevabilité: its mandatory points stay ticked.
PASSED_RECEVABILITE = frozenset(Statut) - {Statut.DEPOSE, Statut.INCOMPLET, Statut.IRRECEVABLE}

# Forward moves of the life cycle.
_FORWARD: dict[Statut, tuple[Statut, ...]] = {
    Statut.DEPOSE: (Statut.RECEVABLE, Statut.INCOMPLET, Statut.IRRECEVABLE),
    Statut.INCOMPLET: (Statut.DEPOSE,),
    Statut.IRRECEVABLE: (),
    Statut.RECEVABLE: (Statut.EN_INSTRUCTION,),
    Statut.EN_INSTRUCTION: (Statut.INSTRUIT,),
    Statut.INSTRUIT: (Statut.EN_COMITE,),
    Statut.EN_COMITE: (Statut.RETENU, Statut.AJOURNE, Statut.REFUSE),
    Statut.RETENU: (Statut.NOTIFIE, Statut.NON_REALISE),
    Statut.AJOURNE: (Statut.EN_INSTRUCTION, Statut.EN_COMITE),
    Statut.REFUSE: (Statut.NOTIFIE,),
    Statut.NOTIFIE: (Statut.SOLDE, Statut.NON_REALISE),
    Statut.SOLDE: (),
    Statut.NON_REALISE: (),
}

# Reopenings: going back is allowed, never silent (a motivation is required), nothing is erased.
_REOPEN: dict[Statut, tuple[Statut, ...]] = {
    Statut.IRRECEVABLE: (Statut.DEPOSE,),
    Statut.RECEVABLE: (Statut.DEPOSE,),
    Statut.INSTRUIT: (Statut.EN_INSTRUCTION,),
    Statut.EN_COMITE: (Statut.INSTRUIT,),
    Statut.RETENU: (Statut.EN_COMITE,),
    Statut.REFUSE: (Statut.EN_COMITE,),
    Statut.AJOURNE: (Statut.INSTRUIT,),
    Statut.NON_REALISE: (Statut.RETENU,),
}

MOTIVATION_REQUIRED = frozenset({Statut.IRRECEVABLE, Statut.AJOURNE, Statut.REFUSE, Statut.NON_REALISE})


def allowed_targets(current: Statut, decision: Statut | None = None) -> tuple[Statut, ...]:
    """Statuts reachable from `current`; `decision` is the dossier's last comité decision."""
    targets = list(_FORWARD[current]) + list(_REOPEN.get(current, ()))
    if current is Statut.NOTIFIE and decision is not Statut.RETENU:
        # A notified refusal is final: no CRF, nothing to carry out.
        targets = []
    return tuple(targets)


def is_reopening(current: Statut, target: Statut) -> bool:
    return target in _REOPEN.get(current, ())


def motivation_required(current: Statut, target: Statut) -> bool:
    return target in MOTIVATION_REQUIRED or is_reopening(current, target)


def transition_problem(
    current: Statut, target: Statut, motivation: str | None, decision: Statut | None = None
) -> str | None:
    """French reason why the move is refused, or None when it is allowed."""
    if target not in allowed_targets(current, decision):
        return f"passage de « {current.label} » à « {target.label} » non autorisé"
    if motivation_required(current, target) and not (motivation or "").strip():
        return f"une motivation est obligatoire pour passer à « {target.label} »"
    return None


def parse_statut(text: str) -> Statut:
    """Accepts the code (« en_instruction ») or the label (« En instruction »)."""
    from instructeur.domain.text import fold

    key = fold(text).replace(" ", "_")
    for statut in Statut:
        if key in (statut.value, fold(statut.label).replace(" ", "_")):
            return statut
    from instructeur.errors import UserError

    raise UserError(f"statut inconnu : « {text} »")


# A campagne's statut (stored code → French label), shown by the main window's header pill.
CAMPAGNE_STATUT_LABELS = {
    "preparation": "En préparation",
    "ouverte": "Ouverte aux dépôts",
    "instruction": "En instruction",
    "comite": "En comité",
    "cloturee": "Clôturée",
}
