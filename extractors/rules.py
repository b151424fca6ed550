"""spaCy rule families (patterns as data), registered under versioned names, built once."""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractors.vocabulary import NUMBER_WORDS
from models.paths import user_cache

if TYPE_CHECKING:  # spaCy is imported when a pipeline is first needed, not to hash the rules
    from spacy.language import Language
    from spacy.matcher import Matcher, PhraseMatcher
    from spacy.tokens import Doc

Pattern = list[dict[str, Any]]
RULES: dict[str, Callable[[], dict[str, list[Pattern]]]] = {}
VOCABULARIES: dict[str, Callable[[], dict[str, list[str]]]] = {}

NUM = {"TEXT": {"REGEX": r"^\d{1,3}$"}}
DASHES = ["—", "–", "-", ":", "."]


def rule(name: str) -> Callable[[Callable[[], dict[str, list[Pattern]]]], Callable[[], dict[str, list[Pattern]]]]:
    """Register a pattern family under a versioned name (`family.vN`)."""
    def wrap(fn: Callable[[], dict[str, list[Pattern]]]) -> Callable[[], dict[str, list[Pattern]]]:
        RULES[name] = fn
        return fn
    return wrap


def vocabulary(name: str) -> Callable[[Callable[[], dict[str, list[str]]]],
                                      Callable[[], dict[str, list[str]]]]:
    """Register word lists that repairs consult (`family.vN`); hashed into the rules version."""
    def wrap(fn: Callable[[], dict[str, list[str]]]) -> Callable[[], dict[str, list[str]]]:
        VOCABULARIES[name] = fn
        return fn
    return wrap


# Characters OCR reads for digits in list numbers: `l4.` (14), `I5.` (15), `2l.` (21), `S.` (5).
DIGIT_CONFUSIONS = {"l": "1", "I": "1", "|": "1", "i": "1", "L": "1", "O": "0", "o": "0",
                    "S": "5", "Z": "2", "B": "8"}
_D = "[0-9" + "".join(DIGIT_CONFUSIONS).replace("|", "\\|") + "]"
_CORE = rf"(?=[^.)\s]*\d)(?=[^.)\s]*[^\d.)\s]){_D}{{1,3}}"  # a digit kept and one misread
MANGLED = rf"^{_CORE}$"  # `l4`, `1O`, `2l`
MANGLED_ALONE = rf"^{_D}$"  # a one-character number with no digit left: `S`, `l`, `B`
# After a measure's `M`, a 4 read `A` too (`MA Former …` for M4); alone, `A.` is a letter's list
M_CONFUSIONS = {**DIGIT_CONFUSIONS, "A": "4"}
_DM = "[0-9" + "".join(M_CONFUSIONS).replace("|", "\\|") + "]"
# A capital letter printed before a number (`S1` stratégique, `O2`, `P1`): a label, not a misread
# digit; `I` excepted (`I2.` is 12 misread), and `M` has its own style (`M7`, « mesure 7 »).
PREFIX = "[A-HJ-LN-Z]"
# A table's rules and a status mark read as glyphs between a row's number and its title:
# `1 UM | Consolider …`.
CELL_GLYPHS = {"TEXT": {"REGEX": r"^(?:[^\w\s]{1,3}|[A-Z]{1,2})$"}, "OP": "{0,2}"}
GLUED_TITLE = r"^\d{1,3}[A-ZÀ-Ý«][a-zà-ÿ]"  # `N° 1Élargir`: a text layer with no space after it


@rule("numbering.v4")
def numbering() -> dict[str, list[Pattern]]:
    """A measure's number at the start of a line: `7.`, `7)`, `Mesure 7 —`, `n°7`, `M7`,
    a letter's prefix (`S1.`, `O2 —`, `P1)`), `14.Piloter`, a table's bare `7 Créer`; lost
    (`. Faciliter`, `Mesure — …`); misread (`l4.`, `I5.`, `2l.`, `S.`, `MLL Garantir` for M11, `MA` for M4)."""
    sep = {"ORTH": {"IN": [".", ")", "°"]}}
    dash = {"ORTH": {"IN": DASHES}, "OP": "?"}
    return {
        "NUM_DOT": [[NUM, sep], [{"TEXT": {"REGEX": r"^\d{1,3}[.)]$"}}]],  # `8)`: one token
        "NUM_GLUED": [[{"TEXT": {"REGEX": r"^\d{1,3}[.)][A-Za-zÀ-ÿ«\"']"}}]],
        # `5, Organiser`, `7: Ouvrir`: a dot read as a comma or a colon
        "NUM_COMMA": [[NUM, {"ORTH": {"IN": [",", ":"]}}, {"IS_TITLE": True}]],
        "NUM_MESURE": [[{"LOWER": {"IN": ["mesure", "mesures"]}}, {"ORTH": {"IN": ["n°", "no"]}, "OP": "?"},
                        {"TEXT": {"REGEX": r"^\d{1,3}[—–:.-]?$"}}, dash],
                       [{"LOWER": "mesure"}, {"TEXT": {"REGEX": GLUED_TITLE}}]],
        "NUM_N": [[{"LOWER": {"IN": ["n°", "nº", "no"]}}, NUM, dash],
                  [{"LOWER": "n"}, {"ORTH": {"IN": ["°", "º"]}}, NUM, dash],  # `N°` is two tokens
                  [{"LOWER": {"REGEX": r"^n°\d{1,3}$"}}, dash],
                  [{"LOWER": {"IN": ["n°", "nº"]}}, {"TEXT": {"REGEX": GLUED_TITLE}}],
                  [{"LOWER": "n"}, {"ORTH": {"IN": ["°", "º"]}}, {"TEXT": {"REGEX": GLUED_TITLE}}],
                  [{"LOWER": {"REGEX": r"^n°\d{1,3}[a-zà-ÿ]"}}]],
        "NUM_M": [[{"TEXT": {"REGEX": r"^M\d{1,3}$"}}, dash]],
        "NUM_PREFIX": [[{"TEXT": {"REGEX": rf"^{PREFIX}\d{{1,3}}$"}}, dash],
                       [{"TEXT": {"REGEX": rf"^{PREFIX}\d{{1,3}}[.)\-–—:]$"}}],
                       [{"TEXT": {"REGEX": rf"^{PREFIX}\d{{1,3}}[.)][A-ZÀ-Ý«]"}}]],
        "NUM_MANGLED": [[{"TEXT": {"REGEX": MANGLED}}, {"ORTH": {"IN": [".", ")"]}}],
                        [{"TEXT": {"REGEX": rf"^{_CORE}[.)]$"}}],
                        [{"TEXT": {"REGEX": MANGLED_ALONE[:-1] + r"[.)]$"}}, {"IS_TITLE": True}],
                        [{"TEXT": {"REGEX": MANGLED_ALONE}}, {"ORTH": {"IN": [".", ")"]}},
                         {"IS_TITLE": True}],
                        [{"TEXT": {"REGEX": rf"^{_CORE}[.)][A-Za-zÀ-ÿ«]"}}],
                        [{"TEXT": {"REGEX": rf"^{_D}[.)][A-ZÀ-Ý]"}}],
                        [{"LOWER": {"IN": ["mesure", "n°", "no"]}}, {"TEXT": {"REGEX": MANGLED}},
                         dash],
                        [{"LOWER": "mesure"}, {"TEXT": {"REGEX": MANGLED_ALONE}},
                         {"ORTH": {"IN": DASHES}}],
                        [{"TEXT": {"REGEX": rf"^M{_CORE}$"}}, dash],
                        [{"TEXT": {"REGEX": rf"^M{_DM}{{1,2}}$"}}, dash, {"IS_TITLE": True}]],
        "NUM_BARE": [[NUM, CELL_GLYPHS, {"IS_TITLE": True}],
                     [NUM, CELL_GLYPHS, {"TEXT": {"REGEX": r"^[a-zà-ÿ]{3,}(er|ir|re|oir)$"}}]],
        "NUM_LOST": [[{"ORTH": {"IN": [".", ")"]}}, {"IS_ALPHA": True}],
                     [{"TEXT": {"REGEX": r"^[a-zA-Z][.)]$"}}, {"IS_TITLE": True}],  # `x. Évaluer`
                     [{"LOWER": "mesure"}, {"ORTH": {"IN": ["—", "–", "-", ":"]}}],
                     [{"LOWER": {"IN": ["n°", "nº"]}}, {"IS_TITLE": True}]],
    }


@rule("dimension-heading.v4")
def dimension_heading() -> dict[str, list[Pattern]]:
    """« 7 mesures opérationnelles », « MESURES STRATÉGIQUES », « Dimension politique : … »
    (« Dimension-politique » as OCR may join them);
    `BARE_*` is the adjective alone, singular (« Opérationnel · effets attendus à 3/9 mois »): a heading
    only where it opens its line (headings.read_dimension checks)."""
    singular = {"DIM_OPERATIONNELLE": r"^op[ée]rationnel(le)?$", "DIM_STRATEGIQUE": r"^strat[ée]gique$",
                "DIM_POLITIQUE": r"^politique$"}
    lead = {"LOWER": {"REGEX": r"^(mesures?|dimensions?|axes?|volets?|registres?)$"}}
    glued = {"ORTH": {"IN": ["-", "–"]}, "OP": "?"}  # « Dimension-opérationnelle »
    patterns = {label: [[lead, glued, {"LOWER": {"REGEX": rx.removesuffix("$") + "s?$"}}]]
                for label, rx in singular.items()}
    for label, rx in singular.items():  # alone, a plural is the end of « N mesures … »
        patterns["BARE_" + label[4:]] = [[{"LOWER": {"REGEX": rx}, "IS_TITLE": True}],
                                         [{"LOWER": {"REGEX": rx}, "IS_UPPER": True}]]
    return patterns


@rule("horizon.v3")
def horizon() -> dict[str, list[Pattern]]:
    """A range (`3/9 mois`, `3 / 9 mois`, `3 à 9 mois`, `de 3 à 9 mois`, `12-18 mois`,
    `3 & 9 mois`, `1 à 2 ans`) or a single horizon (`à 6 mois`, `à 1 an`, `d'ici 3 ans`)."""
    to = {"LOWER": {"IN": ["à", "a", "&", "-", "–", "—", "/", "au"]}}
    unit = {"LOWER": {"IN": ["mois", "an", "ans", "année", "années"]}}
    return {
        "HORIZON": [
            [{"TEXT": {"REGEX": r"^\d{1,2}[/–-]\d{1,2}$"}}, unit],
            [{"TEXT": {"REGEX": r"^\d{1,2}/$"}}, NUM, unit],
            [NUM, to, NUM, unit],
            [NUM, {"TEXT": {"REGEX": r"^/\d{1,2}$"}}, unit],
        ],
        "HORIZON_SINGLE": [[{"LOWER": {"IN": ["à", "a", "&", "ici", "sous", "dans", "de"]}},
                            {"TEXT": {"REGEX": r"^\d{1,2}$"}}, unit]],
    }


@rule("section-heading.v2")
def section_heading() -> dict[str, list[Pattern]]:
    """A count announcing a list: « 21 mesures autour de… », « Neuf mesures », « 4 chantiers… »."""
    count = {"LOWER": {"REGEX": r"^(\d{1,3}|" + "|".join(NUMBER_WORDS) + r")$"}}
    return {
        "ANNOUNCE_MESURES": [[count, {"LOWER": {"REGEX": r"^mesures$"}}],
                             [{"LOWER": {"IN": ["vingt", "dix"]}}, {"LOWER": {"IN": ["et", "-"]}},
                              {"LOWER": {"IN": ["une", "un"]}}, {"LOWER": "mesures"}]],
        "ANNOUNCE_OTHER": [[{"TEXT": {"REGEX": r"^\d{1,2}$"}},
                            {"LOWER": {"REGEX": r"^(chantiers|outils|axes|leviers|actions|priorités|"
                                                r"propositions|recommandations|engagements|"
                                                r"dimensions|temporalités|étapes|objectifs)$"}}]],
        "LEGEND": [[{"LOWER": {"REGEX": r"^l[ée]gende$"}}]],
        "PROGRESS": [[{"LOWER": {"IN": ["niveau", "niveaux", "état", "etat"]}},
                      {"LOWER": {"IN": ["d'", "d"]}}, {"LOWER": "avancement"}],
                     [{"LOWER": "avancement"}, {"LOWER": "des"}, {"LOWER": "mesures"}]],
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


@rule("count.v2")
def count() -> dict[str, list[Pattern]]:
    """A count before a status in the summary sentence: digits, French number words (« six »,
    « vingt et une », « dix-sept »), « aucune »."""
    return {"COUNT": [[{"TEXT": {"REGEX": r"^\d{1,3}$"}}],
                      [{"LOWER": {"IN": list(NUMBER_WORDS)}}],
                      [{"LOWER": {"IN": ["vingt", "dix", "trente"]}}, {"ORTH": "-", "OP": "?"},
                       {"LOWER": {"IN": ["et", "-"]}, "OP": "?"}, {"ORTH": "-", "OP": "?"},
                       {"LOWER": {"IN": ["un", "une", "deux", "trois", "sept", "huit", "neuf"]}}]]}


@rule("date-line.v2")
def date_line() -> dict[str, list[Pattern]]:
    """« Vincennes, le 17 octobre 2020 », « le 1er mai 2021 », « 17/10/2020 », « 17.10.2020 »;
    a month name OCR damaged (`octohre`, `févr1er`) is matched, then read fuzzily."""
    month = {"LOWER": {"REGEX": r"^[a-zéèûôà][a-zéèûôà1l0]{2,9}\.?$"}}
    return {
        "DATE_WORDS": [[{"TEXT": {"REGEX": r"^(1er|1°|[lI]er|\d{1,2})$"}}, month,
                        {"TEXT": {"REGEX": r"^(1[89]|20)\d\d$"}}]],
        "DATE_NUMERIC": [[{"TEXT": {"REGEX": r"^\d{1,2}[/.-]\d{1,2}[/.-](1[89]|20)\d\d$"}}]],
    }


@rule("letter-parts.v2")
def letter_parts() -> dict[str, list[Pattern]]:
    """Subject, civility, offices, street and postcode, signatory role."""
    return {
        "SUBJECT": [[{"LOWER": {"IN": ["objet", "obj", "0bjet"]}}, {"ORTH": {"IN": [":", "."]}, "OP": "?"}]],
        "CIVILITY": [[{"LOWER": {"IN": ["madame", "monsieur", "mesdames", "messieurs", "mme", "m."]}}]],
        "OFFICE": [[{"LOWER": {"REGEX": r"^(minist[èeé]re|secr[ée]tariat|pr[ée]fecture|direction|"
                                         r"d[ée]l[ée]gation|cabinet|agence|haut-commissariat|"
                                         r"commissariat|services?)$"}}]],
        "STREET": [[NUM, {"LOWER": {"IN": ["bis", "ter"]}, "OP": "?"},
                    {"ORTH": {"IN": [",", ".", ";"]}, "OP": "?"},  # « 10; rue »: a comma misread
                    {"LOWER": {"REGEX": r"^(rue|avenue|av\.|boulevard|bd|place|quai|allée|chemin|"
                                        r"cours|impasse|route|square|esplanade|parvis)$"}}]],
        "POSTCODE": [[{"TEXT": {"REGEX": r"^\d{5}$"}}, {"IS_ALPHA": True}]],
        "ROLE": [[{"LOWER": {"IN": ["le", "la"]}},
                  {"LOWER": {"REGEX": r"^(pr[ée]sident|directeur|directrice|d[ée]l[ée]gu|secr[ée]taire|"
                                      r"responsable|chef|coordinat|vice|rapporteu|administrat|"
                                      r"tr[ée]sori|fondat|g[ée]rant|porte-parole|co-pr)"}}]],
    }


# -- OCR repairs: contexts where a confusion has only one French reading ---------------------

ELISION_AFTER = ["de", "à", "pour", "dans", "sur", "par", "et", "avec", "vers", "entre", "sans",
                 "selon", "chez", "envers", "depuis", "contre", "sous", "dès", "comme", "que"]
# Words after which « à » is the only reading of `a` or `&` (a verb or adjective that takes « à »).
A_AFTER = ["dès", "grâce", "face", "quant", "jusqu'", "conformément", "relatif", "relative",
           "relatifs", "relatives", "ici", "apprendre", "inciter", "contribuer", "participer",
           "parvenir", "consister", "viser", "aider", "commencer", "continuer", "inviter",
           "encourager", "renoncer", "réussir", "accessible", "accessibles", "propre", "propres",
           "destiné", "destinée", "destinés", "destinées", "consacré", "consacrée", "consacrés",
           "consacrées", "ouvert", "ouverte", "ouverts", "ouvertes", "effets"]
# Words before which `a` or `&` can only be « à »: `a présent`, `& date`, `a travers`.
A_BEFORE = ["présent", "date", "terme", "travers", "partir", "venir", "nouveau", "savoir",
            "compter", "destination", "disposition", "proximité", "hauteur", "mi-parcours",
            "court", "moyen", "chaque", "l'égard", "l'issue", "l'horizon", "l'échelle",
            "l'heure", "l'instar", "l'écoute", "l'initiative"]
# Subjects after which `a` is the verb « avoir »: never repaired there.
AVOIR_SUBJECTS = ["il", "elle", "on", "qui", "y", "cela", "ça", "ce", "qu'", "n'", "l'", "m'",
                  "t'", "s'", "j'", "tout", "chacun", "chacune", "personne", "rien"]
INFINITIVE = (r"^([a-zà-ÿ]{2,}(er|ir|oir)|faire|dire|prendre|mettre|être|vivre|suivre|produire|"
              r"construire|conduire|permettre|répondre|rendre|comprendre|apprendre|entreprendre|"
              r"reconnaître|connaître|transmettre|soumettre|défendre|étendre|attendre|entendre|"
              r"inscrire|écrire|décrire|lire|croire|naître|paraître|résoudre|réduire|"
              r"introduire|combattre|battre)$")


@rule("repair-context.v1")
def repair_context() -> dict[str, list[Pattern]]:
    """Contexts where an OCR confusion has one reading: `de 'État` (l'), `dès & présent` (à),
    `a faire` (à), `3 & 9 mois` (à), `1a ot` (là où)."""
    amp_or_a = {"ORTH": {"IN": ["&", "a"]}}
    vowel_word = {"TEXT": {"REGEX": r"^[AEIOUYÀÂÉÈÊÎÔÛHaeiouyàâéèêîôûh]"}}
    return {
        "ELISION_L": [[{"LOWER": {"IN": ELISION_AFTER}}, {"ORTH": "'"}, vowel_word],
                      [{"LOWER": {"REGEX": r"^[a-zà-ÿ]{3,}(er|ir)$"}}, {"ORTH": "'"}, vowel_word]],
        "A_GRAVE_AFTER": [[{"LOWER": {"IN": A_AFTER}}, amp_or_a]],
        "A_GRAVE_BEFORE": [[amp_or_a, {"LOWER": {"IN": A_BEFORE}}],
                           [amp_or_a, {"LOWER": "l'"}, {"LOWER": {"IN": [
                               w[2:] for w in A_BEFORE if w.startswith("l'")]}}],
                           [amp_or_a, {"TEXT": {"REGEX": r"^\d{1,2}(/\d{1,2})?$"}},
                            {"LOWER": {"IN": ["mois", "ans", "an"]}}],
                           [amp_or_a, {"TEXT": {"REGEX": r"^\d{1,2}$"}},
                            {"ORTH": {"IN": ["/", "-", "à", "a", "&"]}}, NUM,
                            {"LOWER": {"IN": ["mois", "ans"]}}]],
        "A_GRAVE_RANGE": [[NUM, amp_or_a, NUM, {"LOWER": {"IN": ["mois", "ans"]}}]],
        "A_GRAVE_INFINITIVE": [[amp_or_a, {"LOWER": {"REGEX": INFINITIVE}}],
                               [amp_or_a, {"ORTH": {"IN": ["«", '"']}}, {"LOWER": {"REGEX": INFINITIVE}}]],
        "LA_OU": [[{"LOWER": {"IN": ["1a", "ia", "|a", "la", "là"]}},
                   {"LOWER": {"IN": ["ot", "oû", "oü", "0u", "où", "ou", "oa"]}}]],
    }


@vocabulary("ocr-confusions.v1")
def ocr_confusions() -> dict[str, list[str]]:
    """Single substitutions OCR makes inside words (`Sccrétaire`, `octohre`, `rernise`,
    `févr1er`): an unknown word is repaired when exactly one substitution makes a known word.
    Also the short words OCR glues onto the next one (`Lamission`)."""
    return {
        "SUBSTITUTIONS": ["c>e", "e>c", "rn>m", "m>rn", "h>b", "b>h", "1>i", "1>l", "l>i",
                          "i>l", "0>o", "u>n", "n>u", "cl>d", "ii>ü", "vv>w", "I>l", "c>o",
                          "o>c", "é>e", "é>c"],
        "GLUED_FIRST": ["la", "le", "les", "de", "des", "du", "un", "une", "et", "en", "au", "aux",
                        "pour", "par", "sur", "dans", "ma", "mon", "nos", "notre", "votre", "vos"],
        "NOT_INFINITIVE_AFTER_ELISION": ["autre", "autres", "un", "une", "en", "y", "il", "ils",
                                         "elle", "elles", "on", "a", "ont", "est", "était"],
    }


@lru_cache(maxsize=1)
def rules_version() -> str:
    """Short hash of every pattern: a rules change changes the pipeline version by itself."""
    data: dict[str, Any] = {name: fn() for name, fn in sorted({**RULES, **VOCABULARIES}.items())}
    data["tokenizer"] = f"fr-rules-v{TOKENIZER_VERSION}"
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:8]


# spaCy's French tokenizer, built faster: importing spacy.lang.fr compiles a regex of ~100
# hyphenated-word patterns (« porte-parole », « sous-préfet ») spelled with Unicode letter
# classes thousands of characters long — 2.4 s of every run's CPU on these machines, more than
# the rest of extraction. The tokenizer's rules (prefixes, suffixes, infixes, special cases such
# as « l' », « n° », « Mme. », and that regex's text) are serialised by spaCy once per spaCy
# version into the user's cache; the regex is then compiled with the letter classes narrowed to
# Latin letters, which French text is written in (`tests/test_rules.py` checks that every text
# we have tokenises exactly as spacy.blank("fr") does).
TOKENIZER_VERSION = 1  # part of rules_version: bump when the tokenizer changes
LATIN_LOWER = r"a-z\u00DF-\u00F6\u00F8-\u00FF\u0100-\u024F"
LATIN = r"A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F"


def _tokenizer_cache() -> Path:
    import spacy

    return user_cache() / f"spacy-{spacy.__version__}-fr-tokenizer.msgpack"


def french_tokenizer_rules() -> bytes:
    """spaCy's French tokenizer, serialised without its vocabulary (cached per spaCy version)."""
    import spacy

    path = _tokenizer_cache()
    try:
        return path.read_bytes()
    except OSError:
        pass
    # built by one process: the others that start meanwhile (a run's page readers, a test
    # session's workers) wait for it rather than spend the same seconds of CPU beside it
    with contextlib.ExitStack() as held:
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = held.enter_context(open(path.with_suffix(".lock"), "w"))
            fcntl.flock(lock, fcntl.LOCK_EX)
            with contextlib.suppress(OSError):
                return path.read_bytes()
        data = spacy.blank("fr").tokenizer.to_bytes(exclude=["vocab"])
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError:
            pass  # built again next time
    return data


@lru_cache(maxsize=1)
def nlp() -> Language:
    """A blank pipeline with spaCy's French tokenizer: tokeniser only; rules do the rest."""
    import spacy
    import srsly
    from spacy.lang.char_classes import ALPHA, ALPHA_LOWER

    data = french_tokenizer_rules()
    pipeline = spacy.blank("xx")
    pipeline.tokenizer.from_bytes(data, exclude=["vocab", "token_match"])
    pattern = srsly.msgpack_loads(data).get("token_match")
    if pattern:
        pattern = pattern.replace(ALPHA_LOWER, LATIN_LOWER).replace(ALPHA, LATIN)
        pipeline.tokenizer.token_match = re.compile(pattern).match
    return pipeline


@cache
def matcher(name: str) -> Matcher:
    from spacy.matcher import Matcher

    m = Matcher(nlp().vocab, validate=True)
    for label, patterns in RULES[name]().items():
        m.add(label, patterns, greedy="LONGEST")
    return m


@lru_cache(maxsize=1)
def legend_phrases() -> PhraseMatcher:
    from spacy.matcher import PhraseMatcher

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


_BARE_AFTER = frozenset(":·•-–—(.;")  # what may follow a bare dimension adjective heading (a
# comma does not: « OPÉRATIONNELLES, AUX PREMIERS … » is the rest of a wrapped « 5 MESURES »)


def dimension_headings(doc: Doc) -> list[tuple[str, int, int]]:
    """The dimension headings of a line, as `DIM_*` matches: a lead word and the adjective
    anywhere; the adjective alone, singular, only where it opens the line (after an icon read as
    one glyph, not a digit) and ends it or is followed by punctuation or « effets »: « Politique ·
    effets attendus à 18 mois », never « 12. Politique d'achat … »."""
    found = []
    for label, s, e in matches("dimension-heading.v4", doc):
        if label.startswith("BARE_"):
            lead = [t for t in doc[:s] if any(c.isalnum() for c in t.text)]
            opens = not lead or (s == 1 and len(lead[0].text) == 1 and not lead[0].text.isdigit())
            nxt = doc[e] if e < len(doc) else None
            if not opens or not (nxt is None or nxt.text in _BARE_AFTER
                                 or nxt.lower_ in ("effets", "effet")):
                continue
            label = "DIM_" + label[5:]
        found.append((label, s, e))
    return found
