"""classifications transversales du cadre, liens entre nœuds, classement des dossiers, SIRET des financeurs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:50:00

A contrat's cadre may carry additional, cross-cutting trees (`classification`; Saint-Omer: the seven
ambitions › engagements) whose nodes are objectifs with a `classification_id` (NULL = main cadre);
`objectif_lien` is the matrix linking them to the main cadre; `dossier_classement` holds a dossier's
rattachements in them. A financeur gets a SIRET (the open data's idAttribuant).
Batch mode: SQLite recreates `objectif` and `financeur` (named constraints are kept).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "classification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contrat_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("nom", sa.String(length=200), nullable=False),
        sa.Column("niveaux", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contrat_id"], ["contrat.id"], name=op.f("fk_classification_contrat_id_contrat"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classification")),
        sa.UniqueConstraint("contrat_id", "code", name=op.f("uq_classification_contrat_id_code")),
    )
    with op.batch_alter_table("classification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_classification_contrat_id"), ["contrat_id"], unique=False)

    with op.batch_alter_table("objectif", schema=None) as batch_op:
        batch_op.add_column(sa.Column("classification_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_objectif_classification_id"), ["classification_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_objectif_classification_id_classification"),
            "classification",
            ["classification_id"],
            ["id"],
            ondelete="CASCADE",
        )

    op.create_table(
        "objectif_lien",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objectif_id", sa.Integer(), nullable=False),
        sa.Column("lie_a_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lie_a_id"], ["objectif.id"], name=op.f("fk_objectif_lien_lie_a_id_objectif"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["objectif_id"], ["objectif.id"], name=op.f("fk_objectif_lien_objectif_id_objectif"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objectif_lien")),
        sa.UniqueConstraint("objectif_id", "lie_a_id", name=op.f("uq_objectif_lien_objectif_id_lie_a_id")),
    )
    with op.batch_alter_table("objectif_lien", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objectif_lien_lie_a_id"), ["lie_a_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_objectif_lien_objectif_id"), ["objectif_id"], unique=False)

    op.create_table(
        "dossier_classement",
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("objectif_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_dossier_classement_dossier_id_dossier"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["objectif_id"],
            ["objectif.id"],
            name=op.f("fk_dossier_classement_objectif_id_objectif"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dossier_id", "objectif_id", name=op.f("pk_dossier_classement")),
    )

    with op.batch_alter_table("financeur", schema=None) as batch_op:
        batch_op.add_column(sa.Column("siret", sa.String(length=14), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("financeur", schema=None) as batch_op:
        batch_op.drop_column("siret")
    op.drop_table("dossier_classement")
    with op.batch_alter_table("objectif_lien", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objectif_lien_objectif_id"))
        batch_op.drop_index(batch_op.f("ix_objectif_lien_lie_a_id"))
    op.drop_table("objectif_lien")
    # the additional classifications' nodes have no place in the older schema
    op.execute("DELETE FROM objectif WHERE classification_id IS NOT NULL")
    with op.batch_alter_table("objectif", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_objectif_classification_id_classification"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_objectif_classification_id"))
        batch_op.drop_column("classification_id")
    with op.batch_alter_table("classification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classification_contrat_id"))
    op.drop_table("classification")
