"""French labels of the comité's types and statuts and of a notification letter's states, shared by
the services, the CLI and the windows (the decisions' labels are in `instructeur.domain.decision`)."""

from __future__ import annotations

__all__ = ["COMITE_STATUT_LABELS", "COMITE_TYPE_LABELS", "NOTIFICATION_ETAT_LABELS"]

COMITE_TYPE_LABELS = {
    "technique": "Comité technique",
    "financeurs": "Comité des financeurs",
    "pilotage": "Comité de pilotage",
}
COMITE_STATUT_LABELS = {"preparation": "En préparation", "en_seance": "En séance", "clos": "Clos"}

NOTIFICATION_ETAT_LABELS = {
    "a_generer": "À générer",
    "a_signer": "À signer",
    "a_notifier": "À notifier",
    "notifie": "Notifié",
    "a_refaire": "À refaire",  # the decision was revised after the letter was generated
}
