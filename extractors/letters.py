"""Cover letters: place and date, sender, recipient block, subject and salutation."""
from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

import dateparser
from rapidfuzz import process

from extractors.measures import PageLine

if TYPE_CHECKING:
    from spacy.tokens import Doc
from extractors.rules import matches
from extractors.spelling import is_known_word
from extractors.vocabulary import MONTH_NAMES, MONTHS
from models.records import Letter

_FR_MONTHS = list(MONTH_NAMES)
DATE_SETTINGS = {"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"],
                 "PREFER_DAY_OF_MONTH": "first", "DATE_ORDER": "DMY"}


def parse_french_date(text: str) -> str | None:
    """`17 octobre 2020`, `1er mai 2021`, `17/10/2020`, damaged month names → ISO date."""
    text = re.sub(r"^(1er|1°|ler|ier)\b", "1", text.strip().lower())
    m = re.fullmatch(r"(\d{1,2})\s+([a-zéèûôà][a-zéèûôà1l0]{2,9})\.?\s+(\d{4})", text)
    if m:
        month = m.group(2)
        if month not in MONTHS:
            month = month.replace("1", "i").replace("0", "o")
            best = process.extractOne(month, _FR_MONTHS, score_cutoff=70)
            if best is None:
                return None
            month = best[0]
        text = f"{m.group(1)} {month} {m.group(3)}"
    parsed = dateparser.parse(text, languages=["fr"], settings=DATE_SETTINGS)
    if parsed is None:
        return None
    d: date = parsed.date()
    return d.isoformat() if 1800 <= d.year <= 2100 else None


def _labels(pl: PageLine, family: str) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for label, s, e in matches(family, pl.doc):
        out.setdefault(label, (s, e))
    return out


_SALUTATION = re.compile(r"^(madame|monsieur|mesdames|messieurs)\b|^(madame|monsieur)(la|le|l')",
                         re.IGNORECASE)
_CLOSING = re.compile(r"(je vous prie d.agr[ée]er|veuillez agr[ée]er|l.expression de (ma|mes|notre|nos)"
                      r"|haute consid[ée]ration|sentiments (distingu|respectu|d[ée]vou))",
                      re.IGNORECASE)


def _is_salutation(pl: PageLine) -> bool:
    """« Madame la Ministre, »: a short line opening with a civility, ending with a comma —
    its words glued together or not (« MadamelaMinistre, »)."""
    text = pl.line.text.strip()
    return (bool(_SALUTATION.match(text)) and text.endswith(",") and len(pl.doc) <= 12
            and len(text) <= 80)


def _cues(lines: list[PageLine]) -> set[str]:
    """What of a letter a page shows: salutation, date line, subject, recipient's civility,
    postal address, closing formula, signatory's role."""
    found: set[str] = set()
    for pl in lines:
        parts = _labels(pl, "letter-parts.v2")
        text = pl.line.text.strip()
        if _is_salutation(pl):
            found.add("salutation")
        elif _SALUTATION.match(text) and len(pl.doc) <= 14:
            found.add("civility")
        if _date_of(pl):
            found.add("date")
        if "SUBJECT" in parts and parts["SUBJECT"][0] == 0:
            found.add("subject")
        if parts.keys() & {"STREET", "POSTCODE"}:
            found.add("address")
        if _CLOSING.search(text):
            found.add("closing")
        if "ROLE" in parts and parts["ROLE"][0] == 0 and len(pl.doc) <= 8:
            found.add("role")
    return found


def _date_of(pl: PageLine) -> tuple[str, str | None] | None:
    for _label, s, e in matches("date-line.v2", pl.doc):
        iso = parse_french_date(pl.doc[s:e].text)
        if iso is None:
            continue
        before = pl.doc[:s].text.split()
        while before and len(before[-1]) <= 2 and before[-1].islower():
            before.pop()  # « le », « du », and « le » as OCR misreads it: « te », « ie »
        place = re.sub(r"^(fait|écrit)\s+(à|a|&)\s+", "", " ".join(before), flags=re.IGNORECASE)
        return iso, trimmed(place)
    return None


def is_letter_anchor(doc: Doc) -> bool:
    """A letter's line that belongs to no column: its date line, its « Objet : », its
    salutation (a letterhead and an address set side by side end above them)."""
    text = doc.text.strip()
    if _SALUTATION.match(text) and text.endswith(",") and len(doc) <= 12:
        return True
    if any(label == "SUBJECT" and s == 0 for label, s, _e in matches("letter-parts.v2", doc)):
        return True
    return bool(matches("date-line.v2", doc))


def is_letter_page(lines: list[PageLine]) -> bool:
    """A letter shows a date line or a subject, and a salutation or three of its other parts
    (a salutation OCR mangled beyond reading does not lose the letter)."""
    cues = _cues(lines)
    if not cues & {"date", "subject"}:
        return False
    return "salutation" in cues or len(cues - {"salutation"}) >= 4


def extract_letter(lines: list[PageLine]) -> Letter | None:
    """The letter's fields from one page's lines, or None when the page is not a letter."""
    if not lines or not is_letter_page(lines):
        return None
    page = lines[0].page
    salutation_i = next((i for i, pl in enumerate(lines) if _is_salutation(pl)), None)
    head = lines[:salutation_i if salutation_i is not None else _body_start(lines)]
    place = date_iso = subject = None
    anchors: set[int] = set()  # the date line, the subject and its wrapped lines
    for i, pl in enumerate(head):
        found = _date_of(pl)
        if found and date_iso is None:
            date_iso, place = found
            anchors.add(i)
        parts = _labels(pl, "letter-parts.v2")
        if "SUBJECT" in parts and parts["SUBJECT"][0] == 0 and subject is None:
            anchors.add(i)
            subject = pl.doc[parts["SUBJECT"][1]:].text.strip(" :")
            for k, nxt in enumerate(head[i + 1:], start=i + 1):
                if nxt.line.para_break or _date_of(nxt):
                    break
                anchors.add(k)
                subject = f"{subject} {nxt.line.text.strip()}"
    # Columns read in turn may set the subject before the recipient's block: the block runs
    # from its « Madame … » line to the next date or subject line, wherever they stand.
    start = next((i for i, pl in enumerate(head) if i not in anchors
                  and pl.doc[0:1].text.lower() in ("madame", "monsieur", "mme", "m.")), None)
    end = next((i for i in sorted(anchors) if start is not None and i > start), len(head))
    recipient, recipient_org, address, _first = _recipient_block(
        head[start:end] if start is not None else [])
    sender_org = _letterhead([pl for i, pl in enumerate(head[:start if start is not None
                                                             else len(head)])
                              if i not in anchors])
    return Letter(page=page, place=place, date=date_iso, sender_org=sender_org,
                  sender_role=_sender_role(lines[len(head) + 1:]), recipient=recipient,
                  recipient_org=recipient_org, recipient_address=address, subject=subject,
                  salutation=spaced(lines[salutation_i].line.text.strip())
                  if salutation_i is not None else None)


LETTERS_VERSION = "letters.v2"  # part of pipeline_version: bump when the letters' fields change
STRAY = " .,;:_|\"'‘’“”"  # end punctuation that is no part of a place or a name

_ELIDED = re.compile(r"^[dlDL]'(\w[\w-]*)$")
MAX_GLUED = 6  # words a glued token is split into, at most


def _segments(token: str) -> list[str] | None:
    """The fewest known words (« d'État » counts as one) that `token` is glued from, or None."""
    def known(part: str) -> bool:
        m = _ELIDED.match(part)
        return is_known_word(m.group(1)) if m else is_known_word(part)

    best: list[list[str] | None] = [[]] + [None] * len(token)
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 30), end):
            prev = best[start]
            if prev is not None and len(prev) < MAX_GLUED and known(token[start:end]) and (
                    best[end] is None or len(prev) + 1 < len(best[end] or [])):
                best[end] = [*prev, token[start:end]]
    return best[len(token)]


def spaced(salutation: str) -> str:
    """« MonsieurlePréfet, » → « Monsieur le Préfet, »: OCR loses the spaces of a salutation set
    in a wide face; a token that is no word is put back as the fewest known words it is glued
    from, or left as read when it is glued from none (« MadamelaMinisre, »)."""
    out = []
    for token in salutation.split(" "):
        core = token.rstrip(",.;:")
        tail = token[len(core):]
        parts = None if not core or is_known_word(core) else _segments(core)
        out.append(" ".join(parts) + tail if parts and len(parts) > 1 else token)
    return " ".join(out)


def _reads_as_words(pl: PageLine) -> bool:
    """A line of words (`Le RAMEAU`), not a logo's or a mark's glyphs (`O`, `©`, `EH`)."""
    return any(len(t.text) >= 3 and t.is_alpha for t in pl.doc)


def trimmed(text: str) -> str | None:
    """A one-line field without the specks OCR read at its ends (« _ Fédération … », « … . »,
    « " Lyon », « Toulouse. »): end tokens of no letter nor digit, end punctuation."""
    words = text.split()
    while words and not any(c.isalnum() for c in words[0]):
        words.pop(0)
    while words and not any(c.isalnum() for c in words[-1]):
        words.pop()
    return " ".join(words).strip(STRAY) or None


def _is_address(pl: PageLine) -> bool:
    return bool(_labels(pl, "letter-parts.v2").keys() & {"STREET", "POSTCODE"})


def _letterhead(lines: list[PageLine]) -> str | None:
    """The sending organisation: in the lines above the recipient, the one just above the
    sender's postal address (a slide's header or a logo's glyphs above it are not the sender),
    else the first line that reads as words."""
    named = [i for i, pl in enumerate(lines) if _reads_as_words(pl) and not _is_address(pl)]
    address = next((i for i, pl in enumerate(lines) if _is_address(pl)), None)
    above = [i for i in named if address is not None and i < address]
    pick = above[-1] if above else (named[0] if named else None)
    return trimmed(lines[pick].line.text) if pick is not None else None


def _body_start(lines: list[PageLine]) -> int:
    """Where the body starts when no salutation could be read: the paragraph after the last of
    the date line and the subject (its wrapped lines included)."""
    anchors = [i for i, pl in enumerate(lines) if _date_of(pl) or (
        "SUBJECT" in (parts := _labels(pl, "letter-parts.v2")) and parts["SUBJECT"][0] == 0)]
    i = max(anchors) + 1 if anchors else 0
    while i < len(lines) and not lines[i].line.para_break:
        i += 1
    return i


def _recipient_block(lines: list[PageLine]) -> tuple[str | None, str | None, str | None, int | None]:
    start = next((i for i, pl in enumerate(lines)
                  if pl.doc[0:1].text.lower() in ("madame", "monsieur", "mme", "m.")), None)
    if start is None:
        return None, None, None, None
    who: list[str] = []
    org: list[str] = []
    addr: list[str] = []
    block = lines[start:]
    parts = [_labels(pl, "letter-parts.v2") for pl in block]
    for i, pl in enumerate(block):
        text = pl.line.text.strip()
        # the line just over the postcode's is the street, however OCR damaged its words
        street = i + 1 < len(block) and "POSTCODE" in parts[i + 1] and (org or len(who) > 1)
        if "STREET" in parts[i] or "POSTCODE" in parts[i] or addr or street:
            addr.append(text)
        elif ("OFFICE" in parts[i] and parts[i]["OFFICE"][0] == 0) or org or (
                who and not _continues(pl) and not _open(who[-1])):
            org.append(text)  # an office by name, or a new name after the person's own
        else:
            who.append(text)
    return (" ".join(who) or None, " ".join(org) or None, " ".join(addr) or None, start)


CONTINUING = ("de", "des", "du", "d'", "d’", "et", "à", "aux", "au", "en", "chargé", "chargée",
              "auprès", "pour", "sur")


def _open(text: str) -> bool:
    """A line that stops on a joining word (« Monsieur le Ministre de la ») goes on below."""
    words = text.replace("’", "'").split()
    return bool(words) and (words[-1].lower() in (*CONTINUING, "la", "le", "les", "l'")
                            or words[-1].lower().endswith("'"))


def _continues(pl: PageLine) -> bool:
    """A recipient's title wrapped onto this line (« de la Cohésion des territoires »), not a new
    name (« Préfecture de… », misread as it may be): it opens lower case or with a joining
    word."""
    first = pl.doc[0:1].text if len(pl.doc) else ""
    return bool(first) and (first[0].islower() or first.lower() in CONTINUING)


def _sender_role(lines: list[PageLine]) -> str | None:
    """The signatory's role: a short `Le/La <role>` line after the salutation, the last one."""
    role = None
    for pl in lines:
        parts = _labels(pl, "letter-parts.v2")
        if "ROLE" in parts and parts["ROLE"][0] == 0 and len(pl.doc) <= 8:
            role = pl.line.text.strip().rstrip(",")
    return role
