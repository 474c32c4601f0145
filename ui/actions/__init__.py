"""The main window's menu entries for every other window (one module per feature).

Each `…Actions` class creates its QActions at launch and imports its window module only when the
entry is first triggered, so opening the main window does not import the import wizard, the
matrix, the comité windows, the paramètres, the dashboard or the fiche (issue 12: launch time).
"""

from ui.actions.coinstruction import CoinstructionActions
from ui.actions.comite import ComiteActions
from ui.actions.fiches import FicheRegistry
from ui.actions.imports import ImportActions
from ui.actions.instruction import InstructionActions
from ui.actions.parametres import ParametresActions
from ui.actions.reporting import ReportingActions

__all__ = [
    "CoinstructionActions",
    "ComiteActions",
    "FicheRegistry",
    "ImportActions",
    "InstructionActions",
    "ParametresActions",
    "ReportingActions",
]
