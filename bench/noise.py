"""A seeded model of the OCR damage real scans of mission reports show, applied to clean text.

A report is given as pages of `Block`s (a heading, a measure with its number prefix, a
paragraph, a letter line…); `damage_pages` wraps each block into lines and applies, with a
`random.Random(seed)`, every kind of damage seen in OCR output of the original scans
(shared/domain.md, last section). The same seed gives the same text.

Damage kinds (`KINDS`): typography (’ and ligatures), elision (`l'`→`I'`/`'`), a-grave (`à`→`&`/`a`),
accents (dropped or swapped, `État`→`Etat`), la-ou (`là où`→`1a ot`), stray-space (`stra tégiques`),
hyphenation (a word split at a line end), number-lost (`.` or nothing), number-glued
(`14.Piloter`), number-mangled (`l4.`, `I5.`, `2l.`, `S.`), title-split (a blank line inside
a title), junk-line (`o vhw` after a measure), legend-swatch (`Hl Très satisfaisant`),
heading-case (odd case, bullets), letter-confusion (`Sccrétaire`, `Madamc`, `Lamission`),
month-damage (`octohre`, `févr1er`); `interleave` puts two columns line by line.
"""
from __future__ import annotations

import random
import re
import textwrap
from dataclasses import dataclass, field

KINDS = ("typography", "elision", "a-grave", "accents", "la-ou", "stray-space", "hyphenation",
         "number-lost", "number-glued", "number-mangled", "title-split", "junk-line",
         "legend-swatch", "heading-case", "letter-confusion", "month-damage", "two-columns")


@dataclass(frozen=True)
class Block:
    """One logical piece of a page before wrapping."""

    text: str
    role: str = "body"  # body, title, heading, measure, summary, legend, date, name (left as is),
    # letter (recipient lines), letter-body (paragraphs)
    number: int | None = None  # a measure's number
    prefix: str = ""  # a measure's number as printed: "7. ", "Mesure 7 — ", "n°7 ", "M7 "
    style: str = ""  # numbering style: dot, paren, mesure, n, M
    para_break: bool = False
    wrap: int = 0  # wrap width (0: one line)
    column: str = ""  # "A" / "B" when the block stands in one of two columns


@dataclass(frozen=True)
class Rates:
    """Probabilities of each kind of damage, per site (word, line or measure)."""

    typography: float = 0.3
    ligature: float = 0.3
    elision: float = 0.5
    a_grave: float = 0.3
    accents: float = 0.06
    la_ou: float = 0.8
    stray_space: float = 0.03
    hyphenation: float = 0.25
    number_lost: float = 0.07
    number_dropped: float = 0.05
    number_glued: float = 0.08
    number_mangled: float = 0.08
    title_split: float = 0.12
    junk_line: float = 0.18
    legend_swatch: float = 0.8
    heading_case: float = 0.5
    letter_confusion: float = 0.25
    month_damage: float = 0.5


@dataclass
class Damaged:
    """The damaged pages (lines of text, a blank line before `para_break` lines) and the truth
    the damage changes: which measures lost their printed number."""

    pages: list[list[tuple[str, bool]]] = field(default_factory=list)
    lost_numbers: set[int] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)

    def text(self) -> str:
        out = []
        for page in self.pages:
            lines: list[str] = []
            for text, para in page:
                if para and lines:
                    lines.append("")
                lines.append(text)
            out.append("\n".join(lines))
        return "\n\f".join(out) + "\n"


JUNK_PARTS = ("o", "vhw", "ajy", "fou", "BIR00000", "ROCONDO", "Hl", "©", "|", "EF", "mm", "Bl",
              "ww", "rx", "ji", "[", "@", "EE", "ll", "oo", "%", "—", "wz", "nQ", "Ci")
SWATCHES = ("Hl ", "1 ", "[ ", "Bl ", "| ", "E ", "@ ", "i ")
BULLETS = ("• ", "- ", "o ", "▪ ", "* ", "» ")
DIGIT_CONFUSIONS = {"1": ("l", "I"), "5": ("S",), "0": ("O",), "8": ("B",), "2": ("Z",)}
LETTER_CONFUSIONS = (("e", "c"), ("é", "c"), ("é", "e"), ("è", "é"), ("o", "c"), ("m", "rn"))
MONTH_DAMAGE = {"octobre": ("octohre", "octobrc"), "février": ("févr1er", "fevrier"),
                "janvier": ("janv1er", "janvicr"), "mars": ("rnars",), "juin": ("juln",),
                "novembre": ("novemhre",), "décembre": ("décemhre", "decembre"),
                "septembre": ("septemhre",), "avril": ("avri1",), "juillet": ("juil1et",)}
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿœŒ]+")


class Noise:
    """The damage applied to one document, drawn from one seeded generator."""

    def __init__(self, seed: int, rates: Rates = Rates()) -> None:
        self.rng = random.Random(seed)
        self.rates = rates
        self.kinds: set[str] = set()

    def chance(self, p: float, kind: str) -> bool:
        hit = self.rng.random() < p
        if hit:
            self.kinds.add(kind)
        return hit

    # -- words ------------------------------------------------------------------------
    def words(self, text: str, role: str) -> str:
        r = self.rates
        text = re.sub(r"\bl'(?=[A-Za-zÀ-ÿ])", lambda m: self._elision(), text)
        text = re.sub(r"(?<= )à(?= )", lambda m: (self.rng.choice(["&", "a"]) if self.chance(
            r.a_grave, "a-grave") else "à"), text)
        text = re.sub(r"\blà où\b", lambda m: "1a ot" if self.chance(r.la_ou, "la-ou") else m[0],
                      text)
        text = _WORD.sub(lambda m: self._word(m.group(0), role), text)
        if role != "date":
            text = text.replace("'", "\u2019") if self.chance(r.typography, "typography") else text
            text = re.sub("fi", lambda m: "\ufb01" if self.chance(r.ligature / 4, "typography")
                          else "fi", text)
        return text

    def _elision(self) -> str:
        if not self.chance(self.rates.elision, "elision"):
            return "l'"
        return self.rng.choice(["I'", "I'", "'", "1'"])

    def _word(self, word: str, role: str) -> str:
        r = self.rates
        if role == "letter" and len(word) >= 5 and self.chance(r.letter_confusion / 3,
                                                                 "letter-confusion"):
            a, b = self.rng.choice(LETTER_CONFUSIONS)
            sites = [i for i in range(1, len(word)) if word[i] == a]
            if sites:
                i = self.rng.choice(sites)
                return word[:i] + b + word[i + 1:]
        if word[:1] == "É" and self.chance(0.5, "accents"):
            word = "E" + word[1:]
        if any(c in "éèêà" for c in word) and self.chance(r.accents, "accents"):
            i = self.rng.choice([i for i, c in enumerate(word) if c in "éèêà"])
            swap = {"é": "eè", "è": "eé", "ê": "e", "à": "a"}[word[i]]
            word = word[:i] + self.rng.choice(swap) + word[i + 1:]
        if len(word) >= 8 and role in ("measure", "body", "summary") and self.chance(
                r.stray_space, "stray-space"):
            i = self.rng.randrange(3, len(word) - 3)
            word = word[:i] + " " + word[i:]
        return word

    # -- lines ------------------------------------------------------------------------
    def number_prefix(self, b: Block) -> tuple[str, bool]:
        """The measure's printed number after damage, and whether it was lost."""
        r = self.rates
        prefix = b.prefix
        digits = str(b.number)
        if b.style in ("dot", "paren") and self.chance(r.number_lost, "number-lost"):
            return prefix.replace(digits, "", 1), True
        if b.style == "dot" and self.chance(r.number_dropped, "number-lost"):
            return "", True
        if b.style == "mesure" and self.chance(r.number_lost / 2, "number-lost"):
            return prefix.replace(f" {digits}", "", 1), True
        if any(d in DIGIT_CONFUSIONS for d in digits) and self.chance(r.number_mangled,
                                                                       "number-mangled"):
            i = self.rng.choice([i for i, d in enumerate(digits) if d in DIGIT_CONFUSIONS])
            bad = digits[:i] + self.rng.choice(DIGIT_CONFUSIONS[digits[i]]) + digits[i + 1:]
            prefix = prefix.replace(digits, bad, 1)
        if b.style in ("dot", "paren") and self.chance(r.number_glued, "number-glued"):
            prefix = prefix.rstrip()
        return prefix, False

    def wrap(self, text: str, width: int) -> list[str]:
        if width <= 0:
            return [text]
        lines = textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)
        for i in range(len(lines) - 1):
            head, _, rest = lines[i + 1].partition(" ")
            if len(head) >= 9 and head.isalpha() and self.chance(self.rates.hyphenation,
                                                                  "hyphenation"):
                cut = self.rng.randrange(3, len(head) - 3)
                lines[i] = f"{lines[i]} {head[:cut]}-"
                lines[i + 1] = f"{head[cut:]} {rest}".strip()
        return [ln for ln in lines if ln]

    def heading(self, text: str) -> str:
        if self.chance(self.rates.heading_case / 2, "heading-case"):
            text = text.upper()
        if self.chance(self.rates.heading_case / 3, "heading-case"):
            words = text.split(" ")
            i = self.rng.randrange(len(words))
            words[i] = words[i][:1].swapcase() + words[i][1:].swapcase()  # `uN PROGRAMME`
            text = " ".join(words)
        if self.chance(self.rates.heading_case / 3, "heading-case"):
            text = self.rng.choice(BULLETS) + text
        return text

    def junk(self) -> str:
        parts = self.rng.sample(JUNK_PARTS, self.rng.choice([1, 2, 2, 3]))
        return " ".join(parts)

    def date(self, text: str) -> str:
        for month, bad in MONTH_DAMAGE.items():
            if month in text and self.chance(self.rates.month_damage, "month-damage"):
                text = text.replace(month, self.rng.choice(bad))
        return text


def _block_lines(noise: Noise, b: Block, lost: set[int]) -> list[tuple[str, bool]]:
    r = noise.rates
    if b.role == "heading":
        text = noise.heading(noise.words(b.text, "heading"))
    elif b.role == "date":
        text = noise.date(noise.words(b.text, "date"))
    elif b.role == "legend":
        text = noise.words(b.text, "legend")
        if noise.chance(r.legend_swatch, "legend-swatch"):
            text = noise.rng.choice(SWATCHES) + text
    elif b.role == "letter-body" and noise.chance(r.letter_confusion, "letter-confusion"):
        glued = re.sub(r"\b(La|Le|Les) ([a-zé]\w+)", r"\1\2", b.text, count=1)  # `Lamission`
        text = noise.words(glued, "letter")
    elif b.role == "letter-body":
        text = noise.words(b.text, "letter")
    elif b.role == "name":
        text = b.text
    else:
        text = noise.words(b.text, b.role)
    if b.role != "measure":
        lines = noise.wrap(text, b.wrap)
        return [(ln, b.para_break and i == 0) for i, ln in enumerate(lines)]
    prefix, was_lost = noise.number_prefix(b)
    if was_lost and b.number is not None:
        lost.add(b.number)
    lines = noise.wrap(prefix + text, b.wrap) if prefix else noise.wrap(text, b.wrap)
    out = [(ln, b.para_break and i == 0) for i, ln in enumerate(lines)]
    if len(out) > 1 and noise.chance(r.title_split, "title-split"):
        i = noise.rng.randrange(1, len(out))
        out[i] = (out[i][0], True)
    if not b.column and noise.chance(r.junk_line, "junk-line"):
        out.append((noise.junk(), False))
    return out


def interleave(a: list[tuple[str, bool]], b: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Two columns read across the page: line i of column A, then line i of column B, …"""
    out: list[tuple[str, bool]] = []
    for i in range(max(len(a), len(b))):
        if i < len(a):
            out.append((a[i][0], False))
        if i < len(b):
            out.append((b[i][0], False))
    return out


def damage_pages(pages: list[list[Block]], seed: int, rates: Rates = Rates()) -> Damaged:
    """Wrap and damage every block of every page, reproducibly for one seed."""
    noise = Noise(seed, rates)
    result = Damaged()
    for blocks in pages:
        lines: list[tuple[str, bool]] = []
        columns: dict[str, list[tuple[str, bool]]] = {"A": [], "B": []}
        for b in blocks:
            if b.column:
                columns[b.column].extend(_block_lines(noise, b, result.lost_numbers))
                continue
            if columns["A"] or columns["B"]:
                merged = interleave(columns["A"], columns["B"])
                lines.extend([(merged[0][0], True), *merged[1:]])
                columns = {"A": [], "B": []}
                noise.kinds.add("two-columns")
            lines.extend(_block_lines(noise, b, result.lost_numbers))
        if columns["A"] or columns["B"]:
            lines.extend(interleave(columns["A"], columns["B"]))
        result.pages.append(lines)
    result.kinds = noise.kinds
    return result


def clean_pages(pages: list[list[Block]]) -> Damaged:
    """The same pages with no damage at all (every rate 0): the undamaged rendering."""
    zero = Rates(**{name: 0.0 for name in Rates.__dataclass_fields__})
    return damage_pages(pages, seed=0, rates=zero)

