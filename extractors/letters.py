"""Cover letters: place and date, sender, recipient block, subject and salutation."""
from __future__ import annotations

import re
from datetime import date

import dateparser
from rapidfuzz import process

from extractors.measures import PageLine
from extractors.rules import MONTHS, matches
from models.records import Letter

_FR_MONTHS = [m for m in MONTHS if m not in ("fevrier", "aout", "decembre")]
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


def _is_salutation(pl: PageLine) -> bool:
    text = pl.line.text.strip()
    return ("CIVILITY" in _labels(pl, "letter-parts.v1") and pl.doc[0:1].text.lower()
            in ("madame", "monsieur", "mesdames", "messieurs") and text.endswith(",")
            and len(pl.doc) <= 12)


def _date_of(pl: PageLine) -> tuple[str, str | None] | None:
    for _label, s, e in matches("date-line.v2", pl.doc):
        iso = parse_french_date(pl.doc[s:e].text)
        if iso is None:
            continue
        before = pl.doc[:s].text.strip()
        place = re.sub(r",?\s*(le|du)?\s*$", "", before, flags=re.IGNORECASE).strip(" ,")
        place = re.sub(r"^(fait|écrit)\s+(à|a|&)\s+", "", place, flags=re.IGNORECASE) or None
        return iso, place
    return None


def is_letter_page(lines: list[PageLine]) -> bool:
    has_salutation = any(_is_salutation(pl) for pl in lines)
    has_anchor = any(_date_of(pl) or "SUBJECT" in _labels(pl, "letter-parts.v1") for pl in lines)
    return has_salutation and has_anchor


def extract_letter(lines: list[PageLine]) -> Letter | None:
    """The letter's fields from one page's lines, or None when the page is not a letter."""
    if not lines or not is_letter_page(lines):
        return None
    page = lines[0].page
    salutation_i = next(i for i, pl in enumerate(lines) if _is_salutation(pl))
    head = lines[:salutation_i]
    place = date_iso = subject = None
    date_i = subject_i = None
    for i, pl in enumerate(head):
        found = _date_of(pl)
        if found and date_iso is None:
            date_iso, place = found
            date_i = i
        parts = _labels(pl, "letter-parts.v1")
        if "SUBJECT" in parts and parts["SUBJECT"][0] == 0 and subject is None:
            subject_i = i
            subject = pl.doc[parts["SUBJECT"][1]:].text.strip(" :")
            for nxt in head[i + 1:]:
                if nxt.line.para_break or _date_of(nxt):
                    break
                subject = f"{subject} {nxt.line.text.strip()}"
    block_end = min(i for i in (date_i, subject_i, salutation_i) if i is not None)
    recipient, recipient_org, address, first_recipient_i = _recipient_block(head[:block_end])
    sender_org = None
    first_lines = head[:first_recipient_i] if first_recipient_i is not None else head[:1]
    if first_lines and not _labels(first_lines[0], "letter-parts.v1").keys() & {"STREET", "POSTCODE"}:
        sender_org = first_lines[0].line.text.strip() or None
    return Letter(page=page, place=place, date=date_iso, sender_org=sender_org,
                  sender_role=_sender_role(lines[salutation_i + 1:]), recipient=recipient,
                  recipient_org=recipient_org, recipient_address=address, subject=subject,
                  salutation=lines[salutation_i].line.text.strip())


def _recipient_block(lines: list[PageLine]) -> tuple[str | None, str | None, str | None, int | None]:
    start = next((i for i, pl in enumerate(lines)
                  if pl.doc[0:1].text.lower() in ("madame", "monsieur", "mme", "m.")), None)
    if start is None:
        return None, None, None, None
    who: list[str] = []
    org: list[str] = []
    addr: list[str] = []
    for pl in lines[start:]:
        parts = _labels(pl, "letter-parts.v1")
        text = pl.line.text.strip()
        if "STREET" in parts or "POSTCODE" in parts or addr:
            addr.append(text)
        elif ("OFFICE" in parts and parts["OFFICE"][0] == 0) or org:
            org.append(text)
        else:
            who.append(text)
    return (" ".join(who) or None, " ".join(org) or None, " ".join(addr) or None, start)


def _sender_role(lines: list[PageLine]) -> str | None:
    """The signatory's role: a short `Le/La <role>` line after the salutation, the last one."""
    role = None
    for pl in lines:
        parts = _labels(pl, "letter-parts.v1")
        if "ROLE" in parts and parts["ROLE"][0] == 0 and len(pl.doc) <= 8:
            role = pl.line.text.strip().rstrip(",")
    return role
