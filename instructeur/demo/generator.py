"""The demo generator: runs the parts in order, then bulk-inserts the rows."""

from __future__ import annotations

from sqlalchemy import text

from instructeur.demo.comite import _ComitePart
from instructeur.demo.common import DemoSummary, _insert


class _Generator(_ComitePart):
    """Builds every row in memory, then writes them in large batches (`_write`)."""

    # Orchestration ------------------------------------------------------------------------

    def run(self) -> DemoSummary:
        if self.progress is not None:
            self.progress(0, self.steps_total)
        self._contrat()
        self._step()
        self._campagnes()
        self._step()
        self._read_contrat()
        self._porteurs()
        self._step()
        for campagne in self.campagnes:
            self._dossiers(campagne)
            self._step()
        self._evaluations()
        self._comite()
        self._enveloppes()
        self._after_decisions()
        self._step()
        self._write()
        self._step()
        return DemoSummary(
            contrat_id=self.contrat_id,
            campagne_ids=tuple(c.id for c in self.campagnes),
            nb_dossiers=sum(len(c.dossiers) for c in self.campagnes),
            nb_porteurs=len(self.porteurs),
            comite_id=self.comite_id,
            seconds=0.0,
        )

    # Writing -----------------------------------------------------------------------------

    def _write(self) -> None:
        order = (
            "porteur", "label", "grille", "critere", "evaluateur", "enveloppe", "dossier", "ligne_financement",
            "transition", "dossier_quartier", "dossier_objectif_secondaire", "dossier_classement", "dossier_axe_transversal",
            "dossier_label", "recevabilite_check", "evaluation", "note", "comite", "comite_membre",
            "comite_point", "notification", "suivi", "setting",
        )  # fmt: skip
        missing = set(self.rows) - set(order)
        assert not missing, missing
        with self.db.session() as s:
            for name in order:
                _insert(s, self.tables[name], self.rows.get(name, []))
            if not self.db.is_sqlite:
                # Ids were assigned here: move PostgreSQL's sequences past them for the next inserts.
                for name in order:
                    table = self.tables[name]
                    if "id" in table.c and self.rows.get(name):
                        s.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                f"(SELECT max(id) FROM {name}))"
                            )
                        )
