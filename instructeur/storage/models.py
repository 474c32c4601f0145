"""The data model of DESIGN.md §4 as SQLAlchemy 2 typed ORM classes.

Rules kept everywhere: money in integer cents (`*_cents`), dates as `Date`, a `version` column
(optimistic locking, see `Versioned`) on every table users edit, named constraints (Alembic batch
mode needs names). Enumerated values are short ASCII codes stored as strings; their French labels
live in `instructeur.domain`.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from instructeur.domain.money import AMOUNT_HARD_MAX_CENTS

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Money is integer cents; 64 bits, since a département's enveloppe exceeds 2^31 cents (21 M€).
Money = BigInteger().with_variant(Integer(), "sqlite")


def money_max(column: str) -> CheckConstraint:
    """The database's backstop behind the services' plausibility ceiling: no amount above
    AMOUNT_HARD_MAX_CENTS (10^13 cents) on any engine, named `<column>_max`."""
    name = column.removesuffix("_cents") + "_max"
    return CheckConstraint(f"{column} <= {AMOUNT_HARD_MAX_CENTS}", name=name)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """Optimistic locking: SQLAlchemy adds `WHERE version = :old` to every UPDATE and raises
    StaleDataError when another session changed the row meanwhile (turned into a French message
    by the services)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, onupdate=func.now(), default=func.now())
    updated_by: Mapped[str | None] = mapped_column(String(80))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:  # noqa: N805 - declared_attr signature
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Any:
    return mapped_column(ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


# --- Contrat and its référentiel -------------------------------------------------------------

quartier_commune = Table(
    "quartier_commune",
    Base.metadata,
    Column("quartier_id", ForeignKey("quartier.id", ondelete="CASCADE"), primary_key=True),
    Column("commune_id", ForeignKey("commune.id", ondelete="CASCADE"), primary_key=True),
)


class Contrat(Versioned, Base):
    __tablename__ = "contrat"
    id: Mapped[int] = mapped_column(primary_key=True)
    nom: Mapped[str] = mapped_column(String(200))
    epci_nom: Mapped[str] = mapped_column(String(200), default="")
    epci_siren: Mapped[str | None] = mapped_column(String(9))
    periode_debut: Mapped[int] = mapped_column(Integer)
    periode_fin: Mapped[int] = mapped_column(Integer)
    referentiel_code: Mapped[str | None] = mapped_column(String(60))
    # Names of the cadre's levels, « | »-separated (« Axe | Objectif | Orientation »).
    niveaux: Mapped[str] = mapped_column(String(300), default="")

    communes: Mapped[list["Commune"]] = relationship(back_populates="contrat", cascade="all, delete-orphan")
    quartiers: Mapped[list["Quartier"]] = relationship(back_populates="contrat", cascade="all, delete-orphan")
    objectifs: Mapped[list["Objectif"]] = relationship(back_populates="contrat", cascade="all, delete-orphan")
    axes_transversaux: Mapped[list["AxeTransversal"]] = relationship(
        back_populates="contrat", cascade="all, delete-orphan", order_by="AxeTransversal.position"
    )
    financeurs: Mapped[list["Financeur"]] = relationship(
        back_populates="contrat", cascade="all, delete-orphan", order_by="Financeur.position"
    )
    signataires: Mapped[list["Signataire"]] = relationship(
        back_populates="contrat", cascade="all, delete-orphan", order_by="Signataire.position"
    )
    campagnes: Mapped[list["Campagne"]] = relationship(back_populates="contrat", cascade="all, delete-orphan")
    classifications: Mapped[list["Classification"]] = relationship(
        back_populates="contrat", cascade="all, delete-orphan", order_by="Classification.position"
    )

    __table_args__ = (CheckConstraint("periode_debut <= periode_fin", name="periode"),)


class Commune(Base):
    __tablename__ = "commune"
    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = _fk("contrat.id")
    nom: Mapped[str] = mapped_column(String(120))
    insee: Mapped[str | None] = mapped_column(String(5))
    contrat: Mapped[Contrat] = relationship(back_populates="communes")
    __table_args__ = (UniqueConstraint("contrat_id", "nom"),)


class Quartier(Versioned, Base):
    """A territory an action may target: a QPV, or a quartier de veille / vécu / fragile."""

    __tablename__ = "quartier"
    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = _fk("contrat.id")
    type: Mapped[str] = mapped_column(String(10), default="qpv")  # qpv, veille, vecu, fragile
    code: Mapped[str | None] = mapped_column(String(10))  # official QPV code, QN06201M
    nom: Mapped[str] = mapped_column(String(200))
    population: Mapped[int | None] = mapped_column(Integer)
    contrat: Mapped[Contrat] = relationship(back_populates="quartiers")
    communes: Mapped[list[Commune]] = relationship(secondary=quartier_commune, order_by="Commune.nom")
    aliases: Mapped[list["QuartierAlias"]] = relationship(cascade="all, delete-orphan")
    __table_args__ = (
        UniqueConstraint("contrat_id", "type", "nom"),  # « Beau Marais » is a QPV and a quartier de veille
        CheckConstraint("type IN ('qpv', 'veille', 'vecu', 'fragile')", name="type"),
    )


class QuartierAlias(Base):
    """Other names of a quartier (2015 names mapped to 2024 QPV, spellings found in imports)."""

    __tablename__ = "quartier_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = _fk("quartier.id")
    alias: Mapped[str] = mapped_column(String(200))
    __table_args__ = (UniqueConstraint("quartier_id", "alias"),)


class Classification(Base):
    """An additional, cross-cutting tree classifying the same actions as the main cadre
    (Saint-Omer: the seven ambitions › engagements). The main cadre is the objectifs whose
    `classification_id` is NULL, with its level names in `Contrat.niveaux`."""

    __tablename__ = "classification"
    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = _fk("contrat.id")
    code: Mapped[str] = mapped_column(String(30))
    nom: Mapped[str] = mapped_column(String(200))
    # Names of the tree's levels, « | »-separated, like Contrat.niveaux.
    niveaux: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    contrat: Mapped[Contrat] = relationship(back_populates="classifications")
    __table_args__ = (UniqueConstraint("contrat_id", "code"),)


class Objectif(Base):
    """A node of the cadre stratégique (axe / pilier → objectif stratégique → opérationnel…), or of
    an additional classification (`classification_id`); codes are unique across the contrat's trees."""

    __tablename__ = "objectif"
    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = _fk("contrat.id")
    classification_id: Mapped[int | None] = _fk("classification.id", nullable=True)
    parent_id: Mapped[int | None] = _fk("objectif.id", nullable=True)
    code: Mapped[str] = mapped_column(String(30))
    titre: Mapped[str] = mapped_column(Text)
    niveau: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    contrat: Mapped[Contrat] = relationship(back_populates="objectifs")
    __table_args__ = (UniqueConstraint("contrat_id", "code"),)


class ObjectifLien(Base):
    """A link between a node of a classification and an objectif of the main cadre (Saint-Omer's
    matrix « ambition / engagement × objectif »)."""

    __tablename__ = "objectif_lien"
    id: Mapped[int] = mapped_column(primary_key=True)
    objectif_id: Mapped[int] = _fk("objectif.id")
    lie_a_id: Mapped[int] = _fk("objectif.id")
    __table_args__ = (UniqueConstraint("objectif_id", "lie_a_id"),)


class AxeTransversal(Base):
    __tablename__ = "axe_transversal"
    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = _fk("contrat.id")
    titre: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    contrat: Mapped[Contrat] = relationship(back_populates="axes_transversaux")


FINANCEUR_TYPES = ("etat", "epci", "commune", "departement", "region", "caf", "bailleur", "autre")


class Financeur(Versioned, Base):
    __tablename__ = "financeur"
    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = _fk("contrat.id")
    code: Mapped[str] = mapped_column(String(20))
    nom: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20), default="autre")
    siret: Mapped[str | None] = mapped_column(String(14))  # idAttribuant of the open data (SCDL)
    position: Mapped[int] = mapped_column(Integer, default=0)
    contrat: Mapped[Contrat] = relationship(back_populates="financeurs")
    __table_args__ = (
        UniqueConstraint("contrat_id", "code"),
        CheckConstraint("type IN " + str(FINANCEUR_TYPES), name="type"),
    )


class Signataire(Base):
    __tablename__ = "signataire"
    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = _fk("contrat.id")
    nom: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    contrat: Mapped[Contrat] = relationship(back_populates="signataires")


# --- Campagne ---------------------------------------------------------------------------------

CAMPAGNE_STATUTS = ("preparation", "ouverte", "instruction", "comite", "cloturee")


class Campagne(Versioned, Base):
    __tablename__ = "campagne"
    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = _fk("contrat.id")
    annee: Mapped[int] = mapped_column(Integer)
    libelle: Mapped[str] = mapped_column(String(200), default="Appel à projets")
    date_ouverture: Mapped[date | None] = mapped_column(Date)
    date_cloture: Mapped[date | None] = mapped_column(Date)
    statut: Mapped[str] = mapped_column(String(20), default="preparation")
    contrat: Mapped[Contrat] = relationship(back_populates="campagnes")
    enveloppes: Mapped[list["Enveloppe"]] = relationship(
        back_populates="campagne", cascade="all, delete-orphan"
    )
    recevabilite_items: Mapped[list["RecevabiliteItem"]] = relationship(
        cascade="all, delete-orphan", order_by="RecevabiliteItem.position"
    )
    __table_args__ = (
        UniqueConstraint("contrat_id", "annee", "libelle"),
        CheckConstraint("statut IN " + str(CAMPAGNE_STATUTS), name="statut"),
    )


class Enveloppe(Versioned, Base):
    __tablename__ = "enveloppe"
    id: Mapped[int] = mapped_column(primary_key=True)
    campagne_id: Mapped[int] = _fk("campagne.id")
    financeur_id: Mapped[int] = _fk("financeur.id")
    montant_cents: Mapped[int] = mapped_column(Money, default=0)
    campagne: Mapped[Campagne] = relationship(back_populates="enveloppes")
    financeur: Mapped[Financeur] = relationship()
    __table_args__ = (
        UniqueConstraint("campagne_id", "financeur_id"),
        CheckConstraint("montant_cents >= 0", name="montant_positif"),
        money_max("montant_cents"),
    )


class RecevabiliteItem(Base):
    """One check of the campagne's recevabilité list (CER signé, CRF N-1 reçu, pièces…)."""

    __tablename__ = "recevabilite_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    campagne_id: Mapped[int] = _fk("campagne.id")
    libelle: Mapped[str] = mapped_column(String(300))
    obligatoire: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


# --- Porteur and dossier ----------------------------------------------------------------------


class Porteur(Versioned, Base):
    __tablename__ = "porteur"
    id: Mapped[int] = mapped_column(primary_key=True)
    raison_sociale: Mapped[str] = mapped_column(String(300))
    sigle: Mapped[str | None] = mapped_column(String(60))
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    rna: Mapped[str | None] = mapped_column(String(10), unique=True)
    forme_juridique: Mapped[str | None] = mapped_column(String(120))
    adresse: Mapped[str | None] = mapped_column(String(300))
    code_postal: Mapped[str | None] = mapped_column(String(5))
    ville: Mapped[str | None] = mapped_column(String(120))
    representant_civilite: Mapped[str | None] = mapped_column(String(10))
    representant_nom: Mapped[str | None] = mapped_column(String(120))
    representant_prenom: Mapped[str | None] = mapped_column(String(120))
    representant_fonction: Mapped[str | None] = mapped_column(String(120))
    contact_nom: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_telephone: Mapped[str | None] = mapped_column(String(30))
    __table_args__ = (Index("ix_porteur_raison_sociale", "raison_sociale"),)


dossier_quartier = Table(
    "dossier_quartier",
    Base.metadata,
    Column("dossier_id", ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True),
    Column("quartier_id", ForeignKey("quartier.id", ondelete="CASCADE"), primary_key=True),
)

dossier_objectif_secondaire = Table(
    "dossier_objectif_secondaire",
    Base.metadata,
    Column("dossier_id", ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True),
    Column("objectif_id", ForeignKey("objectif.id", ondelete="CASCADE"), primary_key=True),
)

dossier_axe_transversal = Table(
    "dossier_axe_transversal",
    Base.metadata,
    Column("dossier_id", ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True),
    Column("axe_transversal_id", ForeignKey("axe_transversal.id", ondelete="CASCADE"), primary_key=True),
)

# A dossier's rattachements in the additional classifications (one node per classification at
# most, enforced by services/dossiers.py).
dossier_classement = Table(
    "dossier_classement",
    Base.metadata,
    Column("dossier_id", ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True),
    Column("objectif_id", ForeignKey("objectif.id", ondelete="CASCADE"), primary_key=True),
)

dossier_label = Table(
    "dossier_label",
    Base.metadata,
    Column("dossier_id", ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True),
    Column("label_id", ForeignKey("label.id", ondelete="CASCADE"), primary_key=True),
)

AVIS = ("favorable", "reserve", "defavorable")


class Dossier(Versioned, Base):
    __tablename__ = "dossier"
    id: Mapped[int] = mapped_column(primary_key=True)
    campagne_id: Mapped[int] = _fk("campagne.id")
    porteur_id: Mapped[int] = _fk("porteur.id", ondelete="RESTRICT")
    reference: Mapped[str] = mapped_column(String(40))
    intitule: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    objectifs_action: Mapped[str] = mapped_column(Text, default="")
    public_prevu: Mapped[int | None] = mapped_column(Integer)
    public_femmes: Mapped[int | None] = mapped_column(Integer)
    public_hommes: Mapped[int | None] = mapped_column(Integer)
    public_ages: Mapped[str | None] = mapped_column(String(120))
    part_qpv_pct: Mapped[int | None] = mapped_column(Integer)
    objectif_id: Mapped[int | None] = _fk("objectif.id", nullable=True, ondelete="SET NULL")
    date_depot: Mapped[date | None] = mapped_column(Date)
    date_debut: Mapped[date | None] = mapped_column(Date)
    date_fin: Mapped[date | None] = mapped_column(Date)
    pluriannuel: Mapped[bool] = mapped_column(Boolean, default=False)
    reconduite: Mapped[bool] = mapped_column(Boolean, default=False)
    reconduction_de_id: Mapped[int | None] = _fk("dossier.id", nullable=True, ondelete="SET NULL")
    cout_total_cents: Mapped[int] = mapped_column(Money, default=0)
    statut: Mapped[str] = mapped_column(String(20), default="depose", index=True)
    decision: Mapped[str | None] = mapped_column(String(20))
    cotation_declaree: Mapped[int | None] = mapped_column(Integer)
    cotation_instruite: Mapped[int | None] = mapped_column(Integer)
    cotation_proposee: Mapped[int | None] = mapped_column(Integer)
    cotation_justification: Mapped[str | None] = mapped_column(Text)
    cotation_reponses: Mapped[str | None] = mapped_column(Text)  # JSON {question code: bool}
    avis: Mapped[str | None] = mapped_column(String(20))
    avis_motivation: Mapped[str | None] = mapped_column(Text)
    observations: Mapped[str | None] = mapped_column(Text)

    campagne: Mapped[Campagne] = relationship()
    porteur: Mapped[Porteur] = relationship()
    objectif: Mapped[Objectif | None] = relationship(foreign_keys=[objectif_id])
    reconduction_de: Mapped["Dossier | None"] = relationship(remote_side=[id])
    quartiers: Mapped[list[Quartier]] = relationship(secondary=dossier_quartier, order_by="Quartier.nom")
    objectifs_secondaires: Mapped[list[Objectif]] = relationship(secondary=dossier_objectif_secondaire)
    axes_transversaux: Mapped[list[AxeTransversal]] = relationship(secondary=dossier_axe_transversal)
    classements: Mapped[list[Objectif]] = relationship(secondary=dossier_classement)
    labels: Mapped[list["Label"]] = relationship(secondary=dossier_label, order_by="Label.nom")
    lignes: Mapped[list["LigneFinancement"]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="LigneFinancement.position"
    )
    recevabilite: Mapped[list["RecevabiliteCheck"]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        UniqueConstraint("campagne_id", "reference"),
        CheckConstraint("cout_total_cents >= 0", name="cout_positif"),
        money_max("cout_total_cents"),
        CheckConstraint("part_qpv_pct IS NULL OR (part_qpv_pct BETWEEN 0 AND 100)", name="part_qpv"),
        CheckConstraint("cotation_declaree IS NULL OR cotation_declaree >= 0", name="cotation_declaree"),
        CheckConstraint("cotation_instruite IS NULL OR cotation_instruite >= 0", name="cotation_instruite"),
        CheckConstraint("avis IS NULL OR avis IN " + str(AVIS), name="avis"),
        Index("ix_dossier_campagne_statut", "campagne_id", "statut"),
    )


class LigneFinancement(Base):
    """A line of the plan de financement: a financeur of the contrat (demandé → proposé → voté) or
    another resource (`financeur_id` NULL, `libelle` says what: fonds propres, bénévolat…)."""

    __tablename__ = "ligne_financement"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = _fk("dossier.id")
    financeur_id: Mapped[int | None] = _fk("financeur.id", nullable=True, ondelete="RESTRICT")
    libelle: Mapped[str] = mapped_column(String(200), default="")
    demande_cents: Mapped[int] = mapped_column(Money, default=0)
    propose_cents: Mapped[int | None] = mapped_column(Money)
    vote_cents: Mapped[int | None] = mapped_column(Money)
    position: Mapped[int] = mapped_column(Integer, default=0)
    dossier: Mapped[Dossier] = relationship(back_populates="lignes")
    financeur: Mapped[Financeur | None] = relationship()
    __table_args__ = (
        CheckConstraint("demande_cents >= 0", name="demande_positif"),
        CheckConstraint("propose_cents IS NULL OR propose_cents >= 0", name="propose_positif"),
        CheckConstraint("vote_cents IS NULL OR vote_cents >= 0", name="vote_positif"),
        money_max("demande_cents"),
        money_max("propose_cents"),
        money_max("vote_cents"),
    )


class RecevabiliteCheck(Base):
    __tablename__ = "recevabilite_check"
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("recevabilite_item.id", ondelete="CASCADE"), primary_key=True
    )
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    commentaire: Mapped[str | None] = mapped_column(String(500))


class Label(Base):
    __tablename__ = "label"
    id: Mapped[int] = mapped_column(primary_key=True)
    nom: Mapped[str] = mapped_column(String(80), unique=True)
    couleur: Mapped[str | None] = mapped_column(String(9))


class Transition(Base):
    """History of statut changes: who, when, from, to, why. Never updated nor deleted."""

    __tablename__ = "transition"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = _fk("dossier.id")
    at: Mapped[datetime] = mapped_column(DateTime, default=func.now())
    utilisateur: Mapped[str] = mapped_column(String(80))
    de_statut: Mapped[str | None] = mapped_column(String(20))
    vers_statut: Mapped[str] = mapped_column(String(20))
    motivation: Mapped[str | None] = mapped_column(Text)


# --- Instruction: grille, évaluations, cotation -----------------------------------------------


class Grille(Versioned, Base):
    __tablename__ = "grille"
    id: Mapped[int] = mapped_column(primary_key=True)
    campagne_id: Mapped[int] = _fk("campagne.id")
    nom: Mapped[str] = mapped_column(String(200), default="Grille d'analyse")
    numero_version: Mapped[int] = mapped_column(Integer, default=1)
    verrouillee: Mapped[bool] = mapped_column(Boolean, default=False)
    criteres: Mapped[list["Critere"]] = relationship(
        cascade="all, delete-orphan", order_by="Critere.position"
    )


class Critere(Base):
    __tablename__ = "critere"
    id: Mapped[int] = mapped_column(primary_key=True)
    grille_id: Mapped[int] = _fk("grille.id")
    section: Mapped[str] = mapped_column(String(200), default="")
    libelle: Mapped[str] = mapped_column(String(300))
    aide: Mapped[str] = mapped_column(Text, default="")
    poids: Mapped[int] = mapped_column(Integer, default=1)
    echelle_min: Mapped[int] = mapped_column(Integer, default=0)
    echelle_max: Mapped[int] = mapped_column(Integer, default=3)
    niveaux: Mapped[str | None] = mapped_column(Text)  # JSON list of level labels, min → max
    eliminatoire: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (
        CheckConstraint("poids >= 0", name="poids_positif"),
        CheckConstraint("echelle_min < echelle_max", name="echelle"),
    )


class Evaluateur(Versioned, Base):
    __tablename__ = "evaluateur"
    id: Mapped[int] = mapped_column(primary_key=True)
    contrat_id: Mapped[int] = _fk("contrat.id")
    nom: Mapped[str] = mapped_column(String(200))
    financeur_id: Mapped[int | None] = _fk("financeur.id", nullable=True, ondelete="SET NULL")
    email: Mapped[str | None] = mapped_column(String(200))
    financeur: Mapped[Financeur | None] = relationship()


class Evaluation(Versioned, Base):
    __tablename__ = "evaluation"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = _fk("dossier.id")
    evaluateur_id: Mapped[int] = _fk("evaluateur.id")
    grille_id: Mapped[int] = _fk("grille.id", ondelete="RESTRICT")
    conflit: Mapped[bool] = mapped_column(Boolean, default=False)
    conflit_motif: Mapped[str | None] = mapped_column(Text)
    commentaire: Mapped[str | None] = mapped_column(Text)
    date_evaluation: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[list["Note"]] = relationship(cascade="all, delete-orphan")
    evaluateur: Mapped[Evaluateur] = relationship()
    __table_args__ = (UniqueConstraint("dossier_id", "evaluateur_id"),)


class Note(Base):
    __tablename__ = "note"
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation.id", ondelete="CASCADE"), primary_key=True
    )
    critere_id: Mapped[int] = mapped_column(ForeignKey("critere.id", ondelete="CASCADE"), primary_key=True)
    valeur: Mapped[int] = mapped_column(Integer)


# --- Comité ----------------------------------------------------------------------------------

COMITE_TYPES = ("technique", "financeurs", "pilotage")


class Comite(Versioned, Base):
    __tablename__ = "comite"
    id: Mapped[int] = mapped_column(primary_key=True)
    campagne_id: Mapped[int] = _fk("campagne.id")
    type: Mapped[str] = mapped_column(String(20), default="financeurs")
    date_seance: Mapped[date | None] = mapped_column(Date)
    lieu: Mapped[str | None] = mapped_column(String(300))
    statut: Mapped[str] = mapped_column(String(20), default="preparation")  # preparation, en_seance, clos
    membres: Mapped[list["ComiteMembre"]] = relationship(
        cascade="all, delete-orphan", order_by="ComiteMembre.id"
    )
    points: Mapped[list["ComitePoint"]] = relationship(
        cascade="all, delete-orphan", order_by="ComitePoint.position"
    )
    __table_args__ = (CheckConstraint("type IN " + str(COMITE_TYPES), name="type"),)


class ComiteMembre(Base):
    __tablename__ = "comite_membre"
    id: Mapped[int] = mapped_column(primary_key=True)
    comite_id: Mapped[int] = _fk("comite.id")
    nom: Mapped[str] = mapped_column(String(200))
    fonction: Mapped[str | None] = mapped_column(String(200))
    financeur_id: Mapped[int | None] = _fk("financeur.id", nullable=True, ondelete="SET NULL")
    present: Mapped[bool] = mapped_column(Boolean, default=True)


class ComitePoint(Versioned, Base):
    """A dossier on the ordre du jour, with the comité's decision about it."""

    __tablename__ = "comite_point"
    id: Mapped[int] = mapped_column(primary_key=True)
    comite_id: Mapped[int] = _fk("comite.id")
    dossier_id: Mapped[int] = _fk("dossier.id")
    position: Mapped[int] = mapped_column(Integer, default=0)
    decision: Mapped[str | None] = mapped_column(String(20))  # retenu, ajourne, refuse
    conditions: Mapped[str | None] = mapped_column(Text)
    motivation: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    votes: Mapped[list["ComiteVote"]] = relationship(cascade="all, delete-orphan")
    dossier: Mapped[Dossier] = relationship()
    __table_args__ = (UniqueConstraint("comite_id", "dossier_id"),)


class ComiteVote(Base):
    __tablename__ = "comite_vote"
    point_id: Mapped[int] = mapped_column(ForeignKey("comite_point.id", ondelete="CASCADE"), primary_key=True)
    financeur_id: Mapped[int] = mapped_column(
        ForeignKey("financeur.id", ondelete="CASCADE"), primary_key=True
    )
    montant_cents: Mapped[int] = mapped_column(Money, default=0)
    __table_args__ = (
        CheckConstraint("montant_cents >= 0", name="montant_positif"),
        money_max("montant_cents"),
    )


class ComiteConflit(Base):
    """A comité member's conflict of interest on a dossier: the member does not take part in its
    decision (shown on the agenda, printed on the relevé « N'a pas pris part »)."""

    __tablename__ = "comite_conflit"
    id: Mapped[int] = mapped_column(primary_key=True)
    membre_id: Mapped[int] = _fk("comite_membre.id")
    dossier_id: Mapped[int] = _fk("dossier.id")
    motif: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("membre_id", "dossier_id"),)


class Scenario(Versioned, Base):
    """A simulation of a comité (GSL « simulation »): provisional decisions and amounts per dossier
    of the agenda, never the real decisions; compared against the enveloppes."""

    __tablename__ = "scenario"
    id: Mapped[int] = mapped_column(primary_key=True)
    comite_id: Mapped[int] = _fk("comite.id")
    nom: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=func.now())
    created_by: Mapped[str | None] = mapped_column(String(80))
    __table_args__ = (UniqueConstraint("comite_id", "nom"),)


SCENARIO_DECISIONS = ("retenu", "ajourne", "refuse")


class ScenarioLigne(Base):
    """A dossier's provisional decision in a scenario (NULL: not decided in this scenario)."""

    __tablename__ = "scenario_ligne"
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id", ondelete="CASCADE"), primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True)
    decision: Mapped[str | None] = mapped_column(String(20))
    __table_args__ = (
        CheckConstraint("decision IS NULL OR decision IN " + str(SCENARIO_DECISIONS), name="decision"),
    )


class ScenarioMontant(Base):
    """A provisional amount of a financeur for a dossier in a scenario."""

    __tablename__ = "scenario_montant"
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id", ondelete="CASCADE"), primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True)
    financeur_id: Mapped[int] = mapped_column(
        ForeignKey("financeur.id", ondelete="CASCADE"), primary_key=True
    )
    montant_cents: Mapped[int] = mapped_column(Money, default=0)
    __table_args__ = (
        CheckConstraint("montant_cents >= 0", name="montant_positif"),
        money_max("montant_cents"),
    )


# --- After the comité: notifications, suivi --------------------------------------------------

# « a_refaire »: a letter was generated, then the comité's decision was revised (« Modifier la
# décision… »): it must be generated again. Last, so that the forward order of the others holds.
NOTIFICATION_ETATS = ("a_generer", "a_signer", "a_notifier", "notifie", "a_refaire")


class Notification(Versioned, Base):
    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = _fk("dossier.id")
    financeur_id: Mapped[int | None] = _fk("financeur.id", nullable=True, ondelete="SET NULL")
    modele: Mapped[str] = mapped_column(String(20))  # attribution, refus, ajournement
    etat: Mapped[str] = mapped_column(String(20), default="a_generer")
    date_generation: Mapped[date | None] = mapped_column(Date)
    date_signature: Mapped[date | None] = mapped_column(Date)
    date_notification: Mapped[date | None] = mapped_column(Date)
    fichier: Mapped[str | None] = mapped_column(String(500))
    __table_args__ = (CheckConstraint("etat IN " + str(NOTIFICATION_ETATS), name="etat"),)


class Suivi(Versioned, Base):
    __tablename__ = "suivi"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), unique=True)
    crf_recu_le: Mapped[date | None] = mapped_column(Date)
    realise: Mapped[str | None] = mapped_column(String(10))  # oui, partiel, non
    beneficiaires_femmes: Mapped[int | None] = mapped_column(Integer)
    beneficiaires_hommes: Mapped[int | None] = mapped_column(Integer)
    indicateurs: Mapped[str | None] = mapped_column(Text)


# --- Cross-cutting ---------------------------------------------------------------------------


class AuditLog(Base):
    """Who changed what, when (field-level changes as JSON). Append-only."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=func.now(), index=True)
    utilisateur: Mapped[str] = mapped_column(String(80))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # create, update, delete, statut
    changes: Mapped[str] = mapped_column(Text, default="{}")
    # hash chain (storage/journal_chain.py): SHA-256 of the previous entry and of this one
    prev_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    txid: Mapped[int | None] = mapped_column(BigInteger)  # PostgreSQL transaction (app line vs trigger row)
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)


class Setting(Base):
    """Business settings kept with the data (signataire of letters, thresholds…)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
