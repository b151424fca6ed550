"""What the stress documents say: missions, measure titles, headings, summaries and letters."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

DIMENSIONS = ("operationnelle", "strategique", "politique")
STATUSES = ("tres_satisfaisant", "satisfaisant", "retard_explique", "remis_en_cause")

REFERENCE_TITLE = "Accélérer les alliances stratégiques"
REFERENCE_MEASURES: dict[str, list[str]] = {
    "operationnelle": [
        "Rendre immédiatement accessible l'existant pour agir dès à présent",
        ("Favoriser la convergence entre la diversité des outils pour les organisations et les "
        "territoires"),
        "Faciliter l'usage des données pour mieux cibler les priorités stratégiques",
        "Valoriser les alliances stratégiques au travers des événements de référence",
        "Organiser une démarche de dialogue actif entre les dynamiques du « jouer collectif »",
        ("Articuler les complémentarités entre les acteurs de l'ingénierie nationale & "
        "territoriale, en croisant les connaissances sectorielles et territoriales"),
        ("Faire des ODD l'occasion d'expérimentations d'alliance en territoire pour agir "
        "concrètement là où aucun acteur ne peut répondre seul"),
    ],
    "strategique": [
        "Promouvoir et valoriser l'investissement dans l'innovation sociétale partenariale",
        "Accompagner les alliances stratégiques",
        "Structurer une réflexion partagée sur l'évaluation partenariale",
        "Inciter à un État exemplaire en matière d'alliances innovantes",
        ("Positionner les services de l'État comme « médiateurs » des dynamiques d'alliances "
        "stratégiques"),
        ("Structurer une capacité collective de R&D partenariale pour anticiper les besoins et "
        "suivre les expérimentations innovantes"),
        ("Piloter une recherche-action collective sur l'hybridation des modèles "
        "socio-économiques"),
    ],
    "politique": [
        ("Inscrire les « alliances stratégiques » aux agendas des instances des différents "
        "« mondes »"),
        ("Créer une Conférence des alliances stratégiques au service des défis communs, déclinée "
        "localement"),
        ("Inciter à croiser « espaces de dialogue », « compétences de catalyseurs » et "
        "« pédagogie des alliances »"),
        "Créer un « droit d'expérimentation partenariale »",
        "Instruire l'opportunité d'un nouveau statut de « société de bien commun »",
        "Développer notre capacité collective à « apprendre à faire alliance »",
        ("Inscrire les nouvelles formes d'alliance et de partenariats aux programmes de formation, "
        "de l'éducation des plus jeunes à la formation continue"),
    ],
}
REFERENCE_HORIZONS = {"operationnelle": (3, 9), "strategique": (6, 12), "politique": (12, 18)}
CHANTIERS = [
    "Plateforme de mobilisation de l'engagement",
    "Fonds d'ingénierie pour le développement des alliances",
    "Légaliser : PPL sur l'expérimentation du « droit de l'alliance »",
    "Développer l'apprentissage du « faire alliance »",
]

_VERBS = [
    "Renforcer", "Créer", "Développer", "Simplifier", "Mettre en place", "Généraliser",
    "Expérimenter", "Accompagner", "Évaluer", "Clarifier", "Ouvrir", "Soutenir", "Réviser",
    "Instaurer", "Mobiliser", "Garantir", "Élargir", "Systématiser", "Favoriser", "Structurer",
    "Valoriser", "Encourager", "Pérenniser", "Identifier", "Reconnaître", "Déployer",
    "Consolider", "Associer", "Moderniser", "Harmoniser", "Sécuriser", "Publier", "Intégrer",
    "Doter", "Former", "Rééquilibrer",
]
_OBJECTS = [
    "le financement des projets associatifs d'intérêt général",
    "un « guichet unique » pour les porteurs de projets",
    "les partenariats entre collectivités & entreprises",
    "l'accès des jeunes aux dispositifs d'engagement citoyen",
    "la formation des agents publics à la coopération",
    "les indicateurs d'impact social des politiques publiques",
    "le « service civique » en milieu rural",
    "une plateforme numérique de mise en relation des bénévoles",
    "la commande publique responsable",
    "les tiers-lieux et les espaces de travail partagés",
    "l'observatoire régional de la vie associative",
    "les contrats de réciprocité entre villes et campagnes",
    "la gouvernance des fonds de dotation territoriaux",
    "les démarches d'évaluation partagée avec les usagers",
    "la mutualisation des fonctions support des petites associations",
    "un label « Territoire engagé » reconnu par l'État",
    "les comités départementaux de l'économie sociale & solidaire",
    "la rénovation énergétique des bâtiments scolaires",
    "le dialogue entre les préfectures et les élus locaux",
    "l'accompagnement des créateurs d'entreprise dans les quartiers prioritaires",
    "la transition numérique des services déconcentrés",
    "les circuits courts dans la restauration collective",
    "le mécénat de compétences des salariés",
    "la prévention des ruptures de parcours des jeunes majeurs",
    "les coopérations transfrontalières en matière de santé",
    "un fonds d'amorçage pour l'innovation sociale",
    "les modalités de contrôle des subventions publiques",
    "la place des habitants dans les conseils citoyens",
    "les passerelles entre formation initiale et apprentissage",
    "la lisibilité des appels à projets de l'État",
]
_COMPLEMENTS = [
    "dans chaque département d'ici à 2025",
    "en lien avec les opérateurs de l'État",
    "au service des territoires ruraux",
    "pour 10 000 jeunes par an",
    "à l'échelle intercommunale",
    "avec les réseaux d'éducation populaire",
    "en s'appuyant sur les expériences réussies",
    "afin de réduire de 30 % les délais d'instruction",
    "au plus près des besoins des habitants",
    "dès la rentrée 2022",
    "pour les communes de moins de 3 500 habitants",
    "en associant les acteurs économiques & sociaux",
    "sur la base d'un cahier des charges commun",
    "dans le cadre du plan « France Relance »",
    "selon un calendrier partagé avec les régions",
    "et en rendre compte chaque année au Parlement",
    "pour atteindre 50 % des établissements en 2024",
    "en cohérence avec la stratégie nationale",
]
_THEMES = [
    "Territoires d'engagement", "Simplifier la vie associative", "Jeunesse & territoires ruraux",
    "Coopérer pour l'emploi local", "L'État partenaire des collectivités",
    "Transition écologique des services publics", "Santé & solidarités de proximité",
    "Innovation sociale en régions", "Mieux évaluer l'action publique",
]

ORGS = [
    ("Le RAMEAU", "4, rue de la Paix 94300 Vincennes"),
    ("Institut national de la jeunesse", "95, avenue de France 75013 Paris"),
    ("Association Territoires & Solidarités", "12, place Bellecour 69002 Lyon"),
    ("Fondation pour l'engagement citoyen", "8, quai des Chartrons 33000 Bordeaux"),
    ("Mission interministérielle d'appui aux coopérations", "20, avenue de Ségur 75007 Paris"),
    ("Observatoire des partenariats", "3, rue Nationale 59000 Lille"),
]
SIGNATORIES = [
    ("Charles-Benoît Heidsieck", "Le Président-Fondateur"),
    ("Claire Lemaître", "La Présidente"),
    ("Jean-Marc Duval", "Le Directeur général"),
    ("Sophie Bérard", "La Déléguée générale"),
    ("Hélène Morvan", "La Rapporteure de la mission"),
]
# (recipient, recipient_org, address lines, salutation)
RECIPIENTS = [
    ("Madame la Secrétaire d'État chargée de la Jeunesse et de l'Engagement",
     "Ministère de l'Éducation Nationale, de la Jeunesse et des Sports",
     ["110, rue de Grenelle", "75357 PARIS Cedex"], "Madame la Ministre,"),
    ("Monsieur le Préfet de la région Occitanie", "Préfecture de la Haute-Garonne",
     ["1, place Saint-Étienne", "31038 TOULOUSE Cedex 9"], "Monsieur le Préfet,"),
    ("Madame la Ministre de la Transition écologique", "Ministère de la Transition écologique",
     ["246, boulevard Saint-Germain", "75007 PARIS"], "Madame la Ministre,"),
    ("Monsieur le Ministre de la Cohésion des territoires",
     ("Ministère de la Cohésion des territoires et des Relations avec les collectivités "
     "territoriales"), ["20, avenue de Ségur", "75007 PARIS"], "Monsieur le Ministre,"),
    ("Madame la Directrice générale de la cohésion sociale",
     "Direction générale de la cohésion sociale", ["14, avenue Duquesne", "75350 PARIS 07 SP"],
     "Madame la Directrice générale,"),
    ("Monsieur le Haut-Commissaire à l'Économie sociale et solidaire",
     "Ministère de l'Économie, des Finances et de la Relance",
     ["139, rue de Bercy", "75572 PARIS Cedex 12"], "Monsieur le Haut-Commissaire,"),
]
PLACES = ["Vincennes", "Paris", "Lyon", "Bordeaux", "Lille", "Toulouse", "Saint-Étienne",
          "Nantes", "Aix-en-Provence"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]
NUMBER_WORDS = {0: "aucune", 1: "une", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six",
                7: "sept", 8: "huit", 9: "neuf", 10: "dix", 11: "onze", 12: "douze"}
ADJ = {"operationnelle": ("opérationnelle", "opérationnelles"),
       "strategique": ("stratégique", "stratégiques"),
       "politique": ("politique", "politiques")}


@dataclass
class Mission:
    """A mission's measures grouped by dimension (dimension None: no headings printed)."""

    title: str
    reference: bool
    groups: list[tuple[str | None, tuple[int, int] | None, list[str]]] = field(default_factory=list)

    @property
    def n_measures(self) -> int:
        return sum(len(titles) for _, _, titles in self.groups)


def _invented_title(rng: random.Random) -> str:
    while True:
        words = [rng.choice(_VERBS), rng.choice(_OBJECTS)]
        if rng.random() < 0.75:
            words += rng.sample(_COMPLEMENTS, 2 if rng.random() < 0.2 else 1)
        title = " ".join(words)
        if 6 <= len(title.split()) <= 25:
            return title


def _horizon(rng: random.Random, form: str) -> tuple[int, int] | None:
    if form == "none":
        return None
    if form == "years":
        years = rng.choice([(1, 1), (2, 2), (3, 3), (1, 2), (2, 3)])
        return years[0] * 12, years[1] * 12
    if form == "single":
        m = rng.choice([3, 6, 9, 12, 18, 24])
        return m, m
    lo = rng.choice([3, 6, 9, 12])
    return lo, lo + rng.choice([3, 6, 9, 12])


def draw_mission(rng: random.Random, reference: bool, horizon_form: str,
                 with_dimensions: bool) -> Mission:
    """The reference mission, or a new one of 6-18 measures in its own dimension order."""
    if reference:
        groups = [(d, REFERENCE_HORIZONS[d], list(REFERENCE_MEASURES[d])) for d in DIMENSIONS]
        return Mission(REFERENCE_TITLE, True, groups)
    n = rng.randint(6, 18)
    titles: list[str] = []
    while len(titles) < n:
        t = _invented_title(rng)
        if t not in titles and t.split()[0] not in {x.split()[0] for x in titles[-2:]}:
            titles.append(t)
    theme = rng.choice(_THEMES)
    if not with_dimensions:
        return Mission(theme, False, [(None, None, titles)])
    dims = list(DIMENSIONS)
    rng.shuffle(dims)
    k = 3 if n >= 6 and rng.random() < 0.8 else 2
    dims = dims[:k]
    cuts = sorted(rng.sample(range(1, n), k - 1))
    bounds = [0, *cuts, n]
    groups = []
    for i, d in enumerate(dims):
        hz = _horizon(rng, horizon_form)
        groups.append((d, hz, titles[bounds[i]:bounds[i + 1]]))
    return Mission(theme, False, groups)


def horizon_text(rng: random.Random, hz: tuple[int, int] | None, style: str) -> str:
    """The printed horizon for (min, max) months, in the document's style."""
    if hz is None:
        return ""
    lo, hi = hz
    if lo == hi:
        if lo % 12 == 0 and lo >= 12:
            y = lo // 12
            return f"à {y} an" if y == 1 else f"à {y} ans"
        return f"à {lo} mois"
    if lo % 12 == 0 and hi % 12 == 0:
        return f"de {lo // 12} à {hi // 12} ans"
    return {"slash": f"à {lo}/{hi} mois", "de": f"de {lo} à {hi} mois",
            "dash": f"à {lo}-{hi} mois"}[style]


def dimension_heading(rng: random.Random, dim: str, k: int, hz_text: str, reference: bool,
                      wording: int) -> str:
    """A heading naming the dimension, its count and horizon; wording picks the template."""
    sing, plur = ADJ[dim]
    if reference and wording == 0:
        lead = {"operationnelle": "aux premiers effets", "strategique": "aux effets",
                "politique": "aux effets mesurables"}[dim]
        return f"{k} mesures {plur}, {lead} {hz_text}".strip()
    hz = hz_text
    if wording == 1:
        return f"{k} mesures {plur}" + (f", aux effets attendus {hz}" if hz else "")
    if wording == 2:
        return f"Mesures {plur}" + (f" (effets {hz})" if hz else "")
    if wording == 3:
        return f"Dimension {sing}" + (f" — effets {hz}" if hz else "")
    return (f"{k} MESURES {plur.upper()}" + (f" : EFFETS {hz.upper()}" if hz else ""))


def summary_sentence(counts: dict[str, int], in_words: bool) -> str:
    """« 6 mesures à l'avancement très satisfaisant, 9 au rythme satisfaisant, … »."""
    def n(k: int, capital: bool = False) -> str:
        s = NUMBER_WORDS.get(k, str(k)) if in_words else ("aucune" if k == 0 else str(k))
        return s[0].upper() + s[1:] if capital else s
    a, b, c, d = (counts.get(s, 0) for s in STATUSES)
    first = (f"{n(a, True)} mesure{'s' if a > 1 else ''} à l'avancement très satisfaisant"
             if a else "Aucune mesure à l'avancement très satisfaisant")
    parts = [first, f"{n(b)} au rythme satisfaisant" if b else "aucune au rythme satisfaisant",
             f"{n(c)} en retard en raison de la situation actuelle" if c
             else "aucune en retard"]
    last = ("aucune des mesures remises en cause à date" if d == 0 else
            f"{n(d)} remise{'s' if d > 1 else ''} en cause à date")
    return ", ".join(parts) + ", " + last + "."


def french_date(rng: random.Random) -> tuple[str, str]:
    """(printed « 17 octobre 2020 » / « 1er mai 2021 », ISO date)."""
    y = rng.choice([2019, 2020, 2021, 2022, 2023])
    m = rng.randint(1, 12)
    d = 1 if rng.random() < 0.15 else rng.randint(2, 28)
    day = "1er" if d == 1 else str(d)
    return f"{day} {MONTHS[m - 1]} {y}", f"{y:04d}-{m:02d}-{d:02d}"


LETTER_BODY = [
    ("Vous m'avez confié la mission « {theme} ». J'ai l'honneur de vous adresser le "
    "rapport d'étape qui en rend compte."),
    ("Les travaux conduits depuis le lancement de la mission ont associé les collectivités, les "
    "associations et les entreprises, dans les territoires comme au niveau national."),
    ("Ce document présente l'état d'avancement des mesures proposées et les conditions de leur "
    "mise en œuvre dans les mois qui viennent."),
    "Je me tiens à votre disposition pour vous présenter ces travaux et en discuter les suites.",
]
