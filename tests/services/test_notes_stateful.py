"""The rule on grille notes as random sequences, on SQLite and PostgreSQL: what the services accept
and what the database accepts are the same notes (`domain/scoring.note_problem`, migration 0008).

A Hypothesis state machine saves notes through `NotationService` (in and out of scale, erased,
on a conflicted évaluation), declares and withdraws conflicts, and writes as a SQL client would:
raw notes on critères of the évaluation's grille or of another one, scales narrowed or widened.
After every step the database holds exactly the notes the model expects, all of them within their
scale and their évaluation's grille, and `instructeur check` finds nothing.
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from instructeur.domain.scoring import note_problem
from instructeur.errors import UserError
from instructeur.services.campagnes import CampagneService
from instructeur.services.dossiers import DossierService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.grilles import CritereData
from instructeur.services.notation import NotationService
from instructeur.storage.backup import check_database
from instructeur.storage.db import Database
from tests.factories import World, build_world, create_grille, dossier_data

SEEN: Counter[str] = Counter()
scales = st.tuples(st.integers(0, 2), st.integers(1, 6)).map(lambda t: (t[0], t[0] + t[1]))
values = st.integers(-2, 10)


def make_machine(db: Database, world: World) -> type[RuleBasedStateMachine]:
    counter = itertools.count(1)

    class Notes(RuleBasedStateMachine):
        @initialize(grille=st.lists(scales, min_size=1, max_size=3))
        def campagne(self, grille: list[tuple[int, int]]) -> None:
            n = next(counter)
            campagne_id = CampagneService(db, user="chef").create(
                world.contrat_id, 2026, libelle=f"Notes {n}"
            )
            criteria = [
                CritereData(f"Critère {k}", echelle_min=lo, echelle_max=hi)
                for k, (lo, hi) in enumerate(grille)
            ]
            self.grille_id, self.criteres = create_grille(db, campagne_id, criteria)
            self.scale = dict(zip(self.criteres, grille, strict=True))
            evaluateurs = EvaluateurService(db, user="chef")
            alice = evaluateurs.create(world.contrat_id, f"Alice {n}")
            dossiers = [
                DossierService(db, user="chef").create(campagne_id, dossier_data(world, f"N{n}-{k}"))
                for k in range(2)
            ]
            evaluateurs.assign(dossiers, alice)
            notation = NotationService(db, user="alice")
            self.evaluations = [notation.evaluation(d, alice).id for d in dossiers]
            self.notes: dict[int, dict[int, int]] = {e: {} for e in self.evaluations}
            self.conflict = dict.fromkeys(self.evaluations, False)
            # a critère of another grille: another campagne's
            other = CampagneService(db, user="chef").create(world.contrat_id, 2027, libelle=f"Autre {n}")
            _, (self.foreign,) = create_grille(
                db, other, [CritereData("Ailleurs", echelle_min=0, echelle_max=10)]
            )

        def _version(self, evaluation_id: int) -> int:
            with db.engine.connect() as conn:
                return int(
                    conn.execute(
                        text("SELECT version FROM evaluation WHERE id = :e"), {"e": evaluation_id}
                    ).scalar_one()
                )

        def _raw(self, sql: str, **params: object) -> bool:
            try:
                with db.engine.begin() as conn:
                    conn.execute(text(sql), params)
            except IntegrityError:
                return False
            return True

        @rule(which=st.integers(0, 1), data=st.data())
        def save_notes(self, which: int, data: st.DataObject) -> None:
            ev = self.evaluations[which]
            wanted = data.draw(
                st.dictionaries(st.sampled_from(self.criteres), st.none() | values, min_size=1)
            )
            in_scale = all(v is None or note_problem(v, *self.scale[c]) is None for c, v in wanted.items())
            # a conflicted évaluation takes no note, but its notes may be erased
            right = in_scale and (not self.conflict[ev] or all(v is None for v in wanted.values()))
            try:
                NotationService(db, user="alice").save_notes(ev, self._version(ev), wanted)
            except UserError:
                SEEN["service : refusé"] += 1
                assert not right
                return
            SEEN["service : accepté"] += 1
            assert right
            for c, v in wanted.items():
                if v is None:
                    self.notes[ev].pop(c, None)
                else:
                    self.notes[ev][c] = v

        @rule(which=st.integers(0, 1))
        def toggle_conflict(self, which: int) -> None:
            ev = self.evaluations[which]
            notation = NotationService(db, user="alice")
            if self.conflict[ev]:
                notation.withdraw_conflict(ev, self._version(ev))
            else:
                notation.declare_conflict(ev, self._version(ev), "parent du porteur")
            self.conflict[ev] = not self.conflict[ev]

        @rule(which=st.integers(0, 1), data=st.data(), value=values)
        def raw_note(self, which: int, data: st.DataObject, value: int) -> None:
            ev = self.evaluations[which]
            critere = data.draw(st.sampled_from([*self.criteres, self.foreign]))
            stored = self.notes[ev]
            right = critere in self.scale and note_problem(value, *self.scale[critere]) is None
            if critere in stored:
                done = self._raw(
                    "UPDATE note SET valeur = :v WHERE evaluation_id = :e AND critere_id = :c",
                    v=value,
                    e=ev,
                    c=critere,
                )
            else:
                done = self._raw(
                    "INSERT INTO note (evaluation_id, critere_id, valeur) VALUES (:e, :c, :v)",
                    e=ev,
                    c=critere,
                    v=value,
                )
            SEEN[f"SQL : {'accepté' if done else 'refusé'}"] += 1
            assert done == right
            if done:
                stored[critere] = value

        @rule(data=st.data(), bound=values)
        def raw_scale(self, data: st.DataObject, bound: int) -> None:
            critere = data.draw(st.sampled_from(self.criteres))
            low, high = self.scale[critere]
            top = data.draw(st.booleans())
            new = (low, bound) if top else (bound, high)
            if new[0] >= new[1]:
                return  # the CHECK (echelle_min < echelle_max) is another rule
            notes = [n[critere] for n in self.notes.values() if critere in n]
            right = all(new[0] <= v <= new[1] for v in notes)
            column = "echelle_max" if top else "echelle_min"
            done = self._raw(f"UPDATE critere SET {column} = :b WHERE id = :c", b=bound, c=critere)
            SEEN[f"échelle : {'acceptée' if done else 'refusée'}"] += 1
            assert done == right
            if done:
                self.scale[critere] = new

        @invariant()
        def database_holds_the_model(self) -> None:
            with db.engine.connect() as conn:
                for ev in self.evaluations:
                    rows = conn.execute(
                        text("SELECT critere_id, valeur FROM note WHERE evaluation_id = :e"), {"e": ev}
                    )
                    assert {int(c): int(v) for c, v in rows} == self.notes[ev]

    return Notes


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_services_and_database_accept_the_same_notes(db: Database) -> None:
    SEEN.clear()
    world = build_world(db)
    run_state_machine_as_test(
        make_machine(db, world),
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert check_database(db).problems == []
    for what in (
        "service : accepté",
        "service : refusé",
        "SQL : accepté",
        "SQL : refusé",
        "échelle : refusée",
    ):
        assert SEEN[what], (what, SEEN)
