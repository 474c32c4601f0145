"""notes dans l'échelle de leur critère et de la grille de leur évaluation, gardées par la base

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 11:40:00

The grille scores rank the dossiers a comité funds. Every entry point refuses a note outside its
critère's scale, or on a critère of another grille than its évaluation's (the fiche, the matrix,
the scoring file, the CLI: `domain/scoring.note_problem`); from this revision the database refuses
them too, on both engines, whoever writes (a raw SQL client, a script, a bug):
- a note inserted or changed outside [echelle_min, echelle_max] of its critère, or on a critère of
  another grille than its évaluation's;
- a critère whose scale is narrowed so that one of its notes falls outside;
- an évaluation moved to another grille while it holds notes of the former one.
Triggers raise a constraint violation (IntegrityError): SQLite `RAISE(ABORT)`, PostgreSQL SQLSTATE
23514. Two writers at the same instant (a note, a narrowed scale) are serialised: SQLite has one
writer at a time, PostgreSQL's note trigger reads the critère and the évaluation FOR SHARE.
Existing rows are not rechecked: `instructeur check` counts them (storage/backup.py). An SQLite
batch migration of `note`, `critere` or `evaluation` recreates the table without its triggers:
such a migration must create them again (`sqlite_ddl`).
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NOTE_REFUSED = (
    "note hors de l''échelle de son critère, ou critère d''une autre grille que celle de l''évaluation"
)
SCALE_REFUSED = "échelle du critère réduite alors que des notes en sortent"
GRILLE_REFUSED = "évaluation déplacée vers une autre grille alors qu''elle a des notes de la sienne"

# a note is right when its critère is in its évaluation's grille and the value within the scale
_NOTE_OK = """EXISTS (SELECT 1 FROM critere c JOIN evaluation e ON e.grille_id = c.grille_id
               WHERE c.id = NEW.critere_id AND e.id = NEW.evaluation_id
                 AND NEW.valeur BETWEEN c.echelle_min AND c.echelle_max)"""
_SCALE_BROKEN = """EXISTS (SELECT 1 FROM note n WHERE n.critere_id = NEW.id
                      AND (n.valeur < NEW.echelle_min OR n.valeur > NEW.echelle_max))"""
_GRILLE_BROKEN = """EXISTS (SELECT 1 FROM note n JOIN critere c ON c.id = n.critere_id
                       WHERE n.evaluation_id = NEW.id AND c.grille_id <> NEW.grille_id)"""

TRIGGERS = (
    ("note_echelle_insert", "note"),
    ("note_echelle_update", "note"),
    ("critere_echelle_notes", "critere"),
    ("evaluation_grille_notes", "evaluation"),
)


def sqlite_ddl() -> list[str]:
    def guard(name: str, when: str, table: str, condition: str, message: str) -> str:
        return f"CREATE TRIGGER {name} BEFORE {when} ON {table} WHEN {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END"

    return [
        guard("note_echelle_insert", "INSERT", "note", f"NOT {_NOTE_OK}", NOTE_REFUSED),
        guard(
            "note_echelle_update",
            "UPDATE OF valeur, critere_id, evaluation_id",
            "note",
            f"NOT {_NOTE_OK}",
            NOTE_REFUSED,
        ),
        guard(
            "critere_echelle_notes",
            "UPDATE OF echelle_min, echelle_max",
            "critere",
            _SCALE_BROKEN,
            SCALE_REFUSED,
        ),
        guard("evaluation_grille_notes", "UPDATE OF grille_id", "evaluation", _GRILLE_BROKEN, GRILLE_REFUSED),
    ]


def postgresql_ddl() -> list[str]:
    def function(name: str, condition: str, message: str) -> str:
        # the owner's rights, as the journal's functions: the check reads grilles and
        # évaluations whatever the row security of the role writing the note
        return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  IF {condition} THEN
    RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$"""

    # The note's critère and évaluation are read FOR SHARE: a scale narrowed or an évaluation moved
    # by another transaction at the same instant waits for this one, then its own trigger sees
    # the note (READ COMMITTED alone would let each check miss the other's uncommitted row).
    note_function = f"""
CREATE OR REPLACE FUNCTION instructeur_note_echelle() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM 1 FROM critere c JOIN evaluation e ON e.grille_id = c.grille_id
   WHERE c.id = NEW.critere_id AND e.id = NEW.evaluation_id
     AND NEW.valeur BETWEEN c.echelle_min AND c.echelle_max
   FOR SHARE OF c, e;
  IF NOT FOUND THEN
    RAISE EXCEPTION '{NOTE_REFUSED}' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$"""
    return [
        note_function,
        function("instructeur_critere_echelle", _SCALE_BROKEN, SCALE_REFUSED),
        function("instructeur_evaluation_grille", _GRILLE_BROKEN, GRILLE_REFUSED),
        "CREATE TRIGGER note_echelle_insert BEFORE INSERT ON note "
        "FOR EACH ROW EXECUTE FUNCTION instructeur_note_echelle()",
        "CREATE TRIGGER note_echelle_update BEFORE UPDATE OF valeur, critere_id, evaluation_id ON note "
        "FOR EACH ROW EXECUTE FUNCTION instructeur_note_echelle()",
        "CREATE TRIGGER critere_echelle_notes BEFORE UPDATE OF echelle_min, echelle_max ON critere "
        "FOR EACH ROW EXECUTE FUNCTION instructeur_critere_echelle()",
        "CREATE TRIGGER evaluation_grille_notes BEFORE UPDATE OF grille_id ON evaluation "
        "FOR EACH ROW EXECUTE FUNCTION instructeur_evaluation_grille()",
    ]


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in postgresql_ddl() if postgresql else sqlite_ddl():
        op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table in TRIGGERS:
        op.execute(
            f"DROP TRIGGER IF EXISTS {name} ON {table}" if postgresql else f"DROP TRIGGER IF EXISTS {name}"
        )
    if postgresql:
        for fn in (
            "instructeur_note_echelle",
            "instructeur_critere_echelle",
            "instructeur_evaluation_grille",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {fn}()")
