"""A reproducible demo database (DESIGN.md §5): a real référentiel, fictitious porteurs and dossiers.

`create_demo(path)` builds a contrat from one of the shipped référentiels (through the contrat and
campagne services), then bulk-inserts porteurs, dossiers, plans de financement, statut histories,
évaluations, one comité and suivis with Core `INSERT`s in large batches (primary keys are assigned
here, so rows link without round trips): 20 000 dossiers take a few seconds on SQLite.

Everything comes from one `random.Random(seed)`; dates derive from the campagne years, never from
the clock, so two runs with the same seed give the same rows (only the `updated_at` / audit
timestamps differ). Names of people and organisations are invented; SIRET numbers are valid
(Luhn) but generated, e-mail addresses use the reserved `.invalid` domain and telephone numbers the
range reserved for fiction (01 99 00 xx xx).
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import secrets
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from instructeur.domain.identifiers import make_siret, siren_problem
from instructeur.domain.statuts import Statut
from instructeur.domain.text import fold
from instructeur.errors import UserError
from instructeur.referentiels import Referentiel, load_referentiel
from instructeur.services.campagnes import CampagneService
from instructeur.services.contrats import ContratService, FinanceurData
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import (
    AxeTransversal,
    Base,
    Contrat,
    Financeur,
    Objectif,
    Quartier,
    RecevabiliteItem,
)

__all__ = ["DEMO_USER", "DemoSummary", "create_demo"]

DEMO_USER = "démo"
LAST_YEAR = 2026  # the demo's « current » campagne is at most this year
BATCH = 5_000

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoSummary:
    contrat_id: int
    campagne_ids: tuple[int, ...]  # oldest first; the last one is the campagne en instruction
    nb_dossiers: int
    nb_porteurs: int
    comite_id: int
    seconds: float


def _letter_settings(db: Database, ref: Referentiel) -> None:
    """A complete, clearly fictitious letterhead and signataire, so the demo's letters are whole."""
    from instructeur.services.notifications import NotificationService, NotificationSettings

    commune = ref.communes[0] if ref.communes else "la ville-centre"
    NotificationService(db, user=DEMO_USER).save_settings(
        NotificationSettings(
            expediteur="\n".join(
                [
                    ref.epci_nom,
                    "Direction de la cohésion sociale (démonstration)",
                    "1 place de l'Exemple",
                    commune,
                ]
            ),
            ville=commune,
            signataire="Camille Exemple (signataire fictif)",
            fonction_signataire=f"Pour le président de la {ref.epci_nom}, le vice-président délégué",
            contact="Dominique Démo, cheffe de projet politique de la ville",
        )
    )


def create_demo(
    target: str | Path,
    *,
    dossiers: int = 250,
    seed: int = 2026,
    referentiel: str = "boulonnais-2024",
    progress: ProgressCallback | None = None,
) -> DemoSummary:
    """Create a demo database at `target` (a new file, or an empty server database).

    Refuses (UserError) an existing non-empty file or a database that already holds a contrat:
    a user's data is never overwritten. A file appears complete or not at all (`_build_file`).
    """
    started = time.perf_counter()
    if dossiers < 1:
        raise UserError("démonstration : le nombre de dossiers doit être au moins 1")
    path = _check_target(target)
    ref = load_referentiel(referentiel)
    if path is None:  # a server database: built in place (its own emptiness is checked)
        summary = _build(target, ref, dossiers, seed, progress)
    else:
        summary = _build_file(path, ref, dossiers, seed, progress)
    return replace(summary, seconds=round(time.perf_counter() - started, 3))


def _build(
    target: str | Path, ref: Referentiel, dossiers: int, seed: int, progress: ProgressCallback | None
) -> DemoSummary:
    db = open_database(target)
    try:
        with db.session() as s:
            if s.scalar(select(func.count()).select_from(Contrat)):
                raise UserError(
                    f"{db.display_name} : cette base contient déjà des données ; "
                    "la démonstration ne s'installe que dans une base vide"
                )
        summary = _Generator(db, ref, dossiers, seed, progress).run()
        _letter_settings(db, ref)
        if db.is_sqlite:  # the whole base in the main file before it is renamed
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return summary


def _build_file(
    path: Path, ref: Referentiel, dossiers: int, seed: int, progress: ProgressCallback | None
) -> DemoSummary:
    """All or nothing: build in `.NAME.tmp-XXXX` beside the target, rename it only when complete.
    A killed run leaves at most such a temporary file, which the next run removes."""
    for stale in path.parent.glob(f".{path.name}.tmp-*"):
        stale.unlink(missing_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{secrets.token_hex(4)}")
    previous = _raise_on_sigterm()
    try:
        summary = _build(tmp, ref, dossiers, seed, progress)
        os.replace(tmp, path)
    finally:
        _restore_sigterm(previous)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    return summary


def _raise_on_sigterm() -> Any:
    """SIGTERM becomes SystemExit so that the temporary file is removed (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, stop)


def _restore_sigterm(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def _check_target(target: str | Path) -> Path | None:
    """The SQLite file to create (None for a server URL); refuses an existing non-empty file."""
    text = str(target)
    if "://" in text:
        return None
    path = Path(text).expanduser().resolve()
    if path.is_dir():
        raise UserError(f"{path} : c'est un dossier ; indiquez le nom du fichier de démonstration à créer")
    if path.exists() and path.stat().st_size > 0:
        raise UserError(
            f"{path} existe déjà : la démonstration ne remplace jamais un fichier existant, choisissez un autre nom"
        )
    return path


# --- Vocabulary -------------------------------------------------------------------------------

POSTAL_CODES = {
    "Boulogne-sur-Mer": "62200",
    "Outreau": "62230",
    "Le Portel": "62480",
    "Saint-Martin-Boulogne": "62280",
    "Calais": "62100",
    "Marck": "62730",
    "Aire-sur-la-Lys": "62120",
    "Arques": "62510",
    "Longuenesse": "62219",
    "Saint-Omer": "62500",
    "Hénin-Beaumont": "62110",
    "Carvin": "62220",
    "Courrières": "62710",
    "Montigny-en-Gohelle": "62640",
}
# Référentiels whose seed lists no commune: the demo still needs towns for addresses.
FALLBACK_COMMUNES = {"henin-carvin-2015": ("Hénin-Beaumont", "Carvin", "Courrières", "Montigny-en-Gohelle")}

# (kind, forme juridique, has RNA, fonction du représentant: (masc, fém))
ASSOCIATION = "Association loi 1901"
PORTEUR_KINDS: tuple[tuple[str, str, bool, tuple[str, str]], ...] = (
    ("Association", ASSOCIATION, True, ("Président", "Présidente")),
    ("Centre social", ASSOCIATION, True, ("Président", "Présidente")),
    ("Compagnie", ASSOCIATION, True, ("Président", "Présidente")),
    ("Régie de quartier", ASSOCIATION, True, ("Président", "Présidente")),
    ("Club sportif", ASSOCIATION, True, ("Président", "Présidente")),
    ("Maison des jeunes", ASSOCIATION, True, ("Président", "Présidente")),
    ("Collectif", ASSOCIATION, True, ("Président", "Présidente")),
    ("Amicale", ASSOCIATION, True, ("Président", "Présidente")),
    ("Œuvre", ASSOCIATION, True, ("Président", "Présidente")),
    ("Épicerie solidaire", ASSOCIATION, True, ("Président", "Présidente")),
    ("Atelier", ASSOCIATION, True, ("Président", "Présidente")),
    ("École de musique", ASSOCIATION, True, ("Président", "Présidente")),
    ("Coopérative", "SCIC (société coopérative d'intérêt collectif)", False, ("Gérant", "Gérante")),
    ("Collège", "Établissement public local d'enseignement", False, ("Principal", "Principale")),
)
PORTEUR_CORES = (
    "Les Cerfs-Volants", "Horizon Partagé", "La Passerelle", "Les Mouettes Rieuses", "Arc-en-Ciel",
    "Le Fil d'Ariane", "Les Petits Pas", "Cap Avenir", "La Boussole", "Élan Solidaire", "Écume",
    "Les Goélands", "Le Phare Bleu", "Vent du Large", "La Marelle", "Les Jardins Suspendus",
    "Terre d'Envol", "Pas à Pas", "La Ruche Voisine", "Les Lucioles", "Le Grand Pavois", "Mille Voix",
    "Les Embruns", "La Clé des Champs", "Tremplin", "Main dans la Main", "L'Escale", "Les Tournesols",
    "La Courte Échelle", "Rue des Possibles", "Les Trois Ponts", "La Vague Verte", "Les Semeurs",
    "Brise Marine", "Ô Quartiers", "Les Cabestans", "L'Envolée", "La Fabrique à Projets",
    "Les Alizés", "Carrefour des Savoirs", "Les Bâtisseurs", "La Roue Libre", "Ensemble Demain",
    "Les Copains d'Abord", "L'Atelier des Mots", "Le Chant des Dunes", "Les Sentinelles", "Le Quai",
    "Éclats de Rire", "Les Hirondelles",
)  # fmt: skip
PORTEUR_QUALIFIERS = (
    "", " des Dunes", " du Vieux Phare", " de la Colline", " des Tilleuls", " du Port", " des Falaises",
    " du Haut Quartier", " des Quatre Vents", " de la Digue", " du Moulin", " des Peupliers",
    " de la Gare", " des Marais", " du Belvédère", " de l'Estran",
)  # fmt: skip
PRENOMS_F = (
    "Sophie", "Nadia", "Claire", "Isabelle", "Fatima", "Céline", "Aurélie", "Sandrine", "Julie",
    "Amandine", "Karima", "Émilie", "Laetitia", "Chloé", "Hélène", "Inès", "Aïcha", "Agnès",
)  # fmt: skip
PRENOMS_M = (
    "Laurent", "Karim", "Olivier", "Thierry", "Mehdi", "Sébastien", "Nicolas", "Jérôme", "Pascal",
    "Youssef", "Franck", "Éric", "Damien", "Bruno", "Mamadou", "Grégory", "Antoine", "Hervé",
)  # fmt: skip
NOMS = (
    "Lefebvre", "Dubois", "Martin", "Leroy", "Delattre", "Caron", "Lemaire", "Fournier", "Vasseur",
    "Lecomte", "Duhamel", "Wattel", "Delpierre", "Boulanger", "Benali", "Diallo", "Nguyen",
    "Kowalski", "Decroix", "Ramet", "Lebas", "Hochart", "Fontaine", "Carpentier", "Poulain",
    "Bertin", "Haddad", "Souilah", "Dumont", "Évrard", "Œillet", "Ledoux", "Bouchez", "Lagache",
)  # fmt: skip
VOIES = (
    "rue des Hirondelles", "rue du Commandant Vert", "avenue des Tilleuls", "rue de la Marelle",
    "place des Trois Ponts", "allée des Goélands", "rue du Vieux Phare", "boulevard des Alizés",
    "rue des Semeurs", "impasse des Lucioles", "rue de l'Estran", "chemin des Dunes",
    "rue des Cerfs-Volants", "square des Embruns", "rue du Belvédère",
)  # fmt: skip

THEMES = (
    "emploi", "economie", "education", "parentalite", "sante", "culture_sport", "prevention",
    "cadre_vie", "lien_social",
)  # fmt: skip
# Folded keywords, searched in the leaf's title, then its parents' (the first theme found wins).
THEME_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("parentalite", ("parent", "petite enfance", "1000 premiers", "famille", "peres", "scolarite precoce")),
    ("education", ("educati", "scola", "reussite", "ecole", "decroch", "absenteisme", "periscolaire")),
    ("sante", ("sante", "soin", "bien-etre", "addict", "consommation", "medica", "physique")),
    ("culture_sport", ("culture", "sport", "loisir", "creatif")),
    ("prevention", ("delinquan", "violence", "tranquil", "securi", "stupef", "police", "recidive", "medias",
                    "risques", "prevention specialisee", "presence humaine", "cispd", "cellules de veille")),
    ("emploi", ("emploi", "insertion", "metier", "formation", "orientation")),
    ("cadre_vie", ("habitat", "logement", "cadre de vie", "transition", "energ", "mobilit", "ecolog",
                   "environnement", "urbain", "dechet", "nature", "alimentation", "gestion urbaine",
                   "espace", "parc ", "rehabilit", "equipement", "patrimoine", "peuplement")),
    ("economie", ("entrepr", "economi", "commerce", "activite", "ess ", "solidaire")),
    ("lien_social", ("participation", "citoyen", "droits", "lien social", "mixite", "vivre ensemble",
                     "image", "habitants", "coordination", "partenaires")),
)  # fmt: skip

ACTIONS: dict[str, tuple[str, ...]] = {
    "emploi": (
        "Atelier de préparation à l'emploi", "Accompagnement socioprofessionnel renforcé",
        "Forum des métiers et des savoir-faire", "Chantier d'insertion second œuvre",
        "Permanence emploi de proximité", "Coaching vers l'emploi des femmes éloignées de l'emploi",
        "Parcours de découverte des métiers", "Auto-école sociale", "Job dating de quartier",
    ),
    "economie": (
        "Couveuse d'activités dans les quartiers", "Sensibilisation à la création d'entreprise",
        "Boutique éphémère des créateurs", "Accompagnement des commerces de proximité",
        "Pépinière de l'économie sociale et solidaire", "Café de l'entrepreneuriat",
    ),
    "education": (
        "Accompagnement à la scolarité", "Club coup de pouce lecture-écriture",
        "Prévention du décrochage scolaire", "Ateliers d'éloquence pour collégiens",
        "Stages de remise à niveau pendant les vacances", "Ludothèque de quartier",
        "Séjours éducatifs d'été", "Aide aux devoirs et ateliers numériques",
    ),
    "parentalite": (
        "Atelier sociolinguistique pour les mères de famille", "Lieu d'accueil enfants-parents",
        "Café des parents", "Groupe de parole des pères", "Sorties familiales et week-ends en famille",
        "Accompagnement à la parentalité numérique", "Éveil culturel des tout-petits",
    ),
    "sante": (
        "Atelier santé ville : prévention bucco-dentaire", "Parcours nutrition et activité physique",
        "Ambassadeurs santé de quartier", "Bilans de santé de proximité",
        "Prévention des conduites addictives chez les jeunes", "Point écoute santé mentale",
        "Sport santé sur ordonnance",
    ),
    "culture_sport": (
        "Résidence d'artistes dans le quartier", "École de foot citoyenne",
        "Atelier théâtre intergénérationnel", "Orchestre à l'école", "Fresque participative",
        "Tournoi sportif inter-quartiers", "Festival des cultures du monde",
        "Boxe éducative pour les filles", "Médiathèque hors les murs",
    ),
    "prevention": (
        "Chantier éducatif d'été", "Médiation sociale de soirée", "Prévention spécialisée : travail de rue",
        "Accueil de jour des femmes victimes de violences", "Sensibilisation à la sécurité routière",
        "Éducation aux médias et à l'information", "Stage de citoyenneté", "Permanence d'aide aux victimes",
    ),
    "cadre_vie": (
        "Jardins partagés en pied d'immeuble", "Ateliers écogestes et maîtrise de l'énergie",
        "Atelier vélo solidaire", "Diagnostics en marchant", "Accompagnement des locataires à la rénovation",
        "Opération quartier propre", "Ressourcerie éphémère", "Cuisine durable et anti-gaspillage",
    ),
    "lien_social": (
        "Permanence d'accès aux droits", "Fonds de participation des habitants",
        "Écrivain public numérique", "Fête de quartier", "Formation des membres du conseil citoyen",
        "Repas partagés intergénérationnels", "Atelier de français à visée professionnelle",
        "Valeurs de la République et laïcité : formation des acteurs",
    ),
}  # fmt: skip
GOALS: dict[str, tuple[str, ...]] = {
    "emploi": ("lever les freins à l'emploi (mobilité, garde d'enfants, confiance en soi)",
               "rapprocher les habitants des entreprises qui recrutent"),
    "economie": ("faire émerger des projets de création d'activité", "soutenir l'activité économique de proximité"),
    "education": ("soutenir la réussite éducative et prévenir le décrochage",
                  "renforcer le lien entre les familles et l'école"),
    "parentalite": ("soutenir les parents dans leur rôle éducatif", "rompre l'isolement des familles"),
    "sante": ("améliorer l'accès à la prévention et aux soins", "promouvoir une alimentation équilibrée et l'activité physique"),
    "culture_sport": ("ouvrir l'accès à la pratique culturelle et sportive", "favoriser la mixité par la pratique collective"),
    "prevention": ("prévenir les conduites à risque et la délinquance", "améliorer la tranquillité publique"),
    "cadre_vie": ("améliorer le cadre de vie avec les habitants", "accompagner les habitants dans la transition écologique"),
    "lien_social": ("faciliter l'accès aux droits et aux services publics", "renforcer le lien social et la participation des habitants"),
}  # fmt: skip
PUBLICS = (
    ("des enfants de 6 à 11 ans", "6-11 ans"),
    ("des collégiens", "11-15 ans"),
    ("des jeunes de 16 à 25 ans", "16-25 ans"),
    ("des adultes en recherche d'emploi", "26-60 ans"),
    ("des familles", "tous âges"),
    ("des parents de jeunes enfants", "0-6 ans et parents"),
    ("des seniors isolés", "60 ans et plus"),
    ("des habitants de tous âges", "tous âges"),
    ("des femmes", "18-65 ans"),
)
# Which PUBLICS suit each theme (indexes).
THEME_PUBLICS: dict[str, tuple[int, ...]] = {
    "emploi": (2, 3, 8),
    "economie": (2, 3, 8),
    "education": (0, 1, 2, 4),
    "parentalite": (4, 5, 8),
    "sante": (1, 2, 6, 7, 8),
    "culture_sport": (0, 1, 2, 4, 7, 8),
    "prevention": (1, 2, 7, 8),
    "cadre_vie": (4, 6, 7),
    "lien_social": (3, 4, 6, 7, 8),
}
SECOND_SENTENCES = (
    "Elle s'appuie sur le centre social, le bailleur et les établissements scolaires du secteur.",
    "Les habitants participent à la définition du programme.",
    "Un bilan intermédiaire est présenté au comité de pilotage.",
    "Les indicateurs de suivi sont sexués.",
    "L'action se déroule au pied des immeubles et dans les locaux associatifs.",
    "Un temps de restitution ouvert au quartier clôt l'action.",
)
NICKNAMES = (
    "Cap'Ados", "Tous en scène", "Bouge ton quartier", "Destination réussite", "Mix'Cité", "Les Ailes",
    "Vis ta ville", "Trait d'union", "Grandir ensemble", "Cap sur demain", "Déclic", "Regards croisés",
)  # fmt: skip
OTHER_RESOURCES = ("Fonds propres", "Bénévolat valorisé", "Participation des usagers")

MOTIFS_INCOMPLET = (
    "Demande de compléments : budget prévisionnel non signé.",
    "Demande de compléments : RIB et statuts à jour manquants.",
    "Demande de compléments : contrat d'engagement républicain non joint.",
)
MOTIFS_IRRECEVABLE = (
    ("Dossier déposé après la date de clôture de l'appel à projets.", 0),
    ("Contrat d'engagement républicain non signé malgré relance.", 1),
    ("Compte rendu financier N-1 non transmis malgré relance.", 2),
    ("Action ne bénéficiant pas principalement aux habitants des quartiers prioritaires.", 3),
)
MOTIFS_REFUS = (
    "Enveloppe insuffisante au regard des priorités retenues par le comité.",
    "Action hors des priorités du contrat de ville.",
    "Plan de financement non sécurisé : cofinancements non confirmés.",
    "Doublon avec une action existante sur le même quartier.",
)
MOTIFS_AJOURNE = (
    "Dossier à retravailler : budget et calendrier à préciser.",
    "Ajourné dans l'attente de la confirmation du cofinancement de la commune.",
)
MOTIFS_NON_REALISE = (
    "Action annulée : départ de l'intervenant principal.",
    "Action non réalisée faute de participants.",
    "Locaux indisponibles pendant la période prévue ; action non reportée.",
)
AVIS_RESERVE = (
    "Budget à préciser : le coût par participant paraît élevé.",
    "Public QPV à mieux cibler ; indicateurs de résultat à compléter.",
    "Calendrier ambitieux ; prévoir un bilan intermédiaire.",
    "Cofinancements à confirmer avant le versement.",
)
AVIS_DEFAVORABLE = (
    "Action hors des priorités du contrat de ville.",
    "Part du public issu des quartiers prioritaires insuffisante.",
    "Plan de financement déséquilibré et cofinancements absents.",
    "Doublon avec une action déjà financée sur le même quartier.",
)
AVIS_FAVORABLE = (
    "Action pertinente, porteur reconnu sur le quartier.",
    "Bon ancrage partenarial ; indicateurs clairs.",
    "Action structurante, à reconduire.",
)
COMMENTAIRES_EVALUATION = (
    "Projet solide, bien ancré dans le quartier.",
    "Indicateurs à préciser.",
    "Le coût par bénéficiaire est élevé.",
    "Bonne articulation avec le droit commun.",
    "Partenariat à formaliser.",
    "Action intéressante mais calendrier serré.",
)
COTATION_QUESTIONS = ("diagnostic", "objectifs", "moyens", "indicateurs", "principal")

GRILLE_CRITERES: tuple[tuple[str, str, str], ...] = (
    (
        "Public et territoire",
        "L'action bénéficie principalement aux habitants des QPV",
        "Part du public issu des quartiers prioritaires (un seuil courant est 60 %).",
    ),
    (
        "Pertinence",
        "Cohérence avec les objectifs du contrat et les besoins du quartier",
        "L'action répond à un objectif du cadre stratégique et à un besoin identifié du quartier.",
    ),
    (
        "Porteur",
        "Porteur connu, présent dans le quartier, capable de mener l'action",
        "Ancrage local, expérience, moyens humains et capacité à rendre compte.",
    ),
    (
        "Mise en œuvre",
        "Faisabilité et dimensionnement",
        "Calendrier réaliste, nombre de personnes touchées en rapport avec les moyens, "
        "action « pas trop consommatrice ».",
    ),
    (
        "Budget",
        "Budget : coût par bénéficiaire, cofinancements, droit commun mobilisé",
        "Coût par bénéficiaire raisonnable, cofinancements identifiés, droit commun mobilisé d'abord.",
    ),
    (
        "Évaluation",
        "Indicateurs d'évaluation concrets et mesurables",
        "Indicateurs quantitatifs et qualitatifs, sexués, avec une méthode de recueil.",
    ),
    (
        "Partenariat",
        "Partenariat et participation des habitants",
        "Partenaires associés à l'action ; habitants impliqués dans sa conception et sa réalisation.",
    ),
    (
        "Valeurs",
        "Lutte contre les discriminations, valeurs de la République",
        "Prise en compte de la lutte contre les discriminations, de la laïcité et de l'égalité.",
    ),
)
GRILLE_NIVEAUX = json.dumps(
    ["insuffisant", "partiel", "satisfaisant", "très satisfaisant"], ensure_ascii=False
)

# --- Statut paths ------------------------------------------------------------------------------

D, INC, IRR, REC, ENI, INS, ENC, RET, AJ, REF, NOT, SOL, NR = (
    Statut.DEPOSE.value,
    Statut.INCOMPLET.value,
    Statut.IRRECEVABLE.value,
    Statut.RECEVABLE.value,
    Statut.EN_INSTRUCTION.value,
    Statut.INSTRUIT.value,
    Statut.EN_COMITE.value,
    Statut.RETENU.value,
    Statut.AJOURNE.value,
    Statut.REFUSE.value,
    Statut.NOTIFIE.value,
    Statut.SOLDE.value,
    Statut.NON_REALISE.value,
)
TO_COMITE = (REC, ENI, INS, ENC)
# Final outcome of a dossier of a closed campagne: (name, weight for an old year, for last year).
OLD_OUTCOMES: tuple[tuple[str, int, int], ...] = (
    ("irrecevable", 3, 3),
    ("refuse", 12, 12),
    ("solde", 72, 38),
    ("notifie", 6, 40),
    ("non_realise", 4, 4),
    ("retenu_non_realise", 2, 2),
    ("ajourne_puis_solde", 1, 1),
)
# Statut of a dossier of the campagne en instruction.
CURRENT_STATUTS: tuple[tuple[str, int], ...] = (
    (D, 14),
    (INC, 8),
    (IRR, 2),
    (REC, 12),
    (ENI, 22),
    (INS, 14),
    (ENC, 28),
)


# --- Internal records --------------------------------------------------------------------------


@dataclass
class _Campagne:
    id: int
    annee: int
    current: bool
    items: list[int]  # recevabilité item ids, by position
    share: float = 0.0
    dossiers: list[_Dossier] = field(default_factory=list)

    @property
    def comite_date(self) -> date:
        return date(self.annee, 4, 9)


@dataclass
class _Leaf:
    id: int
    axe_id: int
    theme: str
    order: int  # depth-first position in the cadre


@dataclass
class _Porteur:
    id: int
    ville: str
    public: bool


@dataclass
class _Dossier:
    row: dict[str, Any]
    leaf: _Leaf
    theme: str
    lignes: list[dict[str, Any]] = field(default_factory=list)
    history: list[tuple[str | None, str, datetime, str | None]] = field(default_factory=list)
    quartiers: list[int] = field(default_factory=list)
    objectifs_secondaires: list[int] = field(default_factory=list)
    axes: list[int] = field(default_factory=list)
    recevabilite_ko: dict[int, str] = field(default_factory=dict)  # item position → commentaire
    notified_on: date | None = None

    @property
    def id(self) -> int:
        return int(self.row["id"])

    @property
    def statut(self) -> str:
        return str(self.row["statut"])


class _Generator:
    def __init__(
        self, db: Database, ref: Referentiel, n: int, seed: int, progress: ProgressCallback | None
    ) -> None:
        self.db = db
        self.ref = ref
        self.n = n
        self.rng = random.Random(seed)
        self.seed = seed
        self.progress = progress
        debut, fin = ref.periode
        last = min(fin, LAST_YEAR)
        self.years = list(range(max(debut, last - 2), last + 1)) if debut <= last else [debut]
        self.steps_total = 5 + len(self.years)
        self.steps_done = 0
        self.tables = Base.metadata.tables
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.sirens: set[str] = set()
        self.rnas: set[str] = set()

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

    def _step(self) -> None:
        self.steps_done = min(self.steps_done + 1, self.steps_total)
        if self.progress is not None:
            self.progress(self.steps_done, self.steps_total)

    def _add(self, table: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)

    # Contrat, campagnes ---------------------------------------------------------------------

    def _contrat(self) -> None:
        ref = self.ref
        communes = list(ref.communes) or [c for q in ref.qpv for c in q.communes]
        self.communes: list[str] = list(dict.fromkeys(communes)) or list(
            FALLBACK_COMMUNES.get(ref.code, ("Arras",))
        )
        financeurs = [
            FinanceurData(
                "ETAT", "État — Préfecture du Pas-de-Calais (crédits politique de la ville)", "etat"
            ),
            FinanceurData("EPCI", ref.epci_nom, "epci"),
        ]
        for commune in self.communes[:2]:
            financeurs.append(FinanceurData(_commune_code(commune), _ville_de(commune), "commune"))
        financeurs += [
            FinanceurData("CD62", "Département du Pas-de-Calais", "departement"),
            FinanceurData("REGION", "Région Hauts-de-France", "region"),
            FinanceurData("CAF", "Caisse d'allocations familiales du Pas-de-Calais", "caf"),
            FinanceurData("BAILLEUR", "Habitat du Littoral (fictif)", "bailleur"),
        ]
        self.contrat_id = ContratService(self.db, user=DEMO_USER).create_from_referentiel(
            ref, financeurs=financeurs
        )

    def _campagnes(self) -> None:
        years = self.years
        weights = [3.0, 3.0, 4.0][-len(years) :] if len(years) > 1 else [1.0]
        service = CampagneService(self.db, user=DEMO_USER)
        self.campagnes: list[_Campagne] = []
        for n, year in enumerate(years):
            current = n == len(years) - 1
            cid = service.create(
                self.contrat_id,
                year,
                libelle=f"Appel à projets {year}",
                statut="instruction" if current else "cloturee",
                date_ouverture=date(year - 1, 10, 15),
                date_cloture=date(year - 1, 12, 15),
            )
            self.campagnes.append(_Campagne(cid, year, current, [], weights[n] / sum(weights)))
        with self.db.session() as s:
            for c in self.campagnes:
                c.items = list(
                    s.scalars(
                        select(RecevabiliteItem.id)
                        .where(RecevabiliteItem.campagne_id == c.id)
                        .order_by(RecevabiliteItem.position)
                    )
                )
        # Dossiers per campagne: 30 % / 30 % / 40 %, the remainder to the current one.
        counts = [int(self.n * c.share) for c in self.campagnes]
        counts[-1] += self.n - sum(counts)
        self.counts = counts

    def _read_contrat(self) -> None:
        with self.db.session() as s:
            fin = s.execute(
                select(Financeur.id, Financeur.code, Financeur.type)
                .where(Financeur.contrat_id == self.contrat_id)
                .order_by(Financeur.position)
            ).all()
            self.financeurs: list[tuple[int, str, str]] = [(int(i), str(c), str(t)) for i, c, t in fin]
            objectifs = s.execute(
                select(Objectif.id, Objectif.parent_id, Objectif.titre, Objectif.position)
                .where(Objectif.contrat_id == self.contrat_id)
                .order_by(Objectif.id)
            ).all()
            quartiers = s.execute(
                select(Quartier.id, Quartier.type, Quartier.nom)
                .where(Quartier.contrat_id == self.contrat_id)
                .order_by(Quartier.id)
            ).all()
            self.axes_ids: list[int] = list(
                s.scalars(
                    select(AxeTransversal.id)
                    .where(AxeTransversal.contrat_id == self.contrat_id)
                    .order_by(AxeTransversal.position)
                )
            )
            self.next_ids = {
                name: int(s.scalar(select(func.coalesce(func.max(self.tables[name].c.id), 0))) or 0) + 1
                for name in (
                    "porteur", "dossier", "ligne_financement", "transition", "grille", "critere",
                    "evaluateur", "evaluation", "comite", "comite_membre", "comite_point", "enveloppe",
                    "suivi", "notification", "label",
                )
            }  # fmt: skip
        self.qpv = [int(i) for i, t, _ in quartiers if t == "qpv"]
        self.autres_quartiers = [int(i) for i, t, _ in quartiers if t != "qpv"]
        self.quartier_noms = {int(i): str(nom) for i, _, nom in quartiers}
        # Leaves of the cadre, grouped by axe, with a theme guessed from their titles.
        children: dict[int | None, list[tuple[int, int, str]]] = {}
        titles: dict[int, str] = {}
        parents: dict[int, int | None] = {}
        for oid, parent_id, titre, position in objectifs:
            children.setdefault(parent_id, []).append((int(position), int(oid), str(titre)))
            titles[int(oid)] = str(titre)
            parents[int(oid)] = parent_id
        self.leaves_by_axe: list[list[_Leaf]] = []
        self.all_leaves: list[_Leaf] = []
        order = 0

        def walk(node: int, axe: int) -> None:
            nonlocal order
            order += 1
            kids = sorted(children.get(node, []))
            if not kids:
                leaf = _Leaf(node, axe, self._theme(node, titles, parents), order)
                self.leaves_by_axe[-1].append(leaf)
                self.all_leaves.append(leaf)
            for _, kid, _ in kids:
                walk(kid, axe)

        for _, root, _ in sorted(children.get(None, [])):
            self.leaves_by_axe.append([])
            walk(root, root)
        self.leaves_by_axe = [leaves for leaves in self.leaves_by_axe if leaves]

    @staticmethod
    def _theme(node: int, titles: dict[int, str], parents: dict[int, int | None]) -> str:
        current: int | None = node
        while current is not None:
            text = fold(titles[current]) + " "
            for theme, keywords in THEME_KEYWORDS:
                if any(k in text for k in keywords):
                    return theme
            current = parents[current]
        return "lien_social"

    # Porteurs ------------------------------------------------------------------------------

    def _new_siret(self, first: str) -> str:
        rng = self.rng
        while True:
            body = first + "".join(str(rng.randrange(10)) for _ in range(8 - len(first)))
            siren = next(body + k for k in "0123456789" if siren_problem(body + k) is None)
            if siren not in self.sirens:
                self.sirens.add(siren)
                return make_siret(siren + f"{rng.randrange(1, 100):04d}")

    def _new_rna(self) -> str:
        while True:
            rna = f"W62{self.rng.randrange(10**7):07d}"
            if rna not in self.rnas:
                self.rnas.add(rna)
                return rna

    def _person(self) -> tuple[str, str, str, bool]:
        rng = self.rng
        femme = rng.random() < 0.55
        prenom = rng.choice(PRENOMS_F if femme else PRENOMS_M)
        return ("Mme" if femme else "M."), rng.choice(NOMS), prenom, femme

    def _porteurs(self) -> None:
        rng = self.rng
        target = max(10, self.n // 3)
        specs: list[tuple[str, str, bool, tuple[str, str], str | None, bool]] = []
        # Public bodies of the contrat's communes.
        for commune in self.communes[:4]:
            specs.append((_ville_de(commune), "Commune", False, ("Maire", "Maire"), commune, True))
            specs.append(
                (
                    f"CCAS {_de(commune)}",
                    "Centre communal d'action sociale (établissement public)",
                    False,
                    ("Vice-président", "Vice-présidente"),
                    commune,
                    True,
                )
            )
        specs.append(
            (
                "Habitat du Littoral (fictif)",
                "Office public de l'habitat",
                False,
                ("Directeur", "Directrice"),
                None,
                True,
            )
        )
        # Invented associations and other bodies, a few of them without « kind » (« Élan Solidaire »).
        plain = [(k, c, "") for k in range(len(PORTEUR_KINDS)) for c in PORTEUR_CORES]
        qualified = [
            (k, c, q)
            for k in range(len(PORTEUR_KINDS))
            for c in PORTEUR_CORES
            for q in PORTEUR_QUALIFIERS[1:]
        ]
        rng.shuffle(plain)
        rng.shuffle(qualified)
        bare = [(-1, c, "") for c in PORTEUR_CORES]
        rng.shuffle(bare)
        pool = bare[:8] + plain + qualified
        need = max(0, target - len(specs))
        for n in range(need):
            kind_index, core, qualifier = pool[n % len(pool)]
            suffix = f" {n // len(pool) + 1}" if n >= len(pool) else ""
            if kind_index < 0:
                specs.append((core + suffix, ASSOCIATION, True, ("Président", "Présidente"), None, False))
            else:
                kind, forme, has_rna, fonction = PORTEUR_KINDS[kind_index]
                name = f"{kind} {core}{qualifier}{suffix}"
                specs.append((name, forme, has_rna, fonction, None, False))
        specs = specs[:target] if len(specs) > target else specs
        self.porteurs: list[_Porteur] = []
        for name, forme, has_rna, fonction, ville, public in specs:
            pid = self.next_ids["porteur"]
            self.next_ids["porteur"] += 1
            ville = ville or rng.choice(self.communes)
            civ, nom, prenom, femme = self._person()
            c_civ, c_nom, c_prenom, c_femme = self._person()
            first = (
                "21"
                if forme == "Commune"
                else "26"
                if forme.startswith("Centre communal")
                else rng.choice("478")
            )
            slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:40]
            words = [w for w in re.findall(r"[A-ZÉŒ][\w'-]*", name) if len(w) > 2]
            sigle = (
                "".join(w[0] for w in words).upper()
                if not public and len(words) >= 3 and rng.random() < 0.4
                else None
            )
            self._add(
                "porteur",
                {
                    "id": pid,
                    "raison_sociale": name,
                    "sigle": sigle,
                    "siret": self._new_siret(first),
                    "rna": self._new_rna() if has_rna and rng.random() < 0.92 else None,
                    "forme_juridique": forme,
                    "adresse": f"{rng.randrange(1, 120)} {rng.choice(VOIES)}",
                    "code_postal": POSTAL_CODES.get(ville, "62000"),
                    "ville": ville,
                    "representant_civilite": civ,
                    "representant_nom": nom,
                    "representant_prenom": prenom,
                    "representant_fonction": fonction[1] if femme else fonction[0],
                    "contact_nom": f"{c_prenom} {c_nom}, {'coordinatrice' if c_femme else 'coordinateur'}",
                    "contact_email": f"contact@{slug}.invalid",
                    "contact_telephone": f"01 99 00 {rng.randrange(100):02d} {rng.randrange(100):02d}",
                    "version": 1,
                    "updated_by": DEMO_USER,
                },
            )
            self.porteurs.append(_Porteur(pid, ville, public))

    # Dossiers ------------------------------------------------------------------------------

    def _dossiers(self, campagne: _Campagne) -> None:
        rng = self.rng
        count = self.counts[self.campagnes.index(campagne)]
        previous = (
            self.campagnes[self.campagnes.index(campagne) - 1] if campagne is not self.campagnes[0] else None
        )
        prev_pool: list[_Dossier] = []
        if previous is not None:
            prev_pool = [d for d in previous.dossiers if d.row["decision"] == RET]
            rng.shuffle(prev_pool)
        ouverture = date(campagne.annee - 1, 10, 15)
        span = (date(campagne.annee - 1, 12, 15) - ouverture).days
        made: list[_Dossier] = []
        for _ in range(count):
            reconduite = rng.random() < 0.4
            source = prev_pool.pop() if reconduite and prev_pool else None
            d = self._dossier(campagne, source, reconduite)
            d.row["date_depot"] = ouverture + timedelta(days=rng.randrange(span + 1))
            made.append(d)
        # Dauphin-like numbers, increasing with the deposit date: « 24-001234 ».
        numbers = sorted(rng.sample(range(1_000, 1_000_000), count))
        for number, d in zip(numbers, sorted(made, key=lambda d: (d.row["date_depot"], d.id)), strict=True):
            d.row["reference"] = f"{campagne.annee % 100:02d}-{number:06d}"
        for d in made:
            self._history(campagne, d)
        campagne.dossiers = made

    def _dossier(self, campagne: _Campagne, source: _Dossier | None, reconduite: bool) -> _Dossier:
        rng = self.rng
        did = self.next_ids["dossier"]
        self.next_ids["dossier"] += 1
        if source is not None:
            leaf, theme = source.leaf, source.theme
            porteur_id = int(source.row["porteur_id"])
            intitule = str(source.row["intitule"])
            description = str(source.row["description"])
            objectifs_action = str(source.row["objectifs_action"])
            public_ages = source.row["public_ages"]
            quartiers = list(source.quartiers)
            cost = _round_to(int(source.row["cout_total_cents"] * rng.uniform(0.9, 1.15)), 1000)
        else:
            leaf = rng.choice(rng.choice(self.leaves_by_axe))
            theme = leaf.theme
            porteur_id = self.porteurs[int(len(self.porteurs) * rng.random() ** 1.3)].id
            quartiers = self._quartiers()
            intitule = self._intitule(theme, campagne.annee, quartiers)
            public_phrase, public_ages = PUBLICS[rng.choice(THEME_PUBLICS[theme])]
            goal = rng.choice(GOALS[theme])
            if len(quartiers) == 1:
                lieu = f"du quartier {self.quartier_noms[quartiers[0]]}"
            elif quartiers:
                lieu = "des quartiers " + " et ".join(self.quartier_noms[q] for q in quartiers)
            else:
                lieu = "des quartiers prioritaires"
            description = f"L'action s'adresse à {public_phrase} {lieu} et vise à {goal}."
            if rng.random() < 0.6:
                description += " " + rng.choice(SECOND_SENTENCES)
            objectifs_action = (
                f"Objectif principal : {goal}. Résultats attendus mesurés par des indicateurs sexués."
            )
            euros = math.exp(rng.uniform(math.log(2_000), math.log(150_000)))
            cost = _round_to(int(euros * 100), 1000)
            if rng.random() < 0.25:
                cost += rng.randrange(1, 100)  # some budgets are not round
        cost = min(max(cost, 200_000), 15_000_000)
        prevu = 10 + int(390 * rng.random() ** 2)
        femmes = round(prevu * rng.uniform(0.2, 0.8))
        if theme == "parentalite" and rng.random() < 0.5:
            femmes = round(prevu * rng.uniform(0.7, 0.95))
        hommes = round((prevu - femmes) * rng.uniform(0.85, 1.0))
        debut = date(campagne.annee, 1, 1) + timedelta(days=rng.randrange(0, 120))
        fin = date(campagne.annee, 12, 31) - timedelta(days=rng.randrange(0, 150))
        declared = _weighted(rng, ((0, 50), (1, 35), (2, 15)))
        row: dict[str, Any] = {
            "id": did,
            "campagne_id": campagne.id,
            "porteur_id": porteur_id,
            "reference": "",
            "intitule": intitule,
            "description": description,
            "objectifs_action": objectifs_action,
            "public_prevu": prevu,
            "public_femmes": femmes,
            "public_hommes": hommes,
            "public_ages": public_ages,
            "part_qpv_pct": rng.randrange(40, 101),
            "objectif_id": leaf.id,
            "date_depot": None,
            "date_debut": debut,
            "date_fin": fin,
            "pluriannuel": rng.random() < 0.08,
            "reconduite": reconduite,
            "reconduction_de_id": source.id if source is not None else None,
            "cout_total_cents": cost,
            "statut": D,
            "decision": None,
            "cotation_declaree": declared,
            "cotation_instruite": None,
            "cotation_proposee": None,
            "cotation_justification": None,
            "cotation_reponses": None,
            "avis": None,
            "avis_motivation": None,
            "observations": "Action reconduite : bilan N-1 à joindre."
            if source is not None and rng.random() < 0.2
            else None,
            "version": 1,
            "updated_by": DEMO_USER,
        }
        d = _Dossier(row=row, leaf=leaf, theme=theme, quartiers=quartiers)
        others = [leaf2.id for leaf2 in self.all_leaves if leaf2.id != leaf.id]
        k = _weighted(rng, ((0, 60), (1, 30), (2, 10)))
        d.objectifs_secondaires = sorted(rng.sample(others, min(k, len(others))))
        if self.axes_ids:
            d.axes = sorted(
                rng.sample(
                    self.axes_ids, min(_weighted(rng, ((0, 45), (1, 40), (2, 15))), len(self.axes_ids))
                )
            )
        self._plan(d)
        return d

    def _quartiers(self) -> list[int]:
        rng = self.rng
        chosen: list[int] = []
        if self.qpv:
            chosen = rng.sample(self.qpv, 2 if len(self.qpv) > 1 and rng.random() < 0.3 else 1)
        if self.autres_quartiers and (not chosen or rng.random() < 0.15):
            chosen.append(rng.choice(self.autres_quartiers))
        return sorted(chosen)

    def _intitule(self, theme: str, annee: int, quartiers: list[int]) -> str:
        rng = self.rng
        base = rng.choice(ACTIONS[theme])
        variant = rng.random()
        if variant < 0.3 and quartiers:
            return f"{base} — {self.quartier_noms[quartiers[0]]}"
        if variant < 0.55:
            return f"{base} « {rng.choice(NICKNAMES)} »"
        if variant < 0.65:
            return f"{base} ({annee})"
        if variant < 0.75:
            return f"{base} : saison {rng.randrange(2, 6)}"
        return base

    def _plan(self, d: _Dossier) -> None:
        """2–4 financeur lines (demands in whole hundreds of euros) + other resources; sums exactly."""
        rng = self.rng
        cost = int(d.row["cout_total_cents"])
        weights = {
            "etat": 9.0,
            "epci": 7.0,
            "commune": 2.5,
            "departement": 2.5,
            "region": 1.5,
            "caf": 4.0 if d.theme in ("parentalite", "education") else 1.5,
            "bailleur": 4.0 if d.theme == "cadre_vie" else 0.8,
        }
        pool = list(self.financeurs)
        k = min(len(pool), rng.choice((2, 2, 3, 3, 3, 4)))
        chosen: list[tuple[int, str, str]] = []
        for _ in range(k):
            pick = rng.choices(pool, weights=[weights.get(t, 1.0) for _, _, t in pool])[0]
            chosen.append(pick)
            pool.remove(pick)
        chosen.sort(key=lambda f: self.financeurs.index(f))
        units = max(len(chosen), int(cost * rng.uniform(0.45, 0.85)) // 10_000)  # 100 € units
        shares = [rng.uniform(0.5, 1.5) * (2.0 if t == "etat" else 1.0) for _, _, t in chosen]
        alloc = [1 + int((units - len(chosen)) * s / sum(shares)) for s in shares]
        alloc[0] += units - sum(alloc)
        position = 0
        for (fid, _, _), u in zip(chosen, alloc, strict=True):
            d.lignes.append(self._ligne(d.id, fid, "", u * 10_000, position))
            position += 1
        rest = cost - units * 10_000
        if rest > 0:
            names = rng.sample(OTHER_RESOURCES, rng.choice((1, 1, 2, 3)))
            names.sort(key=OTHER_RESOURCES.index)
            parts = [rng.uniform(0.5, 1.5) for _ in names]
            amounts = [int(rest * p / sum(parts)) // 100 * 100 for p in parts[:-1]]
            amounts.append(rest - sum(amounts))
            for name, amount in zip(names, amounts, strict=True):
                d.lignes.append(self._ligne(d.id, None, name, amount, position))
                position += 1

    def _ligne(
        self, dossier_id: int, financeur_id: int | None, libelle: str, demande: int, position: int
    ) -> dict[str, Any]:
        lid = self.next_ids["ligne_financement"]
        self.next_ids["ligne_financement"] += 1
        return {
            "id": lid,
            "dossier_id": dossier_id,
            "financeur_id": financeur_id,
            "libelle": libelle,
            "demande_cents": demande,
            "propose_cents": None,
            "vote_cents": None,
            "position": position,
        }

    # Statuts and instruction ---------------------------------------------------------------

    def _history(self, campagne: _Campagne, d: _Dossier) -> None:
        rng = self.rng
        year = campagne.annee
        depot: date = d.row["date_depot"]
        clock = datetime.combine(depot, dtime(9, 0)) + timedelta(minutes=rng.randrange(0, 540))

        def move(to: str, when: datetime, motivation: str | None = None) -> None:
            nonlocal clock
            clock = max(when, clock + timedelta(minutes=5))
            d.history.append((d.row["statut"] if d.history else None, to, clock, motivation))
            d.row["statut"] = to
            if to in (RET, REF, AJ):
                d.row["decision"] = to

        move(D, clock)
        if campagne.current:
            final = _weighted(rng, CURRENT_STATUTS)
        else:
            table = [
                (name, old if campagne is not self.campagnes[-2] else last)
                for name, old, last in OLD_OUTCOMES
            ]
            final = _weighted(rng, table)
        # Demande de compléments on the way (or as the current statut).
        if final == INC or rng.random() < 0.1:
            motif = rng.choice(MOTIFS_INCOMPLET)
            move(INC, clock + timedelta(days=rng.randrange(5, 20)), motif)
            if final == INC:
                d.recevabilite_ko = {0 if "budget" in motif or "RIB" in motif else 1: motif}
                return
            move(D, clock + timedelta(days=rng.randrange(5, 25)), "Compléments reçus.")
        if final == D:
            return
        recevable_at = datetime.combine(date(year, 1, 5), dtime(10, 0)) + timedelta(days=rng.randrange(0, 25))
        if final in (IRR, "irrecevable"):
            motif, position = rng.choice(MOTIFS_IRRECEVABLE)
            move(IRR, recevable_at, motif)
            d.recevabilite_ko = {position: motif}
            return
        outcome = final
        stop = {REC: REC, ENI: ENI, INS: INS, ENC: ENC}.get(final)
        move(REC, recevable_at)
        if stop == REC:
            return
        move(ENI, clock + timedelta(days=rng.randrange(1, 10)))
        if stop == ENI:
            if rng.random() < 0.3:
                self._instruction(d, for_outcome=None, partial=True)
            return
        self._instruction(d, for_outcome=outcome if not campagne.current else None, partial=False)
        comite_at = datetime.combine(campagne.comite_date, dtime(14, 0))
        move(INS, min(clock + timedelta(days=rng.randrange(10, 30)), comite_at - timedelta(days=15)))
        if stop == INS:
            return
        move(ENC, comite_at - timedelta(days=rng.randrange(7, 14)))
        if stop == ENC:
            return
        # Closed campagnes: decision, notification, CRF.
        if outcome == "ajourne_puis_solde":
            move(AJ, comite_at + timedelta(minutes=rng.randrange(0, 180)), rng.choice(MOTIFS_AJOURNE))
            comite_at += timedelta(days=63)
            move(ENC, comite_at - timedelta(days=10))
        if outcome == "refuse":
            move(REF, comite_at + timedelta(minutes=rng.randrange(0, 180)), rng.choice(MOTIFS_REFUS))
            self._votes(d, retenu=False)
        else:
            move(RET, comite_at + timedelta(minutes=rng.randrange(0, 180)))
            self._votes(d, retenu=True)
        if outcome == "retenu_non_realise":
            move(
                NR,
                datetime.combine(date(year, 6, 1), dtime(11, 0)) + timedelta(days=rng.randrange(0, 60)),
                rng.choice(MOTIFS_NON_REALISE),
            )
            return
        notified = comite_at + timedelta(days=rng.randrange(20, 45))
        move(NOT, notified)
        d.notified_on = notified.date()
        if outcome == "solde" or outcome == "ajourne_puis_solde":
            move(
                SOL,
                datetime.combine(date(year + 1, 2, 1), dtime(15, 0)) + timedelta(days=rng.randrange(0, 120)),
            )
        elif outcome == "non_realise":
            move(
                NR,
                datetime.combine(date(year, 9, 1), dtime(11, 0)) + timedelta(days=rng.randrange(0, 90)),
                rng.choice(MOTIFS_NON_REALISE),
            )

    def _instruction(self, d: _Dossier, *, for_outcome: str | None, partial: bool) -> None:
        """Cotation F/H instruite (questionnaire), avis and proposed amounts."""
        rng = self.rng
        declared = int(d.row["cotation_declaree"])
        true_level = declared if rng.random() < 0.7 else max(0, declared - 1)
        answers = {q: False for q in COTATION_QUESTIONS}
        if true_level == 2:
            answers = {q: rng.random() < 0.85 for q in COTATION_QUESTIONS} | {"principal": True}
        elif true_level == 1:
            for q in rng.sample(COTATION_QUESTIONS[:4], rng.choice((3, 4))):
                answers[q] = True
        else:
            for q in rng.sample(COTATION_QUESTIONS[:4], rng.choice((0, 1, 2))):
                answers[q] = True
        proposed = 2 if answers["principal"] else 1 if sum(answers.values()) >= 3 else 0
        instruite = proposed
        justification = None
        if rng.random() < 0.1:
            instruite = max(0, proposed - 1) if proposed else 1
            justification = "Niveau ajusté par l'instructeur après échange avec le porteur."
        elif instruite != declared:
            justification = f"Niveau déclaré {declared}, retenu {instruite} : " + (
                "l'égalité F/H n'apparaît ni dans les objectifs ni dans les indicateurs."
                if instruite < declared
                else "le questionnaire montre une prise en compte plus forte que déclarée."
            )
        d.row.update(
            cotation_reponses=json.dumps(answers, sort_keys=True),
            cotation_proposee=proposed,
            cotation_instruite=instruite,
            cotation_justification=justification,
        )
        if partial:
            return
        if for_outcome in ("refuse",):
            avis = _weighted(rng, (("defavorable", 60), ("reserve", 40)))
        elif for_outcome is not None:
            avis = _weighted(rng, (("favorable", 75), ("reserve", 25)))
        else:
            avis = _weighted(rng, (("favorable", 60), ("reserve", 25), ("defavorable", 15)))
        if avis == "favorable":
            motivation = rng.choice(AVIS_FAVORABLE) if rng.random() < 0.4 else None
            low, high = 0.85, 1.0
        elif avis == "reserve":
            motivation = rng.choice(AVIS_RESERVE)
            low, high = 0.5, 0.85
        else:
            motivation = rng.choice(AVIS_DEFAVORABLE)
            low, high = 0.0, 0.0
        d.row.update(avis=avis, avis_motivation=motivation)
        for ligne in d.lignes:
            if ligne["financeur_id"] is None:
                continue
            demande = int(ligne["demande_cents"])
            propose = int(demande * rng.uniform(low, high)) // 10_000 * 10_000
            if high > 0:
                propose = max(propose, min(demande, 10_000))
            ligne["propose_cents"] = propose

    def _votes(self, d: _Dossier, *, retenu: bool) -> None:
        rng = self.rng
        funded = [ligne for ligne in d.lignes if ligne["financeur_id"] is not None]
        for ligne in funded:
            if not retenu:
                ligne["vote_cents"] = 0
                continue
            base = int(ligne["propose_cents"] or ligne["demande_cents"])
            vote = 0 if rng.random() < 0.05 else int(base * rng.uniform(0.9, 1.0)) // 10_000 * 10_000
            ligne["vote_cents"] = min(vote, int(ligne["demande_cents"]))
        if retenu and funded and not any(ligne["vote_cents"] for ligne in funded):
            funded[0]["vote_cents"] = min(int(funded[0]["demande_cents"]), 10_000)

    # Évaluations, comité, enveloppes ---------------------------------------------------------

    def _evaluations(self) -> None:
        rng = self.rng
        current = self.campagnes[-1]
        year = current.annee
        grille_id = self.next_ids["grille"]
        self._add(
            "grille",
            {
                "id": grille_id,
                "campagne_id": current.id,
                "nom": f"Grille d'analyse {year}",
                "numero_version": 1,
                "verrouillee": False,
                "version": 1,
                "updated_by": DEMO_USER,
            },
        )
        critere_ids = []
        for position, (section, libelle, aide) in enumerate(GRILLE_CRITERES):
            cid = self.next_ids["critere"] + position
            critere_ids.append(cid)
            self._add(
                "critere",
                {
                    "id": cid,
                    "grille_id": grille_id,
                    "section": section,
                    "libelle": libelle,
                    "aide": aide,
                    "poids": 1,
                    "echelle_min": 0,
                    "echelle_max": 3,
                    "niveaux": GRILLE_NIVEAUX,
                    "eliminatoire": False,
                    "position": position,
                },
            )
        by_code = {code: fid for fid, code, _ in self.financeurs}
        commune_code = next((code for _, code, t in self.financeurs if t == "commune"), "EPCI")
        evaluateurs = (
            ("Claire Vandenbussche (déléguée du préfet)", "ETAT", -0.3),
            ("Karim Lemaître (chef de projet politique de la ville)", "EPCI", 0.0),
            ("Aurélie Delcourt (référente quartiers)", commune_code, 0.3),
            ("Jérôme Wimet (conseiller action sociale)", "CAF", 0.1),
            ("Inès Boutry (chargée de mission territoriale)", "CD62", -0.1),
        )
        eval_ids: list[tuple[int, float]] = []
        for n, (nom, code, severity) in enumerate(evaluateurs):
            eid = self.next_ids["evaluateur"] + n
            eval_ids.append((eid, severity))
            person = nom.split(" (")[0]
            self._add(
                "evaluateur",
                {
                    "id": eid,
                    "contrat_id": self.contrat_id,
                    "nom": nom,
                    "financeur_id": by_code.get(code),
                    "email": re.sub(r"[^a-z.]", "", fold(person).replace(" ", ".")) + "@exemple.invalid",
                    "version": 1,
                    "updated_by": DEMO_USER,
                },
            )
        next_eval = self.next_ids["evaluation"]
        for d in current.dossiers:
            if d.statut in (INS, ENC):
                k = rng.choice((2, 2, 3))
            elif d.statut == ENI and d.row["cotation_instruite"] is not None:
                k = 1
            else:
                continue
            base = {"favorable": 2.3, "reserve": 1.6, "defavorable": 0.9}.get(str(d.row["avis"]), 1.8)
            qpv = int(d.row["part_qpv_pct"])
            qpv_note = 3 if qpv >= 80 else 2 if qpv >= 60 else 1 if qpv >= 50 else 0
            for i, (eid, severity) in enumerate(rng.sample(eval_ids, k)):
                # The first évaluateur never declares a conflict: an instruit dossier needs one score.
                conflit = i > 0 and rng.random() < 0.04
                self._add(
                    "evaluation",
                    {
                        "id": next_eval,
                        "dossier_id": d.id,
                        "evaluateur_id": eid,
                        "grille_id": grille_id,
                        "conflit": conflit,
                        "conflit_motif": "Membre du conseil d'administration du porteur."
                        if conflit
                        else None,
                        "commentaire": rng.choice(COMMENTAIRES_EVALUATION)
                        if not conflit and rng.random() < 0.4
                        else None,
                        "date_evaluation": date(year, 2, 1) + timedelta(days=rng.randrange(0, 45)),
                        "version": 1,
                        "updated_by": DEMO_USER,
                    },
                )
                if not conflit:
                    for position, cid in enumerate(critere_ids):
                        center = qpv_note if position == 0 else base + severity
                        value = round(center + rng.gauss(0, 0.6))
                        self._add(
                            "note",
                            {"evaluation_id": next_eval, "critere_id": cid, "valeur": min(3, max(0, value))},
                        )
                next_eval += 1

    def _comite(self) -> None:
        rng = self.rng
        current = self.campagnes[-1]
        self.comite_id = self.next_ids["comite"]
        self._add(
            "comite",
            {
                "id": self.comite_id,
                "campagne_id": current.id,
                "type": "financeurs",
                "date_seance": current.comite_date,
                "lieu": "Salle du conseil, hôtel communautaire",
                "statut": "preparation",
                "version": 1,
                "updated_by": DEMO_USER,
            },
        )
        by_code = {code: fid for fid, code, _ in self.financeurs}
        commune_code = next((code for _, code, t in self.financeurs if t == "commune"), "EPCI")
        membres = (
            ("Mme Sophie Hennebelle", "Sous-préfète, cheffe de projet État", "ETAT"),
            ("M. Olivier Caudron", "Délégué du préfet", "ETAT"),
            ("M. Thierry Wacquet", "Vice-président chargé de la politique de la ville", "EPCI"),
            ("Mme Nadia Bensaïd", "Adjointe au maire chargée de la cohésion sociale", commune_code),
            ("Mme Hélène Parenty", "Conseillère départementale", "CD62"),
            ("M. Franck Delobel", "Responsable du service action sociale", "CAF"),
            ("Mme Céline Morel", "Chargée de mission politique de la ville", "REGION"),
            ("M. Pascal Leprêtre", "Responsable du développement social urbain", "BAILLEUR"),
        )
        count = rng.choice((6, 7, 8))
        for n, (nom, fonction, code) in enumerate(membres[:count]):
            self._add(
                "comite_membre",
                {
                    "id": self.next_ids["comite_membre"] + n,
                    "comite_id": self.comite_id,
                    "nom": nom,
                    "fonction": fonction,
                    "financeur_id": by_code.get(code),
                    "present": rng.random() < 0.9,
                },
            )
        agenda = sorted(
            (d for d in current.dossiers if d.statut == ENC), key=lambda d: (d.leaf.order, d.row["reference"])
        )
        for position, d in enumerate(agenda, start=1):
            self._add(
                "comite_point",
                {
                    "id": self.next_ids["comite_point"] + position - 1,
                    "comite_id": self.comite_id,
                    "dossier_id": d.id,
                    "position": position,
                    "decision": None,
                    "conditions": None,
                    "motivation": None,
                    "decided_at": None,
                    "version": 1,
                    "updated_by": DEMO_USER,
                },
            )

    def _enveloppes(self) -> None:
        rng = self.rng
        next_id = self.next_ids["enveloppe"]
        for campagne in self.campagnes:
            totals: dict[int, int] = {fid: 0 for fid, _, _ in self.financeurs}
            for d in campagne.dossiers:
                if campagne.current and d.statut == IRR:
                    continue
                for ligne in d.lignes:
                    fid = ligne["financeur_id"]
                    if fid is None:
                        continue
                    totals[fid] += int(
                        ligne["demande_cents"] if campagne.current else ligne["vote_cents"] or 0
                    )
            for fid, _, _ in self.financeurs:
                if campagne.current:  # demands exceed what can be covered (~75–85 %)
                    amount = _round_to(int(totals[fid] * rng.uniform(0.75, 0.85)), 100_000)
                else:  # closed campagnes: what was voted, plus a small unspent margin
                    amount = -(-int(totals[fid] * rng.uniform(1.0, 1.05)) // 100_000) * 100_000
                self._add(
                    "enveloppe",
                    {
                        "id": next_id,
                        "campagne_id": campagne.id,
                        "financeur_id": fid,
                        "montant_cents": amount,
                        "version": 1,
                        "updated_by": DEMO_USER,
                    },
                )
                next_id += 1

    def _after_decisions(self) -> None:
        """Recevabilité checklists, notifications, suivis, labels and links of every dossier."""
        rng = self.rng
        labels = (
            "Action phare",
            "Nouveau porteur",
            "Convention pluriannuelle",
            "À revoir en comité technique",
        )
        label_ids = [self.next_ids["label"] + n for n in range(len(labels))]
        for lid, nom in zip(label_ids, labels, strict=True):
            self._add("label", {"id": lid, "nom": nom, "couleur": None})
        suivi_id = self.next_ids["suivi"]
        notification_id = self.next_ids["notification"]
        transition_id = self.next_ids["transition"]
        for campagne in self.campagnes:
            for d in campagne.dossiers:
                row = d.row
                self.rows.setdefault("dossier", []).append(row)
                self.rows.setdefault("ligne_financement", []).extend(d.lignes)
                for de, vers, at, motivation in d.history:
                    self._add(
                        "transition",
                        {
                            "id": transition_id,
                            "dossier_id": d.id,
                            "at": at,
                            "utilisateur": DEMO_USER,
                            "de_statut": de,
                            "vers_statut": vers,
                            "motivation": motivation,
                        },
                    )
                    transition_id += 1
                for qid in d.quartiers:
                    self._add("dossier_quartier", {"dossier_id": d.id, "quartier_id": qid})
                for oid in d.objectifs_secondaires:
                    self._add("dossier_objectif_secondaire", {"dossier_id": d.id, "objectif_id": oid})
                for aid in d.axes:
                    self._add("dossier_axe_transversal", {"dossier_id": d.id, "axe_transversal_id": aid})
                if rng.random() < 0.08:
                    self._add("dossier_label", {"dossier_id": d.id, "label_id": rng.choice(label_ids)})
                if d.statut != D:
                    for position, item in enumerate(campagne.items):
                        ko = d.recevabilite_ko.get(position)
                        comment = ko
                        if ko is None and position == 2 and not row["reconduite"]:
                            comment = "Sans objet : action nouvelle."
                        self._add(
                            "recevabilite_check",
                            {"dossier_id": d.id, "item_id": item, "ok": ko is None, "commentaire": comment},
                        )
                if d.notified_on is not None:
                    self._add(
                        "notification",
                        {
                            "id": notification_id,
                            "dossier_id": d.id,
                            "financeur_id": None,
                            "modele": "attribution" if row["decision"] == RET else "refus",
                            "etat": "notifie",
                            "date_generation": d.notified_on - timedelta(days=6),
                            "date_signature": d.notified_on - timedelta(days=2),
                            "date_notification": d.notified_on,
                            "fichier": None,
                            "version": 1,
                            "updated_by": DEMO_USER,
                        },
                    )
                    notification_id += 1
                if d.statut in (SOL, NR):
                    realise = "non" if d.statut == NR else "oui" if rng.random() < 0.8 else "partiel"
                    factor = (
                        0.0
                        if realise == "non"
                        else rng.uniform(0.8, 1.1)
                        if realise == "oui"
                        else rng.uniform(0.4, 0.75)
                    )
                    crf = d.history[-1][2].date() if d.statut == SOL else None
                    self._add(
                        "suivi",
                        {
                            "id": suivi_id,
                            "dossier_id": d.id,
                            "crf_recu_le": crf,
                            "realise": realise,
                            "beneficiaires_femmes": round(int(row["public_femmes"]) * factor),
                            "beneficiaires_hommes": round(int(row["public_hommes"]) * factor),
                            "indicateurs": None
                            if realise == "non"
                            else f"{rng.randrange(6, 40)} séances réalisées ; taux d'assiduité {rng.randrange(55, 96)} %.",
                            "version": 1,
                            "updated_by": DEMO_USER,
                        },
                    )
                    suivi_id += 1
        self._add(
            "setting",
            {
                "key": "demo",
                "value": json.dumps(
                    {"seed": self.seed, "dossiers": self.n, "referentiel": self.ref.code}, sort_keys=True
                ),
            },
        )

    # Writing -----------------------------------------------------------------------------

    def _write(self) -> None:
        order = (
            "porteur", "label", "grille", "critere", "evaluateur", "enveloppe", "dossier", "ligne_financement",
            "transition", "dossier_quartier", "dossier_objectif_secondaire", "dossier_axe_transversal",
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


# --- Helpers -----------------------------------------------------------------------------------


def _insert(s: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        s.execute(table.insert(), list(rows[start : start + BATCH]))


def _weighted(rng: random.Random, table: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _round_to(cents: int, step: int) -> int:
    return max(step, (cents + step // 2) // step * step)


def _commune_code(commune: str) -> str:
    words = [w for w in re.split(r"[\s'-]+", fold(commune).upper()) if w]
    head = words[:2] if words and words[0] in ("SAINT", "LE", "LA", "LES") else words[:1]
    return ("VILLE-" + "-".join(head))[:20]


def _de(name: str) -> str:
    """« de Calais », « d'Outreau », « du Portel »: the preposition French puts before a place."""
    for article, contracted in (("Le ", "du "), ("Les ", "des "), ("La ", "de la ")):
        if name.startswith(article):
            return f"{contracted}{name[len(article) :]}"
    if fold(name[:1]) in ("a", "e", "i", "o", "u", "y", "h"):
        return f"d'{name}"
    return f"de {name}"


def _ville_de(commune: str) -> str:
    return f"Ville {_de(commune)}"
