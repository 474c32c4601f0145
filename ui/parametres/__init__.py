"""Paramètres of a contrat and its campagnes, « Nouveau contrat… » and « Nouvelle campagne… ».

`ui.actions.parametres.ParametresActions` puts the entries into the main window: Fichier ▸ Paramètres… (Ctrl+,),
Fichier ▸ Nouveau contrat…, Campagne ▸ Nouvelle campagne… (re-added each time the Campagne menu,
rebuilt on reload, opens — like `ui.actions.instruction.InstructionActions`).
"""

from __future__ import annotations

from ui.parametres.nouveau_contrat import NouveauContratWizard, NouvelleCampagneDialog
from ui.parametres.window import ParametresWindow

__all__ = ["NouveauContratWizard", "NouvelleCampagneDialog", "ParametresWindow"]
