"""spaCy rule families (patterns as data), registered under versioned names, built once."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

Pattern = list[dict[str, Any]]
RULES: dict[str, Callable[[], dict[str, list[Pattern]]]] = {}

NUM = {"TEXT": {"REGEX": r"^\d{1,3}$"}}
MONTHS = ("janvier", "février", "fevrier", "mars", "avril", "mai", "juin", "juillet", "août",
          "aout", "septembre", "octobre", "novembre", "décembre", "decembre")
NUMBER_WORDS = {
    "aucun": 0, "aucune": 0, "zéro": 0, "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3,
    "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11,
    "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "dix-sept": 17,
    "dix-huit": 18, "dix-neuf": 19, "vingt": 20, "vingt-et-un": 21, "vingt-deux": 22,
    "vingt-trois": 23, "vingt-quatre": 24, "vingt-cinq": 25, "trente": 30,
}
DASHES = ["—", "–", "-", ":", "."]


def rule(name: str) -> Callable[[Callable[[], dict[str, list[Pattern]]]], Callable[[], dict[str, list[Pattern]]]]:
    """Register a pattern family under a versioned name (`family.vN`)."""
    def wrap(fn: Callable[[], dict[str, list[Pattern]]]) -> Callable[[], dict[str, list[Pattern]]]:
        RULES[name] = fn
        return fn
    return wrap


@rule("numbering.v1")
def numbering() -> dict[str, list[Pattern]]:
    """A measure's number at the start of a line: `7.`, `7)`, `Mesure 7 —`, `n°7`, `M7`, `14.Piloter`."""
    return {
        "NUM_DOT": [[NUM, {"ORTH": {"IN": [".", ")", "°"]}}],
                    [{"TEXT": {"REGEX": r"^\d{1,3}[.)]$"}}]],  # `8)` is one token (emoticon rule)
        "NUM_GLUED": [[{"TEXT": {"REGEX": r"^\d{1,3}[.)][A-Za-zÀ-ÿ«\"']"}}]],
        "NUM_COMMA": [[NUM, {"ORTH": ","}, {"IS_TITLE": True}]],  # `5, Organiser`: a dot read as comma
        "NUM_MESURE": [[{"LOWER": {"IN": ["mesure", "mesures"]}}, {"ORTH": {"IN": ["n°", "no"]}, "OP": "?"},
                        {"TEXT": {"REGEX": r"^\d{1,3}[—–:.-]?$"}}, {"ORTH": {"IN": DASHES}, "OP": "?"}]],
        "NUM_N": [[{"LOWER": {"IN": ["n°", "nº", "no"]}}, NUM, {"ORTH": {"IN": DASHES}, "OP": "?"}],
                  [{"LOWER": {"REGEX": r"^n°\d{1,3}$"}}, {"ORTH": {"IN": DASHES}, "OP": "?"}]],
        "NUM_M": [[{"TEXT": {"REGEX": r"^M\d{1,3}$"}}, {"ORTH": {"IN": DASHES}, "OP": "?"}]],
        "NUM_LOST": [[{"ORTH": {"IN": [".", ")"]}}, {"IS_ALPHA": True}]],
    }


@rule("dimension-heading.v1")
def dimension_heading() -> dict[str, list[Pattern]]:
    """« 7 mesures opérationnelles », « MESURES STRATÉGIQUES », « mesures politiques »."""
    dims = {
        "DIM_OPERATIONNELLE": r"^op[ée]rationnel(le)?s?$",
        "DIM_STRATEGIQUE": r"^strat[ée]giques?$",
        "DIM_POLITIQUE": r"^politiques?$",
    }
    return {label: [[{"LOWER": {"REGEX": r"^mesures?$"}}, {"LOWER": {"REGEX": rx}}]]
            for label, rx in dims.items()}


@rule("horizon.v1")
def horizon() -> dict[str, list[Pattern]]:
    """`3/9 mois`, `3 / 9 mois`, `3 à 9 mois`, `de 3 à 9 mois`, `12-18 mois`."""
    to = {"LOWER": {"IN": ["à", "a", "&", "-", "–", "/", "au"]}}
    return {"HORIZON": [
        [{"TEXT": {"REGEX": r"^\d{1,2}/\d{1,2}$"}}, {"LOWER": "mois"}],
        [{"TEXT": {"REGEX": r"^\d{1,2}/$"}}, NUM, {"LOWER": "mois"}],
        [NUM, to, NUM, {"LOWER": "mois"}],
        [NUM, {"TEXT": {"REGEX": r"^/\d{1,2}$"}}, {"LOWER": "mois"}],
    ]}


@rule("section-heading.v1")
def section_heading() -> dict[str, list[Pattern]]:
    """A count announcing a list: « 21 mesures autour de… », « 4 chantiers… », « 3 outils… »."""
    return {
        "ANNOUNCE_MESURES": [[NUM, {"LOWER": {"REGEX": r"^mesures$"}}]],
        "ANNOUNCE_OTHER": [[{"TEXT": {"REGEX": r"^\d{1,2}$"}},
                            {"LOWER": {"REGEX": r"^(chantiers|outils|axes|leviers|actions|priorités|"
                                                r"propositions|recommandations|engagements|"
                                                r"dimensions|temporalités|étapes|objectifs)$"}}]],
        "LEGEND": [[{"LOWER": {"REGEX": r"^l[ée]gende$"}}]],
        "PROGRESS": [[{"LOWER": "niveau"}, {"LOWER": {"IN": ["d'", "d"]}}, {"LOWER": "avancement"}]],
    }


@rule("status-label.v1")
def status_label() -> dict[str, list[Pattern]]:
    """The four statuses as legend labels or in sentences, loosely (case, accents, agreement)."""
    return {
        "tres_satisfaisant": [[{"LOWER": {"IN": ["très", "tres", "trés"]}},
                               {"LOWER": {"REGEX": r"^satisfaisante?s?$"}}]],
        "satisfaisant": [[{"LOWER": {"REGEX": r"^satisfaisante?s?$"}}]],
        "retard_explique": [[{"LOWER": {"REGEX": r"^retards?$"}},
                             {"LOWER": {"REGEX": r"^expliqu[ée]e?s?$"}, "OP": "?"}]],
        "remis_en_cause": [[{"LOWER": {"REGEX": r"^remise?s?$"}}, {"LOWER": "en"},
                            {"LOWER": "cause"}]],
    }


@rule("count.v1")
def count() -> dict[str, list[Pattern]]:
    """A count before a status in the summary sentence: digits, French number words, « aucune »."""
    return {"COUNT": [[{"TEXT": {"REGEX": r"^\d{1,3}$"}}],
                      [{"LOWER": {"IN": list(NUMBER_WORDS)}}],
                      [{"LOWER": {"IN": ["vingt", "dix"]}}, {"ORTH": "-", "OP": "?"},
                       {"LOWER": {"IN": ["et", "-"]}, "OP": "?"}, {"ORTH": "-", "OP": "?"},
                       {"LOWER": {"IN": ["un", "une", "deux", "trois", "sept", "huit", "neuf"]}}]]}


@rule("date-line.v1")
def date_line() -> dict[str, list[Pattern]]:
    """« Vincennes, le 17 octobre 2020 », « le 1er mai 2021 », « 17/10/2020 »."""
    month = {"LOWER": {"REGEX": r"^[a-zéèûô]{3,10}\.?$"}}
    return {
        "DATE_WORDS": [[{"TEXT": {"REGEX": r"^(1er|1°|\d{1,2})$"}}, month,
                        {"TEXT": {"REGEX": r"^(1[89]|20)\d\d$"}}]],
        "DATE_NUMERIC": [[{"TEXT": {"REGEX": r"^\d{1,2}[/.-]\d{1,2}[/.-](1[89]|20)\d\d$"}}]],
    }


@rule("letter-parts.v1")
def letter_parts() -> dict[str, list[Pattern]]:
    """Subject, civility, offices, street and postcode, signatory role."""
    return {
        "SUBJECT": [[{"LOWER": {"IN": ["objet", "obj", "0bjet"]}}, {"ORTH": {"IN": [":", "."]}, "OP": "?"}]],
        "CIVILITY": [[{"LOWER": {"IN": ["madame", "monsieur", "mesdames", "messieurs", "mme", "m."]}}]],
        "OFFICE": [[{"LOWER": {"REGEX": r"^(minist[èeé]re|secr[ée]tariat|pr[ée]fecture|direction|"
                                         r"d[ée]l[ée]gation|cabinet|agence|haut-commissariat|"
                                         r"commissariat|services?)$"}}]],
        "STREET": [[NUM, {"LOWER": {"IN": ["bis", "ter"]}, "OP": "?"}, {"ORTH": ",", "OP": "?"},
                    {"LOWER": {"REGEX": r"^(rue|avenue|av\.|boulevard|bd|place|quai|allée|chemin|"
                                        r"cours|impasse|route|square|esplanade|parvis)$"}}]],
        "POSTCODE": [[{"TEXT": {"REGEX": r"^\d{5}$"}}, {"IS_ALPHA": True}]],
        "ROLE": [[{"LOWER": {"IN": ["le", "la"]}},
                  {"LOWER": {"REGEX": r"^(pr[ée]sident|directeur|directrice|d[ée]l[ée]gu|secr[ée]taire|"
                                      r"responsable|chef|coordinat|vice|rapporteu|administrat|"
                                      r"tr[ée]sori|fondat|g[ée]rant|porte-parole|co-pr)"}}]],
    }


@lru_cache(maxsize=1)
def rules_version() -> str:
    """Short hash of every pattern: a rules change changes the pipeline version by itself."""
    blob = json.dumps({name: fn() for name, fn in sorted(RULES.items())}, sort_keys=True,
                      ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:8]


@lru_cache(maxsize=1)
def nlp() -> Language:
    """A blank French pipeline: tokeniser only; rules do the rest."""
    return spacy.blank("fr")


@cache
def matcher(name: str) -> Matcher:
    m = Matcher(nlp().vocab, validate=True)
    for label, patterns in RULES[name]().items():
        m.add(label, patterns, greedy="LONGEST")
    return m


@lru_cache(maxsize=1)
def legend_phrases() -> PhraseMatcher:
    pm = PhraseMatcher(nlp().vocab, attr="LOWER")
    pm.add("LEGEND_HEADING", [nlp().make_doc("légende du niveau d'avancement"),
                              nlp().make_doc("legende du niveau d'avancement")])
    return pm


def matches(name: str, doc: Doc) -> list[tuple[str, int, int]]:
    """(label, start, end) of a family's matches in a doc, in order."""
    vocab = doc.vocab.strings
    found = [(vocab[mid], s, e) for mid, s, e in matcher(name)(doc)]
    return sorted(found, key=lambda t: (t[1], -t[2]))


def parse_docs(texts: list[str]) -> list[Doc]:
    return list(nlp().pipe(texts))
