"""French words for what the audit log records: field labels, actions, money columns.

The audit log stores column names and codes (`cotation_reponses`, `avis_motivation`, « reserve »);
the Historique, the error messages of the plausibility guard and the deletion journal read them
through this module, so that a user never sees a column name.
"""

from __future__ import annotations

__all__ = [
    "ACTION_LABELS",
    "AVIS_LABELS",
    "FIELD_LABELS",
    "MONEY_LABELS",
    "action_label",
    "field_label",
    "money_label",
]

# Keys of the dossier's audit lines (DossierData fields, instruction, avis, fiche, suivi…).
FIELD_LABELS: dict[str, str] = {
    "reference": "référence",
    "porteur_id": "porteur",
    "intitule": "intitulé",
    "description": "description",
    "objectifs_action": "objectifs de l'action",
    "public_prevu": "public prévu",
    "public_femmes": "dont femmes",
    "public_hommes": "dont hommes",
    "public_ages": "âges du public",
    "part_qpv_pct": "part du public QPV",
    "objectif_id": "objectif principal",
    "objectifs_secondaires": "objectifs secondaires",
    "classements": "classements (ambitions, engagements…)",
    "axes_transversaux": "axes transversaux",
    "quartiers": "quartiers",
    "date_depot": "date de dépôt",
    "date_debut": "date de début",
    "date_fin": "date de fin",
    "pluriannuel": "pluriannuel",
    "reconduite": "action reconduite",
    "reconduction_de_id": "reconduction du dossier",
    "cout_total_cents": "coût total",
    "lignes": "plan de financement",
    "plan de financement": "plan de financement",
    "recevabilite": "recevabilité",
    "cotation_declaree": "cotation F/H déclarée",
    "cotation_instruite": "cotation F/H retenue par l'instruction",
    "cotation_proposee": "cotation F/H proposée par le questionnaire",
    "cotation_justification": "justification de la cotation F/H",
    "cotation_reponses": "réponses au questionnaire égalité F/H",
    "avis": "avis technique",
    "avis_motivation": "motivation de l'avis",
    "observations": "observations",
    "statut": "statut",
    "decision": "décision",
    "motivation": "motivation",
    "criteres": "critères éliminatoires",
    "confie_a": "confié à l'évaluateur",
    "retire": "retiré à l'évaluateur",
    "etat": "état",
    "date": "date",
    "modele": "modèle",
    "motif": "motif",
    "campagne": "campagne",
    "porteur": "porteur",
    "comite": "comité",
    "dossiers": "dossiers",
    "comites": "comités",
    "points": "dossiers à l'ordre du jour",
    "annee": "année",
    "libelle": "libellé",
    "type": "type",
    "date_seance": "date de la séance",
    "ajout": "ajout",
    "retrait": "retrait",
    "import": "importé du fichier",
    "votes": "montants votés",
    "conditions": "conditions",
    "derogation": "dérogation à l'enveloppe",
    "depassements": "dépassements d'enveloppe",
    # suivi
    "crf_recu_le": "CRF reçu le",
    "realise": "réalisé",
    "beneficiaires_femmes": "bénéficiaires réels femmes",
    "beneficiaires_hommes": "bénéficiaires réels hommes",
    "indicateurs": "indicateurs",
}

# Proposed amounts are recorded per financeur: « propose_ETAT ».
PROPOSE_PREFIX = "propose_"

ACTION_LABELS: dict[str, str] = {
    "create": "Création",
    "update": "Modification",
    "delete": "Suppression",
    "statut": "Statut",
    "evaluateur": "Évaluateur",
    "suivi": "Suivi",
    "révision": "Révision de la décision",
    "derog_eliminatoire": "Dérogation au critère éliminatoire",
    "derog_eliminatoire_x": "Dérogation retirée",
    "decision": "Décision du comité",
    "notes": "Notes",
    "merge": "Fusion",
    "label": "Étiquette",
}

AVIS_LABELS: dict[str, str] = {
    "favorable": "favorable",
    "reserve": "favorable avec réserves",
    "defavorable": "défavorable",
}

# Money columns, by (table, column): named in the plausibility guard's messages.
MONEY_LABELS: dict[tuple[str, str], str] = {
    ("dossier", "cout_total_cents"): "coût total",
    ("ligne_financement", "demande_cents"): "montant demandé",
    ("ligne_financement", "propose_cents"): "montant proposé",
    ("ligne_financement", "vote_cents"): "montant voté",
    ("enveloppe", "montant_cents"): "enveloppe",
    ("comite_vote", "montant_cents"): "montant voté en comité",
    ("scenario_montant", "montant_cents"): "montant de la simulation",
}


def field_label(key: str) -> str:
    """« motivation de l'avis » for `avis_motivation`; keys already in French are kept."""
    if key in FIELD_LABELS:
        return FIELD_LABELS[key]
    if key.startswith(PROPOSE_PREFIX):
        return f"montant proposé {key[len(PROPOSE_PREFIX) :]}"
    if key.endswith("_cents"):
        return key.removesuffix("_cents").replace("_", " ")
    return key.replace("_", " ") if key.isascii() and "_" in key else key


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace("_", " ").capitalize())


def money_label(table: str, column: str) -> str:
    return MONEY_LABELS.get((table, column), field_label(column))
