"""Invented vocabulary of the demo (names, themes, motifs) and its statut paths."""

from __future__ import annotations

import json

from instructeur.domain.statuts import Statut

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
