"""The fiche dossier window: non-modal, one per dossier, tabs, save / cancel, unsaved guard."""

from __future__ import annotations

import dataclasses
import html
import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QWidget,
)

from instructeur.domain.statuts import Statut, motivation_required
from instructeur.errors import ConcurrentEditError, UserError, ValidationError
from instructeur.services.dossiers import DossierData, DossierService, validate
from instructeur.services.fiche import FicheContext, FicheService
from instructeur.services.instruction import InstructionService
from instructeur.services.porteurs import PorteurService
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.fiche.fields import ERROR_COLOUR, mark_invalid
from ui.fiche.snapshot import FicheSnapshot, fiche_journal, load_snapshot
from ui.fiche.window_view import FicheLayout
from ui.models.dossiers import statut_colours


class FicheDossier(FicheLayout):
    """One dossier. `saved(dossier_id)` after each save or statut change (the list reloads)."""

    saved = Signal(int)
    closed = Signal(object)  # the dossier id, None for a new dossier never saved

    def __init__(
        self,
        db: Database,
        context: FicheContext,
        snapshot: FicheSnapshot,
        *,
        dialogs: Dialogs | None = None,
        user: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._user = user
        self._dialogs = dialogs or Dialogs()
        self.context = context
        self.dossiers = DossierService(db, user)
        self.fiche = FicheService(db, user)
        self.porteurs = PorteurService(db, user)
        self._snapshot = snapshot
        self._loaded_state: tuple[object, ...] = ()
        self._loading = False

        self._build_layout()
        self._connect()
        self.load(snapshot)

    # --- construction -----------------------------------------------------------------------

    def _connect(self) -> None:
        """What the widgets of `FicheLayout` do."""
        self.reload_button.clicked.connect(self._reload_discarding)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.close_button.clicked.connect(self.close)
        self.save_action = QAction("Enregistrer", self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.triggered.connect(self.save)
        self.addAction(self.save_action)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._escape)

        for tab in (self.identification, self.porteur, self.public, self.rattachement, self.financement):
            tab.changed.connect(self._on_changed)
        self.recevabilite.changed.connect(self._on_changed)
        self.recevabilite.changed.connect(lambda: self.statut.show_recevabilite(self.recevabilite.rows()))
        self.porteur.porteur_changed.connect(self._on_porteur_changed)
        self.statut.transition_requested.connect(self.request_transition)
        # The « Instruction » tab saves by sections (see ui/fiche/instruction.py): the other tabs
        # are saved or reverted first, and the fiche is reloaded after a write to the dossier.
        self.instruction.guard = self._instruction_guard
        self.instruction.dossier_written.connect(self._after_instruction_write)
        self.instruction.scores_saved.connect(self.saved.emit)
        # « Comité et suivi » saves the suivi row on its own (the dossier's version does not move).
        self.suivi.suivi_saved.connect(self._after_suivi_write)
        # issue 9 (helper A): « Modifier la décision… » writes the dossier, like the Instruction tab.
        self.suivi.guard = self._instruction_guard
        self.suivi.dossier_written.connect(self._after_instruction_write)

    # --- state ------------------------------------------------------------------------------

    @property
    def dossier_id(self) -> int | None:
        return self._snapshot.detail.id if self._snapshot.detail else None

    @property
    def version(self) -> int | None:
        return self._snapshot.detail.version if self._snapshot.detail else None

    def load(self, snapshot: FicheSnapshot) -> None:
        """Show a snapshot; the form is clean afterwards."""
        self._loading = True
        try:
            self._snapshot = snapshot
            data = snapshot.data
            current = snapshot.detail.id if snapshot.detail else None
            self.porteur.load(snapshot.porteur, list(snapshot.history), current)
            self.identification.set_history(list(snapshot.history), current, self.context.campagne_id)
            self.identification.load(data)
            self.public.load(data)
            self.rattachement.load(
                data.objectif_id, data.objectifs_secondaires, data.axes_transversaux, data.classements or ()
            )
            self.financement.load(data)
            self.recevabilite.load(list(snapshot.recevabilite))
            if snapshot.journal is not None:
                self.historique.load(list(snapshot.journal))
            elif snapshot.detail is not None:
                dossier_id = snapshot.detail.id
                self.historique.set_source(lambda: list(fiche_journal(self.fiche, dossier_id)))
            if snapshot.detail is not None:
                self.statut.load(snapshot.detail, snapshot.allowed)
                self.statut.show_recevabilite(self.recevabilite.rows())  # helper B, issue 9
            self.instruction.load(snapshot.detail)
            self.tabs.setTabEnabled(self.tabs.indexOf(self.instruction), snapshot.detail is not None)
            self.suivi.load(snapshot.detail)
            self.tabs.setTabEnabled(self.tabs.indexOf(self.suivi), snapshot.detail is not None)
            self.tabs.setTabEnabled(self.tabs.indexOf(self.statut), snapshot.detail is not None)
            self.tabs.setTabEnabled(
                self.tabs.indexOf(self.historique),
                snapshot.detail is not None and not self.instruction.notation_only,  # évaluateur: no journal
            )
        finally:
            self._loading = False
        self._loaded_state = self._state()
        self._show_header()
        self._on_changed()

    def collect(self) -> DossierData:
        """The dossier as the form shows it now (unreadable fields count as empty)."""
        ident = self.identification.values()
        pub = self.public.values()
        return DossierData(
            reference=ident.reference,
            porteur_id=self.porteur.porteur_id or 0,
            intitule=ident.intitule,
            description=ident.description,
            objectifs_action=ident.objectifs_action,
            public_prevu=pub.public_prevu,
            public_femmes=pub.public_femmes,
            public_hommes=pub.public_hommes,
            public_ages=pub.public_ages,
            part_qpv_pct=pub.part_qpv_pct,
            objectif_id=self.rattachement.objectif_id(),
            objectifs_secondaires=self.rattachement.secondaires(),
            axes_transversaux=self.rattachement.axes_transversaux(),
            classements=self.rattachement.classements(),
            quartiers=pub.quartiers,
            date_depot=pub.date_depot,
            date_debut=pub.date_debut,
            date_fin=pub.date_fin,
            pluriannuel=ident.pluriannuel,
            reconduite=ident.reconduite,
            reconduction_de_id=ident.reconduction_de_id,
            cout_total_cents=self.financement.cout_total_cents(),
            lignes=self.financement.model.lignes(),
            cotation_declaree=ident.cotation_declaree,
            observations=ident.observations,
        )

    def _state(self) -> tuple[object, ...]:
        texts = tuple(
            w.text() for w in (self.financement.cout_total, self.public.public_prevu, self.public.date_debut)
        )  # unreadable text counts as a change
        return (
            _normalised(self.collect()),
            tuple(self.recevabilite.rows()),
            texts,
            tuple(p for _, p in self.financement.problems()),
        )

    def is_modified(self) -> bool:
        if self._loading:
            return False
        return self._state() != self._loaded_state or self.porteur.is_modified()

    # --- actions ----------------------------------------------------------------------------

    def save(self) -> bool:
        """Save the fiche. False (and the form kept as typed) when refused."""
        if self.financement.table.state() == QAbstractItemView.State.EditingState:
            self.financement.table.setFocus()  # commits the cell being edited
        self._clear_marks()
        problems = self._problems()
        if problems:
            self._refuse([p for _, p in problems], [w for w, _ in problems])
            return False
        data = self.collect()
        try:
            porteur_id = self._save_porteur()
            data = dataclasses.replace(data, porteur_id=porteur_id)
            rows = self.recevabilite.rows()
            if self.dossier_id is None:
                dossier_id = self.fiche.create_dossier(self.context.campagne_id, data, rows)
            else:
                dossier_id = self.dossier_id
                assert self.version is not None
                self.fiche.save_fiche(dossier_id, self.version, data, rows)
        except ConcurrentEditError as exc:
            self._show_banner(exc.message, reload=True)
            return False
        except ValidationError as exc:
            self._refuse(exc.problems, [self._widget_for(p) for p in exc.problems])
            return False
        except UserError as exc:
            self._show_banner(exc.message)
            return False
        self.banner.hide()
        self.load(load_snapshot(self._db, dossier_id, self._user))
        self.statusBar().showMessage(f"Dossier enregistré à {time.strftime('%H:%M')}", 6000)
        self.saved.emit(dossier_id)
        return True

    def revert(self) -> None:
        """Back to the values read when the fiche was opened or last saved."""
        self._clear_marks()
        self.banner.hide()
        self.load(self._snapshot)

    def reload(self) -> None:
        """Read the dossier again from the database (drops unsaved edits)."""
        if self.dossier_id is not None:
            self.load(load_snapshot(self._db, self.dossier_id, self._user))

    def request_transition(self, target: Statut) -> bool:
        detail = self._snapshot.detail
        if detail is None:
            return False
        if self.is_modified():
            answer = self._dialogs.ask_save_discard_cancel(
                self,
                "Modifications non enregistrées",
                "Le dossier a des modifications non enregistrées. Les enregistrer avant de changer le statut ?",
            )
            if answer == "cancel" or (answer == "save" and not self.save()):
                return False
        motivation: str | None = None
        if motivation_required(detail.statut, target):
            motivation = self._dialogs.ask_text(
                self,
                f"Passer à « {target.label} »",
                f"Motivation du passage de « {detail.statut.label} » à « {target.label} » (obligatoire) :",
                multiline=True,
            )
            if not (motivation or "").strip():
                self.statusBar().showMessage("Statut inchangé : une motivation est obligatoire.", 6000)
                return False
        try:
            self.dossiers.change_statut(detail.id, target, motivation, self.version)
        except UserError as exc:
            missing = InstructionService(self._db, self._user).missing(detail.id)
            if target is Statut.INSTRUIT and missing and "instruction incomplète" in exc.message:
                items = "".join(f"<li>{html.escape(m)}</li>" for m in missing)
                self._show_banner(
                    f"<b>Le dossier ne peut pas passer à « {target.label} » : il manque</b>"
                    f"<ul style='margin:2px 0'>{items}</ul>Voir l'onglet « Instruction ».",
                    rich=True,
                )
                self.instruction.refresh_completeness()
                return False
            self._show_banner(
                exc.message, reload=isinstance(exc, ConcurrentEditError) or "modifié par" in exc.message
            )
            return False
        self.banner.hide()
        self.load(load_snapshot(self._db, detail.id, self._user))
        self.statusBar().showMessage(f"Statut : {target.label}", 6000)
        self.saved.emit(detail.id)
        return True

    def _instruction_guard(self) -> bool:
        """Before the « Instruction » tab writes the dossier: no unsaved change elsewhere."""
        if not self.is_modified():
            return True
        answer = self._dialogs.ask_save_discard_cancel(
            self,
            "Modifications non enregistrées",
            "Le dossier a des modifications non enregistrées dans les autres onglets. "
            "Les enregistrer avant d'enregistrer l'instruction ?",
        )
        if answer == "cancel":
            return False
        if answer == "save":
            return self.save()
        self.revert()
        return True

    def _after_instruction_write(self, dossier_id: int) -> None:
        """The dossier's version moved: reload the fiche so the main form saves on the new one."""
        self.banner.hide()
        self.load(load_snapshot(self._db, dossier_id, self._user))
        self.saved.emit(dossier_id)

    def _after_suivi_write(self, dossier_id: int) -> None:
        """The suivi was saved (the dossier's version did not move): show it in the journal; the
        whole fiche is read again unless other tabs hold unsaved changes."""
        if self.is_modified():
            self.historique.set_source(lambda: list(fiche_journal(self.fiche, dossier_id)))
        else:
            self.load(load_snapshot(self._db, dossier_id, self._user))
        self.saved.emit(dossier_id)

    def closeEvent(self, event: QCloseEvent) -> None:
        pending = [
            f"onglet {tab} : {', '.join(sections)}"
            for tab, sections in (
                ("Instruction", self.instruction.unsaved_sections()),
                ("Comité et suivi", self.suivi.unsaved_sections()),
            )
            if sections
        ]
        if pending and not self._dialogs.confirm(
            self,
            "Fermer la fiche",
            f"Des saisies ne sont pas enregistrées ({' ; '.join(pending)}). Les abandonner ?",
            "Abandonner",
        ):
            event.ignore()
            return
        if self.is_modified():
            answer = self._dialogs.ask_save_discard_cancel(
                self,
                "Fermer la fiche",
                f"Enregistrer les modifications du dossier {self._snapshot.data.reference or 'nouveau'} ?",
            )
            if answer == "cancel" or (answer == "save" and not self.save()):
                event.ignore()
                return
        event.accept()
        self.closed.emit(self.dossier_id)

    # --- internals --------------------------------------------------------------------------

    def _escape(self) -> None:
        focus = QApplication.focusWidget()
        table = self.financement.table
        if (
            focus is not None
            and table.state() == QAbstractItemView.State.EditingState
            and table.isAncestorOf(focus)
        ):
            table.closeEditor(focus, QAbstractItemDelegate.EndEditHint.RevertModelCache)
            return
        self.close()

    def _reload_discarding(self) -> None:
        self.banner.hide()
        self._clear_marks()
        self.reload()

    def _save_porteur(self) -> int:
        data = self.porteur.data()
        if self.porteur.is_new:
            porteur_id = self.porteurs.create(data)
            self.porteur.load(self.porteurs.get(porteur_id), [], self.dossier_id)
            return porteur_id
        porteur_id = self.porteur.porteur_id
        version = self.porteur.porteur_version
        assert porteur_id is not None and version is not None
        if self.porteur.is_modified():
            self.porteurs.update(porteur_id, version, data)
        return porteur_id

    def _problems(self) -> list[tuple[QWidget, str]]:
        out: list[tuple[QWidget, str]] = []
        out.extend(self.porteur.problems())
        out.extend(self.public.problems())
        out.extend(self.financement.problems())
        for p in validate(self.collect()):
            out.append((self._widget_for(p), p))
        seen: set[str] = set()
        unique = []
        for w, p in out:
            if p not in seen:
                seen.add(p)
                unique.append((w, p))
        return unique

    def _widget_for(self, problem: str) -> QWidget:
        p = problem.lower()
        mapping: tuple[tuple[str, QWidget], ...] = (
            ("référence", self.identification.reference),
            ("intitulé", self.identification.intitule),
            ("coût total", self.financement.cout_total),
            ("plan de financement", self.financement.table),
            ("public prévu", self.public.public_prevu),
            ("dont femmes", self.public.public_femmes),
            ("dont hommes", self.public.public_hommes),
            ("public :", self.public.public_femmes),
            ("part du public", self.public.part_qpv),
            ("dates", self.public.date_fin),
            ("cotation", self.identification.cotation),
            ("porteur", self.porteur.edits["raison_sociale"]),
            ("siret", self.porteur.edits["siret"]),
            ("rna", self.porteur.edits["rna"]),
        )
        for prefix, widget in mapping:
            if p.startswith(prefix):
                return widget
        return self.tabs

    def _refuse(self, problems: list[str], widgets: list[QWidget]) -> None:
        for widget, problem in zip(widgets, problems, strict=True):
            if widget is not self.tabs:
                mark_invalid(widget, problem)
        items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
        self._show_banner(
            f"<b>Le dossier n'a pas été enregistré :</b><ul style='margin:2px 0'>{items}</ul>", rich=True
        )
        self._refusal_shown = True  # follows the fields while they are corrected (_on_changed)
        first = next((w for w in widgets if w is not self.tabs), None)
        if first is not None:
            for n in range(self.tabs.count()):
                if self.tabs.widget(n).isAncestorOf(first):
                    self.tabs.setCurrentIndex(n)
                    break
            first.setFocus()

    def _show_banner(self, text: str, *, reload: bool = False, rich: bool = False) -> None:
        self._refusal_shown = False
        self.banner_label.setText(text if rich else html.escape(text))
        self.reload_button.setVisible(reload)
        self.banner.show()

    def _clear_marks(self) -> None:
        for w in (
            self.identification.reference,
            self.identification.intitule,
            self.identification.cotation,
            self.financement.table,
        ):
            mark_invalid(w, None)
        # Parsed fields re-check themselves.
        for edit in (
            self.financement.cout_total,
            self.public.public_prevu,
            self.public.public_femmes,
            self.public.public_hommes,
            self.public.part_qpv,
            self.public.date_depot,
            self.public.date_debut,
            self.public.date_fin,
        ):
            mark_invalid(edit, edit.problem())

    def _on_porteur_changed(self) -> None:
        self.identification.set_history(
            self.porteur.history_model.rows, self.dossier_id, self.context.campagne_id
        )

    def _on_changed(self, *_args: object) -> None:
        if self._loading:
            return
        data = self.collect()
        self.financement.update_warnings(data)
        self._follow_refusal()
        modified = self.is_modified()
        self.setWindowModified(modified)
        self.save_button.setEnabled(modified or self.dossier_id is None)
        self.revert_button.setEnabled(modified)
        self.state_label.setText("Modifications non enregistrées" if modified else "")
        self.state_label.setStyleSheet(f"color: {ERROR_COLOUR};" if modified else "")

    def _follow_refusal(self) -> None:
        """A refusal banner lists what is still wrong; it goes once everything is corrected."""
        if not getattr(self, "_refusal_shown", False) or not self.banner.isVisible():
            return
        remaining = [p for _, p in self._problems()]
        if not remaining:
            self._clear_marks()
            for widget in (self.porteur.edits["raison_sociale"], self.porteur.edits["siret"]):
                mark_invalid(widget, None)
            self.banner.hide()
            self._refusal_shown = False
            return
        items = "".join(f"<li>{html.escape(p)}</li>" for p in remaining)
        self.banner_label.setText(
            f"<b>Le dossier n'a pas été enregistré :</b><ul style='margin:2px 0'>{items}</ul>"
        )

    def _campagne_name(self) -> str:
        libelle, annee = self.context.campagne_libelle, self.context.campagne_annee
        return libelle if str(annee) in libelle else f"{libelle} {annee}"

    def _show_header(self) -> None:
        snap = self._snapshot
        data = snap.data
        if snap.detail is None:
            self.setWindowTitle("Nouveau dossier[*]")
            self.title_label.setText(f"Nouveau dossier — {self._campagne_name()}")
            self.subtitle_label.setText("Statut « Déposé » à l'enregistrement")
            self.statut_pill.hide()
            return
        detail = snap.detail
        self.setWindowTitle(f"Dossier {data.reference} — {data.intitule}[*]")
        self.title_label.setText(f"{data.reference} — {data.intitule}")
        self.title_label.setToolTip(data.intitule)
        who = ""
        if detail.updated_by and detail.updated_at:
            who = f" · modifié par {detail.updated_by} le {detail.updated_at:%d/%m/%Y à %H:%M}"
        self.subtitle_label.setText(f"{detail.porteur} · {self._campagne_name()}{who}")
        fg, bg = statut_colours(detail.statut)
        self.statut_pill.setText(detail.statut.label)
        self.statut_pill.setStyleSheet(
            f"color: {fg.name()}; background: {bg.name()}; border-radius: 10px; padding: 4px 14px; font-weight: 600;"
        )
        self.statut_pill.show()


def _normalised(data: DossierData) -> DossierData:
    return dataclasses.replace(data, reference=data.reference.strip(), intitule=data.intitule.strip())


def _bring_forward(window: QWidget) -> None:
    window.show()
    if window.isMinimized():
        window.showNormal()
    if QGuiApplication.platformName() != "offscreen":  # offscreen warns « does not support raise() »
        window.raise_()
    window.activateWindow()
