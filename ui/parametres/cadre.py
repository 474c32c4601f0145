"""Paramètres › Cadre stratégique: edit the contrat's cadre (any depth, its own level names), its
additional classifications and its axes transversaux (layout in cadre_view.py).

Every action is saved at once through services/cadre.py with the tree's token: when someone else
changed the tree meanwhile, the action is refused, the tree reloaded and the user told so."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidgetItem, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from instructeur.errors import ConcurrentEditError, UserError
from instructeur.services.cadre import Arbre, CadreService, NoeudRow, split_niveaux
from instructeur.services.cadre_fichier import export_xlsx, import_xlsx
from instructeur.services.classifications import ClassificationService
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.parametres.cadre_view import CadreView, ClassificationDialog, LiensDialog, NoeudDialog
from ui.parametres.common import plural, problems_text

ID_ROLE = Qt.ItemDataRole.UserRole
TOP = "(plus haut niveau)"


class CadreTab(QWidget):
    saved = Signal()  # the cadre changed: lists and filters reload

    def __init__(
        self, db: Database, contrat_id: int, dialogs: Dialogs | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.contrat_id = contrat_id
        self.dialogs = dialogs or Dialogs()
        self.service = CadreService(db)
        self.classes = ClassificationService(db)
        self.view = CadreView()
        self.tree: QTreeWidget = self.view.tree
        self.arbre_data: Arbre | None = None
        self.dialog: NoeudDialog | ClassificationDialog | LiensDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        v = self.view
        v.arbre.currentIndexChanged.connect(lambda _i: self.load_tree())
        v.new_classification.clicked.connect(self.new_classification)
        v.edit_classification.clicked.connect(self.edit_classification)
        v.delete_classification.clicked.connect(self.delete_classification)
        v.apply_niveaux.clicked.connect(self.apply_niveaux)
        v.add_sibling.clicked.connect(lambda: self.open_node_dialog("sibling"))
        v.add_child.clicked.connect(lambda: self.open_node_dialog("child"))
        v.edit.clicked.connect(lambda: self.open_node_dialog("edit"))
        v.tree.itemDoubleClicked.connect(lambda *_: self.open_node_dialog("edit"))
        v.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        v.up.clicked.connect(lambda: self.move_node(-1))
        v.down.clicked.connect(lambda: self.move_node(1))
        v.reparent.clicked.connect(self.reparent)
        v.delete.clicked.connect(self.delete_current)
        v.links.clicked.connect(self.edit_links)
        v.import_xlsx.clicked.connect(self.import_file)
        v.export_xlsx.clicked.connect(self.export_file)
        v.axes.itemChanged.connect(lambda _i: v.axes_save.setEnabled(True))
        v.axe_add.clicked.connect(self.add_axe)
        v.axe_remove.clicked.connect(self.remove_axe)
        v.axe_up.clicked.connect(lambda: self.move_axe(-1))
        v.axe_down.clicked.connect(lambda: self.move_axe(1))
        v.axes_save.clicked.connect(self.save_axes)
        self.load()

    # --- loading ------------------------------------------------------------------------------

    def load(self) -> None:
        self.load_classifications()
        self.load_axes()

    def classification_id(self) -> int | None:
        data = self.view.arbre.currentData()
        return int(data) if data is not None else None

    def load_classifications(self, select: int | None = None) -> None:
        combo = self.view.arbre
        current = select if select is not None else self.classification_id()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Cadre stratégique (axes et objectifs)", None)
        for k in self.classes.classifications(self.contrat_id):
            combo.addItem(f"{k.nom} ({k.code}, {plural(k.noeuds, 'nœud')})", k.id)
        combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
        combo.blockSignals(False)
        self.load_tree()

    def load_tree(self, select: int | None = None) -> None:
        same_tree = self.arbre_data is not None and self.arbre_data.classification_id == self.classification_id()
        a = self.service.arbre(self.contrat_id, self.classification_id())
        self.arbre_data = a
        keep = select if select is not None else self._current_id()
        expanded = {int(i.data(0, ID_ROLE)) for i in self._items() if i.isExpanded()} if same_tree else set()
        links = self._links(a)
        self.tree.clear()
        items: dict[int, QTreeWidgetItem] = {}
        for n in a.noeuds:
            item = QTreeWidgetItem([n.code, n.titre, a.niveau_nom(n.niveau), str(n.dossiers or "")])
            item.setData(0, ID_ROLE, n.id)
            item.setToolTip(1, n.titre + (f"\nLié à : {', '.join(links[n.code])}" if n.code in links else ""))
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            parent = items.get(n.parent_id) if n.parent_id is not None else None
            (parent.addChild(item) if parent is not None else self.tree.addTopLevelItem(item))
            items[n.id] = item
        if expanded:
            for nid, item in items.items():
                item.setExpanded(nid in expanded)
        else:
            self.tree.expandToDepth(0)
        if keep in items:
            self.tree.setCurrentItem(items[keep])
            self.tree.scrollToItem(items[keep])
        self.view.niveaux.setText(" | ".join(a.niveaux))
        counts: dict[int, int] = {}
        for n in a.noeuds:
            counts[n.niveau] = counts.get(n.niveau, 0) + 1
        self.view.summary.setText(
            " · ".join(f"{a.niveau_nom(d).lower()} : {counts[d]}" for d in sorted(counts))
            or "Arbre vide : commencez par « Ajouter… » ou importez un classeur."
        )
        is_main = self.classification_id() is None
        self.view.edit_classification.setEnabled(not is_main)
        self.view.delete_classification.setEnabled(not is_main)
        self._update_buttons()

    def _links(self, a: Arbre) -> dict[str, list[str]]:
        """Node code → the codes it is linked to in the other trees (Saint-Omer's matrix)."""
        out: dict[str, list[str]] = {}
        codes = {n.code for n in a.noeuds}
        for node, objectif in self.classes.liens(self.contrat_id):
            if node in codes:
                out.setdefault(node, []).append(objectif)
            elif objectif in codes:
                out.setdefault(objectif, []).append(node)
        return out

    def _items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item is not None:
                out.append(item)
                stack.extend(item.child(i) for i in range(item.childCount()))
        return out

    def _current_id(self) -> int | None:
        item = self.tree.currentItem()
        return int(item.data(0, ID_ROLE)) if item is not None else None

    def current(self) -> NoeudRow | None:
        nid = self._current_id()
        if self.arbre_data is None or nid is None:
            return None
        return next((n for n in self.arbre_data.noeuds if n.id == nid), None)

    def select(self, code: str) -> None:
        for item in self._items():
            if item.text(0) == code:
                self.tree.setCurrentItem(item)

    def _update_buttons(self) -> None:
        has = self.current() is not None
        for b in (self.view.add_child, self.view.edit, self.view.up, self.view.down, self.view.reparent, self.view.delete):
            b.setEnabled(has)
        self.view.links.setEnabled(has and self.classification_id() is not None)

    # --- running a change ---------------------------------------------------------------------

    def _run(self, title: str, change: Callable[[str], object]) -> bool:
        """Runs `change(jeton)`; a refusal is shown, a stale tree reloaded."""
        assert self.arbre_data is not None
        try:
            result = change(self.arbre_data.jeton)
        except ConcurrentEditError as exc:
            self.dialogs.error(self, title, exc.message)
            self.load_tree()
            return False
        except UserError as exc:
            self.dialogs.error(self, title, problems_text(exc))
            return False
        self.load_tree(result[0] if isinstance(result, tuple) else None)
        self.saved.emit()
        return True

    def open_node_dialog(self, mode: str) -> NoeudDialog | None:
        """« sibling »: after the selection at its level; « child »: under it; « edit »: the selection."""
        node = self.current()
        if mode != "sibling" and node is None:
            self.dialogs.info(self, "Cadre stratégique", "Choisissez d'abord un nœud dans l'arbre.")
            return None
        cid, kid = self.contrat_id, self.classification_id()
        a = self.arbre_data
        assert a is not None
        if mode == "edit" and node is not None:
            title = f"Modifier « {node.code} »"

            def submit(code: str, titre: str) -> None:
                self._apply(lambda: self.service.modifier(cid, kid, a.jeton, node.id, code, titre), node.id)

            where = self._under(node.parent_id)
            n = node.dossiers
            rattaches = f"{plural(n, 'dossier')} rattaché{'s' if n > 1 else ''}" if n else "aucun dossier rattaché"
            context = f"{a.niveau_nom(node.niveau)} {where} · {rattaches}"
            dialog = NoeudDialog(title, submit, node.code, node.titre, self, context)
        else:
            parent_id = node.id if mode == "child" and node else (node.parent_id if node else None)
            depth = node.niveau + 1 if mode == "child" and node else (node.niveau if node else 0)

            def submit(code: str, titre: str) -> None:
                self._apply(lambda: self.service.ajouter(cid, kid, a.jeton, parent_id, code, titre))

            level = a.niveau_nom(depth)
            dialog = NoeudDialog(f"Nouveau nœud : {level.lower()}", submit, parent=self, context=f"{level} {self._under(parent_id)}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _under(self, parent_id: int | None) -> str:
        parent = next((n for n in self.arbre_data.noeuds if n.id == parent_id), None) if self.arbre_data else None
        return f"sous « {parent.code} {parent.titre[:70]} »" if parent else "au plus haut niveau"

    def _apply(self, change: Callable[[], object], select: int | None = None) -> None:
        """For the dialogs: a stale tree closes nothing but reloads; other refusals stay in the dialog."""
        try:
            result = change()
        except ConcurrentEditError:
            self.load_tree()
            raise
        self.load_tree(result[0] if isinstance(result, tuple) else select)
        self.saved.emit()

    def move_node(self, delta: int) -> bool:
        node = self.current()
        if node is None:
            return False
        return self._run(
            "Déplacer", lambda j: (node.id, self.service.deplacer(self.contrat_id, self.classification_id(), j, node.id, delta))
        )

    def reparent(self) -> bool:
        node, a = self.current(), self.arbre_data
        if node is None or a is None:
            return False
        below = {node.id}
        for n in a.noeuds:  # depth-first: a descendant comes after its parent
            if n.parent_id in below:
                below.add(n.id)
        candidates = [n for n in a.noeuds if n.id not in below]
        options = [TOP] + [f"{n.code} — {n.titre[:80]}" for n in candidates]
        choice = self.dialogs.ask_choice(self, "Déplacer sous…", f"Nouveau parent de « {node.code} » :", options)
        if choice is None:
            return False
        parent_id = None if choice == TOP else candidates[options.index(choice) - 1].id
        return self._run(
            "Déplacer",
            lambda j: (node.id, self.service.rattacher(self.contrat_id, self.classification_id(), j, node.id, parent_id)),
        )

    def edit_links(self) -> LiensDialog | None:
        """Links of the selected classification node with the main cadre's objectifs (Saint-Omer's matrix)."""
        node = self.current()
        if node is None or self.classification_id() is None:
            return None
        cadre = self.service.arbre(self.contrat_id)
        choices = [(n.id, f"{'   ' * n.niveau}{n.code} — {n.titre}") for n in cadre.noeuds]

        def submit(ids: list[int]) -> None:
            self.classes.lier(node.id, ids)
            self.load_tree(node.id)
            self.saved.emit()

        dialog = LiensDialog(f"Liens de « {node.code} »", choices, self.classes.liens_de(node.id), submit, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def delete_current(self) -> bool:
        node = self.current()
        if node is None:
            return False
        below = sum(1 for n in (self.arbre_data.noeuds if self.arbre_data else ()) if n.parent_id == node.id)
        extra = " et ses sous-niveaux" if below else ""
        if not self.dialogs.confirm(self, "Supprimer", f"Supprimer « {node.code} »{extra} ?", "Supprimer"):
            return False
        return self._run("Supprimer", lambda j: self.service.supprimer(self.contrat_id, self.classification_id(), j, node.id))

    def apply_niveaux(self) -> bool:
        names = split_niveaux(self.view.niveaux.text())
        return self._run(
            "Niveaux", lambda j: self.service.renommer_niveaux(self.contrat_id, self.classification_id(), j, names)
        )

    # --- classifications ------------------------------------------------------------------------

    def new_classification(self) -> ClassificationDialog:
        def submit(code: str, nom: str, niveaux: str) -> None:
            kid = self.classes.creer(self.contrat_id, code, nom, split_niveaux(niveaux))
            self.load_classifications(kid)
            self.saved.emit()

        return self._open(ClassificationDialog("Nouvelle classification", submit, parent=self))

    def edit_classification(self) -> ClassificationDialog | None:
        kid = self.classification_id()
        row = next((k for k in self.classes.classifications(self.contrat_id) if k.id == kid), None)
        if row is None:
            return None

        def submit(code: str, nom: str, _niveaux: str) -> None:
            self.classes.modifier(row.id, code, nom)
            self.load_classifications(row.id)
            self.saved.emit()

        return self._open(ClassificationDialog("Renommer la classification", submit, row.code, row.nom, None, self))

    def _open(self, dialog: ClassificationDialog) -> ClassificationDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def delete_classification(self) -> bool:
        kid = self.classification_id()
        if kid is None:
            return False
        nom = self.view.arbre.currentText()
        if not self.dialogs.confirm(self, "Supprimer la classification", f"Supprimer « {nom} » et ses nœuds ?", "Supprimer"):
            return False
        try:
            self.classes.supprimer(kid)
        except UserError as exc:
            self.dialogs.error(self, "Supprimer la classification", problems_text(exc))
            return False
        self.load_classifications()
        self.view.arbre.setCurrentIndex(0)
        self.saved.emit()
        return True

    # --- files ------------------------------------------------------------------------------------

    def export_file(self) -> bool:
        path = self.dialogs.ask_export_path(self, "Exporter le cadre", "cadre.xlsx", "Classeur Excel (*.xlsx)")
        if path is None:
            return False
        try:
            n = export_xlsx(self.db, self.contrat_id, self.classification_id(), path)
        except UserError as exc:
            self.dialogs.error(self, "Exporter le cadre", exc.message)
            return False
        self.dialogs.info(self, "Exporter le cadre", f"{plural(n, 'nœud')} écrit{'s' if n > 1 else ''} dans {path}.")
        return True

    def import_file(self) -> bool:
        path = self.dialogs.ask_open_path(self, "Importer un cadre", "", "Classeur Excel (*.xlsx)")
        if path is None:
            return False
        if not self.dialogs.confirm(
            self, "Importer un cadre",
            "L'arbre affiché va être remplacé par celui du classeur : les codes connus sont mis à jour (les "
            "dossiers restent rattachés), les nouveaux ajoutés, les absents supprimés s'ils ne sont pas utilisés.",
            "Importer",
        ):  # fmt: skip
            return False
        result: list[object] = []

        def change(j: str) -> None:
            result.append(import_xlsx(self.db, self.contrat_id, self.classification_id(), path, jeton=j))

        if not self._run("Importer un cadre", change):
            return False
        r = result[0]
        self.dialogs.info(
            self, "Importer un cadre",
            f"Cadre importé : {r.ajoutes} ajouté(s), {r.modifies} modifié(s), {r.supprimes} supprimé(s).",  # type: ignore[attr-defined]
        )  # fmt: skip
        return True

    # --- axes transversaux --------------------------------------------------------------------

    def load_axes(self) -> None:
        axes = self.view.axes
        axes.blockSignals(True)
        axes.clear()
        for a in self.service.axes(self.contrat_id):
            item = QListWidgetItem(a.titre)
            item.setData(ID_ROLE, a.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            if a.dossiers:
                item.setToolTip(f"{plural(a.dossiers, 'dossier')} porte{'nt' if a.dossiers > 1 else ''} cet axe")
            axes.addItem(item)
        axes.blockSignals(False)
        self.view.axes_save.setEnabled(False)
        self.view.axes_problems.hide()

    def add_axe(self) -> None:
        item = QListWidgetItem("Nouvel axe transversal")
        item.setData(ID_ROLE, None)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.view.axes.addItem(item)
        self.view.axes.setCurrentItem(item)
        self.view.axes.editItem(item)
        self.view.axes_save.setEnabled(True)

    def remove_axe(self) -> None:
        row = self.view.axes.currentRow()
        if row >= 0:
            self.view.axes.takeItem(row)
            self.view.axes_save.setEnabled(True)

    def move_axe(self, delta: int) -> None:
        axes = self.view.axes
        row = axes.currentRow()
        target = row + delta
        if row < 0 or not 0 <= target < axes.count():
            return
        item = axes.takeItem(row)
        axes.insertItem(target, item)
        axes.setCurrentRow(target)
        self.view.axes_save.setEnabled(True)

    def save_axes(self) -> bool:
        axes = self.view.axes
        rows = [(axes.item(i).data(ID_ROLE), axes.item(i).text()) for i in range(axes.count())]
        try:
            self.service.save_axes(self.contrat_id, rows)
        except UserError as exc:
            self.view.axes_problems.setText(f"Enregistrement refusé : {problems_text(exc)}")
            self.view.axes_problems.show()
            return False
        self.load_axes()
        self.saved.emit()
        return True
