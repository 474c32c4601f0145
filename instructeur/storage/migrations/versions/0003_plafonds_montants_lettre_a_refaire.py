"""plafond des montants (CHECK ≤ 10^13 centimes), notification « à refaire »

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 06:30:00

The money columns get the database's backstop behind the services' plausibility ceiling
(`AMOUNT_HARD_MAX_CENTS` of `instructeur.domain.money`, read here so that the bound has one source);
a notification may be « à refaire » (its letter was generated, then the decision was revised).
Batch mode: SQLite recreates each table (named constraints are kept).
"""

from __future__ import annotations

from alembic import op

from instructeur.domain.money import AMOUNT_HARD_MAX_CENTS

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# table → money columns that get `<column> <= AMOUNT_HARD_MAX_CENTS`, named ck_<table>_<name>_max
MONEY_COLUMNS = {
    "enveloppe": ("montant_cents",),
    "dossier": ("cout_total_cents",),
    "ligne_financement": ("demande_cents", "propose_cents", "vote_cents"),
    "comite_vote": ("montant_cents",),
    "scenario_montant": ("montant_cents",),
}
ETATS_BEFORE = ("a_generer", "a_signer", "a_notifier", "notifie")
ETATS_AFTER = (*ETATS_BEFORE, "a_refaire")


def _name(table: str, column: str) -> str:
    return f"ck_{table}_{column.removesuffix('_cents')}_max"


def upgrade() -> None:
    for table, columns in MONEY_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.create_check_constraint(
                    op.f(_name(table, column)), f"{column} <= {AMOUNT_HARD_MAX_CENTS}"
                )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notification_etat"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notification_etat"), "etat IN " + str(ETATS_AFTER))


def downgrade() -> None:
    op.execute("UPDATE notification SET etat = 'a_generer' WHERE etat = 'a_refaire'")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notification_etat"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notification_etat"), "etat IN " + str(ETATS_BEFORE))
    for table, columns in MONEY_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(op.f(_name(table, column)), type_="check")
