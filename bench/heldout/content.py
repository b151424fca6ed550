"""What the held-out pages say: missions, their measures, letter parties and French phrasings."""

from __future__ import annotations

from bench.stress.content import (
    CHANTIERS,
    DIMENSIONS,
    MONTHS,
    REFERENCE_HORIZONS,
    REFERENCE_MEASURES,
    STATUSES,
)

__all__ = [  # DIMENSIONS, MONTHS, STATUSES: the stress set's, passed on to plan.py and truth.py
    "BODY", "CLOSINGS", "DIMENSIONS", "DIM_WORDS", "FILLER", "LEGEND_HEADINGS", "LEGEND_LABELS",
    "MONTHS", "NUMBER_WORDS", "OTHERS", "RECIPIENTS", "REFERENCE", "SENDER_ADDRESSES", "STATUSES",
    "STATUS_WORDS", "STRIP_HEADINGS", "SUBJECTS", "format_count", "format_date", "format_horizon",
    "summary_sentence",
]

# The reference family (facts from /work/shared/domain.md: 21 measures, 3 dimensions of 7), its
# titles, horizons and work streams spelled once in bench/stress/content.py.
REFERENCE = {
    "key": "alliances",
    "title": "Accélérer les alliances stratégiques entre acteurs d'intérêt général",
    "org": "Le RAMEAU",
    "role": "Le Président-Fondateur",
    "signatory": "",
    "places": ("Vincennes", "Paris"),
    "horizons": REFERENCE_HORIZONS,
    "measures": REFERENCE_MEASURES,
    "streams": CHANTIERS,
}

# Missions invented for this set: titles, organisations and people are fictitious.
OTHERS = [
    {
        "key": "numerique",
        "title": "Pour un numérique solidaire dans les territoires",
        "org": "Institut Passerelles Numériques",
        "role": "La Présidente",
        "signatory": "Hélène Marchetti",
        "places": ("Lyon", "Villeurbanne"),
        "measures": {
            "operationnelle": [
                ("Ouvrir dans chaque canton un point d'accueil numérique tenu par des médiateurs "
                "formés"),
                "Recenser les lieux d'accès gratuits à Internet et publier leur carte",
                "Simplifier les formulaires en ligne les plus demandés par les usagers",
                "Former les agents d'accueil des mairies à l'accompagnement numérique",
                "Prêter des ordinateurs reconditionnés aux familles qui en sont dépourvues",
                "Créer une ligne téléphonique d'assistance pour les démarches administratives",
            ],
            "strategique": [
                "Mutualiser les moyens de médiation entre communes voisines",
                "Évaluer chaque année l'accessibilité des services publics en ligne",
                "Associer les associations d'usagers à la conception des nouveaux services",
                "Financer des postes de conseillers numériques sur trois ans",
                "Construire un référentiel commun des compétences numériques de base",
                ("Développer les partenariats avec les bailleurs sociaux et les caisses "
                "d'allocations familiales"),
            ],
            "politique": [
                "Inscrire l'inclusion numérique dans les contrats de plan État-région",
                "Garantir un accès non numérique à toute démarche administrative",
                "Créer un observatoire national de l'inclusion numérique",
                "Reconnaître la médiation numérique comme un métier à part entière",
                "Intégrer la sobriété numérique aux politiques d'achat public",
                "Porter au niveau européen un droit à l'accompagnement numérique",
            ],
        },
        "streams": [
            "Un réseau de lieux de médiation",
            "Un fonds d'équipement des ménages",
            "Un référentiel national des compétences",
        ],
    },
    {
        "key": "cantines",
        "title": "Mieux manger à la cantine, de l'école à l'hôpital",
        "org": "Observatoire de la restauration collective",
        "role": "Le Délégué général",
        "signatory": "Thomas Lefebvre",
        "places": ("Nantes", "Angers"),
        "measures": {
            "operationnelle": [
                "Proposer chaque jour une option végétarienne dans les restaurants scolaires",
                "Réduire de moitié le gaspillage alimentaire mesuré en fin de service",
                "Afficher l'origine des produits sur les menus de la semaine",
                "Former les cuisiniers à la cuisine des légumineuses",
                "Regrouper les commandes des petites communes auprès des producteurs locaux",
                "Mettre en place des tables de tri dans chaque réfectoire",
            ],
            "strategique": [
                "Consacrer la moitié des achats à des produits durables et de qualité",
                "Accompagner les collectivités dans la rédaction de leurs marchés",
                "Créer des légumeries partagées entre plusieurs cuisines centrales",
                "Mesurer la satisfaction des élèves deux fois par an",
                "Structurer des filières locales de pain, de viande et de fruits",
                "Soutenir l'investissement dans des équipements de cuisson économes",
            ],
            "politique": [
                "Fixer un tarif social unique pour les familles modestes",
                "Faire de la pause méridienne un temps éducatif reconnu",
                "Étendre les objectifs de qualité à la restauration hospitalière",
                "Inscrire l'éducation à l'alimentation dans les programmes scolaires",
                "Publier chaque année un bilan national de la restauration collective",
                "Encourager les projets alimentaires territoriaux à l'échelle des bassins de vie",
            ],
        },
        "streams": [
            "Un plan de formation des équipes de cuisine",
            "Des achats groupés et locaux",
            "Un suivi public de la qualité des repas",
        ],
    },
    {
        "key": "eau",
        "title": "Partager l'eau entre agriculture et territoires",
        "org": "Fédération Terres et Rivières",
        "role": "La Directrice générale",
        "signatory": "Sophie Garnier",
        "places": ("Toulouse", "Montpellier"),
        "measures": {
            "operationnelle": [
                "Installer des compteurs sur tous les prélèvements agricoles déclarés",
                "Publier chaque semaine l'état des nappes par bassin versant",
                "Généraliser le pilotage de l'irrigation par sondes d'humidité",
                "Réparer en priorité les réseaux de distribution les plus fuyards",
                "Diffuser des variétés moins gourmandes en eau auprès des exploitants",
                "Organiser des tours d'eau concertés en période de sécheresse",
            ],
            "strategique": [
                "Créer une instance locale de partage de l'eau dans chaque bassin",
                "Réutiliser les eaux usées traitées pour l'irrigation des cultures",
                "Accompagner la transition vers des assolements plus économes",
                "Financer la restauration des zones humides en tête de bassin",
                "Former les conseillers agricoles à la gestion quantitative de l'eau",
                "Mettre en commun les données de prélèvement entre services de l'État",
            ],
            "politique": [
                "Réviser les volumes prélevables au regard des projections climatiques",
                "Conditionner les aides à l'irrigation à des économies d'eau mesurées",
                ("Reconnaître les paiements pour services environnementaux rendus par les "
                "exploitants"),
                "Clarifier la gouvernance des retenues collectives",
                "Intégrer la ressource en eau dans les documents d'urbanisme",
                "Porter une loi d'orientation sur le partage de l'eau",
            ],
        },
        "streams": [
            "Des instances locales de l'eau",
            "Un fonds pour les économies d'eau",
        ],
    },
]

# (recipient, recipient_org, address lines, salutation)
RECIPIENTS = [
    ("Madame la Secrétaire d'État chargée de l'Économie sociale, solidaire et responsable",
     "Ministère de l'Économie, des Finances et de la Relance",
     ("139, rue de Bercy", "75572 PARIS Cedex 12"), "Madame la Secrétaire d'État,"),
    ("Monsieur le Ministre de l'Agriculture et de l'Alimentation",
     "Ministère de l'Agriculture et de l'Alimentation",
     ("78, rue de Varenne", "75349 PARIS 07 SP"), "Monsieur le Ministre,"),
    ("Madame la Ministre de la Transition écologique", "Ministère de la Transition écologique",
     ("246, boulevard Saint-Germain", "75007 Paris"), "Madame la Ministre,"),
    ("Monsieur le Secrétaire d'État chargé de la Transition numérique",
     "Ministère de l'Économie, des Finances et de la Souveraineté industrielle et numérique",
     ("139, rue de Bercy", "75012 Paris"), "Monsieur le Secrétaire d'État,"),
    ("Madame la Ministre de l'Éducation nationale", "Ministère de l'Éducation nationale",
     ("110, rue de Grenelle", "75357 PARIS SP 07"), "Madame la Ministre,"),
    ("Monsieur le Préfet de la région Occitanie", "Préfecture de la région Occitanie",
     ("1, place Saint-Étienne", "31038 Toulouse Cedex 9"), "Monsieur le Préfet,"),
    ("Madame la Ministre des Solidarités et de la Santé",
     "Ministère des Solidarités et de la Santé",
     ("14, avenue Duquesne", "75350 PARIS 07 SP"), "Madame la Ministre,"),
]

SENDER_ADDRESSES = {
    "alliances": ("10, rue de Fontenay", "94300 Vincennes"),
    "numerique": ("24, quai Perrache", "69002 Lyon"),
    "cantines": ("8, rue de la Fosse", "44000 Nantes"),
    "eau": ("3, allée des Platanes", "31400 Toulouse"),
}

SUBJECTS = (
    "Rapport d'étape de la mission « {mission} »",
    "Remise du rapport de suivi à 6 mois",
    "Bilan à un an des mesures proposées",
    "Transmission du rapport « {mission} »",
)

BODY = (
    ("Vous avez bien voulu nous confier une mission consacrée à « {mission} ». Nous avons "
    "l'honneur de vous en remettre le rapport d'étape, fruit de nombreux échanges avec les "
    "acteurs de terrain."),
    ("Ce document rend compte de l'avancement des {n} mesures proposées et des conditions de leur "
    "mise en œuvre. Il a été partagé avec les services concernés."),
    ("Nous restons à votre disposition pour vous présenter ces travaux et en discuter les "
     "suites avec vos équipes."),
    ("Les travaux se poursuivront au cours des prochains mois, en lien étroit avec les "
     "collectivités et les réseaux associatifs."),
)

CLOSINGS = (
    "Je vous prie d'agréer, {title}, l'expression de ma haute considération.",
    "Nous vous prions de croire, {title}, à l'assurance de notre profond respect.",
    "Veuillez agréer, {title}, l'expression de nos salutations respectueuses.",
)

# Legend labels: the family's own, and variants a person still reads as the same status.
LEGEND_LABELS = {
    "standard": ("Très satisfaisant", "Satisfaisant", "Retard expliqué", "Remis en cause"),
    "variants": (
        ("Avancement très satisfaisant", "Avancement satisfaisant", "En retard (expliqué)",
         "Mesure remise en cause"),
        ("Très satisfaisant", "Satisfaisant", "Retard justifié", "Remise en cause"),
        ("Très bon avancement", "Bon avancement", "Retard expliqué", "Remis en question"),
    ),
}
LEGEND_HEADINGS = ("Légende", "Légende du niveau d'avancement", "Niveau d'avancement :",
                   "LÉGENDE")
STRIP_HEADINGS = ("Niveau d'avancement", "Niveau d'avancement des mesures",
                  "Niveau d'avancement — {date}", "NIVEAU D'AVANCEMENT")

DIM_WORDS = {
    "operationnelle": ("opérationnelles", "Dimension opérationnelle", "Opérationnel"),
    "strategique": ("stratégiques", "Dimension stratégique", "Stratégique"),
    "politique": ("politiques", "Dimension politique", "Politique"),
}
STATUS_WORDS = {
    "tres_satisfaisant": "Très satisfaisant",
    "satisfaisant": "Satisfaisant",
    "retard_explique": "Retard expliqué",
    "remis_en_cause": "Remis en cause",
}
NUMBER_WORDS = ("aucune", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
                "dix")

FILLER = (
    "La mission a conduit une cinquantaine d'entretiens et réuni trois ateliers territoriaux.",
    "Les propositions ont été construites avec les acteurs publics, privés et associatifs.",
    "Chaque mesure fait l'objet d'un suivi régulier avec les services de l'État concernés.",
    "Le contexte sanitaire a ralenti certaines actions, sans remettre en cause leur pertinence.",
)


def format_date(day: int, month: int, year: int, style: str) -> str:
    """Returns a French date as a letter's date line prints it."""
    if style == "numeric":
        return f"{day:02d}/{month:02d}/{year}"
    d = "1er" if day == 1 else str(day)
    return f"{d} {MONTHS[month - 1]} {year}"


def format_horizon(hmin: int | None, hmax: int | None, style: str) -> str:
    """Returns the horizon phrase for a dimension heading (empty when there is none)."""
    if hmin is None or hmax is None:
        return ""
    if hmin == hmax:
        if hmin % 12 == 0:
            years = hmin // 12
            return f"à {years} an" if years == 1 else f"à {years} ans"
        return f"à {hmin} mois"
    if style == "slash":
        return f"à {hmin}/{hmax} mois"
    if hmin % 12 == 0 and hmax % 12 == 0:
        return f"de {hmin // 12} à {hmax // 12} ans"
    return f"de {hmin} à {hmax} mois"


def format_count(n: int, words: bool) -> str:
    """Returns a count as digits or, for small numbers, in words."""
    if words and n < len(NUMBER_WORDS):
        return NUMBER_WORDS[n]
    return str(n)


def summary_sentence(counts: dict[str, int], variant: int, words: bool) -> str:
    """Returns the sentence that states how many measures stand at each status."""
    a, b, c, d = (counts.get(s, 0) for s in STATUSES)

    def n(k: int) -> str:
        return format_count(k, words)

    def plural(k: int, word: str) -> str:
        return word if k <= 1 else word + "s"

    if variant == 0:
        tail = ("aucune des mesures remises en cause à date" if d == 0
                else f"{n(d)} {plural(d, 'remise')} en cause à date")
        return (f"{n(a).capitalize()} {plural(a, 'mesure')} à l'avancement très satisfaisant, "
                f"{n(b)} au rythme satisfaisant, {n(c)} en retard en raison de la situation "
                f"actuelle, {tail}.")
    if variant == 1:
        return (f"À date, {n(a)} {plural(a, 'mesure')} {'est' if a <= 1 else 'sont'} "
                f"{plural(a, 'jugée')} {plural(a, 'très satisfaisante')}, {n(b)} "
                f"{plural(b, 'satisfaisante')}, {n(c)} en retard expliqué et {n(d)} "
                f"{plural(d, 'remise')} en cause.")
    total = a + b + c + d
    return (f"Sur les {total} mesures suivies : {n(a)} très {plural(a, 'satisfaisante')}, "
            f"{n(b)} {plural(b, 'satisfaisante')}, {n(c)} en retard expliqué, {n(d)} "
            f"{plural(d, 'remise')} en cause.")
